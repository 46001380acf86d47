"""Cycling plots as a reader sees them: a long test's voltage profiles stay apart."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from labledger.cycling.analyze import analyze_cycling
from labledger.cycling.plots import plot_summary, plot_voltage_profiles
from labledger.cycling.readers import read_cycling
from labledger.demo.cycling_synthetic import build_table, write_generic_csv

#: At most this many voltage profiles in one panel: more run together into one band.
MAX_PROFILES = 10


@pytest.fixture
def long_cell(tmp_path: Path, half_cell_segments):  # type: ignore[no-untyped-def]
    """A 400-cycle half cell (2 precycles), its data and its analysis."""
    rng = np.random.default_rng(11)
    n = 400
    q_plate = 1.13 * (1 + rng.normal(0, 0.002, n))
    q_strip = q_plate * (0.992 + rng.normal(0, 0.002, n))
    frame = build_table(half_cell_segments(q_plate, q_strip, hyst_mV=np.linspace(30, 90, n)))
    path = write_generic_csv(frame, tmp_path / "long.csv", "test", 10)
    data = read_cycling(path)
    result = analyze_cycling(data, "half", area_cm2=1.13)
    assert result.n_cycles == n
    return data, result


def _profiles(fig) -> dict[int, list]:  # type: ignore[no-untyped-def]
    """The lines of the voltage-profile panel by the cycle each is labelled with."""
    (ax,) = [a for a in fig.axes if a.get_ylabel() == "voltage (V)"]
    by_cycle: dict[int, list] = {}
    for line in ax.get_lines():
        label = line.get_label()
        if not label.startswith("_"):
            m = re.fullmatch(r"cycle (\d+)", label)
            assert m, label
            current = int(m.group(1))
        by_cycle.setdefault(current, []).append(line)
    return by_cycle


def _luminance(colour) -> float:  # type: ignore[no-untyped-def]
    r, g, b = to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _check(fig, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    profiles = _profiles(fig)
    cycles = sorted(profiles)
    assert 3 <= len(cycles) <= MAX_PROFILES, cycles
    assert cycles[0] == 1 and cycles[-1] == n
    # one colour per cycle, its lightness rising with the cycle number: the colour reads as
    # the cycle, early cycles dark, late ones light
    colours = []
    for c in cycles:
        (colour,) = {to_rgb(line.get_color()) for line in profiles[c]}
        colours.append(colour)
    lum = [_luminance(c) for c in colours]
    assert all(a < b for a, b in itertools.pairwise(lum)), list(zip(cycles, lum, strict=True))
    # and the panel names the cycles drawn (legend)
    (ax,) = {line.axes for lines in profiles.values() for line in lines}
    legend = ax.get_legend()
    assert legend is not None
    named = {int(t) for t in re.findall(r"\d+", " ".join(x.get_text() for x in legend.texts))}
    assert set(cycles) <= named
    return cycles


def test_long_cell_draws_a_few_profiles_coloured_by_cycle(
    long_cell, tmp_path: Path, saved_figures
) -> None:  # type: ignore[no-untyped-def]
    data, result = long_cell
    saved = saved_figures
    plot_summary(data, result, tmp_path / "summary.svg")  # what the workflow writes
    plot_voltage_profiles(data, result, tmp_path / "all.svg", cycles=list(range(1, 401)))
    summary, asked_all = saved
    drawn = _check(summary, 400)
    assert {2, 10, 100} <= set(drawn)  # early, middle and late cycles, spread on a log scale
    _check(asked_all, 400)
