"""Numeric tables of impedance files: locating the table under a preamble, splitting rows,
choosing columns by meaning and unit (`labledger.eis.columns`), and the sign convention of Z''.

`read_table(path, lines, fmt)` reads a CSV/TXT export (Parstat, Autolab, CH Instruments,
PowerSuite, plain CSV with or without a header); `from_columns` is shared with the readers of
formats that name their columns elsewhere (VersaStudio).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from labledger.eis.columns import Column, UnitError, classify
from labledger.eis.spectrum import Spectrum, checked_spectrum, complex_of
from labledger.errors import InputFileError

__all__ = ["from_columns", "read_table", "rows"]

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


def rows(
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


MIN_RUN = 3
"""A table starts at the first run of 3 numeric rows; lines before it are a preamble."""

_COMMENT = ("#", "%", "//", ";")


def _delim_of(line: str) -> str | None:
    for d in ("\t", ";", ","):
        if d in line:
            return d
    return None


def _is_numeric_row(line: str) -> bool:
    """First field and at least two fields are numbers (text columns after them are fine)."""
    fields = [x for x in _split(line, _delim_of(line)) if x.strip()]
    dc = _delim_of(line) in (";", "\t")

    def num(x: str) -> bool:
        try:
            _to_float(x, dc)
            return True
        except ValueError:
            return False

    return len(fields) >= 2 and num(fields[0]) and sum(map(num, fields)) >= 2


def _locate_table(lines: list[str]) -> tuple[int | None, int]:
    """(index of the header line or None, index of the first data row)."""
    body = [i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith(_COMMENT)]
    numeric = [_is_numeric_row(lines[i]) for i in body]
    for k in range(len(body)):
        if all(numeric[k : k + MIN_RUN]) and (k + MIN_RUN <= len(body) or k == 0):
            header = body[k - 1] if k > 0 and not numeric[k - 1] else None
            return header, body[k]
    if any(numeric):  # fewer rows than a run: take the first numeric row
        k = numeric.index(True)
        return (body[k - 1] if k > 0 else None), body[k]
    raise ValueError("no data rows")


def _header_fields(line: str, delim: str | None, ncols: int) -> list[str]:
    """Split a header line; a quoted, space-aligned header (ZPlot/Autolab) is split on runs of
    2+ spaces when the data delimiter does not split it into enough fields."""
    heads = [h.strip() for h in _split(line, delim)]
    if len([h for h in heads if h]) >= min(ncols, 2):
        return heads
    t = line.strip()
    if len(t) > 1 and t[0] == t[-1] == '"':
        t = t[1:-1]
    for pat in (r"\t|\s{2,}", r"\s+"):
        heads = [h for h in re.split(pat, t.strip()) if h]
        if len(heads) >= min(ncols, 2):
            return heads
    return heads


def read_table(path: Path, lines: list[str], fmt: str) -> Spectrum:
    """A table of frequency and impedance under an optional preamble; header optional."""
    notes: list[str] = []
    try:
        head_i, start = _locate_table(lines)
    except ValueError:
        raise InputFileError(
            path, "no data rows; expected a table of frequency and impedance"
        ) from None
    first = lines[start]
    delim = _delim_of(first)
    ncols = len(_split(first, delim))
    decimal_comma = delim in (";", "\t", None) and bool(re.search(r"\d,\d", first))
    if decimal_comma:
        notes.append("decimal commas read as decimal points")
    if head_i is not None and head_i > 0:
        skipped = sum(1 for ln in lines[:head_i] if ln.strip())
        if skipped:
            notes.append(
                f"skipped {skipped} preamble line(s) before the header (line {head_i + 1})"
            )
    if head_i is None:
        if ncols < 3:
            raise InputFileError(
                path,
                f"headerless table with {ncols} column(s); expected frequency, Z', Z''",
                line=start + 1,
            )
        data, where = rows(path, lines, start, delim, ncols, decimal_comma)
        notes.append("no header: assumed columns 1-3 are frequency (Hz), Z' (ohm), Z'' (ohm)")
        freq, real = data[:, 0], data[:, 1]
        imag = _imag_from_column(data[:, 2], "column 3", False, notes)
        return checked_spectrum(path, freq, complex_of(real, imag), fmt, notes, where)
    heads = _header_fields(lines[head_i], delim, ncols)
    return from_columns(path, lines, heads, head_i, start, delim, decimal_comma, fmt, notes)


def from_columns(
    path: Path,
    lines: list[str],
    heads: list[str],
    head_i: int,
    start: int,
    delim: str | None,
    decimal_comma: bool,
    fmt: str,
    notes: list[str],
    stop=None,
) -> Spectrum:
    """Pick frequency and impedance columns from `heads` by meaning and unit, read the rows."""
    cols: dict[str, tuple[int, Column]] = {}
    seen = []
    for j, h in enumerate(heads):
        try:
            c = classify(h)
        except UnitError as exc:
            raise InputFileError(path, f"column {h!r}: {exc}", line=head_i + 1) from None
        if c is None:
            continue
        seen.append(f"{h!r} ({_KIND_TEXT[c.kind]})")
        if c.kind not in cols:
            cols[c.kind] = (j, c)
            if c.scale != 1.0:
                notes.append(f"column {h!r} in {c.unit}: multiplied by {c.scale:g}")
    found = "; recognised: " + ", ".join(seen) if seen else ""
    if "f" not in cols:
        raise InputFileError(
            path,
            f"no frequency column among {heads}{found}; expected a header such as 'freq/Hz', "
            "'Frequency (Hz)' or 'freq_Hz'",
            line=head_i + 1,
        )
    pair = ("re", "im") if "re" in cols and "im" in cols else ("mod", "ph")
    if not all(k in cols for k in pair):
        have = " (only |Z|, no phase)" if "mod" in cols and "ph" not in cols else ""
        raise InputFileError(
            path,
            f"no impedance columns among {heads}{found}{have}; expected Z' and Z'' (Re(Z), "
            "-Im(Z), Zreal/Zimag, Zre/Zim in either sign convention) or |Z| and phase",
            line=head_i + 1,
        )
    need = max(cols[k][0] for k in ("f", *pair)) + 1
    data, where = rows(path, lines, start, delim, need, decimal_comma, stop=stop)
    jf, cf = cols["f"]
    freq = data[:, jf] * cf.scale
    if pair == ("re", "im"):
        (jr, cr), (ji, ci) = cols["re"], cols["im"]
        real = data[:, jr] * cr.scale * (-1 if cr.negated else 1)
        imag = _imag_from_column(data[:, ji] * ci.scale, ci.header, ci.negated, notes)
        return checked_spectrum(path, freq, complex_of(real, imag), fmt, notes, where)
    (jm, cm), (jp, cp) = cols["mod"], cols["ph"]
    phase = data[:, jp] * cp.scale * (-1 if cp.negated else 1)
    finite = phase[np.isfinite(phase)]
    if not cp.unit:
        notes.append(f"column {cp.header!r} has no unit: read as degrees")
    if finite.size and np.mean(finite > 0) > 0.5 and not cp.negated:
        notes.append(f"column {cp.header!r} is mostly positive: read as -phase (capacitive < 0)")
        phase = -phase
    notes.append(f"Z computed from {cm.header!r} and {cp.header!r}: Z = |Z| exp(j phase)")
    with np.errstate(all="ignore"):  # inf/NaN rows are dropped by checked_spectrum
        mod = data[:, jm] * cm.scale
        ph = np.radians(phase)
        z = complex_of(mod * np.cos(ph), mod * np.sin(ph))
    return checked_spectrum(path, freq, z, fmt, notes, where)


_KIND_TEXT = {"f": "frequency", "re": "Z'", "im": "Z''", "mod": "|Z|", "ph": "phase"}
