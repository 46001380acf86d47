"""Tester-specific layouts: the Neware "regular" CSV export and the testers' step types.

Neware's regular export holds three tables in one file: a cycle row (`Cycle Index,...`), then
per step a step row that starts with one empty field (`,Step Index,Step Number,Step Type,...`)
and its record rows that start with two (`,,DataPoint,Time,Total Time,Current(A),...`). The
first step row of a cycle may sit on the cycle row itself, after the cycle fields. The three
header lines say which is which (English or Chinese headers).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: Step types that are cycling (charge, discharge) or rest, in Neware/LAND English and Chinese
#: labels; any other type (pulse, impedance, DCIR, SIM drive profiles ...) is left out.
_CYCLING_TYPE = re.compile(r"chg|charge|rest|pause|充电|放电|搁置|静置", re.IGNORECASE)
STEP_TYPE_COLUMNS = ("Status", "Step Type", "Step_Type", "工步类型", "状态")


def step_type_exclusions(raw: pd.DataFrame) -> dict[str, np.ndarray]:
    """Rows whose tester step type is neither charge, discharge nor rest, by reason."""
    column = next((c for c in STEP_TYPE_COLUMNS if c in raw.columns), None)
    if column is None:
        return {}
    codes, uniques = pd.factorize(raw[column])  # a few labels over many rows: test each once
    out: dict[str, np.ndarray] = {}
    for i, label in enumerate(str(u).strip() for u in uniques):
        if label and label != "nan" and not _CYCLING_TYPE.search(label):
            reason = f"tester step type {label!r} (neither charge, discharge nor rest)"
            out[reason] = out.get(reason, np.zeros(len(codes), dtype=bool)) | (codes == i)
    return out


def is_neware_regular(lines: list[str]) -> bool:
    """Cycle, step and record header lines of a Neware regular export."""
    if len(lines) < 4:
        return False
    second, third = lines[1].lstrip("\ufeff"), lines[2]
    return (
        not lines[0].startswith(",")
        and second.startswith(",")
        and not second.startswith(",,")
        and third.startswith(",,")
    )


def read_neware_regular(lines: list[str]) -> tuple[pd.DataFrame, int]:
    """The record rows as one table, with `Cycle`, `Step` and `Step Type` columns added from the
    cycle and step rows above them; returns (table, file line of the first header)."""
    cycle_fields = lines[0].split(",")
    step_header = lines[1].split(",")[1:]
    record_header = lines[2].split(",")[2:]
    n_cycle = len(cycle_fields)
    type_col = next((c for c in STEP_TYPE_COLUMNS if c in step_header), None)
    i_type = step_header.index(type_col) if type_col else None
    records: list[list[str]] = []
    cycles: list[int] = []
    steps: list[int] = []
    types: list[str] = []
    cycle, step, step_type = 0, 0, ""
    for line in lines[3:]:
        if not line.strip():
            continue
        fields = line.split(",")
        if fields[0]:
            cycle = int(float(fields[0]))
            fields = ["", *fields[n_cycle:]] if len(fields) > n_cycle else []
            if not fields:
                continue
        if fields[1]:
            step += 1
            step_type = fields[1:][i_type] if i_type is not None else ""
            continue
        records.append(fields[2 : 2 + len(record_header)])
        cycles.append(cycle)
        steps.append(step)
        types.append(step_type)
    table = pd.DataFrame(records, columns=record_header)
    table["Cycle"] = cycles
    table["Step"] = steps
    table["Step Type"] = types
    return table, 3
