"""Full cells and anode-free cells: capacity, CE, retention, cycle life, discharge voltage."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from labledger.cycling.cycles import (
    check_sign,
    cycle_sums,
    finite_or_none,
    nan_to_none,
    resolve_window,
)
from labledger.cycling.halfcycles import segment
from labledger.cycling.quality import plausibility_flags, reading_summary
from labledger.cycling.table import ANALYSIS_VERSION, CyclingAnalysisError, CyclingData

#: End of life at 80 % of the reference discharge capacity (Severson et al., Nat. Energy 2019, 4,
#: 383: "cycle life" = cycles to 80 % of nominal capacity).
END_OF_LIFE = 0.80

CELL_TYPES = ("full", "anode-free")


@dataclass(frozen=True)
class FullCellResult:
    """Capacity figures of a full or anode-free cell (cathode = working electrode).

    Method:
    1. Steps are split where the current changes sign; positive current charges the cell,
       negative current discharges it. A cycle is a charge half-cycle followed by a discharge
       one (`labledger.cycling.halfcycles`); rest and left-out steps and unpaired or unfinished
       half-cycles are counted in `reading`. Leading formation cycles can be excluded
       (`activation_cycles`, default none); the rest are numbered n = 1..N.
    2. Per cycle: Q_ch,n and Q_dis,n are the charge of its charge and discharge half-cycles;
       CE_n = Q_dis,n / Q_ch,n; retention_n = Q_dis,n / Q_dis,ref with the stated reference
       cycle (default 1); average discharge voltage = discharge energy / Q_dis,n.
    3. Cycle life = the first n after the reference with retention_n < END_OF_LIFE (Severson et
       al., Nat. Energy 2019); None if never reached in the record.
    4. Over the window (default 2..N): mean CE and pooled CE = sum(Q_dis) / sum(Q_ch).
    5. `flags`: CE outside 0.5-1.05, implausible areal capacity, few cycles.
    """

    path: str
    dialect: str
    cell_type: str
    area_cm2: float | None
    activation_file_cycles: tuple[int, ...]
    reference_cycle: int
    window: tuple[int, int]
    mean_ce: float
    pooled_ce: float
    cycle_life: int | None
    cycles: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()
    reading: dict = field(default_factory=dict)
    flags: tuple[str, ...] = ()

    @property
    def n_cycles(self) -> int:
        """Number of analysed cycles."""
        return len(self.cycles)

    def to_dict(self) -> dict:
        """Plain JSON-serialisable data: summary, window, reference cycle, per-cycle lists."""
        c = self.cycles
        per_cycle = {
            "cycle": [int(x) for x in c["cycle"]],
            "file_cycle": [int(x) for x in c["file_cycle"]],
            "q_charge_mAh": nan_to_none(c["q_charge_mAh"]),
            "q_discharge_mAh": nan_to_none(c["q_discharge_mAh"]),
            "ce": nan_to_none(c["ce"]),
            "retention": nan_to_none(c["retention"]),
            "avg_discharge_V": nan_to_none(c["avg_discharge_V"]),
            "avg_charge_V": nan_to_none(c["avg_charge_V"]),
        }
        if self.area_cm2:
            per_cycle["q_discharge_mAh_cm2"] = nan_to_none(c["q_discharge_mAh"] / self.area_cm2)
        last = c.iloc[-1]
        ref = c.iloc[self.reference_cycle - 1]
        return {
            "analysis_version": ANALYSIS_VERSION,
            "source": self.path,
            "dialect": self.dialect,
            "cell_type": self.cell_type,
            "area_cm2": self.area_cm2,
            "activation": {"file_cycles": list(self.activation_file_cycles)},
            "window": {
                "first": self.window[0],
                "last": self.window[1],
                "numbering": "cycles after formation/activation",
            },
            "reference_cycle": self.reference_cycle,
            "summary": {
                "n_cycles": self.n_cycles,
                "reference_discharge_mAh": float(ref["q_discharge_mAh"]),
                "mean_ce": finite_or_none(self.mean_ce),
                "pooled_ce": finite_or_none(self.pooled_ce),
                "cycle_life": self.cycle_life,
                "end_of_life_retention": END_OF_LIFE,
                "final_retention": finite_or_none(float(last["retention"])),
                "mean_avg_discharge_V": finite_or_none(c["avg_discharge_V"].mean()),
            },
            "cycles": per_cycle,
            "reading": self.reading,
            "flags": list(self.flags),
            "notes": list(self.notes),
        }


def analyze_full_cell(
    data: CyclingData,
    cell_type: str = "full",
    area_cm2: float | None = None,
    window: tuple[int, int | None] | None = None,
    reference_cycle: int | None = None,
    activation_cycles: int | None = None,
) -> FullCellResult:
    """Analyse a full or anode-free cell record (see `FullCellResult` for the method).

    `reference_cycle` (default 1) and `window` (default 2..N) count analysed cycles;
    `activation_cycles` leading formation cycles are excluded (default none).
    """
    if cell_type not in CELL_TYPES:
        raise CyclingAnalysisError(f"cell type {cell_type!r}: expected one of {CELL_TYPES}")
    notes = list(data.notes)
    seg = segment(data.steps(), +1, data.excluded)
    notes += seg.notes
    table = cycle_sums(seg.steps).table
    if len(table) == 0:
        left = "; ".join(f"{x['count']} {x['what']}(s), {x['why']}" for x in seg.left_out)
        raise CyclingAnalysisError(
            f"{data.path}: no complete cycle (a charge half-cycle followed by a discharge one) "
            f"in {len(data.frame)} rows; left out: {left or 'nothing'}"
        )
    check_sign(table, data.path)
    n_act = activation_cycles or 0
    if n_act < 0 or n_act >= len(table):
        raise CyclingAnalysisError(
            f"{data.path}: {n_act} activation cycles leave no cycle "
            f"(the file has {len(table)} complete cycles)"
        )
    act = tuple(int(x) for x in table["file_cycle"].iloc[:n_act])
    rest = table.iloc[n_act:].reset_index(drop=True)
    for x in seg.left_out:
        if x["what"] == "half-cycle":
            notes.append(f"{x['count']} half-cycle(s) left out: {x['why']}")
    q_ch = rest["q_pos_mAh"].to_numpy()
    q_dis = rest["q_neg_mAh"].to_numpy()
    ref = 1 if reference_cycle is None else reference_cycle
    if not 1 <= ref <= len(rest):
        raise CyclingAnalysisError(
            f"reference cycle {ref}: expected 1..{len(rest)} (cycles after activation)"
        )
    if not q_dis[ref - 1] > 0:
        raise CyclingAnalysisError(f"reference cycle {ref} has no discharge capacity")
    with np.errstate(invalid="ignore", divide="ignore"):
        ce = np.where(q_ch > 0, q_dis / q_ch, np.nan)
    retention = q_dis / q_dis[ref - 1]
    cycles = pd.DataFrame(
        {
            "cycle": np.arange(1, len(rest) + 1),
            "file_cycle": rest["file_cycle"].to_numpy(),
            "q_charge_mAh": q_ch,
            "q_discharge_mAh": q_dis,
            "ce": ce,
            "retention": retention,
            "avg_discharge_V": rest["v_mean_neg"].to_numpy(),
            "avg_charge_V": rest["v_mean_pos"].to_numpy(),
        }
    )
    below = np.flatnonzero((retention < END_OF_LIFE) & (cycles["cycle"].to_numpy() > ref))
    life = int(below[0] + 1) if below.size else None
    if life is None:
        notes.append(
            f"retention stays at or above {END_OF_LIFE:.0%} for all {len(rest)} cycles: "
            "cycle life not reached"
        )
    win = resolve_window(window, len(cycles))
    w = cycles[(cycles["cycle"] >= win[0]) & (cycles["cycle"] <= win[1])]
    mean_ce = float(np.nanmean(w["ce"])) if w["ce"].notna().any() else float("nan")
    pooled = w["q_discharge_mAh"].sum() / w["q_charge_mAh"].sum()
    flags = plausibility_flags(w["ce"].to_numpy(), mean_ce, q_ch, area_cm2, len(cycles), None)
    return FullCellResult(
        path=data.path,
        dialect=data.dialect,
        cell_type=cell_type,
        area_cm2=area_cm2,
        activation_file_cycles=act,
        reference_cycle=ref,
        window=win,
        mean_ce=mean_ce,
        pooled_ce=float(pooled),
        cycle_life=life,
        cycles=cycles,
        notes=tuple(notes),
        reading=reading_summary(data, seg, +1),
        flags=tuple(flags),
    )
