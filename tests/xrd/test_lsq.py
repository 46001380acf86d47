"""The bounded least-squares solver against scipy.optimize.least_squares on the same problems."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import least_squares

from labledger.xrd.lsq import least_squares_bounded

T = np.linspace(0, 4, 60)
Y = 3.0 * np.exp(-1.3 * T) + 0.5 + np.random.default_rng(3).normal(0, 0.01, T.size)


def residual(p: np.ndarray) -> np.ndarray:
    return p[0] * np.exp(-p[1] * T) + p[2] - Y


def jacobian(p: np.ndarray) -> np.ndarray:
    e = np.exp(-p[1] * T)
    return np.column_stack([e, -p[0] * T * e, np.ones_like(T)])


@pytest.mark.parametrize(
    ("lo", "hi"),
    [
        ([0, 0, -1], [10, 5, 2]),  # optimum inside the bounds
        ([0, 0, -1], [10, 5, 0.4]),  # offset held at its upper bound
        ([0, 1.5, -1], [10, 5, 2]),  # rate held at its lower bound
    ],
)
def test_same_minimum_as_scipy(lo, hi):
    lo, hi = np.array(lo, float), np.array(hi, float)
    x0 = np.array([1.0, 3.0, 0.0])
    ours = least_squares_bounded(residual, jacobian, x0, lo, hi, max_nfev=200, ftol=1e-12)
    ref = least_squares(residual, x0, jac=jacobian, bounds=(lo, hi), ftol=1e-12, xtol=1e-12)
    np.testing.assert_allclose(ours.x, ref.x, rtol=1e-5, atol=1e-7)
    assert ours.cost == pytest.approx(ref.cost, rel=1e-6)
    assert np.all(ours.x >= lo) and np.all(ours.x <= hi)
    np.testing.assert_allclose(ours.jac, jacobian(ours.x))


def test_stops_at_max_nfev():
    x0 = np.array([1.0, 3.0, 0.0])
    lo, hi = np.array([0, 0, -1.0]), np.array([10, 5, 2.0])
    res = least_squares_bounded(residual, jacobian, x0, lo, hi, max_nfev=3)
    assert res.nfev == 3
