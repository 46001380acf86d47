"""SVG plots of a cycling analysis (matplotlib, Agg backend, imported only when plotting).

- `plot_ce(result, path)`: CE (and retention for full cells) against cycle, window shaded.
- `plot_voltage_profiles(data, result, path, cycles=None)`: voltage vs capacity of chosen cycles
  (at most `MAX_PROFILES`, coloured by cycle number).
- `plot_first_plating(data, result, path)`: the first plating with V_min and V_plateau marked.
- `plot_summary(data, result, path)`: the three side by side (what the CLI's --plot writes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from labledger.cycling.fullcell import FullCellResult
from labledger.cycling.halfcell import HalfCellResult
from labledger.cycling.table import CyclingData

Result = HalfCellResult | FullCellResult


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


#: Most voltage profiles drawn in one panel: more run together into one band.
MAX_PROFILES = 10


def default_profile_cycles(result: Result, limit: int = MAX_PROFILES) -> list[int]:
    """Analysed cycles shown by default: 1, 2, 5, 10, 20, 50, 100, 200, 500 ... and the last
    one, at most `limit` of them (first and last always)."""
    n = result.n_cycles
    chosen, decade = [], 1
    while decade <= n:
        chosen += [m * decade for m in (1, 2, 5) if m * decade <= n]
        decade *= 10
    return spread_cycles([*chosen, n], limit)


def spread_cycles(cycles: list[int], limit: int = MAX_PROFILES) -> list[int]:
    """At most `limit` of `cycles`, sorted, evenly spread over the list, its first and last
    kept."""
    ordered = sorted(set(cycles))
    if len(ordered) <= limit:
        return ordered
    keep = np.unique(np.round(np.linspace(0, len(ordered) - 1, limit)).astype(int))
    return [ordered[i] for i in keep]


def cycle_colour(cycle: int, n_cycles: int) -> tuple[float, float, float, float]:
    """The colour of a cycle's profile: viridis on a log scale of the cycle number, cycle 1
    dark blue, the last one yellow-green (the palest yellow is left out: white background)."""
    from matplotlib import colormaps

    span = np.log(max(n_cycles, 2))
    return colormaps["viridis"](0.9 * np.log(max(cycle, 1)) / span)


def _draw_ce(ax: Any, result: Result) -> None:
    c = result.cycles
    ax.plot(c["cycle"], c["ce"] * 100, ".", ms=3, label="CE")
    first, last = result.window
    ax.axvspan(first - 0.5, last + 0.5, color="0.92", zorder=0, label=f"window {first}-{last}")
    ax.set_xlabel("cycle (after activation)")
    ax.set_ylabel("Coulombic efficiency (%)")
    finite = c["ce"].dropna() * 100
    if len(finite):
        low = max(float(np.nanpercentile(finite, 2)) - 2, 0)
        ax.set_ylim(low, min(max(float(finite.max()) + 1, 101), 150))
    if isinstance(result, HalfCellResult):
        ax.axhline(
            100 * result.mean_ce, color="C1", lw=0.8, label=f"mean {100 * result.mean_ce:.2f} %"
        )
        if result.failure:
            ax.axvline(
                result.failure.cycle,
                color="C3",
                ls="--",
                lw=0.8,
                label=f"failure at {result.failure.cycle}",
            )
    else:
        ax2 = ax.twinx()
        ax2.plot(c["cycle"], c["retention"] * 100, "-", color="C2", lw=1, label="retention")
        ax2.axhline(80, color="C2", ls=":", lw=0.8)
        ax2.set_ylabel(f"retention vs cycle {result.reference_cycle} (%)")
        if result.cycle_life:
            ax.axvline(
                result.cycle_life,
                color="C3",
                ls="--",
                lw=0.8,
                label=f"cycle life {result.cycle_life}",
            )
    ax.legend(loc="lower left", fontsize=9)


def _draw_profiles(ax: Any, data: CyclingData, result: Result, cycles: list[int]) -> None:
    """Voltage vs capacity of at most MAX_PROFILES of `cycles`, coloured by cycle number and
    named in a legend beside the axes."""
    frame = data.frame
    by_n = dict(zip(result.cycles["cycle"], result.cycles["file_cycle"], strict=True))
    for n in spread_cycles([c for c in cycles if c in by_n]):
        rows = frame[(frame["cycle"] == by_n[n]) & (frame["direction"] != 0)]
        colour = cycle_colour(n, result.n_cycles)
        for j, (_, part) in enumerate(rows.groupby("step", sort=True)):
            ax.plot(
                part["capacity_mAh"],
                part["voltage_V"],
                color=colour,
                lw=1,
                label=f"cycle {n}" if j == 0 else None,
            )
    ax.set_xlabel("capacity (mAh)")
    ax.set_ylabel("voltage (V)")
    # beside the axes: inside, the legend of ten cycles covered the profiles
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def _draw_first_plating(ax: Any, data: CyclingData, result: HalfCellResult) -> None:
    nuc = result.nucleation
    file_cycle = int(result.cycles["file_cycle"].iloc[0])
    frame = data.frame
    rows = frame[(frame["cycle"] == file_cycle) & (frame["direction"] < 0)]
    first = rows[rows["step"] == rows["step"].min()] if len(rows) else rows
    ax.plot(first["capacity_mAh"], first["voltage_V"] * 1000, lw=1)
    if nuc:
        ax.axhline(nuc.v_plateau_V * 1000, color="C1", ls=":", lw=0.8, label="V_plateau")
        ax.plot(
            [nuc.capacity_at_tip_mAh],
            [nuc.v_min_V * 1000],
            "v",
            color="C3",
            label=f"V_min; eta_nuc {nuc.eta_mV:.0f} mV",
        )
        ax.set_ylim(nuc.v_min_V * 1000 - 30, max(nuc.v_plateau_V * 1000 + 60, 50))
        ax.legend(fontsize=9)
    ax.set_xlabel("capacity (mAh)")
    ax.set_ylabel("voltage (mV)")
    ax.set_title("first plating", fontsize=10)


def _save(fig: Any, path: str | Path) -> Path:
    path = Path(path)
    fig.tight_layout()
    fig.savefig(path, format="svg")
    _pyplot().close(fig)
    return path


def plot_ce(result: Result, path: str | Path) -> Path:
    """CE against cycle (with retention for full cells) as SVG; returns the path."""
    fig, ax = _pyplot().subplots(figsize=(5, 3.5))
    _draw_ce(ax, result)
    return _save(fig, path)


def plot_voltage_profiles(
    data: CyclingData, result: Result, path: str | Path, cycles: list[int] | None = None
) -> Path:
    """Voltage (V) against capacity (mAh) of the given analysed cycles (default: a spread on a
    log scale), at most `MAX_PROFILES` of them, as SVG."""
    fig, ax = _pyplot().subplots(figsize=(5, 3.5))
    _draw_profiles(ax, data, result, cycles or default_profile_cycles(result))
    return _save(fig, path)


def plot_first_plating(data: CyclingData, result: HalfCellResult, path: str | Path) -> Path:
    """Close-up of the first plating of a half cell with V_min and V_plateau, as SVG."""
    fig, ax = _pyplot().subplots(figsize=(5, 3.5))
    _draw_first_plating(ax, data, result)
    return _save(fig, path)


def plot_summary(data: CyclingData, result: Result, path: str | Path) -> Path:
    """CE, voltage profiles and (half cells) the first plating, one above the other, as SVG.

    Stacked, each panel takes the page's full width (side by side, three panels shrank to about
    280 px on a report page, with unreadable legends)."""
    half = isinstance(result, HalfCellResult)
    n = 3 if half else 2
    fig, axes = _pyplot().subplots(n, 1, figsize=(8, 3.4 * n))
    _draw_ce(axes[0], result)
    _draw_profiles(axes[1], data, result, default_profile_cycles(result))
    if isinstance(result, HalfCellResult):
        _draw_first_plating(axes[2], data, result)
    return _save(fig, path)
