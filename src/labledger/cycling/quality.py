"""What a cycling result read, and plausibility flags on what it found (never silent)."""

from __future__ import annotations

import numpy as np

from labledger.cycling.halfcycles import Segmentation
from labledger.cycling.table import CyclingData

#: CE outside this range is flagged: above 1.05 more charge came back than went in (a short,
#: a side reaction, or a mis-paired or mis-signed record); below 0.5 half of it was lost.
CE_HIGH, CE_LOW = 1.05, 0.5
#: Areal capacities (mAh/cm2) a lab cell plausibly reaches per half-cycle: thick electrodes reach
#: ~10, Li-metal tests up to ~20; below 1e-3 the area or the unit of the file is wrong.
AREAL_HIGH_MAH_CM2, AREAL_LOW_MAH_CM2 = 50.0, 1e-3
#: Fewer complete cycles than this give no trend: flagged.
FEW_CYCLES = 3


def reading_summary(data: CyclingData, seg: Segmentation, first_direction: int) -> dict:
    """Rows, steps, half-cycles and cycles read, and what was left out and why."""
    tester = data.frame["cycle"]
    return {
        "rows": len(data.frame),
        "steps": len(seg.steps),
        "tester_cycles": int(tester.nunique()),
        "half_cycles": seg.n_half_cycles,
        "complete_cycles": seg.n_cycles,
        "half_cycles_left_out": seg.half_cycles_left_out,
        "cycle_definition": (
            "a reduction half-cycle followed by an oxidation half-cycle (plate, strip)"
            if first_direction < 0
            else "an oxidation half-cycle followed by a reduction half-cycle (charge, discharge)"
        ),
        "left_out": [dict(x) for x in seg.left_out],
    }


def plausibility_flags(
    ce: np.ndarray,
    mean_ce: float,
    q_first: np.ndarray,
    area_cm2: float | None,
    n_cycles: int,
    failure_cycle: int | None = None,
) -> list[str]:
    """Flags for CE outside CE_LOW..CE_HIGH, implausible areal capacity, failure on the second
    cycle and few complete cycles. `q_first` is the charge (mAh) of each cycle's first half."""
    flags = []
    if np.isfinite(mean_ce) and mean_ce > CE_HIGH:
        flags.append(f"mean CE {mean_ce:.4g} is above {CE_HIGH}: check pairing, sign or a short")
    elif np.isfinite(mean_ce) and mean_ce < CE_LOW:
        flags.append(f"mean CE {mean_ce:.4g} is below {CE_LOW}")
    finite = ce[np.isfinite(ce)]
    out = int(((finite > CE_HIGH) | (finite < CE_LOW)).sum())
    if out:
        flags.append(f"{out} of {finite.size} cycles have a CE above {CE_HIGH} or below {CE_LOW}")
    if area_cm2 and q_first.size:
        areal = float(np.nanmedian(q_first)) / area_cm2
        if areal > AREAL_HIGH_MAH_CM2 or areal < AREAL_LOW_MAH_CM2:
            flags.append(
                f"median capacity {areal:.3g} mAh/cm2 over {area_cm2:g} cm2 is implausible for "
                f"a lab cell (expected {AREAL_LOW_MAH_CM2:g}-{AREAL_HIGH_MAH_CM2:g}): check the "
                "area and the capacity unit of the file"
            )
    if failure_cycle is not None and failure_cycle <= 2:
        flags.append(f"failure from cycle {failure_cycle}: the cell failed at once")
    if n_cycles < FEW_CYCLES:
        flags.append(f"only {n_cycles} complete cycle(s): too few for a trend")
    return flags
