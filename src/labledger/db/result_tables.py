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
    analysis: str = Field(description="cycling, xrd, eis (a record's) or arrhenius (a sample's).")
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
    # after it, where migration 0005 put it
    inputs_json: str | None = Field(
        default=None,
        sa_type=Text,
        description="Every input of the run as its result file lists them, JSON "
        '[{"role", "path", "sha256"}]: the record and raw file, or (an Arrhenius fit) the '
        "sample's record and its spectra's result files. NULL for runs loaded before 0005.",
    )
