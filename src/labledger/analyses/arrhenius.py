"""Arrhenius fits across a sample's pellet spectra: one fit per sample and conductivity.

The ingest hands over the conductivities it loaded from the EIS result files and stores what
comes back as the rows of `arrhenius_fit`; the fit itself is `labledger.eis.arrhenius`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from labledger.eis.arrhenius import arrhenius

#: (quantity name in `arrhenius_fit`, attribute of a `ConductivityPoint`)
QUANTITIES = (("sigma_total", "sigma_total_s_cm"), ("sigma_bulk", "sigma_bulk_s_cm"))


@dataclass(frozen=True)
class ConductivityPoint:
    """One analysed spectrum of `sample`: its temperature and conductivities (S/cm)."""

    sample: str
    eis_id: str
    temperature_c: float
    sigma_total_s_cm: float | None
    sigma_bulk_s_cm: float | None


def sample_arrhenius_fits(points: Iterable[ConductivityPoint]) -> list[dict[str, Any]]:
    """A row of `arrhenius_fit` for every sample and conductivity measured at >= 2 temperatures.

    Points are grouped by sample in the order given (within a sample, the order of its points
    is the order of the fit's inputs and of the row's `eis_ids`).
    """
    by_sample: dict[str, list[ConductivityPoint]] = {}
    for point in points:
        by_sample.setdefault(point.sample, []).append(point)
    out = []
    for sample, sample_points in by_sample.items():
        for quantity, attribute in QUANTITIES:
            usable = [p for p in sample_points if getattr(p, attribute) is not None]
            if len({p.temperature_c for p in usable}) < 2:
                continue
            fit = arrhenius(
                [p.temperature_c for p in usable], [getattr(p, attribute) for p in usable]
            )
            out.append(
                {
                    "sample": sample,
                    "quantity": quantity,
                    "form": fit.form,
                    "n_points": fit.n_points,
                    "t_min_c": min(fit.temperatures_C),
                    "t_max_c": max(fit.temperatures_C),
                    "ea_ev": fit.Ea_eV,
                    "ea_stderr_ev": fit.Ea_stderr_eV,
                    "r_squared": fit.r_squared,
                    "eis_ids": ",".join(p.eis_id for p in usable),
                }
            )
    return out
