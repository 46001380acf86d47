"""Per-cycle sums of the step table, activation (precycling) detection and cycle windows.

Conventions shared by the half-cell and full-cell analyses:
- cycles are paired half-cycles (`labledger.cycling.halfcycles`), not the tester's cycle
  numbers; "file cycle" is the tester's cycle number where a cycle starts. Analysed cycles are
  renumbered n = 1, 2, ... after the activation (precycling) cycles, so n = 1 is the first Li
  deposition of a half cell.
- In each cycle, the charge of its negative-current half-cycle (plating / discharge) and of its
  positive-current half-cycle (stripping / charge) are the sums over their steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from labledger.cycling.table import CyclingAnalysisError

#: A precycling sweep of a Li half cell (e.g. 0-2.5 V before Li deposition) stays above 0 V:
#: Li plating needs the host below 0 V vs Li/Li+. Allow 5 mV for the 0 V cut-off overshoot.
PRECYCLE_MIN_V = -0.005
#: ... and it reaches well above the 0.5-1 V stripping cut-offs of plating/stripping cycles.
PRECYCLE_UPPER_V = 1.5


@dataclass(frozen=True)
class CycleSums:
    """Per file cycle: charge and representative voltages of each current direction."""

    table: pd.DataFrame  # one row per file cycle, columns below
    # file_cycle, q_neg_mAh, q_pos_mAh, n_neg, n_pos, v_mid_neg, v_mid_pos, v_mean_neg,
    # v_mean_pos, v_min, v_max, first_direction, first_neg_step


def cycle_sums(steps: pd.DataFrame) -> CycleSums:
    """Aggregate the paired steps (`pair` > 0, from `halfcycles.segment`) by cycle."""
    s = steps[steps["pair"] > 0].copy()
    neg = s["direction"] < 0
    pos = s["direction"] > 0
    s["q_neg"] = np.where(neg, s["capacity_mAh"], 0.0)
    s["q_pos"] = np.where(pos, s["capacity_mAh"], 0.0)
    s["e_neg"] = s["q_neg"] * s["v_mean"]
    s["e_pos"] = s["q_pos"] * s["v_mean"]
    s["mid_neg"] = np.where(neg, s["v_mid"] * s["capacity_mAh"], 0.0)
    s["mid_pos"] = np.where(pos, s["v_mid"] * s["capacity_mAh"], 0.0)
    s["is_neg"], s["is_pos"] = neg.astype(int), pos.astype(int)
    s["neg_step"] = np.where(neg, s["step"], np.iinfo(np.int64).max)
    s["dir_nonrest"] = np.where(s["direction"] != 0, s["direction"], np.nan)
    g = s.groupby("pair", sort=True)
    agg = g.agg(
        file_cycle=("cycle", "first"),
        q_neg_mAh=("q_neg", "sum"),
        q_pos_mAh=("q_pos", "sum"),
        e_neg=("e_neg", "sum"),
        e_pos=("e_pos", "sum"),
        mid_neg=("mid_neg", "sum"),
        mid_pos=("mid_pos", "sum"),
        n_neg=("is_neg", "sum"),
        n_pos=("is_pos", "sum"),
        v_min=("v_min", "min"),
        v_max=("v_max", "max"),
        first_direction=("dir_nonrest", "first"),
        first_neg_step=("neg_step", "min"),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "pair": agg.index.to_numpy(),
                "file_cycle": agg["file_cycle"].to_numpy(),
                "q_neg_mAh": agg["q_neg_mAh"].to_numpy(),
                "q_pos_mAh": agg["q_pos_mAh"].to_numpy(),
                "n_neg": agg["n_neg"].to_numpy(),
                "n_pos": agg["n_pos"].to_numpy(),
                "v_mid_neg": (agg["mid_neg"] / agg["q_neg_mAh"]).to_numpy(),
                "v_mid_pos": (agg["mid_pos"] / agg["q_pos_mAh"]).to_numpy(),
                "v_mean_neg": (agg["e_neg"] / agg["q_neg_mAh"]).to_numpy(),
                "v_mean_pos": (agg["e_pos"] / agg["q_pos_mAh"]).to_numpy(),
                "v_min": agg["v_min"].to_numpy(),
                "v_max": agg["v_max"].to_numpy(),
                "first_direction": agg["first_direction"].to_numpy(),
                "first_neg_step": agg["first_neg_step"].to_numpy(),
            }
        )
    table = table[(table["n_neg"] + table["n_pos"]) > 0].reset_index(drop=True)
    return CycleSums(table)


def detect_precycles(table: pd.DataFrame) -> int:
    """Number of leading cycles that are precycling sweeps (never below PRECYCLE_MIN_V, and up
    to at least PRECYCLE_UPPER_V): no Li is plated in them."""
    count = 0
    for v_min, v_max in zip(table["v_min"], table["v_max"], strict=True):
        if v_min >= PRECYCLE_MIN_V and v_max >= PRECYCLE_UPPER_V:
            count += 1
        else:
            break
    return count


def resolve_window(
    window: tuple[int, int | None] | None, n_cycles: int, default_first: int = 2
) -> tuple[int, int]:
    """Check a 1-based inclusive window against the analysed cycles; default FIRST..N."""
    if n_cycles < 1:
        raise CyclingAnalysisError("no complete cycle to analyse")
    if window is None:
        first = default_first if n_cycles >= default_first else 1
        return first, n_cycles
    first, last = window
    last = n_cycles if last is None else last
    if not 1 <= first <= last:
        raise CyclingAnalysisError(f"window {first}-{last}: FIRST must be >= 1 and <= LAST")
    if last > n_cycles:
        raise CyclingAnalysisError(
            f"window {first}-{last}: the file has {n_cycles} analysed cycles (after activation); "
            f"use a LAST <= {n_cycles}, or FIRST- for 'to the end'"
        )
    return first, last


def finite_or_none(x: float | None) -> float | None:
    """A float for JSON: None for missing, NaN or infinite values."""
    return float(x) if x is not None and np.isfinite(x) else None


def nan_to_none(values: np.ndarray | list) -> list:
    """Floats for JSON: NaN and inf become None."""
    out = []
    for v in values:
        f = float(v)
        out.append(f if np.isfinite(f) else None)
    return out


def check_sign(table: pd.DataFrame, path: str) -> None:
    """The voltage under oxidation current lies above that under reduction current in any cell
    (polarisation); if not in most cycles, the exported current sign is inverted."""
    from labledger.errors import InputFileError

    both = table[(table["n_neg"] > 0) & (table["n_pos"] > 0)]
    gap = (both["v_mid_pos"] - both["v_mid_neg"]).to_numpy()
    gap = gap[np.isfinite(gap)]
    if gap.size and (gap < 0).mean() > 0.5:
        raise InputFileError(
            path,
            "the current sign looks inverted: the voltage under positive current lies below the "
            "voltage under negative current in most cycles. labledger expects positive current = "
            "oxidation of the working electrode (Li stripping, cell charge); map the current "
            "with a scale of -1, e.g. columns={'current_mA': {'column': ..., 'scale': -1}}",
        )
