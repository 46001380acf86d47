"""Readers of cycler files into the normalised table (`read_cycling` is the one entry point).

- .csv .txt .tsv: generic CSV (English headers), LAND and Neware CSV (Chinese headers), Arbin
  CSV (pandas);
- .xlsx .xlsm: LAND / Neware / Arbin Excel exports; the sheet holding the record table is found
  (openpyxl);
- .nda .ndax: Neware binary (NewareNDA); .mpr: BioLogic binary (galvani); .mpt: BioLogic text.

Lines starting with '#' before the header of a CSV are comments (synthetic files say so there).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labledger.cycling.columns import (
    ARBIN_UNITS,
    ColumnSpec,
    from_user_mapping,
    mapping_hint,
    recognise,
)
from labledger.cycling.table import CyclingData, normalise
from labledger.cycling.testers import is_neware_regular, read_neware_regular, step_type_exclusions
from labledger.errors import InputFileError
from labledger.formats.cycling import SUFFIXES

#: Rows scanned at the top of a spreadsheet to find its header row (exports put a title or a
#: few metadata rows above the table).
HEADER_SEARCH_ROWS = 12

_CJK = re.compile(r"[\u4e00-\u9fff]")


def read_cycling(path: str | Path, columns: dict[str, Any] | None = None) -> CyclingData:
    """Read a cycling file (CSV, LAND/Neware/Arbin xlsx, Neware nda/ndax, BioLogic mpr/mpt).

    `columns` optionally maps normalised names (time_s, cycle, step, current_mA, voltage_V,
    capacity_mAh, charge_capacity_mAh, discharge_capacity_mAh) to file columns, each either a
    column name or {"column": name, "scale": factor}; it overrides the recognised dialect.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "no such file")
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        hint = " (save it as .xlsx)" if suffix == ".xls" else ""
        raise InputFileError(
            path,
            f"unsupported cycling file type {suffix or '(none)'!r}{hint}; expected one of "
            f"{', '.join(sorted(SUFFIXES))}",
        )
    return reader(path, columns)


def _is_arbin(headers: list[str]) -> bool:
    return "Cycle_Index" in headers and "Step_Index" in headers


def _specs(path: Path, headers: list[str], columns: dict | None) -> dict[str, ColumnSpec]:
    arbin = _is_arbin(headers)
    specs = recognise(headers, ARBIN_UNITS if arbin else None)
    if arbin and "charge_capacity_mAh" in specs and "discharge_capacity_mAh" in specs:
        specs.pop("capacity_mAh", None)  # the tester's own counters, not a derived column
    if columns:
        user, problems = from_user_mapping(columns, headers)
        if problems:
            raise InputFileError(path, "; ".join(problems) + f". {mapping_hint(headers)}")
        specs.update(user)
    return specs


def _dialect(headers: list[str], default: str) -> str:
    joined = " ".join(headers)
    if _is_arbin(headers):
        return default.replace("generic", "arbin")
    if _CJK.search(joined):
        return default.replace("generic", "chinese-header")
    return default


