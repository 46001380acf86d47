"""A small project folder with real files and the run dicts of their analyses.

Three records of the demo kinds: an XRD scan of an LLTO powder batch, an EIS spectrum of a pellet
pressed from that batch, and a half cell built on an LLTO@CNT electrode. The XRD scan was analysed
twice: once before its record was edited (a stale run) and once after (the current run).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

LIBRARIES = {"numpy": "2.4.0", "scipy": "1.16.2", "pandas": "3.0.0", "NewareNDA": "2025.6.1"}
COMMIT = "3f9c2a7d1e0b4c5a6d7e8f90a1b2c3d4e5f60718"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Project:
    root: Path
    runs: list[dict[str, Any]]

    def run_of(self, record_id: str, current: bool = True) -> dict[str, Any]:
        return next(r for r in self.runs if r["record_id"] == record_id and r["current"] == current)


def _write(root: Path, rel: str, text: str) -> str:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return rel


def _lineage(root: Path, *items: tuple[str, str, str]) -> list[dict[str, Any]]:
    return [
        {"id": rid, "kind": kind, "path": rel, "sha256": sha256(root / rel)}
        for rid, kind, rel in items
    ]


def _run(root: Path, **kw: Any) -> dict[str, Any]:
    run = {
        "plot_path": None,
        "raw_path": None,
        "raw_sha256": None,
        "labledger_version": "0.1.0",
        "git_commit": COMMIT,
        "git_dirty": False,
        "libraries": dict(LIBRARIES),
        "host": "xrd-pc",
        "user": "ana",
        "current": True,
        "stale_reason": None,
        "lineage": [],
    }
    run.update(kw)
    for role in ("record", "raw", "result"):
        rel = run.get(f"{role}_path")
        if rel and f"{role}_sha256" not in kw:
            run[f"{role}_sha256"] = sha256(root / rel)
    return run


def build_project(root: Path) -> Project:
    """Write the record, raw, result and plot files under `root` and return their runs."""
    batch = _write(
        root,
        "records/batches/B-001.yaml",
        "id: B-001\nkind: batch\nformula: Li0.5La0.5TiO3\nsteps:\n"
        "  - {step: calcine, temperature_C: 1150, duration_h: 12}\n",
    )
    electrode = _write(
        root,
        "records/electrodes/E-001.yaml",
        "id: E-001\nkind: electrode\nbatch: B-001\nllto_mass_fraction: 0.7\nthickness_mm: 0.12\n",
    )
    # XRD scan: analysed once, then its record was edited and analysed again
    xrd_record = "records/xrd/X-001.yaml"
    _write(root, xrd_record, "id: X-001\nkind: xrd\nsample: B-001\nraw: raw/X-001.xrdml\n")
    old_record_sha = sha256(root / xrd_record)
    raw = _write(root, "records/raw/X-001.xrdml", "<?xml version='1.0'?><xrdMeasurements/>\n")
    result = _write(root, "results/xrd/X-001.json", '{"result": {"phases": {"LLTO": 0.93}}}\n')
    old_result_sha = sha256(root / result)
    stale = _run(
        root,
        record_id="X-001",
        kind="xrd",
        analysis="xrd",
        analysis_version="1",
        record_path=xrd_record,
        record_sha256=old_record_sha,
        raw_path=raw,
        result_path=result,
        result_sha256=old_result_sha,
        plot_path="results/xrd/X-001.svg",
        params={"wavelength": "CuKa1+CuKa2", "two_theta_deg": [10, 80]},
        rule="xrd",
        started_at="2026-11-20T09:00:00.000+00:00",
        finished_at="2026-11-20T09:00:01.250+00:00",
        current=False,
        stale_reason="record changed",
        lineage=_lineage(root, ("B-001", "batch", batch)),
    )
    _write(
        root,
        xrd_record,
        "id: X-001\nkind: xrd\nsample: B-001\nraw: raw/X-001.xrdml\nnote: re-run, Ka2 stripped\n",
    )
    _write(root, result, '{"result": {"phases": {"LLTO": 0.95, "La2Ti2O7": 0.05}}}\n')
    _write(root, "results/xrd/X-001.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    current = _run(
        root,
        record_id="X-001",
        kind="xrd",
        analysis="xrd",
        analysis_version="2",
        record_path=xrd_record,
        raw_path=raw,
        result_path=result,
        plot_path="results/xrd/X-001.svg",
        params={"wavelength": "CuKa1+CuKa2", "two_theta_deg": [10, 80], "phases": ["LLTO"]},
        rule="xrd",
        started_at="2026-11-25T14:03:10.512+00:00",
        finished_at="2026-11-25T14:03:12.004+00:00",
        lineage=_lineage(root, ("B-001", "batch", batch)),
    )
    # EIS spectrum of a pellet; its params carry text from the record
    eis_record = _write(root, "records/eis/S-001.yaml", "id: S-001\nkind: eis\nsample: B-001\n")
    eis_raw = _write(root, "records/raw/S-001.csv", "freq_Hz,Zre_ohm,Zim_ohm\n1e6,120.5,-3.2\n")
    eis_result = _write(root, "results/eis/S-001.json", '{"result": {"R_bulk_ohm": 118.2}}\n')
    eis = _run(
        root,
        record_id="S-001",
        kind="eis",
        analysis="eis",
        analysis_version="3",
        record_path=eis_record,
        raw_path=eis_raw,
        result_path=eis_result,
        params={"circuit": "R0-p(R1,CPE1)", "note": "<script>alert(1)</script>"},
        rule="eis",
        host="lab-server",
        user="ben",
        git_dirty=True,
        started_at="2026-11-25T14:04:00+00:00",
        finished_at="2026-11-25T14:04:00.731+00:00",
        lineage=_lineage(root, ("B-001", "batch", batch)),
    )
    # Half cell on an LLTO@CNT electrode: two lineage records, no plot
    cell_record = _write(root, "records/cells/C-001.yaml", "id: C-001\nkind: cell\nanode: E-001\n")
    cell_raw = _write(root, "records/raw/C-001.csv", "cycle,capacity_mAh\n1,2.31\n2,2.29\n")
    cell_result = _write(root, "results/cells/C-001.json", json.dumps({"result": {"ce": 0.99}}))
    cell = _run(
        root,
        record_id="C-001",
        kind="cell",
        analysis="cycling",
        analysis_version="1",
        record_path=cell_record,
        raw_path=cell_raw,
        result_path=cell_result,
        params={"current_mA_cm2": 1.0, "capacity_mAh_cm2": 1.0},
        rule="cells",
        git_commit=None,
        git_dirty=None,
        started_at="2026-11-25T14:05:00Z",
        finished_at="2026-11-25T14:05:02Z",
        lineage=_lineage(root, ("E-001", "electrode", electrode), ("B-001", "batch", batch)),
    )
    return Project(root=root, runs=[stale, current, eis, cell])


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return build_project(tmp_path / "project")
