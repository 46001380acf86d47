"""Activation energy from conductivities at several temperatures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

__all__ = ["K_B_EV_PER_K", "ArrheniusResult", "arrhenius"]

K_B_EV_PER_K = 8.617333262e-5
"""Boltzmann constant in eV/K (CODATA 2018, exact: 1.380649e-23 J/K / 1.602176634e-19 J/eV)."""

ZERO_C_IN_K = 273.15


@dataclass(frozen=True)
class ArrheniusResult:
    """Arrhenius fit of sigma(T).

    Method (form "sigma*T", DOMAIN.md):
    1. T = temperature_C + 273.15 (K); points with a missing or non-positive sigma are skipped.
    2. Ordinary least squares of y = ln(sigma * T) on x = 1/T: y = ln(A) + slope * x.
    3. Ea = -slope * k_B (eV), k_B = 8.617333e-5 eV/K; stderr(Ea) = k_B * stderr(slope), from the
       OLS residual variance with n - 2 degrees of freedom (None for two points).
    4. A is the pre-exponential factor of sigma*T = A exp(-Ea / (k_B T)) in S K/cm.
    """

    Ea_eV: float
    Ea_stderr_eV: float | None
    prefactor_S_K_cm: float
    r_squared: float | None
    n_points: int
    temperatures_C: tuple[float, ...]
    sigmas_S_cm: tuple[float, ...]
    form: str = "sigma*T"
    notes: tuple[str, ...] = ()

    def sigma_at(self, temperature_C: float) -> float:
        """Conductivity (S/cm) predicted at a temperature (C)."""
        t = temperature_C + ZERO_C_IN_K
        return float(self.prefactor_S_K_cm * np.exp(-self.Ea_eV / (K_B_EV_PER_K * t)) / t)

    def to_dict(self) -> dict:
        return {
            "form": self.form,
            "Ea_eV": self.Ea_eV,
            "Ea_stderr_eV": self.Ea_stderr_eV,
            "prefactor_S_K_cm": self.prefactor_S_K_cm,
            "r_squared": self.r_squared,
            "n_points": self.n_points,
            "temperatures_C": list(self.temperatures_C),
            "sigmas_S_cm": list(self.sigmas_S_cm),
            "k_B_eV_per_K": K_B_EV_PER_K,
            "notes": list(self.notes),
        }


def arrhenius(
    temperatures_C: Sequence[float], sigmas_S_cm: Sequence[float | None]
) -> ArrheniusResult:
    """Activation energy (eV) from conductivities (S/cm) at temperatures (C); see
    ArrheniusResult. Raises ValueError with fewer than two usable points."""
    if len(temperatures_C) != len(sigmas_S_cm):
        raise ValueError(
            f"{len(temperatures_C)} temperatures but {len(sigmas_S_cm)} conductivities"
        )
    notes = []
    pts = []
    for t, s in zip(temperatures_C, sigmas_S_cm, strict=True):
        if s is None or not np.isfinite(s) or s <= 0:
            notes.append(f"skipped {t} C: conductivity not determined")
            continue
        if t + ZERO_C_IN_K <= 0:
            raise ValueError(f"temperature {t} C is below absolute zero")
        pts.append((float(t), float(s)))
    if len({t for t, _ in pts}) < 2:
        raise ValueError(
            f"an activation energy needs conductivities at two or more temperatures; "
            f"got {len(pts)} usable point(s)"
        )
    tc = np.array([p[0] for p in pts])
    sig = np.array([p[1] for p in pts])
    tk = tc + ZERO_C_IN_K
    x, y = 1 / tk, np.log(sig * tk)
    n = x.size
    xm = x.mean()
    sxx = np.sum((x - xm) ** 2)
    slope = float(np.sum((x - xm) * (y - y.mean())) / sxx)
    icpt = float(y.mean() - slope * xm)
    resid = y - (icpt + slope * x)
    if n > 2:
        s2 = float(np.sum(resid**2) / (n - 2))
        slope_err = float(np.sqrt(s2 / sxx))
        sst = float(np.sum((y - y.mean()) ** 2))
        r2 = 1 - float(np.sum(resid**2)) / sst if sst > 0 else None
    else:
        slope_err, r2 = None, None
        notes.append("two points: no uncertainty for Ea")
    return ArrheniusResult(
        Ea_eV=-slope * K_B_EV_PER_K,
        Ea_stderr_eV=slope_err * K_B_EV_PER_K if slope_err is not None else None,
        prefactor_S_K_cm=float(np.exp(icpt)),
        r_squared=r2,
        n_points=n,
        temperatures_C=tuple(float(v) for v in tc),
        sigmas_S_cm=tuple(float(v) for v in sig),
        notes=tuple(notes),
    )


class ArrheniusPair(TypedDict):
    """Fits of the bulk and total conductivity (None: not determined), and why not."""

    notes: list[str]
    bulk: ArrheniusResult | None
    total: ArrheniusResult | None


def arrhenius_of_results(results: Sequence[dict]) -> ArrheniusPair:
    """Arrhenius fits of bulk and total conductivity from `EISResult.to_dict()` outputs.

    Each result must carry "temperature_C". Returns {"bulk": ArrheniusResult or None,
    "total": ArrheniusResult or None, "notes": [...]}; a fit is None (with a note) when fewer
    than two temperatures have that conductivity. Raises ValueError for a result without
    temperature.
    """
    temps: list[float] = []
    bulk: list[float | None] = []
    total: list[float | None] = []
    for i, r in enumerate(results):
        t = r.get("temperature_C")
        if t is None:
            src = (r.get("source") or {}).get("path") or f"result {i + 1}"
            raise ValueError(f"{src}: no temperature_C; fit it with --temperature-c")
        temps.append(float(t))
        bulk.append(r.get("sigma_bulk_S_cm"))
        total.append(r.get("sigma_total_S_cm"))
    notes: list[str] = []
    fits: dict[str, ArrheniusResult | None] = {}
    for key, sig in (("bulk", bulk), ("total", total)):
        try:
            fits[key] = arrhenius(temps, sig)
        except ValueError as exc:
            fits[key] = None
            notes.append(f"{key}: {exc}")
    return {"notes": notes, "bulk": fits["bulk"], "total": fits["total"]}
