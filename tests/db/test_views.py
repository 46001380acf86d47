"""The views answer the lab's questions from the demo records."""

from __future__ import annotations

import pandas as pd
import yaml

from labledger import query
from labledger.db.ingest import ingest


def test_batch_synthesis_flattens_each_batch(project, monkeypatch) -> None:
    ingest(project.config())
    monkeypatch.chdir(project.root)
    df = query("SELECT * FROM batch_synthesis ORDER BY batch_id")
    assert list(df.batch_id) == [f"B-{i:03d}" for i in range(1, 9)]
    for row in df.itertuples():
        record = yaml.safe_load((project.records / "batches" / f"{row.batch_id}.yaml").read_text())
        if "commercial" in record:
            assert row.source == "commercial" and row.supplier == record["commercial"]["supplier"]
            assert (
                row.sinter_temperature_c is None
                or row.sinter_temperature_c != row.sinter_temperature_c
            )
            continue
        steps = record["steps"]
        mill = next(s for s in steps if s["type"] == "ball_mill")
        sinter = [s for s in steps if s["type"] == "sinter"][-1]
        assert row.li2co3_excess_pct == record["li2co3_excess_pct"]
        assert row.mill_speed_rpm == mill["speed_rpm"]
        assert row.mill_duration_h == mill["duration_h"]
        assert row.sinter_temperature_c == sinter["temperature_C"]
        assert row.sinter_dwell_h == sinter["dwell_h"]
        assert row.n_steps == len(steps)
        assert abs(row.precursor_mass_g - sum(p["mass_g"] for p in record["precursors"])) < 1e-9


def test_lineage_links_cell_electrode_batch(project, monkeypatch) -> None:
    ingest(project.config())
    monkeypatch.chdir(project.root)
    df = query("SELECT * FROM lineage ORDER BY cell_id").set_index("cell_id")
    assert len(df) == 14
    assert df.loc["C-004", "electrode_id"] == "E-003"
    assert df.loc["C-004", "batch_id"] == "B-003"
    assert df.loc["C-004", "li2co3_excess_pct"] == 10
    assert df.loc["C-004", "cnt_wt_pct"] == 20
    assert df.loc["C-001", "anode"] == "Cu foil" and pd.isna(df.loc["C-001", "batch_id"])
    assert df.loc["C-009", "np_ratio"] == 4


def test_measurements_reach_the_batch_through_electrodes(project, monkeypatch) -> None:
    ingest(project.config())
    monkeypatch.chdir(project.root)
    df = query("SELECT * FROM measurements").set_index("measurement_id")
    assert df.loc["XRD-003", "batch_id"] == "B-003"
    assert df.loc["EIS-014", "sample"] == "E-003" and df.loc["EIS-014", "batch_id"] == "B-003"
    assert df.loc["EIS-009", "temperature_c"] == -20


def test_a_scan_no_listed_phase_explains_has_its_verdict_row(project, monkeypatch) -> None:
    """A real MnO scan (not in the phase library): xrd_figures still has a row for it, with the
    verdict and the reason, and no weight fraction anywhere."""
    import shutil
    from pathlib import Path

    from labledger.analyses import analyze_record

    real = Path(__file__).parents[1] / "xrd" / "real" / "xrd-autoanalyzer" / "MnO.xy"
    shutil.copyfile(real, project.records / "raw" / "xrd" / "XRD-003.xy")
    config = project.config()
    analyze_record(config, "XRD-003", rule="test")
    ingest(config)
    monkeypatch.chdir(project.root)
    rows = query("SELECT * FROM xrd_figures WHERE xrd_id = 'XRD-003'")
    assert len(rows) >= 1 and set(rows.verdict) == {"not_explained"}
    assert rows.wt_pct.isna().all()
    assert isinstance(rows.verdict_reason.iloc[0], str) and len(rows.verdict_reason.iloc[0]) > 10
