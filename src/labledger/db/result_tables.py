"""Tables of derived results: analysis runs (provenance) and the figures of each analysis.

`analysis_run` keeps every run ever loaded (the provenance trail); the result tables hold the
figures of each record's current run and are rebuilt from the result files when their
definitions change.
"""

from __future__ import annotations

from sqlalchemy import Text
from sqlmodel import Field

from labledger.db.tables import LedgerTable


class AnalysisRun(LedgerTable, table=True):
    """One analysis of one record: inputs with hashes, parameters, code and library versions."""

    __tablename__ = "analysis_run"
    id: int | None = Field(default=None, primary_key=True)
    record_id: str = Field(index=True)
    analysis: str = Field(description="cycling, xrd or eis.")
    analysis_version: str
    current: bool = Field(default=True, description="The run whose figures the tables show.")
    result_path: str
    result_sha256: str
    record_path: str
    record_sha256: str
    raw_path: str | None = None
    raw_sha256: str | None = None
    params_json: str = Field(sa_type=Text)
    labledger_version: str | None = None
    git_commit: str | None = None
    git_dirty: bool | None = None
    libraries_json: str | None = Field(default=None, sa_type=Text)
    rule: str | None = None
    host: str | None = None
    user: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    ingest_id: int = Field(foreign_key="ingest.id")


class CellResult(LedgerTable, table=True):
    """Figures of merit of one cell (its current cycling analysis)."""

    __tablename__ = "cell_result"
    cell_id: str = Field(primary_key=True)
    run_id: int = Field(foreign_key="analysis_run.id")
    cell_type: str
    n_cycles: int
    window_first: int | None = None
    window_last: int | None = None
    mean_ce: float | None = Field(default=None, description="Mean of CE_n over the window, 0-1.")
    pooled_ce: float | None = Field(default=None, description="sum(Q_strip)/sum(Q_plate), 0-1.")
    first_cycle_ce_99: int | None = None
    eta_nuc_mv: float | None = Field(default=None, description="Nucleation overpotential, mV.")
    nucleation_current_density_ma_cm2: float | None = None
    failure_cycle: int | None = None
    mean_hysteresis_mv: float | None = None
    reference_cycle: int | None = None
    reference_discharge_mah: float | None = None
    cycle_life: int | None = Field(default=None, description="First cycle below 80 % retention.")
    final_retention: float | None = None
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
    ce: float | None = None
    hysteresis_mv: float | None = None
    retention: float | None = None
    avg_discharge_v: float | None = None
