"""Real scans from public repositories (tests/xrd/real, see SOURCES.md): reading and verdict.

Reading facts come from expected.json (make_expected.py: xrayutilities, numpy, the files' own
XML), phase expectations from expected.yaml (the sources' own descriptions).
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from labledger.errors import InputFileError
from labledger.xrd.analysis import analyze_scan
from labledger.xrd.readers import read_scan

REAL = Path(__file__).parent / "real"
EXPECTED = yaml.safe_load((REAL / "expected.yaml").read_text())
FACTS = json.loads((REAL / "expected.json").read_text())
NAMES = sorted(EXPECTED)


def _formula(text: str) -> str:
    """'Li2Ti1O3' -> 'Li2TiO3' (the references spell out counts of one)."""
    return re.sub(r"(?<=[A-Za-z])1(?!\d)", "", text)


@pytest.fixture(scope="module")
def results(refs):
    """Each scan analysed once with every shipped candidate phase."""
    cache: dict = {}

    def get(name: str):
        if name not in cache:
            cache[name] = analyze_scan(read_scan(REAL / name), refs)
        return cache[name]

    return get


@pytest.mark.parametrize("name", NAMES)
def test_reading_matches_reference(name):
    scan = read_scan(REAL / name)
    facts, exp = FACTS[name], EXPECTED[name]
    if facts["n_points"] is not None:
        assert scan.n_points == facts["n_points"]
        assert scan.two_theta_deg[0] == pytest.approx(facts["first"], abs=1e-6)
        assert scan.two_theta_deg[-1] == pytest.approx(facts["last"], abs=1e-6)
    if facts["ka1"] is not None:
        assert scan.wavelength.ka1_a == pytest.approx(facts["ka1"])
    assert scan.wavelength.ka1_a == pytest.approx(exp["wavelength_A"])
    assert scan.wavelength.stated is exp["wavelength_stated"]


def test_third_column_that_is_not_sigma_is_not_used_as_sigma():
    scan = read_scan(REAL / "xrd-autoanalyzer" / "Mn2O3+LiF.xy")
    assert scan.sigma is None
    assert "third column" in scan.metadata.get("note", "")
    assert read_scan(REAL / "datalab" / "example_bmb.xye").sigma is not None


@pytest.mark.parametrize("name", [n for n in NAMES if EXPECTED[n]["verdict"] != "not_asserted"])
def test_verdict_matches_source(results, name):
    exp = EXPECTED[name]
    result = results(name)
    verdict = result.verdict
    formulas = {p.name: _formula(p.formula) for p in result.phases}
    if exp["verdict"] == "explained":
        assert verdict["status"] == "explained", verdict
        assert result.phases, "no phase reported"
        assert set(formulas.values()) <= set(exp["formulas"]), formulas
        assert all(p.wt_percent is not None for p in result.phases)
    else:
        assert verdict["status"] == "not_explained", (formulas, verdict)
        assert verdict["summary"] == "no listed phase explains this scan"
        assert set(formulas.values()) <= set(exp["may_report"]), formulas
        assert all(p.wt_percent is None for p in result.phases)
    rejected = [c for c in result.candidates if not c.kept]
    assert all(c.reason for c in rejected)


def test_unexplained_peaks_are_listed(results):
    verdict = results("xrd-autoanalyzer/TiO2+MnO.xy").verdict
    peaks = verdict["unexplained_peaks"]
    assert peaks, verdict
    # MnO (rock salt, a = 4.445 A): (111) 2.566 A, (200) 2.222 A, (220) 1.571 A
    d = [p["d_A"] for p in peaks]
    assert any(abs(x - 2.222) < 0.02 for x in d), d


def test_peak_free_scan_reports_no_phase(results):
    result = results("xrd-autoanalyzer/RMS-D8-ADS-15-Glass-LynxEyeXE-bkgr.xy")
    assert result.phases == []
    assert result.to_dict()["phases_detected"] == []


def test_peak_free_scan_fits_no_candidate(results):
    """Nothing above the counting noise over the background: no candidate is fitted to noise."""
    result = results("xrd-autoanalyzer/RMS-D8-ADS-15-Glass-LynxEyeXE-bkgr.xy").to_dict()
    assert result["verdict"]["reasons"] == ["no diffraction peak stands above the counting noise"]
    assert {c["reason"] for c in result["candidates"]} == {
        "not tried: no diffraction peak stands above the counting noise"
    }


def test_one_weak_peak_on_the_peak_free_scan_is_not_taken_for_noise(refs):
    """The same glass scan with one weak reflection added (d 2.80 A, net height 20 sigma of its
    background) is analysed and the reflection is listed as unexplained."""
    scan = read_scan(REAL / "xrd-autoanalyzer/RMS-D8-ADS-15-Glass-LynxEyeXE-bkgr.xy")
    x = scan.two_theta_deg
    at = 31.94  # d 2.80 A for Cu Ka1
    level = float(np.median(scan.counts[np.abs(x - at) < 1.0]))
    width = 0.08  # FWHM, deg
    peak = 20 * np.sqrt(level) * np.exp(-4 * np.log(2) * ((x - at) / width) ** 2)
    rng = np.random.default_rng(3)
    counts = rng.poisson(np.clip(scan.counts, 0, None) + peak).astype(float)
    result = analyze_scan(dataclasses.replace(scan, counts=counts), refs).to_dict()
    reasons = {c["reason"] for c in result["candidates"]}
    assert "not tried: no diffraction peak stands above the counting noise" not in reasons
    assert result["verdict"]["status"] == "not_explained"
    listed = [p["two_theta_deg"] for p in result["verdict"]["unexplained_peaks"]]
    assert any(abs(t - at) < 0.1 for t in listed), result["verdict"]


def test_result_says_which_wavelength_was_assumed(results):
    d = results("xrd-autoanalyzer/TiO2.xy").to_dict()
    assert d["source"]["wavelength"]["stated_in_file"] is False
    assert "assumed" in d["verdict"]["wavelength_note"]
    d = results("datalab/TiO2.raw").to_dict()
    assert "stated in the file" in d["verdict"]["wavelength_note"]


def _two_scan_ras(tmp_path):
    """The real RAS scan twice in one file, the second with Co radiation (a SmartLab file
    can hold several scans, each with its own header)."""
    text = (REAL / "pyscattdata" / "TiO2-1-3h.ras").read_bytes().decode("latin-1")
    start, end = text.index("*RAS_HEADER_START"), text.index("*RAS_INT_END") + len("*RAS_INT_END")
    block = text[start:end]
    second = block.replace(
        '*HW_XG_WAVE_LENGTH_ALPHA1 "1.540593"', '*HW_XG_WAVE_LENGTH_ALPHA1 "1.78897"'
    )
    assert second != block
    path = tmp_path / "two.ras"
    path.write_bytes((text[:end] + "\n" + second + text[end:]).encode("latin-1"))
    return path


def test_every_scan_of_a_multi_scan_ras_is_read(tmp_path):
    from labledger.xrd.readers import read_scans

    path = _two_scan_ras(tmp_path)
    scans = read_scans(path)
    assert len(scans) == 2
    assert [s.metadata["scans_in_file"] for s in scans] == ["2", "2"]
    assert scans[0].wavelength.ka1_a == pytest.approx(1.540593)
    assert scans[1].wavelength.ka1_a == pytest.approx(1.78897)
    assert read_scan(path, scan_index=1).summary()["scan_index"] == 1
    assert scans[1].n_points == FACTS["pyscattdata/TiO2-1-3h.ras"]["n_points"]
    with pytest.raises(InputFileError, match="holds 2 scan"):
        read_scan(path, scan_index=2)


def test_every_scan_of_a_multi_scan_xrdml_is_read(tmp_path):
    from labledger.xrd.readers import read_scans

    text = (REAL / "datalab" / "HL1-2_5-90_60min.xrdml").read_text()
    start = text.index("<scan ")
    end = text.index("</scan>") + len("</scan>")
    path = tmp_path / "two.xrdml"
    path.write_text(text[:end] + text[start:end] + text[end:])
    scans = read_scans(path)
    assert len(scans) == 2
    assert all(s.n_points == FACTS["datalab/HL1-2_5-90_60min.xrdml"]["n_points"] for s in scans)


def test_cli_analyses_every_scan_and_takes_a_wavelength(tmp_path):
    from typer.testing import CliRunner

    from labledger.cli.xrd import app

    path = _two_scan_ras(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["analyze", str(path), "--only-phases", "rutile,anatase", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert [d["source"]["scan_index"] for d in doc["scans"]] == [0, 1]
    assert doc["scans"][1]["verdict"]["scan_note"] == "scan 2 of the 2 in the file"
    # the same scan, told it was Co Ka: other cells, and the note says what was assumed
    xy = REAL / "xrd-autoanalyzer" / "TiO2.xy"
    args = ["analyze", str(xy), "--only-phases", "anatase", "--json"]
    cu = json.loads(runner.invoke(app, args).output)
    co = json.loads(runner.invoke(app, [*args, "--wavelength", "Co"]).output)
    assert "Cu Ka assumed" in cu["verdict"]["wavelength_note"]
    assert "Co as given (assumed)" in co["verdict"]["wavelength_note"]
    assert co["source"]["wavelength"]["ka1_A"] == pytest.approx(1.78897)
    res = runner.invoke(app, [*args, "--wavelength", "0"])
    assert res.exit_code == 1 and "wavelength 0 A" in res.output


def test_cli_says_no_listed_phase_with_exit_status_0():
    from typer.testing import CliRunner

    from labledger.cli.xrd import app

    res = CliRunner().invoke(app, ["analyze", str(REAL / "datalab" / "example_bmb.xye")])
    assert res.exit_code == 0, res.output
    assert "no listed phase explains this scan" in res.output
    assert "Ka1 0.414581 A only (no Ka2), stated in the file" in res.output


def test_database_rows_of_an_unexplained_scan(results):
    from labledger.db.kind_results.xrd import RESULTS

    doc = results("xrd-autoanalyzer/TiO2+MnO.xy").to_dict()
    rows = {t.name: v for t, v in RESULTS.rows(1, {"result": doc, "record_id": "X"}).items()}
    (summary,) = rows["xrd_result"]
    assert summary["verdict"] == "not_explained"
    assert "2.222 A" in summary["unexplained_peaks"]
    assert all(p["wt_pct"] is None for p in rows["xrd_phase"])


@pytest.mark.parametrize(
    ("radiation", "spec"),
    [
        ("Cu Ka", "Cu"),
        ("Co Ka1", "Co"),
        ("CuKa", "Cu"),
        ("0.4146 A", "0.4146"),
        ("synchrotron", None),
    ],
)
def test_record_radiation_gives_the_assumed_wavelength(radiation, spec):
    from labledger.analyses.xrd import record_wavelength
    from labledger.xrd.readers import assume_wavelength

    assert record_wavelength(radiation) == spec
    scan = read_scan(REAL / "xrd-autoanalyzer" / "MnO.xy")
    if spec == "Co":
        assert assume_wavelength(scan, spec).wavelength.ka1_a == pytest.approx(1.78897)
    stated = read_scan(REAL / "datalab" / "TiO2.raw")
    assert assume_wavelength(stated, "Co") is stated  # a stated wavelength is kept


def test_every_scan_of_a_multi_scan_brml_is_read(tmp_path):
    import zipfile

    from labledger.xrd.readers import read_scans

    src = REAL / "datalab" / "TiOF.brml"
    path = tmp_path / "two.brml"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, zin.read(item))
        zout.writestr("Experiment0/RawData1.xml", zin.read("Experiment0/RawData0.xml"))
    scans = read_scans(path)
    assert [s.metadata["member"] for s in scans] == [
        "Experiment0/RawData0.xml",
        "Experiment0/RawData1.xml",
    ]
    assert all(s.n_points == FACTS["datalab/TiOF.brml"]["n_points"] for s in scans)
