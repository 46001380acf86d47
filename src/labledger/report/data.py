"""The report's reads from the database, as plain dicts (one SQL pass, one connection).

Units are those of the views (schema/views.sql): wt %, S/cm, eV, mA/cm2, mAh/cm2; CE columns are
fractions 0-1. Paths of result files are relative to the project root (the config's folder).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from labledger.config import Config
from labledger.db.engine import make_engine
from labledger.db.schema import require_database

Row = dict[str, Any]


@dataclass
class ReportData:
    """Everything the pages show, keyed by record id where a page needs to look things up."""

    root: Path
    batches: list[Row]
    electrodes: list[Row]
    cells: list[Row]
    xrd: list[Row]
    xrd_phases: list[Row]
    eis: list[Row]
    records: dict[str, Row]
    contents: dict[str, dict[str, Any]]
    runs: dict[str, Row]
    measurements: list[Row]
    #: Activation energies (arrhenius_fit): per sample and quantity, Ea in eV, the spectra used.
    arrhenius: list[Row] = field(default_factory=list)
    ingests: list[Row] = field(default_factory=list)
    revisions: list[Row] = field(default_factory=list)
    all_runs: list[Row] = field(default_factory=list)
    #: The rows of the analysed kinds' section queries, by query name (`Section.queries`).
    section_rows: dict[str, list[Row]] = field(default_factory=dict)

    def plot_path(self, record_id: str) -> Path | None:
        """The analysis plot (SVG) of a record's current run, when the file exists."""
        run = self.runs.get(record_id)
        if run is None:
            return None
        path = (self.root / run["result_path"]).with_suffix(".svg")
        return path if path.is_file() else None


def rows(conn: Connection, sql: str, params: dict[str, Any] | None = None) -> list[Row]:
    """The rows of one statement as dicts."""
    return [dict(r._mapping) for r in conn.execute(text(sql), params or {})]


def connect_read(config: Config) -> Engine:
    """A read-only engine on the configured database, or a clear error when there is none."""
    url = config.database_url
    require_database(url)
    return make_engine(url)


def load_report_data(
    config: Config, *, history: bool = True, queries: Mapping[str, str] | None = None
) -> ReportData:
    """Read what the report needs; with `history`, also every ingest, revision and run; the
    rows of each of `queries` (name -> SQL: the analysed kinds' section queries)."""
    engine = connect_read(config)
    try:
        with engine.connect() as conn:
            stale = {r["run_id"]: r["reason"] for r in rows(conn, "SELECT * FROM stale_results")}
            runs = {}
            for run in rows(conn, "SELECT * FROM analysis_run WHERE current ORDER BY id"):
                run["stale_reason"] = stale.get(run["id"])
                run["params"] = json.loads(run["params_json"] or "{}")
                run["inputs"] = json.loads(run.get("inputs_json") or "[]")
                run["libraries"] = json.loads(run["libraries_json"] or "{}")
                runs[run["record_id"]] = run
            contents = {
                r["id"]: json.loads(r["content_json"]) if r["content_json"] else {}
                for r in rows(
                    conn,
                    "SELECT r.id, v.content_json FROM record r JOIN record_revision v"
                    " ON v.record_id = r.id AND v.revision = r.revision",
                )
            }
            data = ReportData(
                root=config.root,
                batches=rows(conn, "SELECT * FROM batch_synthesis ORDER BY batch_id"),
                electrodes=rows(conn, "SELECT * FROM electrode ORDER BY id"),
                cells=rows(conn, "SELECT * FROM cell_figures ORDER BY cell_id"),
                xrd=rows(
                    conn,
                    "SELECT x.*, r.rwp_pct, r.gof, r.phases_detected, r.verdict,"
                    " r.verdict_reason FROM xrd x"
                    " LEFT JOIN xrd_result r ON r.xrd_id = x.id ORDER BY x.id",
                ),
                xrd_phases=rows(conn, "SELECT * FROM xrd_figures ORDER BY xrd_id, phase"),
                eis=rows(
                    conn,
                    "SELECT e.id, e.sample, e.condition, e.temperature_c AS record_temperature_c,"
                    " e.notes, f.eis_id, f.batch_id, f.temperature_c, f.circuit_used,"
                    " f.r_total_ohm, f.charge_transfer_r_ohm, f.sigma_total_s_cm,"
                    " f.sigma_bulk_s_cm, f.sigma_gb_apparent_s_cm, f.bulk_determined,"
                    " f.bulk_reason, f.total_reason, f.linkk_residual_max"
                    " FROM eis e LEFT JOIN eis_figures f ON f.eis_id = e.id ORDER BY e.id",
                ),
                records={
                    r["id"]: r
                    for r in rows(
                        conn, "SELECT id, kind, path, sha256, revision, status FROM record"
                    )
                },
                contents=contents,
                runs=runs,
                measurements=rows(conn, "SELECT * FROM measurements ORDER BY measurement_id"),
                arrhenius=rows(conn, "SELECT * FROM arrhenius_fit ORDER BY sample, quantity"),
            )
            for name, sql in (queries or {}).items():
                data.section_rows[name] = rows(conn, sql)
            if history:
                data.ingests = rows(conn, "SELECT * FROM ingest ORDER BY id")
                data.revisions = rows(
                    conn,
                    "SELECT record_id, revision, kind, change, path, content_json, ingest_id,"
                    " git_commit, git_blob FROM record_revision ORDER BY ingest_id, record_id",
                )
                data.all_runs = rows(
                    conn,
                    "SELECT id, record_id, analysis, analysis_version, current, result_sha256,"
                    " result_content_sha256,"
                    " record_sha256, raw_sha256, ingest_id, finished_at FROM analysis_run"
                    " ORDER BY record_id, id",
                )
    finally:
        engine.dispose()
    return data


def cell_cycles(conn: Connection, cell_id: str) -> list[Row]:
    """Per-cycle rows of one cell: cycle, ce and retention as fractions (the study's
    definitions are written with them), q_discharge_mah."""
    return rows(
        conn,
        "SELECT cycle, ce_pct / 100.0 AS ce, retention_pct / 100.0 AS retention,"
        " q_discharge_mah FROM cell_cycle WHERE cell_id = :id ORDER BY cycle",
        {"id": cell_id},
    )
