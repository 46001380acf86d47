"""The whole-pattern model: analytic Jacobian against finite differences, self-consistent fit."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from labledger.xrd.fit import WholePatternFit
from labledger.xrd.scan import Scan, Wavelength

TT = np.round(np.arange(10, 80.0001, 0.02), 4)


@pytest.fixture(scope="module")
def model_and_truth(refs):
    chosen = [refs["LLTO_tetragonal"], refs["Li2La2Ti3O10"]]
    template = WholePatternFit(Scan(TT, np.ones_like(TT), None, Wavelength(stated=True)), chosen)
    theta = template.initial_theta()
    theta[0] = 0.03
    theta[5] = 0.06  # axial asymmetry: low-angle halves 1.3x wider at 2theta 20 deg
    # anisotropic, but not enough to swap (h00) and (00 2h) of the c ~ 2a cell
    theta[template.phases[0].lat_slice] = [0.002, 0.0025]
    theta[template.phases[1].lat_slice] = [0.001, 0.003]
    theta[template.phases[1].po_index] = 0.8
    cols, _ = template.evaluate(theta, derivatives=False)
    clean = cols @ (np.array([1.0, 0.15]) * 8000 / cols[:, 0].max()) + 300
    counts = np.random.default_rng(11).poisson(clean).astype(float)
    model = WholePatternFit(Scan(TT, counts, None, Wavelength(stated=True)), chosen)
    return model, theta


def test_jacobian_matches_finite_differences(model_and_truth):
    # Profiles cut at +-12 FWHM make the residual jump where a window edge crosses a data
    # point; finite differences see those jumps, so compare with untruncated profiles.
    shared, theta = model_and_truth
    model = copy.copy(shared)  # the fixture's model keeps its window for the other tests
    model.window_fwhm, model._cache_key = 1000.0, None
    t0 = theta.copy()
    t0[0] += 0.005  # off the optimum, so the residual is not small
    jac = model.jacobian(t0)
    r0 = model.residual(t0)
    for i in range(model.n_theta):
        if i == 1:  # displacement: fixed by default, still checked below through zero
            continue
        step = 1e-6 * max(1.0, abs(t0[i]))
        t1 = t0.copy()
        t1[i] += step
        num = (model.residual(t1) - r0) / step
        rel = np.linalg.norm(jac[:, i] - num) / np.linalg.norm(num)
        assert rel < 0.01, (i, rel)


def test_fit_returns_to_the_truth(model_and_truth):
    model, _ = model_and_truth
    state = model.fit(fixed=(1,))
    assert state.chi2 / model.n < 1.1
    np.testing.assert_allclose(
        state.lattices[0][[0, 2]], [3.8688 * 1.002, 7.7462 * 1.0025], rtol=2e-4
    )
    assert state.theta[0] == pytest.approx(0.03, abs=0.01)
    assert state.theta[model.phases[1].po_index] == pytest.approx(0.8, abs=0.05)
    assert state.theta[5] == pytest.approx(0.06, abs=0.01)  # the asymmetry is found


def test_split_profile_keeps_unit_area_and_tails_to_low_angles(refs):
    """An asymmetric line has the area of the symmetric one; below 90 deg its low-angle half
    is the wider one (axial divergence), above 90 deg the high-angle half."""
    tt = np.round(np.arange(5, 150.0001, 0.002), 4)
    model = WholePatternFit(
        Scan(tt, np.ones_like(tt), None, Wavelength(1.5406, None, 0.0, "Cu", True)),
        [refs["LLTO_cubic"]],
        window_fwhm=200.0,
    )
    sym = model.initial_theta()
    asym = sym.copy()
    asym[5] = 0.1
    flat, _ = model.evaluate(sym, derivatives=False)
    tilted, _ = model.evaluate(asym, derivatives=False)
    assert tilted[:, 0].sum() == pytest.approx(flat[:, 0].sum(), rel=1e-3)
    for g in model._peaks(asym, derivatives=False):
        for pos in (g["pos"][g["pos"] < 40][0], g["pos"][g["pos"] > 110][0]):
            near = np.abs(tt - pos) < 0.6
            x, y = tt[near], tilted[near, 0]
            left, right = y[x < pos].sum(), y[x > pos].sum()
            assert (left > 1.05 * right) == (pos < 90), (pos, left, right)


def test_binned_scan_sums_counts_and_adds_sigma_in_quadrature():
    """The screening grid: k points summed into one, a short remainder dropped."""
    tt = np.linspace(10.0, 10.9, 10)
    counts = np.arange(10.0)
    scan = Scan(tt, counts, sigma=np.full(10, 2.0))
    b = scan.binned(3)
    np.testing.assert_allclose(b.two_theta_deg, [10.1, 10.4, 10.7])
    np.testing.assert_allclose(b.counts, [3.0, 12.0, 21.0])
    np.testing.assert_allclose(b.sigma, np.full(3, np.sqrt(12.0)))
    assert Scan(tt, counts).binned(3).sigma is None
    assert scan.binned(1) is scan
