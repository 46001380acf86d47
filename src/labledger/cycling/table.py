"""The normalised cycling table every reader returns, and its per-step summary.

Columns of `CyclingData.frame` (one row per recorded point):

| column | unit | meaning |
|---|---|---|
| time_s | s | time since the first point of the file |
| cycle | - | the tester's cycle number (or one derived, see `normalise`) |
| step | - | sequential step number from 1; a new step starts where the tester's step or cycle |
|      |   | number changes or the current changes sign |
| current_mA | mA | signed: + = oxidation of the working electrode (Li stripping in a Li half |
|      |   | cell, charge of a full cell), - = reduction (Li plating, discharge) |
| voltage_V | V | cell voltage (working vs counter electrode) |
| capacity_mAh | mAh | charge passed since the start of the step (never negative) |
| direction | - | +1, -1 or 0 (rest): the sign of the current, never the tester's step label |
| left_out | - | 0, or the code of the reason the reader left the row out (impedance, pulse, |
|      |   | a tester step type that is neither charge nor discharge); see `CyclingData.excluded` |
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from labledger.analysis_versions import CYCLING
from labledger.cycling.columns import ColumnSpec, mapping_hint
from labledger.errors import InputFileError, LabledgerError

#: A point whose |current| is below this fraction of the file's largest |current| is rest: tester
#: offsets and ADC noise of an open circuit stay well below 0.1 % of full scale.
REST_CURRENT_FRACTION = 1e-3

#: Fraction of a step's capacity bounding the "middle" used for a step's representative voltage:
#: the middle half avoids the nucleation tip at the start and the cut-off tail at the end.
MID_LOW, MID_HIGH = 0.25, 0.75

#: Version of the cycling analysis; bump when a result for the same input can change, so a
#: workflow can pass it as a parameter and rerun the analyses.
ANALYSIS_VERSION = CYCLING  # bump in labledger.analysis_versions

STEP_COLUMNS = (
    "step",
    "cycle",
    "direction",
    "first_row",
    "last_row",
    "n_points",
    "t_start_s",
    "duration_s",
    "current_mA",
    "capacity_mAh",
    "left_out",
    "v_min",
    "v_max",
    "v_end",
    "v_mid",
    "v_mean",
)


class CyclingAnalysisError(LabledgerError):
    """A cycling file was read but cannot be analysed as asked (window, cycle type, sign ...)."""


@dataclass(frozen=True)
class CyclingData:
    """A cycling file read into the normalised table (see the module docstring for columns).

    `dialect` names the layout recognised (e.g. "generic-csv", "arbin-csv", "land-xlsx");
    `columns_used` maps each normalised column to the source column (and scale) it came from;
    `notes` records what the reader derived or assumed.
    """

    path: str
    dialect: str
    frame: pd.DataFrame = field(repr=False)
    columns_used: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    excluded: dict[int, str] = field(default_factory=dict)  # left_out code -> reason

    def steps(self) -> pd.DataFrame:
        """Per-step summary table (columns `STEP_COLUMNS`); see `step_table`."""
        return step_table(self.frame)


def _fast_hms(values: list[str]) -> np.ndarray | None:
    """Seconds from 'h:mm:ss(.f)' strings in one C-level pass; None if any has another form."""
    joined = " ".join(values)
    if "-" in joined or joined.count(":") != 2 * len(values):
        return None
    try:
        parts = np.array(joined.replace(":", " ").split(), dtype=float)
    except ValueError:
        return None
    if parts.size != 3 * len(values):
        return None
    parts = parts.reshape(-1, 3)
    return parts[:, 0] * 3600 + parts[:, 1] * 60 + parts[:, 2]


def _parse_time(values: pd.Series, scale: float, path: str, column: str) -> np.ndarray:
    """Seconds from numbers, 'h:mm:ss(.f)', 'd-hh:mm:ss' or date-time strings."""
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all():
        return numeric.to_numpy(dtype=float) * scale
    text = values.fillna("").astype(str).str.strip()  # a missing cell is not a time either
    hms = _fast_hms(text.tolist())
    if hms is not None:
        return hms
    span = pd.to_timedelta(text.str.replace(r"^(\d+)-", r"\1 days ", regex=True), errors="coerce")
    if span.notna().all():
        return span.dt.total_seconds().to_numpy(dtype=float)
    stamps = pd.to_datetime(text, errors="coerce")
    if stamps.notna().all():
        return (stamps - stamps.iloc[0]).dt.total_seconds().to_numpy(dtype=float)
    bad = int(np.flatnonzero((numeric.isna() & stamps.isna()).to_numpy())[0])
    raise InputFileError(
        path,
        f"column {column!r}: cannot read time {values.iloc[bad]!r} "
        f"(row {bad + 1}); expected seconds, h:mm:ss or a date-time",
    )


#: Magnitudes no cell test reaches (a file holding more is damaged or mislabelled; such values
#: would overflow the analysis): 1 kA, 1 kV, 1e9 mAh, 1e7 mAh/g.
MAX_MAGNITUDE = {
    "current_mA": 1e6,
    "voltage_V": 1e3,
    "capacity_mAh": 1e9,
    "charge_capacity_mAh": 1e9,
    "discharge_capacity_mAh": 1e9,
    "specific_capacity_mAh_g": 1e7,
}


def _numeric(raw: pd.DataFrame, spec: ColumnSpec, path: str, first_line: int | None) -> np.ndarray:
    values = pd.to_numeric(raw[spec.column], errors="coerce").to_numpy(dtype=float) * spec.scale
    limit = MAX_MAGNITUDE.get(spec.quantity, np.inf)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(values) | (np.abs(values) > limit)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        line = None if first_line is None else first_line + row
        shown = str(raw[spec.column].iloc[row])[:40]
        what = "is not a number" if np.isnan(values[row]) else "is out of range"
        if not np.isinf(limit):
            what += f" (expected a magnitude up to {limit:g})"
        raise InputFileError(
            path, f"column {spec.column!r} ({spec.quantity}): value {shown!r} {what}", line=line
        )
    return values


def _step_capacity_from_counter(counter: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Charge passed since each step's start, from a tester's capacity counter.

    The counter may reset at each step, at each cycle, or never: a drop of the counter marks a
    reset (the new value is then all new charge); otherwise the increment is the difference.
    """
    inc = np.diff(counter, prepend=0.0)
    reset = inc < 0
    inc[reset] = counter[reset]
    return _cumsum_per_step(np.abs(inc), starts)


