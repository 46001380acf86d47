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

from labledger.db.result_tables import AnalysisRun, CellCycle, CellResult
from labledger.errors import Problem, RecordsInvalid

RowMaker = Callable[[int, dict[str, Any]], dict[Table, list[dict[str, Any]]]]


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
        "mean_ce": s.get("mean_ce"),
        "pooled_ce": s.get("pooled_ce"),
        "first_cycle_ce_99": s.get("first_cycle_ce_99"),
        "eta_nuc_mv": s.get("eta_nuc_mV"),
        "nucleation_current_density_ma_cm2": nuc.get("current_density_mA_cm2"),
        "failure_cycle": s.get("failure_cycle"),
        "mean_hysteresis_mv": s.get("mean_hysteresis_mV"),
        "reference_cycle": res.get("reference_cycle"),
        "reference_discharge_mah": s.get("reference_discharge_mAh"),
        "cycle_life": s.get("cycle_life"),
        "final_retention": s.get("final_retention"),
        "mean_avg_discharge_v": s.get("mean_avg_discharge_V"),
    }
    c = res["cycles"]
    names = {
        "file_cycle": "file_cycle",
        "q_plate_mah": "q_plate_mAh",
        "q_strip_mah": "q_strip_mAh",
        "q_charge_mah": "q_charge_mAh",
        "q_discharge_mah": "q_discharge_mAh",
        "ce": "ce",
        "hysteresis_mv": "hysteresis_mV",
        "retention": "retention",
        "avg_discharge_v": "avg_discharge_V",
    }
    n = len(c["cycle"])
    values = {col: c.get(key) or [None] * n for col, key in names.items()}
    cycles = [
        {"cell_id": cid, "cycle": cycle, **{col: v[i] for col, v in values.items()}}
        for i, cycle in enumerate(c["cycle"])
    ]
    return {CellResult.__table__: [summary], CellCycle.__table__: cycles}


#: analysis name -> (result folder, row maker, tables it fills keyed by record id column)
LOADERS: dict[str, tuple[str, RowMaker, tuple[tuple[Table, str], ...]]] = {
    "cycling": (
        "cells",
        _cell_rows,
        ((CellResult.__table__, "cell_id"), (CellCycle.__table__, "cell_id")),
    ),
}


def result_tables() -> list[Table]:
    """Every per-analysis result table (rebuilt when their definitions change)."""
    return [t for _, _, tables in LOADERS.values() for t, _ in tables]


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
    for analysis, (folder, _, _) in LOADERS.items():
        for path in sorted((results_dir / folder).glob("*.json")):
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
        _, make_rows, tables = LOADERS[analysis]
        old = current.get((rid, analysis))
        if old is not None and old.result_sha256 == rf.sha256:
            run_id = old.id  # reload of the same file: keep its run
        else:
            if old is not None:
                conn.execute(update(table).where(table.c.id == old.id).values(current=False))
            row = _run_row(env, rf, root, ingest_id())
            run_id = conn.execute(insert(table).values(**row)).inserted_primary_key[0]
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
        for t, key in LOADERS[analysis][2]:
            conn.execute(delete(t).where(t.c[key] == rid))
        summary.unloaded.append(rid)
    return summary


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
        "record_path": inputs.get("record", {}).get("path", ""),
        "record_sha256": inputs.get("record", {}).get("sha256", ""),
        "raw_path": inputs.get("raw", {}).get("path"),
        "raw_sha256": inputs.get("raw", {}).get("sha256"),
        "params_json": json.dumps(env.get("params", {}), sort_keys=True),
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
