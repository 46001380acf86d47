"""Synthetic cycling records: build a point table from per-step charges and voltage shapes, and
write it in the file dialects labledger reads. Used for the demo data and the tests; every
file written here says it is synthetic where the format allows (CSV comment, xlsx info sheet).

Everything is deterministic: noise comes from a seeded `numpy.random.Generator` passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SYNTHETIC_NOTE = "synthetic data made by labledger.cycling; not a measurement"

VoltageShape = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Segment:
    """One constant-current step: `capacity_mAh` passed at `current_mA` (signed), voltage as a
    function of the fraction x in (0, 1] of the step's capacity, sampled at `points` points
    (or at the given fractions `x`)."""

    cycle: int
    current_mA: float
    capacity_mAh: float
    voltage: VoltageShape
    points: int = 20
    x: np.ndarray | None = None
    protocol_step: int = 1


def build_table(
    segments: list[Segment], rest_points: int = 0, rest_s: float = 60.0
) -> pd.DataFrame:
    """Point table of a record: time_s, cycle, step, protocol_step, current_mA, voltage_V,
    capacity_mAh (charge since the step start, mAh). The last point of each step carries
    exactly its capacity. With `rest_points`, a rest step of that many points follows each step.
    """
    parts = []
    t0, step = 0.0, 0
    for seg in segments:
        step += 1
        x = seg.x if seg.x is not None else np.linspace(1.0 / seg.points, 1.0, seg.points)
        q = x * seg.capacity_mAh
        t = t0 + q / abs(seg.current_mA) * 3600.0
        v = seg.voltage(x)
        parts.append((t, seg.cycle, step, seg.protocol_step, np.full(x.size, seg.current_mA), v, q))
        t0 = t[-1]
        if rest_points:
            step += 1
            tr = t0 + np.linspace(rest_s / rest_points, rest_s, rest_points)
            vr = np.full(rest_points, v[-1])
            zeros = np.zeros(rest_points)
            parts.append((tr, seg.cycle, step, seg.protocol_step + 100, zeros, vr, zeros))
            t0 = tr[-1]
    frame = pd.DataFrame(
        {
            "time_s": np.concatenate([p[0] for p in parts]),
            "cycle": np.concatenate([np.full(p[0].size, p[1]) for p in parts]),
            "step": np.concatenate([np.full(p[0].size, p[2]) for p in parts]),
            "protocol_step": np.concatenate([np.full(p[0].size, p[3]) for p in parts]),
            "current_mA": np.concatenate([p[4] for p in parts]),
            "voltage_V": np.concatenate([p[5] for p in parts]),
            "capacity_mAh": np.concatenate([p[6] for p in parts]),
        }
    )
    return frame


def _header(comment: str) -> str:
    return f"# {SYNTHETIC_NOTE}. {comment}\n"


def write_generic_csv(frame: pd.DataFrame, path: Path, comment: str = "", digits: int = 8) -> Path:
    """English generic CSV: time_s, cycle, step, current_mA, voltage_V, capacity_mAh, with
    `digits` significant digits (17 round-trips floats exactly)."""
    out = frame[["time_s", "cycle", "step", "current_mA", "voltage_V", "capacity_mAh"]]
    out = out.rename(
        columns={
            "time_s": "Time (s)",
            "cycle": "Cycle",
            "step": "Step",
            "current_mA": "Current (mA)",
            "voltage_V": "Voltage (V)",
            "capacity_mAh": "Capacity (mAh)",
        }
    )
    text = out.to_csv(index=False, float_format=f"%.{digits}g", lineterminator="\n")
    path.write_text(_header(comment) + text, encoding="utf-8")
    return path


def _hms(seconds: np.ndarray) -> list[str]:
    s = np.asarray(seconds, dtype=float)
    h = np.floor(s / 3600).astype(int)
    m = np.floor((s - h * 3600) / 60).astype(int)
    sec = s - h * 3600 - m * 60
    return [f"{a}:{b:02d}:{c:06.3f}" for a, b, c in zip(h, m, sec, strict=True)]


def write_land_csv(frame: pd.DataFrame, path: Path, comment: str = "") -> Path:
    """LAND/Neware-style CSV with Chinese headers (总时间 as h:mm:ss.fff, labels in 工步类型)."""
    labels = np.where(
        frame["current_mA"] > 0, "恒流充电", np.where(frame["current_mA"] < 0, "恒流放电", "搁置")
    )
    out = pd.DataFrame(
        {
            "数据序号": np.arange(1, len(frame) + 1),
            "循环号": frame["cycle"],
            "工步号": frame["step"],
            "工步类型": labels,
            "总时间": _hms(frame["time_s"].to_numpy()),
            "电流/mA": frame["current_mA"],
            "电压/V": frame["voltage_V"],
            "容量/mAh": frame["capacity_mAh"],
        }
    )
    text = out.to_csv(index=False, float_format="%.8g", lineterminator="\n")
    path.write_text(_header(comment) + text, encoding="utf-8")
    return path


def _arbin_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Arbin columns: current in A, charge/discharge capacity in Ah accumulated per cycle."""
    cur = frame["current_mA"].to_numpy()
    inc = np.diff(frame["capacity_mAh"].to_numpy(), prepend=0.0)
    step = frame["step"].to_numpy()
    first = np.r_[True, step[1:] != step[:-1]]
    inc[first] = frame["capacity_mAh"].to_numpy()[first]
    cycle = frame["cycle"].to_numpy()
    chg = pd.Series(np.where(cur > 0, inc, 0.0)).groupby(cycle).cumsum().to_numpy()
    dchg = pd.Series(np.where(cur < 0, inc, 0.0)).groupby(cycle).cumsum().to_numpy()
    time = frame["time_s"].to_numpy()
    step_start = pd.Series(time).groupby(step).transform("min").to_numpy()
    stamp = pd.Timestamp("2025-03-01 09:00:00") + pd.to_timedelta(time, unit="s")
    return pd.DataFrame(
        {
            "Data_Point": np.arange(1, len(frame) + 1),
            "Test_Time(s)": time,
            "Step_Time(s)": time - step_start,
            "Date_Time": stamp.strftime("%m/%d/%Y %H:%M:%S"),
            "Step_Index": frame["protocol_step"],
            "Cycle_Index": cycle,
            "Current(A)": cur / 1000.0,
            "Voltage(V)": frame["voltage_V"],
            "Charge_Capacity(Ah)": chg / 1000.0,
            "Discharge_Capacity(Ah)": dchg / 1000.0,
        }
    )


