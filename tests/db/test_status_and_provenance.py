"""`labledger status` and the provenance read back from the database."""

from __future__ import annotations

import hashlib

import pytest

from labledger.analyses import analyze_record
from labledger.db.ingest import ingest
from labledger.db.provenance_query import provenance_of
from labledger.db.status import database_status


@pytest.fixture
def analysed(project):
    config = project.config()
    for rid in ("C-012", "EIS-003"):
        analyze_record(config, rid, rule="test")
    ingest(config)
    return project


def test_status_counts_and_lists_pending_work(analysed, cli) -> None:
    state = database_status(analysed.config().database_url)
    assert state.records["batch"] == (8, 0) and state.records["cell"] == (14, 0)
    assert state.analysed["cell"] == (1, 14) and state.analysed["eis"] == (1, 15)
    assert "C-004" in state.not_analysed and "C-012" not in state.not_analysed
    assert state.stale == [] and not state.clean
    result = cli("status", cwd=analysed.root)
    assert result.code == 1
    assert "raw file but no result yet (35):" in result.out
    assert "run `snakemake`" in result.out


def test_status_reports_stale_results(analysed, cli) -> None:
    path = analysed.records / "raw" / "eis" / "EIS-003.csv"
    path.write_text(path.read_text().replace("\n", "\n", 1) + "\n")  # content change
    ingest(analysed.config())
    state = database_status(analysed.config().database_url)
    assert state.stale == [("EIS-003", "eis", "raw file changed")]
    assert "stale results (1): EIS-003 [raw file changed]" in cli("status", cwd=analysed.root).out


def test_provenance_of_a_measurement_reaches_its_batch(analysed) -> None:
    config = analysed.config()
    record, runs = provenance_of(config.database_url, "C-012", config.root, config.records_dir)
    assert record["path"] == "records/cells/C-012.yaml" and len(runs) == 1
    run = runs[0]
    assert (
        run["record_sha256"]
        == hashlib.sha256((analysed.root / run["record_path"]).read_bytes()).hexdigest()
    )
    assert (
        run["raw_sha256"]
        == hashlib.sha256((analysed.root / run["raw_path"]).read_bytes()).hexdigest()
    )
    assert run["plot_path"] == "results/cells/C-012.svg" and run["rule"] == "test"
    assert [(r["id"], r["path"]) for r in run["lineage"]] == [
        ("E-003", "records/electrodes/E-003.yaml"),
        ("B-003", "records/batches/B-003.yaml"),
    ]


def test_provenance_of_a_batch_lists_its_measurements(analysed) -> None:
    config = analysed.config()
    _, runs = provenance_of(config.database_url, "B-003", config.root, config.records_dir)
    assert [r["record_id"] for r in runs] == ["EIS-003"]
