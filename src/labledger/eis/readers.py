"""Readers for impedance files: one entry point, `read_spectrum(path) -> Spectrum`.

Formats: CSV/TXT tables in the usual header dialects (frequency with Z'/Z'', Re(Z)/-Im(Z),
Zreal/Zimag, or |Z| and phase; also headerless three-column files), BioLogic EC-Lab text (.mpt)
and binary (.mpr, through galvani), Gamry .DTA (ZCURVE table) and ZView/ZPlot .z. The format is
recognised by content first (a .txt exported by EC-Lab is read as .mpt) and then by suffix.
Every assumption (sign convention, unit scaling, column choice) and cleaning step is written to
`Spectrum.notes`; anything that cannot be read unambiguously raises InputFileError.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from labledger.eis.spectrum import Spectrum, checked_spectrum
from labledger.errors import InputFileError

__all__ = ["read_spectrum"]

_FREQ = {"freq", "frequency", "f", "freq(hz)", "frequency(hz)"}
_REAL = {
    "z'",
    "zreal",
    "re(z)",
    "zre",
    "z_re",
    "real",
    "zr",
    "z'(a)",
    "rez",
    "re_z",
    "z_real",
    "real(z)",
    "z_r",
    "zreal(ohm)",
    "r",
}
_IMAG = {
    "z''",
    "zimag",
    "im(z)",
    "zim",
    "z_im",
    "imag",
    "zi",
    "z''(b)",
    "imz",
    "im_z",
    "z_imag",
    "imag(z)",
    "z_i",
    "x",
    'z"',
}
_MOD = {"|z|", "zmod", "mod(z)", "abs(z)", "modz", "z_mod", "|z|(ohm)"}
_PHASE = {"phase", "phase(z)", "zphz", "phz", "phi", "theta", "phase_angle", "phaseangle"}
_UNIT_SCALE = {
    "ohm": 1.0,
    "ω": 1.0,
    "kohm": 1e3,
    "kω": 1e3,
    "hz": 1.0,
    "khz": 1e3,
    "deg": 1.0,
    "°": 1.0,
}


def read_spectrum(path: str | Path) -> Spectrum:
    """Read one impedance spectrum from `path` (format detected), or raise InputFileError."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(p, "file not found")
    suffix = p.suffix.lower()
    if suffix == ".mpr":
        return _read_mpr(p)
    raw = p.read_bytes()
    if b"\x00" in raw[:4096]:
        raise InputFileError(
            p,
            "looks like a binary file; expected a text impedance file (CSV/TXT, .mpt, .DTA, .z) "
            "or a BioLogic .mpr",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.splitlines()
    head = lines[0].strip() if lines else ""
    if head.startswith(("EC-Lab ASCII FILE", "BT-Lab ASCII FILE")) or suffix == ".mpt":
        return _read_mpt(p, lines)
    if head.startswith("EXPLAIN") or suffix == ".dta":
        return _read_gamry(p, lines)
    if head.startswith("ZPLOT") or suffix == ".z":
        return _read_zview(p, lines)
    return _read_table(p, lines, "csv" if suffix == ".csv" else "text-table")


# ---------------------------------------------------------------- helpers


def _to_float(field: str, decimal_comma: bool) -> float:
    s = field.strip()
    if decimal_comma:
        s = s.replace(",", ".")
    if s == "" or s.lower() in ("nan", "-nan", "na", "n/a", "null", "inf", "-inf"):
        return float("nan")
    return float(s)


def _split(line: str, delim: str | None) -> list[str]:
    if delim is None:
        return line.split()
    parts = line.split(delim)
    if delim == "\t" and parts and parts[0].strip() == "" and len(parts) > 1:
        parts = parts[1:]  # Gamry rows start with a tab
    return parts


def _rows(
    path: Path,
    lines: list[str],
    start: int,
    delim: str | None,
    ncols: int,
    decimal_comma: bool,
    stop=None,
) -> tuple[np.ndarray, list[int]]:
    """Parse numeric rows from lines[start:] into an (n, ncols) array; returns it and the
    1-based line numbers. Blank lines are skipped; `stop(line)` ends the table."""
    out, where = [], []
    for i in range(start, len(lines)):
        line = lines[i]
        if stop is not None and stop(line):
            break
        if not line.strip():
            continue
        fields = _split(line.rstrip("\r\n"), delim)
        if len(fields) < ncols:
            raise InputFileError(
                path,
                f"expected {ncols} columns, found {len(fields)}: {line.strip()[:80]!r}",
                line=i + 1,
            )
        try:
            out.append([_to_float(x, decimal_comma) for x in fields[:ncols]])
        except ValueError:
            raise InputFileError(
                path, f"non-numeric value in data row: {line.strip()[:80]!r}", line=i + 1
            ) from None
        where.append(i + 1)
    return np.array(out, dtype=float).reshape(-1, ncols), where


def _norm(name: str) -> tuple[str, float, str]:
    """Normalise a column header: returns (key, unit scale, unit text)."""
    s = name.strip().strip('"').strip().lower().replace(" ", "")
    unit = ""
    m = re.match(r"^(.*?)(?:/([^/()\[\]]+)|\[([^\]]+)\]|\((ohm|ω|kohm|kω|hz|khz|deg|°)\))$", s)
    if m and m.group(1):
        s, unit = m.group(1), next(g for g in m.groups()[1:] if g)
    return s, _UNIT_SCALE.get(unit, 1.0), unit


def _imag_from_column(
    values: np.ndarray, header: str, negated: bool, notes: list[str]
) -> np.ndarray:
    """Apply the sign convention of an imaginary-part column and say which was assumed."""
    finite = values[np.isfinite(values)]
    mostly_positive = finite.size > 0 and np.mean(finite > 0) > 0.5
    if negated:
        notes.append(
            f"column {header!r} read as -Z'' (header has a minus sign); stored Z'' = -value"
        )
        if finite.size and not mostly_positive:
            notes.append(
                f"warning: most values of {header!r} are negative although the header says -Z''; "
                "check the sign convention of this file"
            )
        return -values
    if mostly_positive:
        notes.append(
            f"column {header!r} has mostly positive values: read as -Z'' (capacitive arcs have "
            "Z'' < 0 in the convention Z = Z' + jZ''); stored Z'' = -value"
        )
        return -values
    notes.append(
        f"column {header!r} read as Z'' (mostly negative, physics convention Z = Z' + jZ'')"
    )
    return values


# ---------------------------------------------------------------- CSV / TXT tables


def _read_table(path: Path, lines: list[str], fmt: str) -> Spectrum:
    notes: list[str] = []
    body = [
        (i, ln)
        for i, ln in enumerate(lines)
        if ln.strip() and not ln.lstrip().startswith(("#", "%", "//", ";"))
    ]
    if not body:
        raise InputFileError(path, "no data rows; expected a table of frequency and impedance")
    first_i, first = body[0]
    if "\t" in first:
        delim = "\t"
    elif ";" in first:
        delim = ";"
    elif "," in first:
        delim = ","
    else:
        delim = None
    fields = _split(first, delim)
    try:
        [float(x.replace(",", ".") if delim in (";", "\t") else x) for x in fields if x.strip()]
        has_header = False
    except ValueError:
        has_header = True
    sample_i = body[1][1] if has_header and len(body) > 1 else first
    decimal_comma = delim in (";", "\t", None) and bool(re.search(r"\d,\d", sample_i))
    if decimal_comma:
        notes.append("decimal commas read as decimal points")
    start = body[1][0] if has_header and len(body) > 1 else first_i
    if not has_header:
        if len(fields) < 3:
            raise InputFileError(
                path,
                f"headerless table with {len(fields)} column(s); expected frequency, Z', Z''",
                line=first_i + 1,
            )
        data, where = _rows(path, lines, start, delim, len(fields), decimal_comma)
        notes.append("no header: assumed columns 1-3 are frequency (Hz), Z' (ohm), Z'' (ohm)")
        freq, real = data[:, 0], data[:, 1]
        imag = _imag_from_column(data[:, 2], "column 3", False, notes)
        return checked_spectrum(path, freq, real + 1j * imag, fmt, notes, where)

    heads = [h.strip() for h in fields]
    cols: dict[str, tuple[int, float, bool, str]] = {}
    for j, h in enumerate(heads):
        key, scale, unit = _norm(h)
        neg = key.startswith("-")
        base = key.lstrip("-")
        for kind, names in (
            ("f", _FREQ),
            ("re", _REAL),
            ("im", _IMAG),
            ("mod", _MOD),
            ("ph", _PHASE),
        ):
            if (base in names or (kind == "f" and base.startswith("freq"))) and kind not in cols:
                cols[kind] = (j, scale, neg, h)
                if scale != 1.0:
                    notes.append(f"column {h!r} in {unit}: multiplied by {scale:g}")
    if "f" not in cols:
        raise InputFileError(
            path,
            f"no frequency column among {heads}; expected a header such as 'freq/Hz' or "
            "'Frequency (Hz)'",
            line=first_i + 1,
        )
    need = max(c[0] for c in cols.values()) + 1
    data, where = _rows(path, lines, start, delim, need, decimal_comma)
    jf, sf, _, _ = cols["f"]
    freq = data[:, jf] * sf
    if "re" in cols and "im" in cols:
        jr, sr, nr, _ = cols["re"]
        ji, si, ni, hi = cols["im"]
        real = data[:, jr] * sr * (-1 if nr else 1)
        imag = _imag_from_column(data[:, ji] * si, hi, ni, notes)
    elif "mod" in cols and "ph" in cols:
        jm, sm, _, hm = cols["mod"]
        jp, _, npn, hp = cols["ph"]
        phase = data[:, jp] * (-1 if npn else 1)
        finite = phase[np.isfinite(phase)]
        if np.nanmax(np.abs(finite), initial=0) <= np.pi / 2 + 1e-9 and "rad" in hp.lower():
            phase = np.degrees(phase)
        if finite.size and np.mean(finite > 0) > 0.5 and not npn:
            notes.append(f"column {hp!r} is mostly positive: read as -phase (capacitive < 0)")
            phase = -phase
        notes.append(f"Z computed from {hm!r} and {hp!r} (degrees): Z = |Z| exp(j phase)")
        z = data[:, jm] * sm * np.exp(1j * np.radians(phase))
        return checked_spectrum(path, freq, z, fmt, notes, where)
    else:
        raise InputFileError(
            path,
            f"no impedance columns among {heads}; expected Z'/Z'' (or Re(Z)/-Im(Z), "
            "Zreal/Zimag) or |Z| and phase",
            line=first_i + 1,
        )
    return checked_spectrum(path, freq, real + 1j * imag, fmt, notes, where)


# ---------------------------------------------------------------- BioLogic


def _read_mpt(path: Path, lines: list[str]) -> Spectrum:
    notes: list[str] = []
    n_header = None
    for i, ln in enumerate(lines[:5]):
        m = re.match(r"\s*Nb header lines\s*:\s*(\d+)", ln)
        if m:
            n_header = int(m.group(1))
            break
        if ln.startswith("freq/Hz"):
            n_header = i + 1
            break
    if n_header is None or n_header > len(lines) or n_header < 1:
        raise InputFileError(
            path,
            "not a BioLogic EC-Lab text file: no 'Nb header lines : N' line near the top",
            line=2,
        )
    heads = lines[n_header - 1].rstrip("\r\n").split("\t")
    heads_s = [h.strip() for h in heads]
    need = ["freq/Hz", "Re(Z)/Ohm", "-Im(Z)/Ohm"]
    missing = [h for h in need if h not in heads_s]
    if missing:
        raise InputFileError(
            path,
            f"column(s) {missing} not found in the EC-Lab header {heads_s[:12]}; "
            "is this an impedance (PEIS/GEIS) file?",
            line=n_header,
        )
    body = lines[n_header:]
    decimal_comma = any(re.search(r"\d,\d", ln) for ln in body[:3])
    if decimal_comma:
        notes.append("decimal commas read as decimal points")
    idx = [heads_s.index(h) for h in need]
    cyc_col = heads_s.index("cycle number") if "cycle number" in heads_s else -1
    data, where = _rows(path, lines, n_header, "\t", max(*idx, cyc_col) + 1, decimal_comma)
    freq = data[:, idx[0]]
    notes.append("BioLogic column '-Im(Z)/Ohm' read as -Z''; stored Z'' = -value")
    z = data[:, idx[1]] - 1j * data[:, idx[2]]
    if cyc_col >= 0:
        cyc = data[:, cyc_col]
        if np.unique(cyc[np.isfinite(cyc)]).size > 1:
            raise InputFileError(
                path,
                "the file holds several cycles (column 'cycle number'); export one sweep per file",
            )
    return checked_spectrum(path, freq, z, "biologic-mpt", notes, where)


def _read_mpr(path: Path) -> Spectrum:
    try:
        from galvani import BioLogic

        with path.open("rb") as fh:  # galvani leaves a file it opened itself unclosed
            mpr = BioLogic.MPRfile(fh)
        data = mpr.data
        names = list(data.dtype.names or ())
    except Exception as exc:  # galvani raises bare ValueError/struct errors on damage
        raise InputFileError(
            path,
            f"cannot read as a BioLogic .mpr file ({type(exc).__name__}: {exc}); the file "
            "may be damaged or from an unsupported EC-Lab version. Export it as .mpt text.",
        ) from None
    need = ["freq/Hz", "Re(Z)/Ohm", "-Im(Z)/Ohm"]
    missing = [n for n in need if n not in names]
    if missing:
        raise InputFileError(
            path,
            f"BioLogic .mpr has no column(s) {missing} (has {names[:10]}); is it an "
            "impedance file?",
        )
    freq = np.asarray(data["freq/Hz"], dtype=float)
    z = np.asarray(data["Re(Z)/Ohm"], dtype=float) - 1j * np.asarray(data["-Im(Z)/Ohm"], float)
    notes = ["BioLogic column '-Im(Z)/Ohm' read as -Z''; stored Z'' = -value (read with galvani)"]
    return checked_spectrum(path, freq, z, "biologic-mpr", notes)


# ---------------------------------------------------------------- Gamry


def _read_gamry(path: Path, lines: list[str]) -> Spectrum:
    notes: list[str] = []
    start = next((i for i, ln in enumerate(lines) if ln.startswith("ZCURVE")), None)
    if start is None:
        raise InputFileError(
            path, "no ZCURVE table found; expected a Gamry EIS (.DTA) file with a ZCURVE TABLE"
        )
    if start + 2 >= len(lines):
        raise InputFileError(path, "ZCURVE table has no header or units line", line=start + 1)
    heads = [h.strip() for h in lines[start + 1].rstrip("\r\n").split("\t")]
    if heads and heads[0] == "":
        heads = heads[1:]
    need = ["Freq", "Zreal", "Zimag"]
    missing = [h for h in need if h not in heads]
    if missing:
        raise InputFileError(path, f"ZCURVE columns {missing} not found in {heads}", line=start + 2)
    aborted = next((i for i, ln in enumerate(lines) if ln.startswith("EXPERIMENTABORTED")), None)
    if aborted is not None:
        notes.append(f"the experiment was aborted (line {aborted + 1}); read the points before it")

    def stop(line: str) -> bool:
        return not line.startswith("\t") and bool(line.strip())

    decimal_comma = any(re.search(r"\d,\d", ln) for ln in lines[start + 3 : start + 6])
    cols = [heads.index(h) for h in need]
    data, where = _rows(path, lines, start + 3, "\t", max(cols) + 1, decimal_comma, stop=stop)
    freq = data[:, heads.index("Freq")]
    z = data[:, heads.index("Zreal")] + 1j * data[:, heads.index("Zimag")]
    notes.append("Gamry column 'Zimag' read as Z'' (physics convention)")
    return checked_spectrum(path, freq, z, "gamry-dta", notes, where)


# ---------------------------------------------------------------- ZView / ZPlot


def _read_zview(path: Path, lines: list[str]) -> Spectrum:
    notes: list[str] = []
    end = next((i for i, ln in enumerate(lines) if ln.strip().startswith("End Comments")), None)
    head_i = next((i for i, ln in enumerate(lines) if "Freq(Hz)" in ln), None)
    if end is None and head_i is None:
        raise InputFileError(
            path, "not a ZView/ZPlot file: no 'End Comments' line and no 'Freq(Hz)' header"
        )
    start = (end if end is not None else head_i) + 1
    first = next((ln for ln in lines[start:] if ln.strip()), "")
    delim = "\t" if "\t" in first else ","
    ncols = len(first.split(delim))
    f_col, re_col, im_col = 0, 4, 5
    if head_i is not None:
        heads = [h.strip() for h in re.split(r"\t|,", lines[head_i].strip())]
        try:
            f_col, re_col, im_col = (
                heads.index("Freq(Hz)"),
                heads.index("Z'(a)"),
                heads.index("Z''(b)"),
            )
        except ValueError:
            notes.append(f"header {heads} lacks Z'(a)/Z''(b): assumed ZPlot columns 1, 5, 6")
    else:
        notes.append("no column header: assumed ZPlot columns 1, 5, 6 (Freq, Z', Z'')")
    if ncols <= max(f_col, re_col, im_col):
        raise InputFileError(
            path,
            f"data rows have {ncols} columns; expected ZPlot's Freq ... Z'(a) Z''(b)",
            line=start + 1,
        )
    data, where = _rows(path, lines, start, delim, max(f_col, re_col, im_col) + 1, False)
    z = data[:, re_col] + 1j * data[:, im_col]
    notes.append("ZPlot column Z''(b) read as Z'' (physics convention)")
    return checked_spectrum(path, data[:, f_col], z, "zview-z", notes, where)