def _decode(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    if not data.strip():
        raise InputFileError(path, "the file is empty; expected a cycling table")
    if b"\x00" in data[:4096]:
        raise InputFileError(path, "binary content in a text file; expected a CSV table")
    for encoding in ("utf-8-sig", "gb18030"):  # LAND/Neware exports on Chinese Windows use GBK
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"  # pragma: no cover - latin-1 decodes anything


def _read_csv(path: Path, columns: dict | None) -> CyclingData:
    text, encoding = _decode(path)
    lines = text.splitlines()
    skip = 0
    while skip < len(lines) and (not lines[skip].strip() or lines[skip].lstrip().startswith("#")):
        skip += 1
    if skip == len(lines):
        raise InputFileError(path, "no header line (only comments); expected a cycling table")
    if is_neware_regular(lines[skip:]):
        raw, _ = read_neware_regular(lines[skip:])
        headers = list(raw.columns)
        notes = [] if encoding == "utf-8-sig" else [f"decoded as {encoding}"]
        notes.append("Neware regular export: record rows read, with their cycle and step rows")
        specs = _specs(path, headers, columns)
        return normalise(
            raw, specs, path, "neware-regular-csv", None, notes, step_type_exclusions(raw)
        )
    header_line = lines[skip]
    try:
        sep = csv.Sniffer().sniff(header_line, delimiters=",;\t").delimiter
    except csv.Error:
        sep = ","
    try:
        raw = pd.read_csv(io.StringIO(text), sep=sep, skiprows=skip, skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputFileError(path, f"not a readable {sep!r}-separated table: {exc}") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    headers = list(raw.columns)
    dialect = _dialect(headers, "generic-csv")
    notes = [] if encoding == "utf-8-sig" else [f"decoded as {encoding}"]
    specs = _specs(path, headers, columns)
    return normalise(raw, specs, path, dialect, skip + 2, notes, step_type_exclusions(raw))


def _read_xlsx(path: Path, columns: dict | None) -> CyclingData:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML, Key, Type ... errors on damaged files
        raise InputFileError(path, f"not a readable .xlsx workbook ({exc!r})") from None
    try:
        title, header_row, headers, rows = _xlsx_table(book, path, columns)
    except InputFileError:
        raise
    except Exception as exc:  # sheets are parsed lazily (read-only mode): damage shows here
        raise InputFileError(path, f"damaged .xlsx workbook ({exc!r})") from None
    finally:
        book.close()
    keep = [i for i, h in enumerate(headers) if h]
    raw = pd.DataFrame(
        [[row[i] if i < len(row) else None for i in keep] for row in rows],
        columns=[headers[i] for i in keep],
    )
    if header_row < 0:  # no recognised header: the first sheet holding the user's mapping
        specs = _specs(path, list(raw.columns), columns)
        return normalise(raw, specs, path, "generic-xlsx", 2, [f"sheet {title!r}"])
    dialect = _dialect(list(raw.columns), "generic-xlsx")
    if dialect == "chinese-header-xlsx":
        dialect = "land-xlsx"
    specs = _specs(path, list(raw.columns), columns)
    notes = [f"sheet {title!r}"]
    return normalise(raw, specs, path, dialect, header_row + 2, notes, step_type_exclusions(raw))


def _xlsx_table(
    book: Any, path: Path, columns: dict | None
) -> tuple[str, int, list[str], list[tuple]]:
    """(sheet title, header row index, headers, data rows) of the record table; the index is
    -1 for a table found only through the user's column mapping."""
    best: tuple[int, str, int, list[str]] | None = None
    for sheet in book.worksheets:
        for r, row in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)):
            headers = [str(v).strip() if v is not None else "" for v in row]
            score = len(recognise([h for h in headers if h]))
            if score >= 2 and (best is None or score > best[0]):
                best = (score, sheet.title, r, headers)
    if best is None:
        if columns:
            return _xlsx_with_mapping(book, path, columns)
        found = []
        for sheet in book.worksheets:
            first = next(sheet.iter_rows(max_row=1, values_only=True), ())
            found += [str(v) for v in first if v is not None]
        raise InputFileError(
            path, f"no sheet with a recognised cycling table; {mapping_hint(found)}"
        )
    _, title, header_row, headers = best
    return (
        title,
        header_row,
        headers,
        list(book[title].iter_rows(min_row=header_row + 2, values_only=True)),
    )


def _xlsx_with_mapping(
    book: Any, path: Path, columns: dict
) -> tuple[str, int, list[str], list[tuple]]:
    """Unrecognised workbook but a user mapping: use the first sheet whose first row has them."""
    wanted = {v["column"] if isinstance(v, dict) else v for v in columns.values()}
    for sheet in book.worksheets:
        rows = sheet.iter_rows(values_only=True)
        headers = [str(v).strip() if v is not None else "" for v in next(rows, ())]
        if wanted <= set(headers):
            return sheet.title, -1, headers, list(rows)
    raise InputFileError(path, f"no sheet has the mapped columns {sorted(wanted)}")


