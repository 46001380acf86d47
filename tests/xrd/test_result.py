"""The result object: JSON-safe to_dict, Hill-Howard fractions, plot output."""

from __future__ import annotations

import json

import numpy as np
import pytest

from labledger.xrd.analysis import analyze_scan
from labledger.xrd.fit import WholePatternFit
from labledger.xrd.refdata import cell_volume
from labledger.xrd.scan import Scan, Wavelength


@pytest.fixture(scope="module")
def two_phase(refs):
    """LLTO + 10 wt % rutile made with the forward model (known scales), fitted back."""
    tt = np.round(np.arange(10, 80.0001, 0.02), 4)
    chosen = [refs["LLTO_tetragonal"], refs["rutile"]]
    model = WholePatternFit(Scan(tt, np.ones_like(tt), None, Wavelength(stated=True)), chosen)
    theta = model.initial_theta()
    cols, _ = model.evaluate(theta, derivatives=False)
    wt = np.array([0.9, 0.1])
    mv = np.array([r.cell_mass * cell_volume(r.lattice) for r in chosen])
    scales = wt / mv
    scales *= 12000 / (cols @ scales).max()
    counts = np.random.default_rng(3).poisson(cols @ scales + 250).astype(float)
    scan = Scan(tt, counts, None, Wavelength(stated=True), "xy", "mem")
    return analyze_scan(scan, {r.name: r for r in chosen}), scales


def test_hill_howard(two_phase):
    result, _ = two_phase
    by = {p.name: p for p in result.phases}
    w = {n: p.scale * p.cell_mass_amu * p.cell_volume_A3 for n, p in by.items()}
    total = sum(w.values())
    for n, p in by.items():
        assert p.wt_percent == pytest.approx(100 * w[n] / total, rel=1e-9)
    assert by["rutile"].wt_percent == pytest.approx(10.0, abs=0.5)
    assert 0 < by["rutile"].wt_percent_esd < 1


def test_to_dict_is_plain_json(two_phase):
    result, _ = two_phase
    d = result.to_dict()
    text = json.dumps(d, allow_nan=False)
    back = json.loads(text)
    assert back["phases_detected"] == ["LLTO_tetragonal", "rutile"]
    llto = back["phases"][0]
    assert {"a_A", "c_A", "a_A_esd", "c_A_esd"} <= set(llto["lattice"])
    assert "b_A" not in llto["lattice"]
    assert set(back["references"]["rutile"]) == {"cif_sha256", "code_version", "cif"}
    assert set(back["references"]) == {"LLTO_tetragonal", "rutile"}  # every candidate
    for key in ("rwp_percent", "gof", "zero_shift_deg", "analysis_version", "candidates"):
        assert key in back


def test_plot_svg(tmp_path, two_phase):
    from labledger.xrd.plot import plot_result

    result, _ = two_phase
    out = plot_result(result, tmp_path / "fit.svg")
    text = out.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "rutile" in text
