"""`labledger publish`: the workflow's one job after the analyses, run as a person would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from labledger.analyses import analyze_record
from labledger.config import load_config

QUERIES = Path(__file__).resolve().parents[2] / "workflow" / "queries"


def test_publish_ingests_exports_provenance_and_builds_the_report(project, cli) -> None:
    config = load_config(project.root / "config.yaml")
    shutil.copytree(QUERIES, project.root / "workflow" / "queries")
    analyze_record(config, "C-001", rule="test")
    queries = project.root / "results" / "queries"
    first = cli("publish", "--queries-out", str(queries), cwd=project.root)
    assert first.code == 0, first.err
    lines = first.out.splitlines()
    assert lines[-3].startswith("ingest into ") and "50 added" in lines[-3]
    assert lines[-2].startswith("provenance: 1 new run(s)")
    assert lines[-1].startswith("report: wrote ") and "index.html" in lines[-1]
    results = project.root / "results"
    latest = json.loads((results / "provenance" / "latest.json").read_text())
    assert latest  # the export the report's provenance links point at
    assert (results / "provenance" / "pages" / "C-001.html").is_file()
    assert "C-001" in (results / "report" / "samples" / "C-001.html").read_text()
    assert sorted(p.name for p in queries.iterdir()) == sorted(
        f"{q.stem}.csv" for q in QUERIES.glob("*.sql")
    )
    rows = cli("sql", "SELECT COUNT(*) AS n FROM cell_result", "--json", cwd=project.root)
    assert json.loads(rows.out) == [{"n": 1}]
    again = cli("publish", cwd=project.root)
    assert again.code == 0, again.err
    assert "nothing to write" in again.out
    assert "provenance: no new runs since the previous export" in again.out


def test_publish_leaves_the_database_as_it_was_on_an_invalid_record(project, cli) -> None:
    assert cli("publish", cwd=project.root).code == 0
    record = project.root / "records" / "batches" / "B-003.yaml"
    record.write_text(record.read_text().replace("id: B-003", 'id: "B-003', 1))
    bad = cli("publish", cwd=project.root)
    assert bad.code == 1 and "B-003.yaml" in bad.err
    rows = cli("sql", "SELECT COUNT(*) AS n FROM record_revision", "--json", cwd=project.root)
    assert json.loads(rows.out) == [{"n": 50}]
