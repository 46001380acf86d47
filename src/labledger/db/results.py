"""Load analysis result files into the database, incrementally by content hash.

Each `<results_dir>/<folder>/<id>.json` written by `labledger analyze` becomes a row of
`analysis_run` and rows of the result tables of its analysis. A file whose sha256 equals the
current run's is skipped; a result of a record that is no longer active is unloaded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update

from labledger.db.kind_results import kind_results
from labledger.db.result_tables import AnalysisRun
from labledger.errors import Problem, RecordsInvalid


def result_tables() -> list[Table]:
    """Every derived result table (rebuilt when their definitions change)."""
    return [t for results in kind_results().values() for t, _ in results.tables]


@dataclass
class ResultsSummary:
    loaded: list[str] = field(default_factory=list)
    unloaded: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.loaded or self.unloaded)


@dataclass
class _ResultFile:
    path: Path
    sha256: str
    envelope: dict[str, Any] | None = None


def load_results(
    conn: Connection,
    results_dir: Path,
    root: Path,
    active: set[str],
    ingest_id: Callable[[], int],
    *,
    reload_all: bool = False,
) -> ResultsSummary:
    """Bring the result tables in line with the result files of active records."""
    table = AnalysisRun.__table__
    current = {
        (r.record_id, r.analysis): r
        for r in conn.execute(select(table).where(table.c.current.is_(True)))
    }
    summary = ResultsSummary()
    problems: list[Problem] = []
    todo: list[tuple[str, _ResultFile]] = []
    seen: set[tuple[str, str]] = set()
    loaders = kind_results()
    for analysis, results in loaders.items():
        for path in sorted((results_dir / results.folder).glob("*.json")):
            rid = path.stem
            if rid not in active:
                continue
            raw = path.read_bytes()
            digest = hashlib.sha256(raw).hexdigest()
            seen.add((rid, analysis))
            old = current.get((rid, analysis))
            if old is not None and old.result_sha256 == digest and not reload_all:
                continue
            try:
                env = json.loads(raw)
                if env.get("record_id") != rid or env.get("analysis") != analysis:
                    raise ValueError(f"names {env.get('record_id')}/{env.get('analysis')}")
            except (ValueError, AttributeError) as err:
                problems.append(
                    Problem(str(path), 1, 1, "", f"not a labledger {analysis} result file: {err}")
                )
                continue
            todo.append((analysis, _ResultFile(path, digest, env)))
    if problems:
        raise RecordsInvalid(problems)
    stale = [key for key in current if key not in seen]
    if not todo and not stale:
        return summary
    for analysis, rf in todo:
        env = rf.envelope
        assert env is not None
        rid = env["record_id"]
        make_rows, tables = loaders[analysis].rows, loaders[analysis].tables
        old = current.get((rid, analysis))
        if old is not None and old.result_sha256 == rf.sha256:
            run_id = old.id  # reload of the same file: keep its run
        else:
            if old is not None:
                conn.execute(update(table).where(table.c.id == old.id).values(current=False))
            row = _run_row(env, rf, root, ingest_id())
            key = conn.execute(insert(table).values(**row)).inserted_primary_key
            assert key is not None  # an INSERT of one row
            run_id = key[0]
        for t, key in tables:
            conn.execute(delete(t).where(t.c[key] == rid))
        for t, rows in make_rows(run_id, env).items():
            if rows:
                conn.execute(insert(t), rows)
        summary.loaded.append(rid)
    for rid, analysis in stale:
        conn.execute(
            update(table).where(table.c.id == current[(rid, analysis)].id).values(current=False)
        )
        for t, key in loaders[analysis].tables:
            conn.execute(delete(t).where(t.c[key] == rid))
        summary.unloaded.append(rid)
    return summary


def content_sha256(result: Any, raw_path: str | None = None) -> str:
    """sha256 of a result's canonical JSON: what was computed, without when, by whom and where
    (a result names its raw file by absolute path; that path counts as `raw_path`, relative to
    the project, so a moved or copied project computes the same hash)."""

    def placeless(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: placeless(v) for k, v in node.items()}
        if isinstance(node, list):
            return [placeless(v) for v in node]
        if raw_path and isinstance(node, str) and node.endswith("/" + raw_path):
            return raw_path
        return node

    blob = json.dumps(placeless(result), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _run_row(env: dict[str, Any], rf: _ResultFile, root: Path, ingest_id: int) -> dict[str, Any]:
    inputs = {i["role"]: i for i in env.get("inputs", [])}
    prov = env.get("provenance", {})
    rel = rf.path.resolve()
    try:
        result_path = str(rel.relative_to(root))
    except ValueError:
        result_path = str(rel)
    return {
        "record_id": env["record_id"],
        "analysis": env["analysis"],
        "analysis_version": str(env.get("analysis_version")),
        "current": True,
        "result_path": result_path,
        "result_sha256": rf.sha256,
        "result_content_sha256": content_sha256(
            env.get("result"), inputs.get("raw", {}).get("path")
        ),
        "record_path": inputs.get("record", {}).get("path", ""),
        "record_sha256": inputs.get("record", {}).get("sha256", ""),
        "raw_path": inputs.get("raw", {}).get("path"),
        "raw_sha256": inputs.get("raw", {}).get("sha256"),
        "params_json": json.dumps(env.get("params", {}), sort_keys=True),
        "inputs_json": json.dumps(env.get("inputs", []), sort_keys=True),
        "labledger_version": prov.get("labledger_version"),
        "git_commit": prov.get("git_commit"),
        "git_dirty": prov.get("git_dirty"),
        "libraries_json": json.dumps(prov.get("libraries", {}), sort_keys=True),
        "rule": prov.get("rule"),
        "host": prov.get("host"),
        "user": prov.get("user"),
        "started_at": prov.get("started_at"),
        "finished_at": prov.get("finished_at"),
        "ingest_id": ingest_id,
    }
