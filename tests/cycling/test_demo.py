"""The demo cycling files reproduce the reference-study figures they were built with."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from labledger.cycling import analyze_cycling
from labledger.demo.cycling import AREA_CM2, write_demo_cycling


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    return raw, write_demo_cycling(raw)


def test_demo_cells_and_files(demo):
    raw, cells = demo
    ids = [c.record_id for c in cells]
    assert ids == [f"C-{i:03d}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 13, 14, 9, 10, 11, 12)]
    total = sum((raw / c.file_name).stat().st_size for c in cells)
    assert total < 15e6
    dialects = {c.dialect for c in cells}
    assert {"generic-csv", "chinese-header-csv", "arbin-csv", "land-xlsx"} <= dialects
    for cell in cells:
        if cell.file_name.endswith(".csv"):
            first = (raw / cell.file_name).read_text(encoding="utf-8").splitlines()[0]
            assert first.startswith("# synthetic")
        json.dumps(cell.to_dict(), allow_nan=False)


def test_demo_is_deterministic(demo, tmp_path):
    raw, cells = demo
    again = write_demo_cycling(tmp_path)
    for a, b in zip(cells, again, strict=True):
        if a.file_name.endswith(".csv"):
            h1 = hashlib.sha256((raw / a.file_name).read_bytes()).hexdigest()
            h2 = hashlib.sha256((tmp_path / b.file_name).read_bytes()).hexdigest()
            assert h1 == h2
        assert a.truth == b.truth


def test_half_cells_recover_truth(demo):
    raw, cells = demo
    for cell in (c for c in cells if c.cell_type == "half"):
        result = analyze_cycling(raw / cell.file_name, "half", area_cm2=AREA_CM2,
                                 current_density_mA_cm2=cell.current_density_mA_cm2)  # fmt: skip
        t = cell.truth
        assert result.n_cycles == cell.cycles
        json.dumps(result.to_dict(), allow_nan=False)
        assert result.activation_file_cycles == (1,)
        assert list(result.window) == t["window"]
        np.testing.assert_allclose(result.cycles["ce"], t["ce"], atol=1e-6)
        assert result.mean_ce == pytest.approx(t["mean_ce"], abs=1e-7)
        assert result.pooled_ce == pytest.approx(t["pooled_ce"], abs=1e-7)
        assert result.first_cycle_ce_99 == t["first_cycle_ce_99"]
        assert abs(result.nucleation.eta_mV - t["eta_nuc_mV"]) < 2.0
        assert result.nucleation.current_density_mA_cm2 == pytest.approx(
            cell.current_density_mA_cm2, rel=1e-6
        )
        assert (result.failure.cycle if result.failure else None) == t["failure_cycle"]


def test_headline_figures_of_the_study(demo):
    raw, cells = demo
    by_id = {c.record_id: c for c in cells}

    def half(cid):
        return analyze_cycling(raw / by_id[cid].file_name, "half", area_cm2=AREA_CM2)

    assert round(100 * half("C-004").mean_ce, 2) == 99.24
    assert half("C-004").first_cycle_ce_99 <= 15
    assert not half("C-004").nucleation.notable
    assert round(100 * half("C-005").mean_ce, 2) == 98.97
    assert round(100 * half("C-008").mean_ce, 2) == 98.59
    assert half("C-006").mean_ce > half("C-007").mean_ce
    eta = {cid: half(cid).nucleation.eta_mV for cid in ("C-001", "C-002", "C-003")}
    assert eta["C-001"] > eta["C-002"] > eta["C-003"]
    assert 115 <= half("C-001").failure.cycle <= 125
    assert half("C-013").mean_ce < half("C-004").mean_ce
    assert half("C-014").mean_ce < half("C-004").mean_ce


def test_full_cells_recover_truth(demo):
    raw, cells = demo
    for cell in (c for c in cells if c.cell_type != "half"):
        result = analyze_cycling(raw / cell.file_name, cell.cell_type, area_cm2=AREA_CM2)
        t = cell.truth
        assert result.reference_cycle == t["reference_cycle"]
        json.dumps(result.to_dict(), allow_nan=False)
        assert result.cycle_life == t["cycle_life"]
        np.testing.assert_allclose(result.cycles["retention"], t["retention"], atol=1e-6)
        assert result.mean_ce == pytest.approx(t["mean_ce"], abs=1e-6)
    by_id = {c.record_id: c for c in cells}
    c9 = analyze_cycling(raw / by_id["C-009"].file_name, "full")
    assert c9.n_cycles >= 250 and c9.cycle_life is None
    assert 30 < analyze_cycling(raw / by_id["C-010"].file_name, "full").cycle_life < 100
    assert 185 < analyze_cycling(raw / by_id["C-011"].file_name, "full").cycle_life < 200
    c12 = analyze_cycling(raw / by_id["C-012"].file_name, "anode-free")
    assert c12.cycles["retention"].iloc[99] == pytest.approx(0.42, abs=1e-6)
