"""Arrhenius fits: known activation energies come back, with honest uncertainties."""

from __future__ import annotations

import numpy as np
import pytest

from labledger.eis.arrhenius import K_B_EV_PER_K, arrhenius, arrhenius_of_results


def _sigma(ea, temps_c, a=1e3):
    t = np.asarray(temps_c) + 273.15
    return a * np.exp(-ea / (K_B_EV_PER_K * t)) / t


def test_exact_data_give_exact_ea():
    temps = [-20, 0, 25, 50, 75, 100]
    r = arrhenius(temps, _sigma(0.40, temps))
    assert r.Ea_eV == pytest.approx(0.40, rel=1e-9)
    assert r.Ea_stderr_eV == pytest.approx(0.0, abs=1e-9)
    assert r.prefactor_S_K_cm == pytest.approx(1e3, rel=1e-9)
    assert r.form == "sigma*T"
    assert r.sigma_at(25) == pytest.approx(_sigma(0.40, [25])[0], rel=1e-9)
    assert r.to_dict()["form"] == "sigma*T"


def test_noisy_data_uncertainty_covers_truth():
    rng = np.random.default_rng(1)
    temps = np.linspace(-20, 100, 7)
    hits = 0
    for _ in range(50):
        s = _sigma(0.35, temps) * np.exp(0.03 * rng.standard_normal(temps.size))
        r = arrhenius(temps, s)
        hits += abs(r.Ea_eV - 0.35) < 2 * r.Ea_stderr_eV
    assert hits >= 40  # ~95 % expected within 2 sigma (t distribution, 5 dof: ~90 %)


def test_missing_values_are_skipped_and_two_points_have_no_stderr():
    r = arrhenius([-20, 0, 25], [_sigma(0.4, [-20])[0], _sigma(0.4, [0])[0], None])
    assert r.n_points == 2
    assert r.Ea_stderr_eV is None
    assert any("skipped 25" in n for n in r.notes)


def test_too_few_points():
    with pytest.raises(ValueError, match="two or more temperatures"):
        arrhenius([25, 50], [1e-4, None])


def test_of_results_splits_bulk_and_total():
    temps = [-20, 0, 25, 50]
    sb = _sigma(0.4, temps)
    st = _sigma(0.5, temps)
    res = [
        {"temperature_C": t, "sigma_bulk_S_cm": (b if t <= 0 else None), "sigma_total_S_cm": s}
        for t, b, s in zip(temps, sb, st, strict=True)
    ]
    out = arrhenius_of_results(res)
    assert out["bulk"].n_points == 2 and out["bulk"].Ea_eV == pytest.approx(0.4)
    assert out["total"].n_points == 4 and out["total"].Ea_eV == pytest.approx(0.5)
    with pytest.raises(ValueError, match="no temperature_C"):
        arrhenius_of_results([{"sigma_total_S_cm": 1e-4}])
