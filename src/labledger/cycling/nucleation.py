"""Nucleation overpotential of the first Li plating on a host."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The voltage tip is searched in the first part of the plating step (by capacity): nucleation
#: happens at the onset, the rest of the step is growth.
TIP_SEARCH_FRACTION = 0.5
#: The growth plateau is the median voltage between these fractions of the capacity passed after
#: the tip: late enough that the tip has recovered, early enough to avoid late-step drift.
PLATEAU_FROM, PLATEAU_TO = 0.2, 0.8
#: Fewer points than this in the first plating cannot resolve a tip (a sampled curve of 30-60
#: points per cycle would miss it): no value is reported then.
MIN_POINTS = 20
#: Below this eta_nuc is "not notable": within the few-mV scatter of the growth overpotential.
NOTABLE_MV = 10.0


@dataclass(frozen=True)
class Nucleation:
    """Nucleation overpotential of the first plating (Pei et al., Nano Lett. 2017, 17, 1132).

    Method:
    1. Take the first negative-current (plating) step after activation: capacity q, voltage V.
    2. V_min = the lowest voltage while q <= TIP_SEARCH_FRACTION * q_end (the tip at the onset).
    3. V_plateau = median V for q between q_tip + PLATEAU_FROM * (q_end - q_tip) and
       q_tip + PLATEAU_TO * (q_end - q_tip) (the flat growth voltage after the tip).
    4. eta_nuc = (V_plateau - V_min) * 1000 in mV; `notable` when eta_nuc >= NOTABLE_MV.
    The current density of that step is stored with it (Pei et al. show eta_nuc grows with it).
    """

    eta_mV: float
    v_min_V: float
    v_plateau_V: float
    capacity_at_tip_mAh: float
    current_mA: float
    current_density_mA_cm2: float | None
    file_cycle: int
    notable: bool

    def to_dict(self) -> dict:
        """Plain JSON-serialisable values."""
        return {
            "eta_nuc_mV": self.eta_mV,
            "v_min_V": self.v_min_V,
            "v_plateau_V": self.v_plateau_V,
            "capacity_at_tip_mAh": self.capacity_at_tip_mAh,
            "current_mA": self.current_mA,
            "current_density_mA_cm2": self.current_density_mA_cm2,
            "file_cycle": self.file_cycle,
            "notable": self.notable,
            "method": "Pei et al., Nano Lett. 2017, 17, 1132: V_plateau - V_min of first plating",
        }


def nucleation_overpotential(
    frame: pd.DataFrame, step: pd.Series, area_cm2: float | None
) -> tuple[Nucleation | None, str | None]:
    """eta_nuc of one plating step (a row of the step table); returns (result, note)."""
    rows = frame.iloc[int(step["first_row"]) : int(step["last_row"]) + 1]
    if len(rows) < MIN_POINTS:
        return None, (
            f"first plating has {len(rows)} points (< {MIN_POINTS}): too coarse for eta_nuc"
        )
    q = rows["capacity_mAh"].to_numpy()
    v = rows["voltage_V"].to_numpy()
    q_end = q[-1]
    early = np.flatnonzero(q <= TIP_SEARCH_FRACTION * q_end)
    if early.size == 0:
        return None, "first plating has no points in its first half: eta_nuc not determined"
    tip = int(early[np.argmin(v[early])])
    span = q_end - q[tip]
    plateau = (q >= q[tip] + PLATEAU_FROM * span) & (q <= q[tip] + PLATEAU_TO * span)
    if plateau.sum() < 3:
        return None, "too few points on the growth plateau after the tip: eta_nuc not determined"
    v_plateau = float(np.median(v[plateau]))
    eta = (v_plateau - float(v[tip])) * 1000.0
    current = float(np.mean(rows["current_mA"].to_numpy()))
    density = abs(current) / area_cm2 if area_cm2 else None
    return (
        Nucleation(
            eta_mV=eta,
            v_min_V=float(v[tip]),
            v_plateau_V=v_plateau,
            capacity_at_tip_mAh=float(q[tip]),
            current_mA=current,
            current_density_mA_cm2=density,
            file_cycle=int(step["cycle"]),
            notable=eta >= NOTABLE_MV,
        ),
        None,
    )