def _read_neware(path: Path, columns: dict | None) -> CyclingData:
    import NewareNDA

    try:
        # The tester's own cycle numbers: NewareNDA otherwise renumbers them "charge first",
        # which splits each plate/strip pair of a half cell across two cycles.
        raw = NewareNDA.read(str(path), software_cycle_number=False, log_level="ERROR")
    except Exception as exc:  # the library raises anything from struct.error to KeyError
        raise InputFileError(path, f"not a readable Neware {path.suffix} file ({exc!r})") from None
    if raw is None or len(raw) == 0:
        raise InputFileError(path, "the Neware file holds no records")
    raw = raw.reset_index(drop=True)
    notes = []
    if "Timestamp" in raw.columns and raw["Timestamp"].notna().all():
        stamps = pd.to_datetime(raw["Timestamp"])
        raw["time_s"] = (stamps - stamps.iloc[0]).dt.total_seconds()
        notes.append("time from the record timestamps")
    headers = [str(c) for c in raw.columns]
    specs = {
        "current_mA": ColumnSpec("current_mA", "Current(mA)"),
        "voltage_V": ColumnSpec("voltage_V", "Voltage"),
        "cycle": ColumnSpec("cycle", "Cycle"),
        "step": ColumnSpec("step", "Step"),
        "charge_capacity_mAh": ColumnSpec("charge_capacity_mAh", "Charge_Capacity(mAh)"),
        "discharge_capacity_mAh": ColumnSpec("discharge_capacity_mAh", "Discharge_Capacity(mAh)"),
        "time_s": ColumnSpec("time_s", "time_s" if "time_s" in raw.columns else "Time"),
    }
    specs = {q: s for q, s in specs.items() if s.column in raw.columns}
    # BTS 9.0 .nda records carry no cycle number (the library fills 0): derive cycles.
    if (
        "Cycle" in raw.columns
        and raw["Cycle"].nunique() <= 1
        and "Current(mA)" in raw.columns
        and (raw["Current(mA)"] > 0).any()
        and (raw["Current(mA)"] < 0).any()
    ):
        specs.pop("cycle", None)
        notes.append("the file has no cycle numbers; cycles derived from the current")
    if columns:
        user, problems = from_user_mapping(columns, headers)
        if problems:
            raise InputFileError(path, "; ".join(problems) + f". {mapping_hint(headers)}")
        specs.update(user)
    dialect = f"neware-{path.suffix.lower()[1:]}"
    return normalise(raw, specs, path, dialect, None, notes, step_type_exclusions(raw))


def _read_mpr(path: Path, columns: dict | None) -> CyclingData:
    from galvani import BioLogic

    try:
        with path.open("rb") as fh:  # galvani leaves a file it opened itself unclosed
            mpr = BioLogic.MPRfile(fh)
        raw = pd.DataFrame(mpr.data)
    except Exception as exc:  # galvani raises ValueError, OSError, NotImplementedError ...
        raise InputFileError(path, f"not a readable BioLogic .mpr file ({exc!r})") from None
    return _biologic(path, raw, columns, "biologic-mpr", None)


