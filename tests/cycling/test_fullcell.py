"""Full and anode-free cell analysis on records with known capacities."""

from __future__ import annotations

import numpy as np
import pytest

from labledger.cycling import CyclingAnalysisError, analyze_cycling
from labledger.demo.cycling_synthetic import (
    Segment,
    build_table,
    write_arbin_csv,
    write_generic_csv,
)


def _full_record(q_ch, q_dis, charge_mA=0.452, discharge_mA=1.13):
    segs = []
    for i, (qc, qd) in enumerate(zip(q_ch, q_dis, strict=True)):
        segs.append(Segment(i + 1, charge_mA, qc, lambda x: 3.6 + 0.7 * x, 15, protocol_step=1))
        segs.append(Segment(i + 1, -discharge_mA, qd, lambda x: 4.2 - 1.2 * x**2, 15,
                            protocol_step=2))  # fmt: skip
    return build_table(segs)


@pytest.fixture
def fading(tmp_path):
    n = 120
    rng = np.random.default_rng(11)
    retention = np.where(np.arange(1, n + 1) <= 40, 1.0, 1.0 - 0.01 * (np.arange(1, n + 1) - 40))
    q_dis = 2.2 * retention * (1 + rng.normal(0, 0.001, n))
    ce = 0.995 + rng.normal(0, 0.001, n)
    ce[0] = 0.86
    q_ch = q_dis / ce
    frame = _full_record(q_ch, q_dis)
    return write_arbin_csv(frame, tmp_path / "fading.csv"), q_ch, q_dis


def test_retention_cycle_life_and_ce(fading):
    path, q_ch, q_dis = fading
    result = analyze_cycling(path, "full", area_cm2=1.13)
    c = result.cycles
    np.testing.assert_allclose(c["q_discharge_mAh"], q_dis, rtol=1e-7)
    np.testing.assert_allclose(c["ce"], q_dis / q_ch, atol=1e-6)
    retention = q_dis / q_dis[0]
    np.testing.assert_allclose(c["retention"], retention, atol=1e-6)
    expected_life = int(np.flatnonzero(retention[1:] < 0.8)[0]) + 2
    assert result.cycle_life == expected_life
    assert result.reference_cycle == 1
    ce = q_dis / q_ch
    assert result.window == (2, 120)
    assert result.mean_ce == pytest.approx(ce[1:].mean(), abs=1e-7)
    d = result.to_dict()
    assert d["reference_cycle"] == 1
    assert d["window"]["first"] == 2 and d["window"]["last"] == 120
    assert d["summary"]["cycle_life"] == expected_life


def test_reference_cycle_changes_retention_and_life(fading):
    path, _, q_dis = fading
    result = analyze_cycling(path, "full", reference_cycle=5)
    retention = q_dis / q_dis[4]
    np.testing.assert_allclose(result.cycles["retention"], retention, atol=1e-6)
    assert result.cycle_life == int(np.flatnonzero(retention[5:] < 0.8)[0]) + 6
    with pytest.raises(CyclingAnalysisError, match="reference cycle 500"):
        analyze_cycling(path, "full", reference_cycle=500)


def test_average_discharge_voltage_is_energy_over_capacity(tmp_path):
    q = np.full(4, 2.0)
    frame = _full_record(q / 0.99, q)
    path = write_generic_csv(frame, tmp_path / "v.csv", digits=17)
    result = analyze_cycling(path, "full")
    # the discrete energy sum of V(x) = 4.2 - 1.2 x^2 over the 15 sampled points
    x = np.linspace(1 / 15, 1, 15)
    expected = float(np.mean(4.2 - 1.2 * x**2))
    np.testing.assert_allclose(result.cycles["avg_discharge_V"], expected, atol=1e-9)
    assert result.cycle_life is None
    assert any("not reached" in n for n in result.notes)


def test_anode_free_and_type_errors(fading):
    path, _, _ = fading
    assert analyze_cycling(path, "anode-free").to_dict()["cell_type"] == "anode-free"
    with pytest.raises(CyclingAnalysisError, match="cell type"):
        analyze_cycling(path, "symmetric")
    with pytest.raises(CyclingAnalysisError, match="reference cycle applies"):
        analyze_cycling(path, "half", reference_cycle=3)
