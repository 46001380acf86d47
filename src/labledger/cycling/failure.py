"""Detection of a soft short or failure of a Li plating/stripping half cell."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: CE above 100 % by more than this means more Li was stripped than plated: charge that did not
#: come from the plated Li (a soft short or Li from the counter electrode). Healthy cells scatter
#: by a few tenths of a percent around their mean.
CE_OVER_TOL = 0.01
#: A CE further than this from the median of the preceding cycles is an erratic swing; healthy
#: cells (even decaying Cu foil) move by ~1 % from cycle to cycle.
SWING_TOL = 0.05
#: Hysteresis below this fraction of the preceding median is a voltage collapse: a short lets
#: current bypass the electrolyte, so the plating/stripping overpotential drops.
COLLAPSE_FRACTION = 0.5
#: Number of preceding cycles forming the baseline (median) for swings and collapse.
BASELINE_CYCLES = 10
#: A failure onset needs this many anomalous cycles among it and the next CONFIRM_SPAN - 1, so a
#: single noisy cycle is not called a failure.
CONFIRM_COUNT, CONFIRM_SPAN = 3, 5


@dataclass(frozen=True)
class Failure:
    """Onset of a soft short or failure.

    Method (per analysed cycle n >= 2, against the median of the preceding BASELINE_CYCLES
    unflagged cycles):
    1. over-100: CE_n > 1 + CE_OVER_TOL;
    2. swing: |CE_n - median CE| > SWING_TOL;
    3. collapse: hysteresis_n < COLLAPSE_FRACTION * median hysteresis.
    The onset is the first flagged cycle with at least CONFIRM_COUNT flagged cycles among it and
    the next CONFIRM_SPAN - 1 (all remaining cycles if fewer are left).
    """

    cycle: int
    reasons: tuple[str, ...]
    flagged_cycles: tuple[int, ...]

    def to_dict(self) -> dict:
        """Plain JSON-serialisable values."""
        return {
            "cycle": self.cycle,
            "reasons": list(self.reasons),
            "flagged_cycles": list(self.flagged_cycles),
        }


def detect_failure(ce: np.ndarray, hysteresis_mV: np.ndarray) -> Failure | None:
    """Find the failure onset; `ce` and `hysteresis_mV` are indexed by cycle n - 1 (NaN allowed)."""
    n = ce.size
    reasons: dict[int, list[str]] = {}
    baseline_ce: list[float] = []
    baseline_h: list[float] = []
    for i in range(1, n):  # cycle 1 is conditioning: never flagged, not in the baseline
        found = []
        c, h = ce[i], hysteresis_mV[i]
        if np.isfinite(c) and c > 1.0 + CE_OVER_TOL:
            found.append("CE above 100 %")
        if (
            baseline_ce
            and np.isfinite(c)
            and abs(c - np.median(baseline_ce[-BASELINE_CYCLES:])) > SWING_TOL
        ):
            found.append("erratic CE swing")
        if (
            baseline_h
            and np.isfinite(h)
            and h < COLLAPSE_FRACTION * np.median(baseline_h[-BASELINE_CYCLES:])
        ):
            found.append("voltage collapse")
        if found:
            reasons[i + 1] = found
        else:
            if np.isfinite(c):
                baseline_ce.append(float(c))
            if np.isfinite(h):
                baseline_h.append(float(h))
    flagged = sorted(reasons)
    for cycle in flagged:
        span_end = min(cycle + CONFIRM_SPAN - 1, n)
        needed = min(CONFIRM_COUNT, span_end - cycle + 1)
        inside = [c for c in flagged if cycle <= c <= span_end]
        if len(inside) >= needed and needed >= 2:
            later = [c for c in flagged if c >= cycle]
            kinds = sorted({r for c in later for r in reasons[c]})
            return Failure(cycle, tuple(kinds), tuple(later))
    return None
