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

from sqlalchemy import Connection, Table, delete, insert, select, text, update

from labledger.db.result_tables import (
    AnalysisRun,
    ArrheniusFit,
    CellCycle,
    CellResult,
    EisArc,
    EisResult,
    XrdPhase,
    XrdResult,
)
from labledger.errors import Problem, RecordsInvalid

RowMaker = Callable[[int, dict[str, Any]], dict[Table, list[dict[str, Any]]]]


def _pct(fraction: float | None) -> float | None:
    """A fraction of the result file (0.9924) as the % SQL columns hold (99.24): every ratio in
    the database is in % and named `_pct`, as the record fields are."""
    return None if fraction is None else 100.0 * fraction


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
        "mean_ce_pct": _pct(s.get("mean_ce")),
        "pooled_ce_pct": _pct(s.get("pooled_ce")),
        "first_cycle_ce_99": s.get("first_cycle_ce_99"),
        "eta_nuc_mv": s.get("eta_nuc_mV"),
        "nucleation_current_density_ma_cm2": nuc.get("current_density_mA_cm2"),
        "failure_cycle": s.get("failure_cycle"),
        "mean_hysteresis_mv": s.get("mean_hysteresis_mV"),
        "reference_cycle": res.get("reference_cycle"),
        "reference_discharge_mah": s.get("reference_discharge_mAh"),
        "cycle_life": s.get("cycle_life"),
        "cycle_life_censored_at": _censored(res, s),
        "final_retention_pct": _pct(s.get("final_retention")),
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
        values[col] = [_pct(v) for v in values[col]]
    cycles = [
        {"cell_id": cid, "cycle": cycle, **{col: v[i] for col, v in values.items()}}
        for i, cycle in enumerate(c["cycle"])
    ]
    return {CellResult.__table__: [summary], CellCycle.__table__: cycles}


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


def _xrd_verdict(verdict: dict[str, Any]) -> dict[str, Any]:
    peaks = verdict.get("unexplained_peaks") or []
    listed = "; ".join(f"{p['two_theta_deg']:.2f} deg ({p['d_A']:.3f} A)" for p in peaks)
    return {
        "verdict": verdict.get("status"),
        "verdict_reason": "; ".join(verdict.get("reasons") or []) or None,
        "unexplained_peaks": listed or None,
    }


def _xrd_rows(run_id: int, env: dict[str, Any]) -> dict[Table, list[dict[str, Any]]]:
    res = env["result"]
    xid = env["record_id"]
    summary = {
        "xrd_id": xid,
        "run_id": run_id,
        "phases_detected": ",".join(res.get("phases_detected", [])),
        "rwp_pct": res.get("rwp_percent"),
        "gof": res.get("gof"),
        "zero_shift_deg": res.get("zero_shift_deg"),
        "n_points": res.get("n_points"),
        **_xrd_verdict(res.get("verdict") or {}),
    }
    phases = []
    for p in res.get("phases", []):
        lattice = p.get("lattice") or {}
        phases.append(
            {
                "xrd_id": xid,
                "phase": p["name"],
                "formula": p.get("formula"),
                "space_group": p.get("space_group"),
                "wt_pct": p.get("wt_percent"),
                "wt_pct_esd": p.get("wt_percent_esd"),
                "a_angstrom": lattice.get("a_A"),
                "b_angstrom": lattice.get("b_A"),
                "c_angstrom": lattice.get("c_A"),
                "beta_deg": lattice.get("beta_deg"),
                "preferred_orientation_r": p.get("preferred_orientation_r"),
                "cif_sha256": (p.get("reference") or {}).get("cif_sha256"),
            }
        )
    return {XrdResult.__table__: [summary], XrdPhase.__table__: phases}


#: analysis name -> (result folder, row maker, tables it fills keyed by record id column)
LOADERS: dict[str, tuple[str, RowMaker, tuple[tuple[Table, str], ...]]] = {
    "cycling": (
        "cells",
        _cell_rows,
        ((CellResult.__table__, "cell_id"), (CellCycle.__table__, "cell_id")),
    ),
    "eis": (
        "eis",
        _eis_rows,
        ((EisResult.__table__, "eis_id"), (EisArc.__table__, "eis_id")),
    ),
    "xrd": (
        "xrd",
        _xrd_rows,
        ((XrdResult.__table__, "xrd_id"), (XrdPhase.__table__, "xrd_id")),
    ),
}


def update_arrhenius(conn: Connection) -> None:
    """Rebuild `arrhenius_fit` from the loaded pellet spectra of each sample (>= 2 temperatures;
    the fits are `labledger.analyses.arrhenius`)."""
    from labledger.analyses.arrhenius import ConductivityPoint, sample_arrhenius_fits

    table = ArrheniusFit.__table__
    conn.execute(delete(table))
    rows = conn.execute(
        text(
            "SELECT e.sample, r.eis_id, r.temperature_c, r.sigma_total_s_cm, r.sigma_bulk_s_cm "
            "FROM eis_result r JOIN eis e ON e.id = r.eis_id "
            "WHERE r.sigma_total_s_cm IS NOT NULL AND r.temperature_c IS NOT NULL "
            "ORDER BY e.sample, r.temperature_c, r.eis_id"
        )
    ).all()
    out = sample_arrhenius_fits(ConductivityPoint(*row) for row in rows)
    if out:
        conn.execute(insert(table), out)


def result_tables() -> list[Table]:
    """Every derived result table (rebuilt when their definitions change)."""
    return [t for _, _, tables in LOADERS.values() for t, _ in tables] + [ArrheniusFit.__table__]


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
        for t, key in LOADERS[analysis][2]:
            conn.execute(delete(t).where(t.c[key] == rid))
        summary.unloaded.append(rid)
    if any(a == "eis" for a, _ in todo) or any(a == "eis" for _, a in stale):
        update_arrhenius(conn)
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
