"""Fixtures: synthetic cycling records with known per-cycle charges, written by our own code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from labledger.demo.cycling_synthetic import Segment, build_table, write_generic_csv


@dataclass
class HalfTruth:
    path: Path
    q_plate: np.ndarray  # mAh per analysed cycle
    q_strip: np.ndarray
    eta_mV: float
    precycles: int
    failure_cycle: int | None = None


def half_cell_segments(
    q_plate: np.ndarray,
    q_strip: np.ndarray,
    *,
    current_mA: float = 1.13,
    eta_mV: float = 80.0,
    plateau_V: float = -0.02,
    precycles: int = 2,
    hyst_mV: np.ndarray | None = None,
    first_points: int = 300,
) -> list[Segment]:
    """Li || host record: precycling sweeps 0-2.5 V, then plate/strip cycles of given charges."""
    segs = []
    for c in range(1, precycles + 1):
        segs.append(Segment(c, -0.1, 0.2, lambda x: 2.4 * (1 - x), 12))
        segs.append(Segment(c, 0.1, 0.15, lambda x: 0.1 + 2.4 * x, 12))
    for i, (qp, qs) in enumerate(zip(q_plate, q_strip, strict=True)):
        cycle = precycles + 1 + i
        h = 40.0 if hyst_mV is None else float(hyst_mV[i])
        if i == 0:
            x = np.linspace(1 / first_points, 1, first_points)
            x_tip = x[9]
            v_min = plateau_V - eta_mV / 1000

            def first(x, x_tip=x_tip, v_min=v_min):
                before = 0.3 + (v_min - 0.3) * x / x_tip
                after = plateau_V + (v_min - plateau_V) * np.exp(-(x - x_tip) / 0.01)
                return np.where(x <= x_tip, before, after)

            segs.append(Segment(cycle, -current_mA, qp, first, x=x))
        else:
            segs.append(Segment(cycle, -current_mA, qp, lambda x, h=h: -h / 2000 - 0.001 * x, 25))

        def strip(x, h=h):
            return h / 2000 + 0.9 * np.clip((x - 0.9) / 0.1, 0, 1) ** 3

        segs.append(Segment(cycle, current_mA, qs, strip, 25))
    return segs


@pytest.fixture(name="half_cell_segments")
def half_cell_segments_fixture():
    """The record builder above, for tests that need their own variant."""
    return half_cell_segments


@pytest.fixture
def half_record(tmp_path: Path) -> HalfTruth:
    """60 plating/stripping cycles after 2 precycles; CE rises then scatters around 99.3 %."""
    rng = np.random.default_rng(7)
    n = 60
    q_plate = 1.13 * (1 + rng.normal(0, 0.002, n))
    ce = 0.993 - 0.08 * np.exp(-np.arange(n) / 3) + rng.normal(0, 0.002, n)
    q_strip = q_plate * ce
    frame = build_table(half_cell_segments(q_plate, q_strip, eta_mV=80.0))
    path = write_generic_csv(frame, tmp_path / "half.csv", "test half cell", digits=17)
    return HalfTruth(path, q_plate, q_strip, 80.0, 2)
