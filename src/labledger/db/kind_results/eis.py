"""Result tables of the eis kind: a spectrum's resistances and conductivities, its arcs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, Text
from sqlmodel import Field

from labledger.db.kind_results import KindResults, builtin_views
from labledger.db.tables import LedgerTable


class EisResult(LedgerTable, table=True):
    """Resistances and conductivities of one impedance spectrum (its current fit)."""

    __tablename__ = "eis_result"
    eis_id: str = Field(primary_key=True)
    run_id: int = Field(foreign_key="analysis_run.id")
    temperature_c: float | None = None
    circuit_used: str
    r_bulk_ohm: float | None = None
    r_gb_ohm: float | None = None
    r_total_ohm: float | None = None
    r_total_stderr_ohm: float | None = None
    charge_transfer_r_ohm: float | None = None
    bulk_determined: bool = False
    bulk_reason: str | None = None
    sigma_bulk_s_cm: float | None = None
    sigma_gb_apparent_s_cm: float | None = None
    sigma_total_s_cm: float | None = Field(default=None, description="L / (R_total A), S/cm.")
    sigma_total_stderr_s_cm: float | None = None
    total_reason: str | None = Field(
        default=None,
        sa_type=Text,
        description="Why R_total and the conductivities are (not) determined.",
    )
    chi2: float | None = None
    linkk_residual_max: float | None = Field(default=None, description="Lin-KK, fraction of |Z|.")


class EisArc(LedgerTable, table=True):
    """The arcs of a fitted spectrum with their effective capacitance and assigned role."""

    __tablename__ = "eis_arc"
    eis_id: str = Field(primary_key=True)
    position: int = Field(primary_key=True)
    resistor: str
    r_ohm: float | None = None
    c_eff_f: float | None = None
    c_per_cm_f: float | None = Field(default=None, description="C_eff L / A, F/cm.")
    f_c_hz: float | None = None
    n: float | None = None
    role: str = Field(description="bulk, grain_boundary, electrode, outside_window, unassigned.")


def _eis_rows(run_id: int, env: dict[str, Any]) -> dict[Table, list[dict[str, Any]]]:
    res = env["result"]
    eid = env["record_id"]
    linkk = res.get("linkk") or {}
    summary = {
        "eis_id": eid,
        "run_id": run_id,
        "temperature_c": res.get("temperature_C"),
        "circuit_used": res["circuit_used"],
        "r_bulk_ohm": res.get("R_bulk_ohm"),
        "r_gb_ohm": res.get("R_gb_ohm"),
        "r_total_ohm": res.get("R_total_ohm"),
        "r_total_stderr_ohm": res.get("R_total_stderr_ohm"),
        "charge_transfer_r_ohm": res.get("charge_transfer_R_ohm"),
        "bulk_determined": bool(res.get("bulk_determined")),
        "bulk_reason": res.get("bulk_reason"),
        "sigma_bulk_s_cm": res.get("sigma_bulk_S_cm"),
        "sigma_gb_apparent_s_cm": res.get("sigma_gb_apparent_S_cm"),
        "sigma_total_s_cm": res.get("sigma_total_S_cm"),
        "sigma_total_stderr_s_cm": res.get("sigma_total_stderr_S_cm"),
        "total_reason": res.get("total_reason"),
        "chi2": res.get("chi2"),
        "linkk_residual_max": linkk.get("residual_max"),
    }
    arcs = [
        {
            "eis_id": eid,
            "position": i,
            "resistor": a["resistor"],
            "r_ohm": a.get("R_ohm"),
            "c_eff_f": a.get("C_eff_F"),
            "c_per_cm_f": a.get("C_per_cm_F"),
            "f_c_hz": a.get("f_c_Hz"),
            "n": a.get("n"),
            "role": a["role"],
        }
        for i, a in enumerate(res.get("arcs", []))
    ]
    return {EisResult.__table__: [summary], EisArc.__table__: arcs}


RESULTS = KindResults(
    analysis="eis",
    tables=((EisResult.__table__, "eis_id"), (EisArc.__table__, "eis_id")),
    rows=_eis_rows,
    views=builtin_views("eis.sql"),
)