def write_arbin_csv(frame: pd.DataFrame, path: Path, comment: str = "") -> Path:
    """Arbin-style CSV (Test_Time(s), Cycle_Index, Step_Index, Current(A), Voltage(V), ...)."""
    text = _arbin_frame(frame).to_csv(index=False, float_format="%.9g", lineterminator="\n")
    path.write_text(_header(comment) + text, encoding="utf-8")
    return path


def write_land_xlsx(
    frame: pd.DataFrame, path: Path, comment: str = "", mass_g: float | None = None
) -> Path:
    """LAND-style workbook: an info sheet (saying synthetic) and a record sheet 记录表 with
    Chinese headers (循环, 工步, 测试时间/Sec, 电流/mA, 电压/V, 容量/mAh, 比容量/mAh/g)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    info = book.create_sheet("信息")
    info.append([SYNTHETIC_NOTE])
    if comment:
        info.append([comment])
    sheet = book.create_sheet("记录表")
    headers = ["序号", "循环", "工步", "测试时间/Sec", "电流/mA", "电压/V", "容量/mAh"]
    if mass_g:
        headers.append("比容量/mAh/g")
    sheet.append(headers)
    cols = [
        frame[c].to_numpy()
        for c in ("cycle", "step", "time_s", "current_mA", "voltage_V", "capacity_mAh")
    ]
    for i in range(len(frame)):
        row = [i + 1, int(cols[0][i]), int(cols[1][i])] + [round(float(c[i]), 9) for c in cols[2:]]
        if mass_g:
            row.append(round(float(cols[5][i]) / mass_g, 6))
        sheet.append(row)
    book.save(path)
    return path
