"""Real scans from public repositories (tests/xrd/real, see SOURCES.md): reading and verdict.

Reading facts come from expected.json (make_expected.py: xrayutilities, numpy, the files' own
XML), phase expectations from expected.yaml (the sources' own descriptions).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

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


def test_result_says_which_wavelength_was_assumed(results):
    d = results("xrd-autoanalyzer/TiO2.xy").to_dict()
    assert d["source"]["wavelength"]["stated_in_file"] is False
    assert "assumed" in d["verdict"]["wavelength_note"]
    d = results("datalab/TiO2.raw").to_dict()
    assert "stated in the file" in d["verdict"]["wavelength_note"]
