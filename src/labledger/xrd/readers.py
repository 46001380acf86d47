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
from collections.abc import Callable
from pathlib import Path

import numpy as np

from labledger.errors import InputFileError
from labledger.formats.xrd import FORMATS, identify
from labledger.xrd.header import (
    check_wavelength,
    checked_scan,
    decode_text,
    header_number,
    wavelength_from,
)
from labledger.xrd.scan import ANODE_LINES_A, Scan, Wavelength

_COMMENT_CHARS = ("#", "!", ";", "'", "/", "*", "%", "@")
_SPLIT = re.compile(r"[,;\t ]+")
# A third text column is taken as sigma only when its median relative size sigma/y is below
# this (Poisson: 1/sqrt(N), 0.5 at N = 4 counts).
SIGMA_RELATIVE_MAX = 0.5


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
        assert why is not None  # identify gives a reason whenever it gives no format
        raise InputFileError(path, why)
    return _as_list(_READERS[fmt](path, data))


def _as_list(read: Scan | list[Scan]) -> list[Scan]:
    return read if isinstance(read, list) else [read]


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
    check_wavelength(Path(scan.path), wl)
    meta = {**scan.metadata, "wavelength_given": text}
    return replace(scan, wavelength=wl, metadata=meta)


# ---------------------------------------------------------------------------- text columns


def _number(token: str) -> float:
    return float(token)


def read_text_columns(path: Path, data: bytes) -> Scan:
    """Two or three columns (2theta, counts[, sigma]) split by commas, semicolons or blanks.

    Header lines before the data and comment lines (# ! ; ' / * % @) are skipped; `# key: value`
    comments are kept as metadata, and `wavelength_A`/`ka1_A`, `ka2_A`, `ka2_ratio`, `anode`
    among them set the radiation.
    """
    text = decode_text(path, data, "xy")
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


# ------------------------------------------------------------------------- other formats


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


_READERS: dict[str, Callable[[Path, bytes], Scan | list[Scan]]] = {
    "xy": read_text_columns,
    "xrdml": _read_xrdml,
    "ras": _read_ras,
    "brml": _read_brml,
    "raw": _read_raw,
}