def _read_mpt(path: Path, columns: dict | None) -> CyclingData:
    text = path.read_bytes().decode("latin-1")
    lines = text.splitlines()
    match = re.search(r"Nb header lines\s*:\s*(\d+)", "\n".join(lines[:5]))
    if not lines or not lines[0].startswith(_MPT_MAGIC) or match is None:
        raise InputFileError(
            path,
            "not a BioLogic .mpt export: expected 'EC-Lab ASCII FILE' (or 'BT-Lab ASCII FILE') "
            "and 'Nb header lines : N' at the top",
            line=1,
        )
    n_header = int(match.group(1))
    body = lines[n_header : n_header + 5]
    # EC-Lab on a German (or French ...) Windows writes decimal commas
    comma = any(re.search(r"\d,\d", ln) for ln in body) and not any(
        re.search(r"\d\.\d", ln) for ln in body
    )
    try:
        raw = pd.read_csv(
            io.StringIO(text), sep="\t", skiprows=n_header - 1, decimal="," if comma else "."
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputFileError(path, f"damaged .mpt table: {exc}", line=n_header) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    raw = raw.loc[:, [c for c in raw.columns if not c.startswith("Unnamed")]]
    data = _biologic(path, raw, columns, "biologic-mpt", n_header + 1)
    if comma:
        data = replace(data, notes=(*data.notes, "decimal commas read as decimal points"))
    return data


_MPT_MAGIC = ("EC-Lab ASCII FILE", "BT-Lab ASCII FILE")


def _biologic_current(raw: pd.DataFrame) -> tuple[str, str] | None:
    """Add a current column where the file has none: (column, note), or None."""
    if "time/s" not in raw.columns:
        return None
    time = pd.to_numeric(raw["time/s"], errors="coerce")
    dt = time.diff().to_numpy()
    for column in ("dq/mA.h", "dQ/mA.h", "(Q-Qo)/mA.h"):
        if column not in raw.columns:
            continue
        q = pd.to_numeric(raw[column], errors="coerce").to_numpy(dtype=float)
        dq = q if column != "(Q-Qo)/mA.h" else np.diff(q, prepend=q[0])
        with np.errstate(invalid="ignore", divide="ignore"):
            current = np.where(dt > 0, dq * 3600.0 / dt, 0.0)
        current[0] = current[1] if current.size > 1 else 0.0
        raw["I from dQ/dt/mA"] = np.nan_to_num(current)
        return "I from dQ/dt/mA", f"no current column: current from {column!r} / dt"
    if "control/V/mA" in raw.columns:
        raw["I control/mA"] = raw["control/V/mA"]
        return "I control/mA", (
            "no current column: current from the set value 'control/V/mA' (right for "
            "galvanostatic steps only)"
        )
    return None


def _biologic(
    path: Path, raw: pd.DataFrame, columns: dict | None, dialect: str, first_line: int | None
) -> CyclingData:
    notes = []
    if not any(c in raw.columns for c in ("I/mA", "<I>/mA", "control/mA")) and not columns:
        made = _biologic_current(raw)
        if made is not None:
            notes.append(made[1])
    headers = [str(c) for c in raw.columns]
    specs = {
        q: s
        for q, s in recognise(headers).items()
        if q in ("time_s", "current_mA", "voltage_V", "cycle")
    }
    if "current_mA" not in specs:
        for column in ("I from dQ/dt/mA", "I control/mA", "control/mA"):
            if column in raw.columns:
                specs["current_mA"] = ColumnSpec("current_mA", column, 1.0, "mA")
                break
    if "cycle" in specs and np.all(raw[specs["cycle"].column].to_numpy() == 0):
        del specs["cycle"]  # EC-Lab writes 0 throughout when cycles are not counted
    if columns:
        user, problems = from_user_mapping(columns, headers)
        if problems:
            raise InputFileError(path, "; ".join(problems) + f". {mapping_hint(headers)}")
        specs.update(user)
    if "capacity_mAh" not in specs:
        notes.append("BioLogic: capacity integrated from I and time (Q columns are signed)")
    exclude = {}
    if "freq/Hz" in raw.columns:  # impedance points inside a modulo-bat or GCPL+EIS file
        freq = pd.to_numeric(raw["freq/Hz"], errors="coerce").fillna(0).to_numpy()
        exclude["impedance (a frequency is recorded)"] = freq > 0
    return normalise(raw, specs, path, dialect, first_line, notes, exclude)


# suffix -> reader; the suffixes are those of `formats` (a test holds the two equal)
_READERS = {
    ".csv": _read_csv,
    ".txt": _read_csv,
    ".tsv": _read_csv,
    ".mpt": _read_mpt,
    ".xlsx": _read_xlsx,
    ".xlsm": _read_xlsx,
    ".nda": _read_neware,
    ".ndax": _read_neware,
    ".mpr": _read_mpr,
}
