"""Li plating/stripping on a host (Li || host half cell): CE, nucleation, hysteresis, failure."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from labledger.cycling.cycles import (
    check_sign,
    cycle_sums,
    detect_precycles,
    finite_or_none,
    nan_to_none,
    resolve_window,
)
from labledger.cycling.failure import Failure, detect_failure
from labledger.cycling.halfcycles import segment
from labledger.cycling.nucleation import Nucleation, nucleation_overpotential
from labledger.cycling.quality import CE_HIGH, plausibility_flags, reading_summary
from labledger.cycling.table import ANALYSIS_VERSION, CyclingAnalysisError, CyclingData

#: CE a half cell has to reach for `first_cycle_ce_99` (the customary 99 % mark).
CE_MARK = 0.99


@dataclass(frozen=True)
class HalfCellResult:
    """Coulombic efficiency and voltage figures of a Li || host half cell.

    Method (Adams et al., Adv. Energy Mater. 2018, 8, 1702097; Pei et al., Nano Lett. 2017):
    1. Steps are split where the current changes sign; negative current is Li plating on the
       host (reduction of the working electrode), positive current is stripping. A cycle is a
       plating half-cycle followed by a stripping one (`labledger.cycling.halfcycles`); rest and
       left-out steps and unpaired or unfinished half-cycles are counted in `reading`.
    2. Leading precycling cycles (e.g. 0-2.5 V sweeps before Li deposition: never below -5 mV,
       up to >= 1.5 V) are detected, or given, and excluded (never all cycles); the rest are
       numbered n = 1..N and n = 1 is conditioning.
    3. Per cycle: Q_plate,n and Q_strip,n are the charge of its plating and stripping
       half-cycles; CE_n = Q_strip,n / Q_plate,n;
       hysteresis_n = (V_strip,mid - V_plate,mid) * 1000 mV,
       V_mid the median voltage over the middle half of each step's capacity.
    4. Over the window (default 2..N): mean CE = mean(CE_n) and pooled CE =
       sum(Q_strip) / sum(Q_plate); first_cycle_ce_99 is the first n with 99 % <= CE_n <=
       105 % before any failure onset (a shorted cell's CE above 100 % does not count).
    5. eta_nuc of the first plating (see `Nucleation`) and failure onset (see `Failure`).
    6. `flags`: CE outside 0.5-1.05, implausible areal capacity, failure on cycle 2, few cycles.
    """

    path: str
    dialect: str
    area_cm2: float | None
    nominal_current_density_mA_cm2: float | None
    activation_file_cycles: tuple[int, ...]
    activation_detected: bool
    window: tuple[int, int]
    mean_ce: float
    pooled_ce: float
    first_cycle_ce_99: int | None
    nucleation: Nucleation | None
    failure: Failure | None
    cycles: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()
    reading: dict = field(default_factory=dict)
    flags: tuple[str, ...] = ()

    cell_type = "half"

    @property
    def n_cycles(self) -> int:
        """Number of analysed cycles (after activation)."""
        return len(self.cycles)

    def to_dict(self) -> dict:
        """Plain JSON-serialisable data: summary, window, per-cycle lists, notes."""
        c = self.cycles
        per_cycle = {
            "cycle": [int(x) for x in c["cycle"]],
            "file_cycle": [int(x) for x in c["file_cycle"]],
            "q_plate_mAh": nan_to_none(c["q_plate_mAh"]),
            "q_strip_mAh": nan_to_none(c["q_strip_mAh"]),
            "ce": nan_to_none(c["ce"]),
            "plate_V": nan_to_none(c["plate_V"]),
            "strip_V": nan_to_none(c["strip_V"]),
            "hysteresis_mV": nan_to_none(c["hysteresis_mV"]),
        }
        if self.area_cm2:
            per_cycle["q_plate_mAh_cm2"] = nan_to_none(c["q_plate_mAh"] / self.area_cm2)
        return {
            "analysis_version": ANALYSIS_VERSION,
            "source": self.path,
            "dialect": self.dialect,
            "cell_type": self.cell_type,
            "area_cm2": self.area_cm2,
            "nominal_current_density_mA_cm2": self.nominal_current_density_mA_cm2,
            "activation": {
                "file_cycles": list(self.activation_file_cycles),
                "detected": self.activation_detected,
            },
            "window": {
                "first": self.window[0],
                "last": self.window[1],
                "numbering": "cycles after activation; cycle 1 is conditioning",
            },
            "summary": {
                "n_cycles": self.n_cycles,
                "mean_ce": finite_or_none(self.mean_ce),
                "pooled_ce": finite_or_none(self.pooled_ce),
                "first_cycle_ce_99": self.first_cycle_ce_99,
                "eta_nuc_mV": self.nucleation.eta_mV if self.nucleation else None,
                "failure_cycle": self.failure.cycle if self.failure else None,
                "mean_hysteresis_mV": finite_or_none(
                    _window(c, self.window)["hysteresis_mV"].mean()
                ),
            },
            "nucleation": self.nucleation.to_dict() if self.nucleation else None,
            "failure": self.failure.to_dict() if self.failure else None,
            "cycles": per_cycle,
            "reading": self.reading,
            "flags": list(self.flags),
            "notes": list(self.notes),
        }


def _window(cycles: pd.DataFrame, window: tuple[int, int]) -> pd.DataFrame:
    return cycles[(cycles["cycle"] >= window[0]) & (cycles["cycle"] <= window[1])]


def analyze_half_cell(
    data: CyclingData,
    area_cm2: float | None = None,
    window: tuple[int, int | None] | None = None,
    activation_cycles: int | None = None,
    current_density_mA_cm2: float | None = None,
) -> HalfCellResult:
    """Analyse a Li || host plating/stripping record.

    `window` is (first, last) in analysed cycles (last None = to the end; default 2..N);
    `activation_cycles` the number of leading precycling cycles (None = detect them);
    `current_density_mA_cm2` the nominal value from the protocol (checked against the file).
    """
    notes = list(data.notes)
    seg = segment(data.steps(), -1, data.excluded)
    notes += seg.notes
    steps = seg.steps
    table = cycle_sums(steps).table
    if len(table) == 0:
        raise CyclingAnalysisError(
            f"{data.path}: no complete cycle (a plating half-cycle followed by a stripping "
            f"one) in {len(data.frame)} rows; {_left_out_text(seg.left_out)}"
        )
    detected = activation_cycles is None
    n_act = detect_precycles(table) if activation_cycles is None else activation_cycles
    if detected and n_act >= len(table):
        notes.append(
            f"all {len(table)} cycles look like precycling sweeps (never below 0 V); none "
            "excluded, give the activation cycles in the record to exclude them"
        )
        n_act = 0
    if n_act < 0 or n_act >= len(table):
        raise CyclingAnalysisError(
            f"{data.path}: {n_act} activation cycles leave no plating cycle "
            f"(the file has {len(table)} complete cycles)"
        )
    act_cycles = tuple(int(x) for x in table["file_cycle"].iloc[:n_act])
    if n_act:
        notes.append(f"precycling/activation file cycles {list(act_cycles)} excluded from CE")
    rest = table.iloc[n_act:].reset_index(drop=True)
    check_sign(rest, data.path)  # on plating cycles: precycling sweeps span the same voltages
    for x in seg.left_out:
        if x["what"] == "half-cycle":
            notes.append(f"{x['count']} half-cycle(s) left out: {x['why']}")
    with np.errstate(invalid="ignore", divide="ignore"):
        ce = np.where(rest["q_neg_mAh"] > 0, rest["q_pos_mAh"] / rest["q_neg_mAh"], np.nan)
    cycles = pd.DataFrame(
        {
            "cycle": np.arange(1, len(rest) + 1),
            "file_cycle": rest["file_cycle"].to_numpy(),
            "q_plate_mAh": rest["q_neg_mAh"].to_numpy(),
            "q_strip_mAh": rest["q_pos_mAh"].to_numpy(),
            "ce": ce,
            "plate_V": rest["v_mid_neg"].to_numpy(),
            "strip_V": rest["v_mid_pos"].to_numpy(),
            "hysteresis_mV": (rest["v_mid_pos"] - rest["v_mid_neg"]).to_numpy() * 1000.0,
        }
    )
    win = resolve_window(window, len(cycles))
    w = _window(cycles, win)
    if w["ce"].isna().any():
        notes.append(
            f"{int(w['ce'].isna().sum())} cycle(s) in the window without plating "
            "charge are left out of the mean CE"
        )
    mean_ce = float(np.nanmean(w["ce"])) if w["ce"].notna().any() else float("nan")
    pooled = w["q_strip_mAh"].sum() / w["q_plate_mAh"].sum() if w["q_plate_mAh"].sum() else np.nan
    failure = detect_failure(cycles["ce"].to_numpy(), cycles["hysteresis_mV"].to_numpy())
    healthy = cycles if failure is None else cycles[cycles["cycle"] < failure.cycle]
    # a CE far above 1 (more stripped than plated) is no sign of a healthy cell either
    plausible = (healthy["ce"] >= CE_MARK) & (healthy["ce"] <= CE_HIGH)
    reach = healthy.loc[plausible, "cycle"]
    first_99 = int(reach.iloc[0]) if len(reach) else None

    nucleation = None
    first_plate = steps[(steps["direction"] < 0) & (steps["pair"] == rest["pair"].iloc[0])]
    if len(first_plate):
        nucleation, nuc_note = nucleation_overpotential(data.frame, first_plate.iloc[0], area_cm2)
        if nuc_note:
            notes.append(nuc_note)
        if nucleation and current_density_mA_cm2 and nucleation.current_density_mA_cm2:
            ratio = nucleation.current_density_mA_cm2 / current_density_mA_cm2
            if abs(ratio - 1) > 0.05:
                notes.append(
                    f"first plating at {nucleation.current_density_mA_cm2:.3g} mA/cm2 from the "
                    f"file differs from the nominal {current_density_mA_cm2:g} mA/cm2 by more "
                    "than 5 %: check the area"
                )
    if failure and failure.cycle <= win[1] and window is None:
        notes.append(
            f"failure from cycle {failure.cycle} ({', '.join(failure.reasons)}); the "
            f"default window runs to the end, give --window 2-{failure.cycle - 1} to "
            "leave the failed cycles out"
        )
    flags = plausibility_flags(
        w["ce"].to_numpy(),
        mean_ce,
        cycles["q_plate_mAh"].to_numpy(),
        area_cm2,
        len(cycles),
        failure.cycle if failure else None,
    )
    return HalfCellResult(
        path=data.path,
        dialect=data.dialect,
        area_cm2=area_cm2,
        nominal_current_density_mA_cm2=current_density_mA_cm2,
        activation_file_cycles=act_cycles,
        activation_detected=detected,
        window=win,
        mean_ce=mean_ce,
        pooled_ce=float(pooled),
        first_cycle_ce_99=first_99,
        nucleation=nucleation,
        failure=failure,
        cycles=cycles,
        notes=tuple(notes),
        reading=reading_summary(data, seg, -1),
        flags=tuple(flags),
    )


def _left_out_text(left_out: tuple[dict, ...]) -> str:
    if not left_out:
        return "nothing was left out"
    return "left out: " + "; ".join(f"{x['count']} {x['what']}(s), {x['why']}" for x in left_out)
