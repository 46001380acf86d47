"""`labledger analyze` on cell records, loaded by the ingest, queried through the views."""

from __future__ import annotations

import hashlib
import json

import pytest

from labledger import query
from labledger.analyses import analyze_record
from labledger.db.ingest import ingest
from labledger.errors import LabledgerError
from support.databases import database_state


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def unchanged_state(project) -> object:
    return database_state(project.database_url, project.db_path)


@pytest.fixture
def analysed(project, monkeypatch):
    """The demo project with three cells analysed and everything ingested."""
    config = project.config()
    for cell in ("C-004", "C-010", "C-012"):
        analyze_record(config, cell, rule="test")
    ingest(config)
    monkeypatch.chdir(project.root)
    return project


def test_result_envelope_carries_provenance(analysed) -> None:
    env = json.loads((analysed.root / "results" / "cells" / "C-004.json").read_text())
    assert env["format"] == "labledger-result/1"
    assert env["record_id"] == "C-004" and env["analysis"] == "cycling"
    inputs = {i["role"]: i for i in env["inputs"]}
    assert inputs["record"]["path"] == "records/cells/C-004.yaml"
    assert inputs["record"]["sha256"] == sha(analysed.records / "cells" / "C-004.yaml")
    assert inputs["raw"]["sha256"] == sha(analysed.records / "raw" / "cells" / "C-004.csv")
    prov = env["provenance"]
    assert prov["rule"] == "test" and prov["labledger_version"]
    assert {"numpy", "scipy", "pandas"} <= set(prov["libraries"])
    assert prov["started_at"] <= prov["finished_at"]
    assert env["params"]["activation_cycles"] == 1 and env["params"]["area_cm2"] == 1.13
    assert (analysed.root / "results" / "cells" / "C-004.svg").read_text().startswith("<?xml")


def test_study_figures_through_sql(analysed) -> None:
    df = query("SELECT * FROM cell_figures").set_index("cell_id")
    # Lin et al. 2025: LLTO@CNT at 1 mA/cm2, 1 mAh/cm2: CE 99.24 % over 400 cycles,
    # 99 % within ~15 cycles; anode-free NCM622: 42 % retention after 100 cycles.
    c4 = df.loc["C-004"]
    assert c4.n_cycles == 400 and round(c4.mean_ce_pct, 2) == 99.24  # in %, as the name says
    assert c4.first_cycle_ce_99 <= 15 and c4.eta_nuc_mv < 10
    assert c4.li2co3_excess_pct == 10 and c4.cnt_wt_pct == 20
    assert round(df.loc["C-012", "final_retention_pct"]) == 42
    # Cu@Li full cell decays after ~35 cycles: its cycle life is short
    assert df.loc["C-010", "cycle_life"] < 100
    assert df.loc["C-010", "cycle_life_status"] == "reached"
    # an empty cycle life says why: never below 80 % in the cycles measured, or a half cell
    for cid, row in df[df.n_cycles.notna()].iterrows():  # the analysed cells
        if row.cell_type == "half":
            assert row.cycle_life_status == "not applicable", cid
        elif row.cycle_life_status == "not reached":
            assert row.cycle_life_censored_at == row.n_cycles and row.final_retention_pct >= 80
    assert (
        query(
            "SELECT COUNT(*) AS n FROM cell_figures WHERE mean_ce_pct > 99 AND cell_id = 'C-004'"
        ).n[0]
        == 1
    )
    ce = query("SELECT ce_pct FROM cell_cycle WHERE cell_id = 'C-004' AND cycle = 200").ce_pct[0]
    assert 95 < ce <= 100
    cycles = query("SELECT COUNT(*) AS n FROM cell_cycle WHERE cell_id = 'C-004'")
    assert cycles.n[0] == 400


def test_unchanged_results_are_not_reloaded(analysed) -> None:
    summary = ingest(analysed.config())
    assert not summary.wrote and summary.results_loaded == []


def test_edited_record_makes_its_result_stale_until_reanalysed(analysed) -> None:
    path = analysed.records / "cells" / "C-004.yaml"
    path.write_text(path.read_text().replace("separator: Celgard 2400", "separator: Celgard 2500"))
    ingest(analysed.config())
    stale = query("SELECT record_id, reason FROM stale_results")
    assert list(stale.itertuples(index=False, name=None)) == [("C-004", "record changed")]
    analyze_record(analysed.config(), "C-004")
    summary = ingest(analysed.config())
    assert summary.results_loaded == ["C-004"]
    assert query("SELECT COUNT(*) AS n FROM stale_results").n[0] == 0
    runs = query("SELECT current FROM analysis_run WHERE record_id = 'C-004' ORDER BY id")
    assert list(runs.current) == [0, 1]


def test_removed_record_unloads_its_figures(analysed) -> None:
    (analysed.records / "cells" / "C-010.yaml").unlink()
    summary = ingest(analysed.config())
    assert summary.results_unloaded == ["C-010"]
    assert query("SELECT COUNT(*) AS n FROM cell_result WHERE cell_id = 'C-010'").n[0] == 0


def test_corrupt_result_file_is_an_error_and_nothing_is_written(analysed) -> None:
    before = unchanged_state(analysed)
    (analysed.root / "results" / "cells" / "C-012.json").write_text("{not json")
    with pytest.raises(LabledgerError, match=r"C-012\.json:1:1: not a labledger cycling result"):
        ingest(analysed.config())
    assert unchanged_state(analysed) == before


def test_pending_and_unanalysed_kinds_are_clear_errors(project, cli) -> None:
    text = (project.records / "cells" / "C-004.yaml").read_text()
    pending = "\n".join(ln for ln in text.splitlines() if not ln.startswith("raw_file:"))
    project.write("cells/C-100.yaml", pending.replace("id: C-004", "id: C-100") + "\n")
    result = cli("analyze", "C-100", cwd=project.root)
    assert result.code == 1 and "C-100.yaml: no raw_file yet; nothing to analyse" in result.err
    result = cli("analyze", "B-001", cwd=project.root)
    assert result.code == 1 and "records of kind 'batch' have no analysis" in result.err
