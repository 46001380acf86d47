"""The Arrhenius analysis of a sample: its fits, its result file with provenance, its load."""

from __future__ import annotations

import json

import pytest

from labledger.analyses import analyze_record
from labledger.analyses.arrhenius import (
    ConductivityPoint,
    analyze_arrhenius,
    sample_arrhenius_fits,
)
from labledger.db.ingest import ingest
from labledger.eis.arrhenius import arrhenius
from labledger.hashing import sha256_file
from support.databases import rows


def test_one_row_per_sample_and_conductivity_with_two_temperatures() -> None:
    points = [
        ConductivityPoint("S1", "EIS-001", 25.0, 1e-4, None),
        ConductivityPoint("S1", "EIS-002", 60.0, 4e-4, 1e-3),
        ConductivityPoint("S2", "EIS-003", 25.0, 2e-4, 5e-4),
    ]
    rows = sample_arrhenius_fits(points)
    assert [(r["sample"], r["quantity"]) for r in rows] == [("S1", "sigma_total")]
    (row,) = rows
    fit = arrhenius([25.0, 60.0], [1e-4, 4e-4])
    assert row["ea_ev"] == pytest.approx(fit.Ea_eV, rel=0, abs=0)
    assert row["eis_ids"] == "EIS-001,EIS-002"
    assert (row["t_min_c"], row["t_max_c"], row["n_points"]) == (25.0, 60.0, 2)


#: B-003's spectra at six temperatures (demo records), and one of B-004's at room temperature
SPECTRA = ("EIS-003", "EIS-009", "EIS-010", "EIS-011", "EIS-012", "EIS-013", "EIS-004")


@pytest.fixture
def fitted(project):  # type: ignore[no-untyped-def]
    """The demo project with the spectra of SPECTRA analysed and the Arrhenius analysis run."""
    config = project.config()
    for rid in SPECTRA:
        analyze_record(config, rid, rule="test")
    return project, analyze_arrhenius(config, rule="test")


def _points(config, ids):  # type: ignore[no-untyped-def]
    """The conductivity points of the EIS result files `ids`, read back from the files."""
    out = []
    for rid in ids:
        env = json.loads((config.results_dir / "eis" / f"{rid}.json").read_text())
        res = env["result"]
        sigmas = (res["sigma_total_S_cm"], res["sigma_bulk_S_cm"])
        out.append(ConductivityPoint("B-003", rid, res["temperature_C"], *sigmas))
    return sorted(out, key=lambda p: (p.temperature_c, p.eis_id))


def test_a_sample_fit_is_a_result_file_naming_each_spectrum_it_used(fitted) -> None:  # type: ignore[no-untyped-def]
    project, run = fitted
    config = project.config()
    assert (run.written, run.kept, run.removed) == (["B-003"], [], [])  # B-004: one temperature
    env = json.loads((config.results_dir / "arrhenius" / "B-003.json").read_text())
    assert (env["record_id"], env["kind"], env["analysis"]) == ("B-003", "batch", "arrhenius")
    record, *spectra = env["inputs"]
    assert record == {
        "role": "record",
        "path": "records/batches/B-003.yaml",
        "sha256": sha256_file(project.records / "batches" / "B-003.yaml"),
    }
    assert {i["path"] for i in spectra} == {f"results/eis/{r}.json" for r in SPECTRA[:6]}
    for i in spectra:
        assert i["role"] == "eis_result"
        assert i["sha256"] == sha256_file(project.root / i["path"])
    # the fits are those of the conductivities in the spectra's own result files
    assert env["result"]["fits"] == sample_arrhenius_fits(_points(config, SPECTRA[:6]))
    assert env["provenance"]["rule"] == "test" and env["provenance"]["finished_at"]


def test_the_fit_is_rewritten_only_when_a_spectrum_changed(fitted) -> None:  # type: ignore[no-untyped-def]
    project, _run = fitted
    config = project.config()
    result = config.results_dir / "arrhenius" / "B-003.json"
    before = result.read_bytes()
    again = analyze_arrhenius(config)
    assert (again.written, again.kept) == ([], ["B-003"]) and result.read_bytes() == before
    # a spectrum's record edited after its analysis: its result is stale and not used
    eis = project.records / "eis" / "EIS-013.yaml"
    eis.write_text(eis.read_text() + "notes: edited after the fit\n")
    stale = analyze_arrhenius(config)
    assert stale.written == ["B-003"]
    env = json.loads(result.read_text())
    assert "results/eis/EIS-013.json" not in {i["path"] for i in env["inputs"]}
    assert env["result"]["fits"] == sample_arrhenius_fits(_points(config, SPECTRA[:5]))
    # down to one temperature: no fit, and the file goes
    for rid in SPECTRA[1:6]:
        (config.results_dir / "eis" / f"{rid}.json").unlink()
    gone = analyze_arrhenius(config)
    assert gone.removed == ["B-003"] and not result.exists()


def test_the_ingest_loads_the_fit_with_its_inputs(fitted) -> None:  # type: ignore[no-untyped-def]
    project, _run = fitted
    config = project.config()
    ingest(config)
    env = json.loads((config.results_dir / "arrhenius" / "B-003.json").read_text())
    loaded = rows(
        config.database_url,
        "SELECT sample, quantity, form, n_points, t_min_c, t_max_c, ea_ev, ea_stderr_ev,"
        " r_squared, eis_ids FROM arrhenius_fit ORDER BY quantity DESC",
    )
    keys = ("sample", "quantity", "form", "n_points", "t_min_c", "t_max_c", "ea_ev")
    keys += ("ea_stderr_ev", "r_squared", "eis_ids")
    assert [dict(zip(keys, r, strict=True)) for r in loaded] == env["result"]["fits"]
    [(inputs, current)] = rows(
        config.database_url,
        "SELECT inputs_json, current FROM analysis_run WHERE analysis = 'arrhenius'",
    )
    assert json.loads(inputs) == env["inputs"] and current
    assert rows(
        config.database_url, "SELECT ea_total_ev FROM batch_synthesis WHERE batch_id = 'B-003'"
    ) == [(env["result"]["fits"][0]["ea_ev"],)]


def test_unchanged_files_are_not_read_again(fitted, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import labledger.analyses.arrhenius as module

    project, _run = fitted
    config = project.config()
    read: list[str] = []
    real = module._read_result
    monkeypatch.setattr(module, "_read_result", lambda path: read.append(path.stem) or real(path))
    # the sample's record is the one its previous result names: the store is not walked
    monkeypatch.setattr(module, "discover", lambda _folder: pytest.fail("walked the store"))
    assert analyze_arrhenius(config).kept == ["B-003"]
    assert read == []  # every result file's size and mtime are those of the cache
    (config.results_dir / "eis" / "EIS-003.json").touch()
    assert analyze_arrhenius(config).kept == ["B-003"]
    assert read == ["EIS-003"]
