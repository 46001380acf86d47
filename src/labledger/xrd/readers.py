"""Readers for powder diffraction files: one entry point, `read_scan(path) -> Scan`.

Formats: two- or three-column text (.xy, .xye, .csv, .txt, .dat), PANalytical .xrdml (see
`xrdml`), Rigaku .ras (`rigaku_ras`), Bruker .brml (a zip of XML) and Bruker .raw (versions 3
and 4, see `bruker_raw`). `read_scans` gives every scan of a multi-scan file. The
format is chosen from the file's first bytes where they are distinctive, else from its suffix.
Every unreadable, damaged or implausible file raises `InputFileError` naming the file and what
was expected; nothing is guessed silently. These readers use only the standard library and
numpy, so reading a scan never imports xrayutilities (which reads .xrdml and .ras too; the tests
check that both agree).
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import numpy as np

from labledger.errors import InputFileError
from labledger.xrd.formats import FORMATS, TEXT_FORMATS, binary_problem, identify
from labledger.xrd.scan import ANODE_LINES_A, CU_KA2_RATIO, Scan, Wavelength

# A scan needs enough points to fit a background and a few peaks.
MIN_POINTS = 10
_COMMENT_CHARS = ("#", "!", ";", "'", "/", "*", "%", "@")
_SPLIT = re.compile(r"[,;\t ]+")
# Counts per step far beyond any detector (1e12); larger values overflow the fit's squares.
MAX_COUNTS = 1e12
# A third text column is taken as sigma only when its median relative size sigma/y is below
# this (Poisson: 1/sqrt(N), 0.5 at N = 4 counts).
SIGMA_RELATIVE_MAX = 0.5
# Laboratory and synchrotron X-ray wavelengths (Ag Ka 0.56 A to Cr Ka 2.29 A, with margin).
WAVELENGTH_RANGE_A = (0.1, 5.0)


def read_scan(path: str | Path, fmt: str | None = None, scan_index: int = 0) -> Scan:
    """Read one diffraction scan from `path`: scan `scan_index` (0-based) of a multi-scan file.

    The format follows the content and the suffix, unless `fmt` names it ("xy", "csv", "xrdml",
    "ras", "brml", "raw"; "auto" or None to detect; the xrd record's `raw_format`). The scan's
    metadata says how many scans the file holds (`scans_in_file`) and which one this is.
    """
    scans = read_scans(path, fmt)
    if not 0 <= scan_index < len(scans):
        raise InputFileError(
            path, f"scan {scan_index + 1} asked for; the file holds {len(scans)} scan(s)"
        )
    return scans[scan_index]


def read_scans(path: str | Path, fmt: str | None = None) -> list[Scan]:
    """Every scan of `path` (one for most files; Rigaku RAS and XRDML can hold several)."""
    scans = _read_all(Path(path), fmt)
    for i, scan in enumerate(scans):
        scan.metadata.setdefault("scans_in_file", str(len(scans)))
        scan.metadata.setdefault("scan_index", str(i))
    return scans


def _read_all(path: Path, fmt: str | None) -> list[Scan]:
    if not path.is_file():
        raise InputFileError(path, "no such file")
    data = path.read_bytes()
    if not data.strip():
        raise InputFileError(path, "the file is empty; expected a diffraction scan")
    if fmt not in (None, "auto"):
        forced = "xy" if fmt == "csv" else fmt
        if forced not in FORMATS:
            raise InputFileError(path, f"unknown format '{fmt}'; expected one of {FORMATS}")
        return _as_list(_READERS[forced](path, data))
    fmt, why = identify(path.suffix, data)
    if fmt is None:
        raise InputFileError(path, why)
    return _as_list(_READERS[fmt](path, data))


def _as_list(read: Scan | list[Scan]) -> list[Scan]:
    return read if isinstance(read, list) else [read]


# ---------------------------------------------------------------- checks shared by all readers


def checked_scan(
    path: Path,
    two_theta: np.ndarray,
    counts: np.ndarray,
    sigma: np.ndarray | None,
    wavelength: Wavelength,
    fmt: str,
    metadata: dict[str, str] | None = None,
) -> Scan:
    """Validate arrays read from `path` and build a `Scan`; raise `InputFileError` if implausible.

    A strictly decreasing scan is reversed; any other disorder is an error.
    """
    tt = np.asarray(two_theta, dtype=float)
    y = np.asarray(counts, dtype=float)
    s = None if sigma is None else np.asarray(sigma, dtype=float)
    if tt.size != y.size or (s is not None and s.size != y.size):
        raise InputFileError(path, "2theta and intensity columns have different lengths")
    if tt.size < MIN_POINTS:
        raise InputFileError(
            path, f"only {tt.size} data point(s); expected a scan of at least {MIN_POINTS}"
        )
    if not (np.all(np.isfinite(tt)) and np.all(np.isfinite(y))):
        raise InputFileError(path, "2theta or intensity holds NaN or infinite values")
    steps = np.diff(tt)
    if np.all(steps < 0):
        tt, y = tt[::-1], y[::-1]
        s = None if s is None else s[::-1]
        steps = -steps[::-1]
    if not np.all(steps > 0):
        bad = int(np.argmax(steps <= 0))
        raise InputFileError(
            path,
            f"2theta is not monotonic: point {bad + 2} ({tt[bad + 1]:g} deg) does not follow "
            f"{tt[bad]:g} deg; expected strictly increasing angles",
        )
    if tt[0] <= 0 or tt[-1] >= 180:
        raise InputFileError(
            path, f"2theta runs {tt[0]:g}..{tt[-1]:g} deg; expected angles within (0, 180) deg"
        )
    if np.max(y) > MAX_COUNTS:
        raise InputFileError(
            path, f"an intensity of {np.max(y):g}; expected counts below {MAX_COUNTS:g}"
        )
    if np.any(y < 0):
        raise InputFileError(
            path, f"{int(np.sum(y < 0))} negative intensities; expected counts >= 0"
        )
    if not np.any(y > 0):
        raise InputFileError(path, f"all {y.size} intensities are zero; expected measured counts")
    if s is not None and (not np.all(np.isfinite(s)) or np.any(s < 0)):
        raise InputFileError(path, "the sigma column holds negative or non-finite values")
    _check_wavelength(path, wavelength)
    return Scan(tt, y, s, wavelength, fmt, str(path), dict(metadata or {}))


def _check_wavelength(path: Path, wl: Wavelength) -> None:
    lo, hi = WAVELENGTH_RANGE_A
    for name, value in (("Ka1", wl.ka1_a), ("Ka2", wl.ka2_a)):
        if value is not None and not lo < value < hi:
            raise InputFileError(
                path,
                f"{name} wavelength {value:g} A; expected {lo:g}-{hi:g} A (Cu Ka1 is 1.5406 A)",
            )
    if not 0.0 <= wl.ka2_ratio <= 1.0:
        raise InputFileError(path, f"Ka2/Ka1 ratio {wl.ka2_ratio:g}; expected 0-1 (usually 0.5)")


def header_number(path: Path, text: str | None, what: str) -> float | None:
    """A number stated in a file's header (None when absent), or InputFileError naming it."""
    if text is None or not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise InputFileError(path, f"{what} is {text.strip()[:40]!r}; expected a number") from None


def wavelength_from(
    ka1: float | None,
    ka2: float | None = None,
    ratio: float | None = None,
    anode: str | None = None,
) -> Wavelength:
    """Build a `Wavelength` from what a file states; Cu Ka when it states nothing."""
    anode = anode.strip().capitalize() if anode else None
    if ka1 is None and anode in ANODE_LINES_A:
        ka1, ka2 = ANODE_LINES_A[anode]
    if ka1 is None:
        return Wavelength()
    if ratio is None:
        ratio = CU_KA2_RATIO if ka2 else 0.0
    # monochromatic: no Ka2, a ratio of 0, or a "Ka2" equal to Ka1 (as synchrotron files say)
    if ka2 is None or ka2 <= 0 or ratio <= 0 or abs(ka2 - ka1) < 1e-6:
        ka2, ratio = None, 0.0
    return Wavelength(float(ka1), ka2 and float(ka2), float(ratio), anode, True)


def assume_wavelength(scan: Scan, spec: str | float) -> Scan:
    """`scan` with the radiation `spec` (Ka1 in angstrom, or an anode: Cu, Co, Mo, Fe, Cr, Ag)
    when its file states none; a stated wavelength is kept. The result's wavelength note then
    names the given radiation instead of the Cu Ka default."""
    from dataclasses import replace

    if scan.wavelength.stated:
        return scan
    text = str(spec).strip()
    anode = text.capitalize()
    if anode in ANODE_LINES_A:
        wl = wavelength_from(None, None, None, anode)
    else:
        try:
            wl = wavelength_from(float(text))
        except ValueError:
            known = ", ".join(ANODE_LINES_A)
            raise InputFileError(
                scan.path, f"wavelength {text!r}; expected angstrom or an anode ({known})"
            ) from None
    wl = replace(wl, stated=False)
    _check_wavelength(Path(scan.path), wl)
    meta = {**scan.metadata, "wavelength_given": text}
    return replace(scan, wavelength=wl, metadata=meta)


# ---------------------------------------------------------------------------- text columns


def _decode(path: Path, data: bytes, fmt: str) -> str:
    why = binary_problem(fmt, data[:65536])
    if why:
        raise InputFileError(path, why)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    # Latin-1 decodes anything; many control characters mean it was not text at all.
    ctrl = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if ctrl > 0.01 * min(len(text), 65536):
        raise InputFileError(path, f"binary content; expected a {TEXT_FORMATS[fmt]} text file")
    return text


def _number(token: str) -> float:
    return float(token)


def read_text_columns(path: Path, data: bytes) -> Scan:
    """Two or three columns (2theta, counts[, sigma]) split by commas, semicolons or blanks.

    Header lines before the data and comment lines (# ! ; ' / * % @) are skipped; `# key: value`
    comments are kept as metadata, and `wavelength_A`/`ka1_A`, `ka2_A`, `ka2_ratio`, `anode`
    among them set the radiation.
    """
    text = _decode(path, data, "xy")
    rows: list[list[float]] = []
    meta: dict[str, str] = {}
    ncol = None
    first_line = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(_COMMENT_CHARS):
            m = re.match(r"^[#!;'/*%@]+\s*([A-Za-z_][\w .()-]*?)\s*[:=]\s*(.+)$", line)
            if m:
                meta[m.group(1).strip()] = m.group(2).strip()
            continue
        tokens = [t for t in _SPLIT.split(line) if t]
        try:
            values = [_number(t) for t in tokens]
        except ValueError:
            if not rows:  # a column header such as "2theta,counts"
                continue
            raise InputFileError(
                path, f"'{line[:40]}' is not numeric; expected 2theta and intensity", lineno
            ) from None
        if ncol is None:
            ncol, first_line = len(values), lineno
            if ncol < 2 or ncol > 3:
                raise InputFileError(
                    path,
                    f"{ncol} column(s); expected 2 (2theta, counts) or 3 (2theta, counts, sigma)",
                    lineno,
                )
        elif len(values) != ncol:
            raise InputFileError(
                path,
                f"{len(values)} column(s) where line {first_line} has {ncol}; "
                "expected the same columns on every line",
                lineno,
            )
        rows.append(values)
    if not rows:
        raise InputFileError(path, "no numeric data lines; expected 2theta and intensity columns")
    arr = np.asarray(rows, dtype=float)
    sigma = arr[:, 2] if ncol == 3 else None
    if sigma is not None and not _plausible_sigma(arr[:, 1], sigma):
        ratio = float(np.median(sigma) / max(float(np.median(arr[:, 1])), 1e-300))
        meta["note"] = (
            f"third column ignored: its median is {ratio:.3g} x the median count, too large "
            "for a standard uncertainty; Poisson weights used"
        )
        sigma = None
    wl = _wavelength_from_meta(path, meta)
    return checked_scan(path, arr[:, 0], arr[:, 1], sigma, wl, "xy", meta)


def _plausible_sigma(counts: np.ndarray, sigma: np.ndarray) -> bool:
    """Is a third column a standard uncertainty of the counts?

    Counting statistics give sigma = sqrt(N) for N counts (k sqrt(N) for counts scaled by k),
    so sigma/y = 1/sqrt(N) is below `SIGMA_RELATIVE_MAX` wherever a point holds more than a few
    counts. A column as large as the counts themselves (a background, a second pattern) is not
    an uncertainty.
    """
    good = (counts > 0) & (sigma > 0)
    if not np.any(good):
        return False
    return float(np.median(sigma[good] / counts[good])) < SIGMA_RELATIVE_MAX


def _wavelength_from_meta(path: Path, meta: dict[str, str]) -> Wavelength:
    def num(*keys: str) -> float | None:
        for k in keys:
            for mk, v in meta.items():
                if mk.lower() == k:
                    m = re.match(r"\s*([0-9.]+)", v)  # "1.5406 A" -> 1.5406
                    if m:
                        return header_number(path, m.group(1), f"'{mk}'")
        return None

    ka1 = num("ka1_a", "wavelength_a", "wavelength", "lambda")
    if ka1 is None:  # e.g. "# Calibrated wavelength = 0.414581" (APS 11-BM)
        keys = [k for k in meta if "wavelength" in k.lower() or k.lower().startswith("lambda")]
        ka1 = num(*(k.lower() for k in keys if "ka2" not in k.lower()))
    anode = next((v for k, v in meta.items() if k.lower() == "anode"), None)
    if ka1 is None and anode is None:
        return Wavelength()
    return wavelength_from(ka1, num("ka2_a"), num("ka2_ratio"), anode)


# --------------------------------------------------------------------------------- XRDML


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_xml(path: Path, data: bytes, what: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except (ElementTree.ParseError, LookupError) as err:  # LookupError: unknown encoding
        raise InputFileError(path, f"damaged {what} ({err}); expected well-formed XML") from None


def _read_brml(path: Path, data: bytes) -> list[Scan]:
    from labledger.xrd.bruker_brml import read_brml

    return read_brml(path, data)


def _read_xrdml(path: Path, data: bytes) -> list[Scan]:
    from labledger.xrd.xrdml import read_xrdml

    return read_xrdml(path, data)


def _read_ras(path: Path, data: bytes) -> list[Scan]:
    from labledger.xrd.rigaku_ras import read_ras

    return read_ras(path, data)


def _read_raw(path: Path, data: bytes) -> list[Scan]:
    from labledger.xrd.bruker_raw import read_bruker_raw_scans

    return read_bruker_raw_scans(path, data)


_READERS = {
    "xy": read_text_columns,
    "xrdml": _read_xrdml,
    "ras": _read_ras,
    "brml": _read_brml,
    "raw": _read_raw,
}
