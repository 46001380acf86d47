"""Lin-KK: consistent spectra pass, drifting ones fail, noise level shows in the residuals."""

from __future__ import annotations

import numpy as np
import pytest

from labledger.eis.circuit import Circuit
from labledger.eis.linkk import MU_CUTOFF, lin_kk


@pytest.mark.parametrize(
    ("circuit", "params"),
    [
        ("R0-p(R1,C1)", [10, 100, 1e-6]),
        ("p(R1,CPE1)-p(R2,CPE2)-CPE3", [200, 2e-10, 0.95, 2000, 5e-8, 0.85, 5e-6, 0.9]),
        ("R0-p(R1,CPE1)-W1", [3, 250, 2e-5, 0.85, 40]),
    ],
)
def test_noise_free_model_spectra_are_consistent(circuit, params):
    f = np.logspace(np.log10(7e6), -1, 60)
    z = Circuit(circuit).impedance(np.array(params, dtype=float), f)
    r = lin_kk(f, z)
    assert r.consistent
    assert r.residual_rms < 0.002
    assert r.mu > MU_CUTOFF


def test_noise_level_is_recovered():
    f = np.logspace(np.log10(7e6), -1, 60)
    z = Circuit("R0-p(R1,CPE1)-CPE2").impedance(np.array([20, 500, 1e-7, 0.9, 1e-5, 0.9]), f)
    rng = np.random.default_rng(0)
    noisy = z + 0.005 * np.abs(z) * (rng.standard_normal(60) + 1j * rng.standard_normal(60))
    r = lin_kk(f, noisy)
    assert r.consistent
    assert 0.002 < r.residual_rms < 0.006


def test_drifting_spectrum_is_not_consistent():
    # the resistance grows by 30 % during the sweep (high to low frequency): not stationary
    f = np.logspace(6, -1, 60)
    w = 2 * np.pi * f
    t = np.cumsum(1 / f)
    growth = 1 + 0.3 * t / t[-1]
    z = 10 + 100 * growth / (1 + 1j * w * 100 * growth * 1e-4)
    r = lin_kk(f, z)
    assert not r.consistent
    assert r.residual_max > 0.03
    assert r.suspect_frequencies_Hz
    d = r.to_dict()
    assert d["consistent"] is False and len(d["residuals_real"]) == 60
