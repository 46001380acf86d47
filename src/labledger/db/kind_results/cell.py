"""Result tables of the cell kind (cycling analysis): figures of merit and per-cycle rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlmodel import Field

from labledger.db.kind_results import KindResults, builtin_views, pct
from labledger.db.tables import LedgerTable


class CellResult(LedgerTable, table=True):
    """Figures of merit of one cell (its current cycling analysis)."""

    __tablename__ = "cell_result"
    cell_id: str = Field(primary_key=True)
    run_id: int = Field(foreign_key="analysis_run.id")
    cell_type: str
    n_cycles: int
    window_first: int | None = None
    window_last: int | None = None
    mean_ce_pct: float | None = Field(default=None, description="Mean of CE_n over the window, %.")
    pooled_ce_pct: float | None = Field(
        default=None, description="sum(Q_strip)/sum(Q_plate) over the window, %."
    )
    first_cycle_ce_99: int | None = None
    eta_nuc_mv: float | None = Field(default=None, description="Nucleation overpotential, mV.")
    nucleation_current_density_ma_cm2: float | None = None
    failure_cycle: int | None = None
    mean_hysteresis_mv: float | None = None
    reference_cycle: int | None = None
    reference_discharge_mah: float | None = None
    cycle_life: int | None = Field(default=None, description="First cycle below 80 % retention.")
    cycle_life_censored_at: int | None = Field(
        default=None,
        description="Full and anode-free cells still above 80 % retention at the end of the "
        "test: the number of cycles measured (the cycle life is longer). NULL otherwise.",
    )
    final_retention_pct: float | None = None
    mean_avg_discharge_v: float | None = None


class CellCycle(LedgerTable, table=True):
    """Per-cycle figures of one cell (cycles counted after activation)."""

    __tablename__ = "cell_cycle"
    cell_id: str = Field(primary_key=True)
    cycle: int = Field(primary_key=True)
    file_cycle: int | None = None
    q_plate_mah: float | None = None
    q_strip_mah: float | None = None
    q_charge_mah: float | None = None
    q_discharge_mah: float | None = None
    ce_pct: float | None = None
    hysteresis_mv: float | None = None
    retention_pct: float | None = None
    avg_discharge_v: float | None = None


def _censored(result: dict[str, Any], summary: dict[str, Any]) -> int | None:
    """Cycles measured by a full or anode-free cell that never fell below 80 % retention."""
    if result["cell_type"] == "half" or summary.get("cycle_life") is not None:
        return None
    if summary.get("final_retention") is None:
        return None  # no retention: nothing is known about the cycle life
    return summary["n_cycles"]


def _cell_rows(run_id: int, env: dict[str, Any]) -> dict[Table, list[dict[str, Any]]]:
    res = env["result"]
    s = res["summary"]
    cid = env["record_id"]
    nuc = res.get("nucleation") or {}
    summary = {
        "cell_id": cid,
        "run_id": run_id,
        "cell_type": res["cell_type"],
        "n_cycles": s["n_cycles"],
        "window_first": res["window"]["first"],
        "window_last": res["window"]["last"],
        "mean_ce_pct": pct(s.get("mean_ce")),
        "pooled_ce_pct": pct(s.get("pooled_ce")),
        "first_cycle_ce_99": s.get("first_cycle_ce_99"),
        "eta_nuc_mv": s.get("eta_nuc_mV"),
        "nucleation_current_density_ma_cm2": nuc.get("current_density_mA_cm2"),
        "failure_cycle": s.get("failure_cycle"),
        "mean_hysteresis_mv": s.get("mean_hysteresis_mV"),
        "reference_cycle": res.get("reference_cycle"),
        "reference_discharge_mah": s.get("reference_discharge_mAh"),
        "cycle_life": s.get("cycle_life"),
        "cycle_life_censored_at": _censored(res, s),
        "final_retention_pct": pct(s.get("final_retention")),
        "mean_avg_discharge_v": s.get("mean_avg_discharge_V"),
    }
    c = res["cycles"]
    names = {
        "file_cycle": "file_cycle",
        "q_plate_mah": "q_plate_mAh",
        "q_strip_mah": "q_strip_mAh",
        "q_charge_mah": "q_charge_mAh",
        "q_discharge_mah": "q_discharge_mAh",
        "ce_pct": "ce",
        "hysteresis_mv": "hysteresis_mV",
        "retention_pct": "retention",
        "avg_discharge_v": "avg_discharge_V",
    }
    n = len(c["cycle"])
    values = {col: c.get(key) or [None] * n for col, key in names.items()}
    for col in ("ce_pct", "retention_pct"):  # fractions in the result file, % in SQL
        values[col] = [pct(v) for v in values[col]]
    cycles = [
        {"cell_id": cid, "cycle": cycle, **{col: v[i] for col, v in values.items()}}
        for i, cycle in enumerate(c["cycle"])
    ]
    return {CellResult.__table__: [summary], CellCycle.__table__: cycles}


RESULTS = KindResults(
    analysis="cycling",
    tables=((CellResult.__table__, "cell_id"), (CellCycle.__table__, "cell_id")),
    rows=_cell_rows,
    views=builtin_views("cell.sql"),
)
