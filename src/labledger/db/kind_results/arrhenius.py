"""Result table of the Arrhenius analysis of a sample (`labledger.analyses.arrhenius`): its
activation energies, one row per conductivity fitted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlmodel import Field

from labledger.db.kind_results import KindResults
from labledger.db.tables import LedgerTable


class ArrheniusFit(LedgerTable, table=True):
    """Activation energy of one sample from its spectra at several temperatures.

    Loaded from the sample's Arrhenius result file (`labledger.analyses.arrhenius`, refitted
    whenever one of its spectra's results changes): ln(sigma*T) vs 1/T, Ea = -slope * k_B (form
    stored in `form`).
    """

    __tablename__ = "arrhenius_fit"
    sample: str = Field(primary_key=True)
    quantity: str = Field(primary_key=True, description="sigma_total or sigma_bulk.")
    form: str
    n_points: int
    t_min_c: float
    t_max_c: float
    ea_ev: float
    ea_stderr_ev: float | None = None
    r_squared: float | None = None
    eis_ids: str = Field(description="Comma-separated ids of the spectra used.")


def _rows(run_id: int, env: dict[str, Any]) -> dict[Table, list[dict[str, Any]]]:
    columns = set(ArrheniusFit.__table__.columns.keys())
    fits = [{k: v for k, v in fit.items() if k in columns} for fit in env["result"]["fits"]]
    return {ArrheniusFit.__table__: fits}


RESULTS = KindResults(
    analysis="arrhenius",
    tables=((ArrheniusFit.__table__, "sample"),),
    rows=_rows,
    folder="arrhenius",
)