def _cumsum_per_step(inc: np.ndarray, starts: np.ndarray) -> np.ndarray:
    total = np.cumsum(inc)
    offset = np.zeros_like(total)
    before = np.concatenate(([0.0], total))[starts]
    offset[starts] = np.diff(before, prepend=0.0)
    return total - np.cumsum(offset)


def _derive_cycles(step_dir: np.ndarray) -> np.ndarray:
    """Cycle number per step when the file has none: a cycle starts with the file's first
    current direction, once the opposite direction has been seen in the running cycle."""
    cycles = np.ones(step_dir.size, dtype=np.int64)
    nonrest = step_dir[step_dir != 0]
    if nonrest.size == 0:
        return cycles
    first, cycle, seen_other = nonrest[0], 1, False
    for i, d in enumerate(step_dir):
        if d == -first:
            seen_other = True
        elif d == first and seen_other:
            cycle, seen_other = cycle + 1, False
        cycles[i] = cycle
    return cycles


def normalise(
    raw: pd.DataFrame,
    specs: dict[str, ColumnSpec],
    path: str | Path,
    dialect: str,
    first_line: int | None = None,
    notes: list[str] | None = None,
    exclude: dict[str, np.ndarray] | None = None,
) -> CyclingData:
    """Build the normalised table from a raw table and its column specs.

    `first_line` is the file line of the first data row (for error messages). `exclude` maps a
    reason to a boolean mask of raw rows the reader leaves out of the cycles (impedance,
    pulses, ...); they become steps of their own with direction 0. Capacity comes
    from the capacity column, else from charge + discharge counters, else from integrating
    |current| over time. Cycles come from the file, else are derived (`_derive_cycles`).
    """
    path = str(path)
    notes = list(notes or [])
    headers = [str(c) for c in raw.columns]
    missing = [q for q in ("current_mA", "voltage_V") if q not in specs]
    has_capacity = any(q in specs for q in ("capacity_mAh", "charge_capacity_mAh"))
    if not has_capacity and "time_s" not in specs:
        missing.append("time_s or capacity_mAh")
    if missing:
        raise InputFileError(
            path,
            f"unknown layout ({dialect}): no column for "
            f"{', '.join(missing)}; {mapping_hint(headers)}",
        )
    keep = raw.notna().any(axis=1).to_numpy()
    raw = raw[keep].reset_index(drop=True)
    exclude = {why: np.asarray(mask, dtype=bool)[keep] for why, mask in (exclude or {}).items()}
    if len(raw) < 2:
        raise InputFileError(path, "fewer than two data rows; expected a cycling record")
    current = _numeric(raw, specs["current_mA"], path, first_line)
    voltage = _numeric(raw, specs["voltage_V"], path, first_line)
    n = current.size
    if "time_s" in specs:
        spec = specs["time_s"]
        time = _parse_time(raw[spec.column], spec.scale, path, spec.column)
        dt = np.diff(time, prepend=time[0])
        if (dt < 0).any():  # a step time that restarts at each step: accumulate it
            dt = np.where(dt < 0, time, dt)
            time = np.cumsum(dt)
            notes.append(f"time column {spec.column!r} restarts within the file; accumulated")
        time = time - time[0]
    else:
        time = np.full(n, np.nan)
        notes.append("no time column: time_s is empty")

    left_out = np.zeros(n, dtype=np.int8)
    excluded: dict[int, str] = {}
    for code, (why, mask) in enumerate(exclude.items(), start=1):
        if mask.any():
            left_out[mask & (left_out == 0)] = code
            excluded[code] = why
    cycling = left_out == 0
    scale = np.max(np.abs(current[cycling])) if cycling.any() else 0.0
    if scale == 0.0:
        raise InputFileError(path, "the current is zero throughout; expected a cycling record")
    row_dir = np.sign(current).astype(np.int8)
    row_dir[np.abs(current) <= REST_CURRENT_FRACTION * scale] = 0
    row_dir[~cycling] = 0
    if not (row_dir < 0).any() or not (row_dir > 0).any():
        sign = "positive" if (row_dir > 0).any() else "negative"
        raise InputFileError(
            path,
            f"the current is never {'negative' if sign == 'positive' else 'positive'} (only "
            f"{sign}): the export seems to hold current magnitudes, so plating/stripping or "
            "charge/discharge cannot be told apart. Export a signed current, or map one "
            "(columns={'current_mA': {'column': ..., 'scale': ...}})",
        )

    boundary = np.zeros(n, dtype=bool)
    boundary[0] = True
    boundary[1:] |= row_dir[1:] != row_dir[:-1]
    boundary[1:] |= left_out[1:] != left_out[:-1]
    file_cycle = None
    for quantity in ("cycle", "step"):
        if quantity in specs:
            values = _numeric(raw, specs[quantity], path, first_line)
            boundary[1:] |= values[1:] != values[:-1]
            if quantity == "cycle":
                file_cycle = values.astype(np.int64)
    starts = np.flatnonzero(boundary)
    step = np.cumsum(boundary).astype(np.int64)

    if "capacity_mAh" in specs:
        capacity = _step_capacity_from_counter(
            np.abs(_numeric(raw, specs["capacity_mAh"], path, first_line)), starts
        )
    elif "charge_capacity_mAh" in specs and "discharge_capacity_mAh" in specs:
        counter = np.abs(_numeric(raw, specs["charge_capacity_mAh"], path, first_line)) + np.abs(
            _numeric(raw, specs["discharge_capacity_mAh"], path, first_line)
        )
        capacity = _step_capacity_from_counter(counter, starts)
        notes.append("step capacity from the charge and discharge capacity counters")
    else:
        inc = np.abs(current) * np.clip(np.diff(time, prepend=time[0]), 0, None) / 3600.0
        capacity = _cumsum_per_step(inc, starts)
        notes.append("no capacity column: capacity integrated from current and time")

    if file_cycle is None:
        step_dir = row_dir[starts]
        cycle = np.repeat(_derive_cycles(step_dir), np.diff(np.append(starts, n)))
        notes.append("no cycle column: cycles derived from the current direction")
    else:
        cycle = file_cycle

    frame = pd.DataFrame(
        {
            "time_s": time,
            "cycle": cycle,
            "step": step,
            "current_mA": current,
            "voltage_V": voltage,
            "capacity_mAh": capacity,
            "direction": row_dir,
            "left_out": left_out,
        }
    )
    if "specific_capacity_mAh_g" in specs:
        frame["specific_capacity_mAh_g"] = _numeric(
            raw, specs["specific_capacity_mAh_g"], path, first_line
        )
    used = {
        q: s.column if s.scale == 1.0 else f"{s.column} x {s.scale:g}" for q, s in specs.items()
    }
    return CyclingData(path, dialect, frame, used, tuple(notes), excluded)


