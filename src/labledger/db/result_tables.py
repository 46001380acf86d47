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
    # last, where the migration that brought it (0004) put it
    result_content_sha256: str | None = Field(
        default=None,
        description="sha256 of the result itself (the file less its provenance and times): equal "
        "when a rerun computed the same figures.",
    )


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


class ArrheniusFit(LedgerTable, table=True):
    """Activation energy of one sample from its spectra at several temperatures.

    Recomputed from `eis_result` whenever a spectrum's result changes: ln(sigma*T) vs 1/T,
    Ea = -slope * k_B (form stored in `form`).
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


class XrdResult(LedgerTable, table=True):
    """Fit quality and phase set of one diffraction scan (its current analysis)."""

    __tablename__ = "xrd_result"
    xrd_id: str = Field(primary_key=True)
    run_id: int = Field(foreign_key="analysis_run.id")
    phases_detected: str = Field(description="Comma-separated phase names.")
    rwp_pct: float | None = Field(default=None, description="Weighted-profile R, %.")
    gof: float | None = None
    zero_shift_deg: float | None = None
    n_points: int | None = None
    verdict: str | None = Field(
        default=None, description="explained, or not_explained (no listed phase explains it)."
    )
    verdict_reason: str | None = Field(default=None, sa_type=Text)
    unexplained_peaks: str | None = Field(
        default=None, sa_type=Text, description="'2theta deg (d A)' of each, semicolon-separated."
    )


class XrdPhase(LedgerTable, table=True):
    """One phase found in a scan: Hill-Howard weight fraction and refined cell."""

    __tablename__ = "xrd_phase"
    xrd_id: str = Field(primary_key=True)
    phase: str = Field(primary_key=True)
    formula: str | None = None
    space_group: str | None = None
    wt_pct: float | None = Field(
        default=None, description="Weight fraction, wt % (empty when the scan is not explained)."
    )
    wt_pct_esd: float | None = Field(default=None, description="Statistical uncertainty, wt %.")
    a_angstrom: float | None = Field(default=None, description="Refined a, Angstrom.")
    b_angstrom: float | None = None
    c_angstrom: float | None = None
    beta_deg: float | None = None
    preferred_orientation_r: float | None = None
    cif_sha256: str | None = None
