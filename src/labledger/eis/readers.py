"""Readers for impedance files: one entry point, `read_spectrum(path) -> Spectrum`.

Formats: CSV/TXT tables with columns recognised by meaning and unit (frequency with Z' and Z''
in either sign convention, or |Z| and phase in degrees or radians; Ω/ohm/kΩ/mΩ, Hz/kHz/mHz),
under an optional vendor preamble (Parstat, Autolab/ZPlot text, CH Instruments, PowerSuite) or
headerless with three columns (`labledger.eis.tables`); BioLogic EC-Lab text (.mpt) and binary
(.mpr, through galvani), Gamry .DTA (ZCURVE table), ZView/ZPlot .z and VersaStudio .par. The
format is recognised by content first (a .txt exported by EC-Lab is read as .mpt) and then by
suffix. Every assumption (sign convention, unit scaling, column choice) and cleaning step
(rows at f <= 0 or with NaN dropped and counted) is written to `Spectrum.notes`; anything that
cannot be read unambiguously raises InputFileError naming what was found and what was expected.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from labledger.eis.columns import Column, UnitError, classify
from labledger.eis.spectrum import Spectrum, checked_spectrum, complex_of
from labledger.eis.tables import from_columns, read_table, rows
from labledger.errors import InputFileError
from labledger.formats.eis import SIGNATURES, TEXT_EXPECTED

__all__ = ["read_spectrum"]


def read_spectrum(path: str | Path) -> Spectrum:
    """Read one impedance spectrum from `path` (format detected), or raise InputFileError."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(p, "file not found")
    suffix = p.suffix.lower()
    if suffix in SIGNATURES:  # .mpr
        return _read_mpr(p)
    raw = p.read_bytes()
    if b"\x00" in raw[:4096]:
        raise InputFileError(
            p,
            f"binary content (NUL bytes); expected {TEXT_EXPECTED}",
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
    if head.startswith("<Application>") or suffix == ".par":
        return _read_versastudio(p, lines)
    return read_table(p, lines, "csv" if suffix == ".csv" else "text-table")


# ---------------------------------------------------------------- VersaStudio


def _read_versastudio(path: Path, lines: list[str]) -> Spectrum:
    """VersaStudio .par: the first <SegmentN> block whose Definition= names impedance columns."""
    for i, ln in enumerate(lines):
        if not ln.startswith("Definition=") or not any(
            lines[k].startswith("<Segment") for k in range(max(0, i - 4), i)
        ):
            continue
        heads = [h.strip() for h in ln[len("Definition=") :].split(",")]
        kinds = {c.kind for h in heads if (c := _safe_classify(h)) is not None}
        if not ({"f", "re", "im"} <= kinds):
            continue
        start = i + 1

        def stop(line: str) -> bool:
            return line.startswith("</Segment")

        notes = ["VersaStudio .par: read the segment whose columns hold frequency and Z"]
        return from_columns(
            path, lines, heads, i, start, ",", False, "versastudio-par", notes, stop
        )
    raise InputFileError(
        path,
        "no <Segment> with a 'Definition=' line naming Frequency(Hz), Z Real and Z Imag; "
        "expected a VersaStudio impedance (.par) file",
    )


def _safe_classify(h: str) -> Column | None:
    try:
        return classify(h)
    except UnitError:
        return None


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
    data, where = rows(path, lines, n_header, "\t", max(*idx, cyc_col) + 1, decimal_comma)
    freq = data[:, idx[0]]
    notes.append("BioLogic column '-Im(Z)/Ohm' read as -Z''; stored Z'' = -value")
    z = complex_of(data[:, idx[1]], -data[:, idx[2]])
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
    z = complex_of(np.asarray(data["Re(Z)/Ohm"], float), -np.asarray(data["-Im(Z)/Ohm"], float))
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
    data, where = rows(path, lines, start + 3, "\t", max(cols) + 1, decimal_comma, stop=stop)
    freq = data[:, heads.index("Freq")]
    z = complex_of(data[:, heads.index("Zreal")], data[:, heads.index("Zimag")])
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
    anchor = end if end is not None else head_i
    assert anchor is not None  # one of the two was found
    start = anchor + 1
    first = next((ln for ln in lines[start:] if ln.strip()), "")
    delim = "\t" if "\t" in first else ","
    ncols = len(first.split(delim))
    f_col, re_col, im_col = 0, 4, 5
    if head_i is not None:
        heads = [h.strip() for h in _zplot_header(lines[head_i])]
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
    data, where = rows(path, lines, start, delim, max(f_col, re_col, im_col) + 1, False)
    z = complex_of(data[:, re_col], data[:, im_col])
    notes.append("ZPlot column Z''(b) read as Z'' (physics convention)")
    return checked_spectrum(path, data[:, f_col], z, "zview-z", notes, where)


def _zplot_header(line: str) -> list[str]:
    """ZPlot headers are tab- or comma-separated, or one quoted, space-aligned string."""
    t = line.strip()
    if "\t" in t or ", " in t:
        return re.split(r"\t|,", t)
    return re.split(r"\s+", t.strip('"').strip())