def step_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per step: cycle, direction, row range, timing, mean current, capacity and voltages.

    `v_mid` is the median voltage over the middle half of the step's capacity (MID_LOW..MID_HIGH);
    `v_mean` the capacity-weighted mean voltage (energy / capacity).
    """
    step = frame["step"].to_numpy()
    n = step.size
    starts = np.flatnonzero(np.r_[True, step[1:] != step[:-1]])
    ends = np.append(starts[1:], n) - 1
    counts = ends - starts + 1
    current = frame["current_mA"].to_numpy()
    voltage = frame["voltage_V"].to_numpy()
    capacity = frame["capacity_mAh"].to_numpy()
    time = frame["time_s"].to_numpy()
    cap_total = np.maximum.reduceat(capacity, starts)
    dq = np.diff(capacity, prepend=0.0)
    dq[starts] = capacity[starts]
    dq_sum = np.add.reduceat(dq, starts)
    weighted = np.add.reduceat(voltage * dq, starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        v_mean = np.where(dq_sum > 0, weighted / dq_sum, np.add.reduceat(voltage, starts) / counts)
        fraction = capacity / np.repeat(cap_total, counts)
    middle = (fraction >= MID_LOW) & (fraction <= MID_HIGH)
    v_mid = np.full(starts.size, np.nan)
    if middle.any():
        med = pd.Series(voltage[middle]).groupby(step[middle]).median()
        v_mid_map = pd.Series(v_mid, index=step[starts])
        v_mid_map.loc[med.index] = med.to_numpy()
        v_mid = v_mid_map.to_numpy()
    v_mid = np.where(np.isnan(v_mid), v_mean, v_mid)
    return pd.DataFrame(
        {
            "step": step[starts],
            "cycle": frame["cycle"].to_numpy()[starts],
            "direction": frame["direction"].to_numpy()[starts],
            "first_row": starts,
            "last_row": ends,
            "n_points": counts,
            "t_start_s": time[starts],
            "duration_s": time[ends] - time[starts],
            "current_mA": np.add.reduceat(current, starts) / counts,
            "capacity_mAh": cap_total,
            "left_out": (
                frame["left_out"].to_numpy()[starts]
                if "left_out" in frame
                else np.zeros(starts.size, dtype=np.int8)
            ),
            "v_min": np.minimum.reduceat(voltage, starts),
            "v_max": np.maximum.reduceat(voltage, starts),
            "v_end": voltage[ends],
            "v_mid": v_mid,
            "v_mean": v_mean,
        }
    )


def parse_window(text: str) -> tuple[int, int | None]:
    """Parse a cycle window 'FIRST-LAST', 'FIRST-' or 'FIRST' (1-based, inclusive)."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d*)\s*)?", text)
    if match is None:
        raise CyclingAnalysisError(f"window {text!r}: expected FIRST-LAST, e.g. 2-400, or FIRST-")
    first = int(match.group(1))
    last = match.group(2)
    if last is None:
        return first, first
    return first, int(last) if last else None
