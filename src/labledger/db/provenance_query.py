"""Provenance of results, read from the database as plain run dicts for the exporters.

A run dict holds the `analysis_run` row (inputs with sha256, parameters, code and library
versions, rule, host, user, times), the plot's path and sha256 from the result file, whether the
run is stale and why, and the lineage of the measured sample (e.g. electrode and batch records).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from labledger.db.engine import make_engine
from labledger.db.schema import require_database
from labledger.errors import LabledgerError
from labledger.hashing import sha256_file


def _record(conn: Connection, record_id: str, prefix: str) -> dict[str, Any] | None:
    """A record row; `path` made relative to the project root with the records folder `prefix`."""
    row = conn.execute(
        text("SELECT id, kind, path, sha256, status FROM record WHERE id = :id"), {"id": record_id}
    ).first()
    if row is None:
        return None
    rec = dict(row._mapping)
    rec["path"] = f"{prefix}/{rec['path']}" if prefix not in ("", ".") else rec["path"]
    return rec


def lineage(conn: Connection, record_id: str, prefix: str = "records") -> list[dict[str, Any]]:
    """Records the given one descends from, nearest first (following reference fields)."""
    out, seen, todo = [], {record_id}, [record_id]
    while todo:
        current = todo.pop(0)
        for (target,) in conn.execute(
            text("SELECT target_id FROM record_reference WHERE record_id = :id ORDER BY field"),
            {"id": current},
        ):
            if target in seen:
                continue
            seen.add(target)
            rec = _record(conn, target, prefix)
            if rec is not None:
                out.append({k: rec[k] for k in ("id", "kind", "path", "sha256")})
                todo.append(target)
    return out


def _plot_of(root: Path, result_path: str, result_sha256: str) -> tuple[str | None, str | None]:
    """(path, sha256) of the plot the result file names. The sha256 is the one the analysis
    recorded (result files before it did: the plot file's, while the result file is still the
    run's own); None when the result file is no longer the run's."""
    result_file = root / result_path
    try:
        data = result_file.read_bytes()
        envelope = json.loads(data)
        plot_out = next((o for o in envelope.get("outputs", []) if o.get("role") == "plot"), None)
    except (OSError, ValueError, AttributeError):
        return None, None
    if not isinstance(plot_out, dict) or not plot_out.get("path"):
        return None, None
    if hashlib.sha256(data).hexdigest() != result_sha256:
        return plot_out["path"], None  # the file was written by a later run
    sha = plot_out.get("sha256")
    if sha is None and (root / plot_out["path"]).is_file():
        sha = sha256_file(root / plot_out["path"])
    return plot_out["path"], sha


def runs_where(
    conn: Connection, where: str, params: dict[str, Any], root: Path, prefix: str
) -> list[dict]:
    """The analysis runs matching the SQL condition `where` (bound `params`), oldest first, each
    with its stale reason and plot; `prefix` is `records_prefix(root, records_dir)`."""
    stale = {
        r.run_id: r.reason for r in conn.execute(text("SELECT run_id, reason FROM stale_results"))
    }
    runs = []
    # the kind of the run's record: a measurement's own, or a batch's for its Arrhenius fit
    sql = (
        "SELECT a.*, (SELECT kind FROM record r WHERE r.id = a.record_id) AS record_kind"
        f" FROM analysis_run a WHERE {where} ORDER BY a.id"
    )
    for row in conn.execute(text(sql), params):
        r = dict(row._mapping)
        plot, plot_sha256 = _plot_of(root, r["result_path"], r["result_sha256"])
        runs.append(
            {
                "run_id": r["id"],
                "record_id": r["record_id"],
                "kind": r["record_kind"] or r["analysis"],
                "analysis": r["analysis"],
                "analysis_version": r["analysis_version"],
                "result_path": r["result_path"],
                "result_sha256": r["result_sha256"],
                "plot_path": plot,
                "plot_sha256": plot_sha256,
                "record_path": r["record_path"],
                "record_sha256": r["record_sha256"],
                "raw_path": r["raw_path"],
                "raw_sha256": r["raw_sha256"],
                "params": json.loads(r["params_json"] or "{}"),
                "inputs": json.loads(r["inputs_json"]) if r.get("inputs_json") else None,
                "labledger_version": r["labledger_version"],
                "git_commit": r["git_commit"],
                "git_dirty": None if r["git_dirty"] is None else bool(r["git_dirty"]),
                "libraries": json.loads(r["libraries_json"] or "{}"),
                "rule": r["rule"],
                "host": r["host"],
                "user": r["user"],
                "started_at": r["started_at"],
                "finished_at": r["finished_at"],
                "current": bool(r["current"]),
                "stale_reason": stale.get(r["id"]),
                "lineage": lineage(conn, r["record_id"], prefix),
            }
        )
    return runs


def records_prefix(root: Path, records_dir: Path) -> str:
    """The records folder relative to the project root, with forward slashes."""
    return os.path.relpath(records_dir, root).replace(os.sep, "/")


def provenance_of(
    url: str, record_id: str, root: Path, records_dir: Path, *, history: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The record and the runs behind its numbers: its own analyses (a measurement's, a
    sample's Arrhenius fit), then those of the measurements that name it (of a batch, an
    electrode or a cell). Current runs only unless `history`."""
    require_database(url)
    engine = make_engine(url)
    current = "" if history else " AND current"
    prefix = records_prefix(root, records_dir)
    try:
        with engine.connect() as conn:
            record = _record(conn, record_id, prefix)
            if record is None:
                raise LabledgerError(f"no record {record_id!r} in the database")
            # its own runs (a measurement's analysis, a sample's Arrhenius fit), then those of
            # the records that name it (the measurements of a batch or an electrode)
            runs = runs_where(conn, f"record_id = :id{current}", {"id": record_id}, root, prefix)
            runs += runs_where(
                conn,
                "record_id IN (SELECT record_id FROM record_reference WHERE target_id = :id)"
                + current,
                {"id": record_id},
                root,
                prefix,
            )
    finally:
        engine.dispose()
    return record, runs


def all_current_runs(url: str, root: Path, records_dir: Path) -> list[dict[str, Any]]:
    """Every current run, for exporting the provenance of the whole database."""
    require_database(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return runs_where(conn, "current", {}, root, records_prefix(root, records_dir))
    finally:
        engine.dispose()


def all_records(url: str, root: Path, records_dir: Path) -> dict[str, dict[str, Any]]:
    """Every record row (id, kind, path from the project root, sha256, status) by id."""
    prefix = records_prefix(root, records_dir)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, kind, path, sha256, status FROM record")).all()
    finally:
        engine.dispose()
    out = {}
    for row in rows:
        rec = dict(row._mapping)
        rec["path"] = f"{prefix}/{rec['path']}" if prefix not in ("", ".") else rec["path"]
        out[rec["id"]] = rec
    return out
