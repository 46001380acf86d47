"""Cycles from the electrochemistry: half-cycles from the current, paired into cycles.

1. A half-cycle is a run of consecutive steps with one sign of the current; rest steps, steps
   the reader left out (impedance, tester step types that are neither charge nor discharge) and
   pulses (`PULSE_FRACTION`) between them do not break the run and carry no charge.
2. A cycle is a half-cycle of the first direction followed by one of the other: reduction then
   oxidation for a half cell (plate, strip), oxidation then reduction for a full cell (charge,
   discharge). A half-cycle that has no partner (a discharge before the first charge, a charge
   with no discharge after it) is left out and counted, never summed into a neighbour.
3. The half-cycle running when the record ends is kept only if it looks finished: at least
   half the median charge of the last `RECENT_HALVES` half-cycles of its direction and an end
   voltage within `END_VOLTAGE_TOLERANCE` of the voltage span from where those ended (its
   cut-off); with no earlier half-cycle of its direction, at least half the charge of the
   half-cycle before it. A test stopped mid-charge fails one of these.
The tester's own cycle number stays available (`file_cycle` = tester cycle at a cycle's start);
it never decides which steps form a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Fraction of the record's voltage span within which a final half-cycle must end, relative to
#: the median end voltage of the earlier half-cycles of its direction, to count as finished.
END_VOLTAGE_TOLERANCE = 0.05
#: ... and the fraction of their median charge it must reach.
END_CHARGE_FRACTION = 0.5
#: The earlier half-cycles compared are the last few of its direction (a fading cell's charge
#: and a rising polarisation move the end point slowly).
RECENT_HALVES = 5

#: A current step with less than this fraction of the median step's charge and duration is a
#: pulse or an excitation, left out (a cycling step of a record is rarely 100 times shorter than
#: its typical step; a pulse train of its own is its median and stays in).
PULSE_FRACTION = 0.01

#: Names of the half-cycles by the direction that starts a cycle (half cells start by plating).
_WORDS = {
    -1: {-1: "plating", 1: "stripping"},
    1: {-1: "discharge", 1: "charge"},
}


@dataclass(frozen=True)
class Segmentation:
    """How the steps became cycles: counts, and what was left out and why."""

    steps: pd.DataFrame = field(repr=False)  # the step table plus `half` and `pair` columns
    n_half_cycles: int
    n_cycles: int
    left_out: tuple[dict, ...]  # {"what", "count", "why"}
    notes: tuple[str, ...] = ()

    @property
    def half_cycles_left_out(self) -> int:
        """Half-cycles not in any cycle."""
        return sum(x["count"] for x in self.left_out if x["what"] == "half-cycle")


def _pulses(s: pd.DataFrame, used: np.ndarray) -> np.ndarray:
    """Current steps far shorter and smaller than the record's typical one: pulses (DCIR, GITT
    within a cycling test) or an impedance excitation, not half-cycles."""
    out = np.zeros(len(s), dtype=bool)
    if used.sum() < 4:
        return out
    q = s["capacity_mAh"].to_numpy()
    t = s["duration_s"].to_numpy()
    q_med, t_med = np.median(q[used]), np.nanmedian(t[used])
    if not (q_med > 0 and t_med > 0):
        return out
    with np.errstate(invalid="ignore"):
        out = used & (q < PULSE_FRACTION * q_med) & (t < PULSE_FRACTION * t_med)
    out[-1] = False  # the step running when the record ends: judged as a cut-short half-cycle
    return out


def _final_half_finished(halves: pd.DataFrame) -> bool:
    last = halves.iloc[-1]
    earlier = halves.iloc[:-1]
    earlier = earlier[earlier["direction"] == last["direction"]].tail(RECENT_HALVES)
    if len(earlier) == 0:  # compare with the half-cycle before it (a CE of at least 0.5)
        before = halves["capacity_mAh"].iloc[-2] if len(halves) > 1 else 0.0
        return bool(last["capacity_mAh"] >= END_CHARGE_FRACTION * before)
    span = float(halves["v_max"].max() - halves["v_min"].min()) or 1.0
    v_ok = abs(last["v_end"] - earlier["v_end"].median()) <= END_VOLTAGE_TOLERANCE * span
    q_ok = last["capacity_mAh"] >= END_CHARGE_FRACTION * earlier["capacity_mAh"].median()
    return bool(v_ok and q_ok)


def segment(steps: pd.DataFrame, first_direction: int, excluded: dict[int, str]) -> Segmentation:
    """Pair the half-cycles of a step table (see the module docstring).

    `steps` is `step_table` output with a `left_out` code per step (0 = used); `excluded` maps
    the other codes to the reason the reader gave. Adds `half` (half-cycle number, -1 for rest
    and left-out steps) and `pair` (cycle number from 1, 0 for steps in no cycle).
    """
    s = steps.reset_index(drop=True).copy()
    code = s["left_out"].to_numpy() if "left_out" in s else np.zeros(len(s), dtype=np.int8)
    used = (s["direction"].to_numpy() != 0) & (code == 0)
    pulse = _pulses(s, used)
    used &= ~pulse
    direction = s["direction"].to_numpy()
    idx = np.flatnonzero(used)
    half = np.full(len(s), -1, dtype=np.int64)
    if idx.size:
        new = np.r_[True, direction[idx][1:] != direction[idx][:-1]]
        half[idx] = np.cumsum(new) - 1
    s["half"] = half
    g = s[used].groupby("half", sort=True)
    halves = pd.DataFrame(
        {
            "direction": g["direction"].first(),
            "capacity_mAh": g["capacity_mAh"].sum(),
            "v_end": g["v_end"].last(),
            "v_min": g["v_min"].min(),
            "v_max": g["v_max"].max(),
            "last_step": g.apply(lambda x: x.index[-1], include_groups=False),
        }
    ).reset_index(drop=True)
    left_out: list[dict] = []
    notes: list[str] = []
    n_half = len(halves)
    final_ok = True
    if n_half and halves["last_step"].iloc[-1] == len(s) - 1:
        final_ok = _final_half_finished(halves)
        if not final_ok:
            word = _WORDS[first_direction][int(halves["direction"].iloc[-1])]
            left_out.append(
                {
                    "what": "half-cycle",
                    "count": 1,
                    "why": f"the record ends during a {word} half-cycle that did not reach the "
                    "charge or cut-off voltage of the earlier ones (test stopped)",
                }
            )
    n_pairable = n_half if final_ok else n_half - 1
    pair_of_half = np.zeros(n_half, dtype=np.int64)
    dirs = halves["direction"].to_numpy()
    unpaired: dict[str, int] = {}
    i, n_cycles = 0, 0
    while i < n_pairable:
        if dirs[i] == first_direction and i + 1 < n_pairable:
            n_cycles += 1
            pair_of_half[i] = pair_of_half[i + 1] = n_cycles
            i += 2
            continue
        word, other = _WORDS[first_direction][dirs[i]], _WORDS[first_direction][-dirs[i]]
        if dirs[i] == first_direction:
            why = f"a {word} half-cycle with no {other} half-cycle after it"
        else:
            why = f"a {word} half-cycle with no {other} half-cycle before it"
        unpaired[why] = unpaired.get(why, 0) + 1
        i += 1
    left_out += [{"what": "half-cycle", "count": n, "why": w} for w, n in unpaired.items()]
    pair = np.zeros(len(s), dtype=np.int64)
    pair[idx] = pair_of_half[half[idx]]
    s["pair"] = pair
    rest = int(((direction == 0) & (code == 0)).sum())
    if rest:
        left_out.append({"what": "step", "count": rest, "why": "rest (no current)"})
    if pulse.any():
        left_out.append(
            {
                "what": "step",
                "count": int(pulse.sum()),
                "why": f"pulse or excitation (charge and duration below {PULSE_FRACTION:.0%} of "
                "the median current step)",
            }
        )
    for c, reason in excluded.items():
        n = int((code == c).sum())
        if n:
            left_out.append({"what": "step", "count": n, "why": reason})
    notes += _tester_cycle_notes(s, first_direction)
    return Segmentation(s, n_half, n_cycles, tuple(left_out), tuple(notes))


def _tester_cycle_notes(s: pd.DataFrame, first_direction: int) -> list[str]:
    """Say where the tester's cycle numbers and the electrochemical cycles disagree."""
    paired = s[s["pair"] > 0]
    if paired.empty:
        return []
    notes = []
    per_tester = paired.groupby("cycle")["pair"].nunique()
    several = per_tester[per_tester > 1]
    if len(several):
        shown = ", ".join(str(int(c)) for c in several.index[:5])
        notes.append(
            f"{len(several)} tester cycle(s) ({shown}{' ...' if len(several) > 5 else ''}) hold "
            "more than one charge/discharge pair; each pair is a cycle of its own"
        )
    starts = paired.groupby("pair")["cycle"].agg(["first", "last"])
    split = int((starts["first"] != starts["last"]).sum())
    if split > len(starts) / 2:
        word = "negative (plating/discharge)" if first_direction < 0 else "positive (charge)"
        notes.append(
            "the tester's cycles mostly start with the other direction; cycles re-paired from "
            f"the current so each starts with a {word} step"
        )
    return notes
