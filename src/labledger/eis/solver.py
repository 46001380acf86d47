"""The least-squares core of the circuit fit: parameter transform and Levenberg-Marquardt."""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from labledger.eis.circuit import Circuit
from labledger.eis.starts import EXPONENT_MIN

__all__ = ["LM_TOL", "Transform", "solve", "solve_bounded", "uncertainty"]

LM_TOL = 1e-8
"""Relative tolerance on chi2 and on the fit variables (ln p) for Levenberg-Marquardt: far below
the 0.1 % level that matters for resistances and below the agreement test AGREE_RTOL."""


DEAD_COLUMN_RTOL = 1e-9
"""A parameter whose Jacobian column is below 1e-9 of the largest no longer changes the model
(its element ran to a bound): it has no standard error."""


class Transform:
    """Maps parameters p to unbounded fit variables x and back: x = ln(p) for magnitudes,
    x = logit((n - EXPONENT_MIN)/(1 - EXPONENT_MIN)) for CPE-type exponents n."""

    def __init__(self, circuit: Circuit) -> None:
        self.ei = np.flatnonzero(circuit.is_exponent)
        self.span = 1.0 - EXPONENT_MIN

    def to_x(self, p: np.ndarray) -> np.ndarray:
        x = np.log(np.maximum(np.asarray(p, dtype=float), 1e-300))
        if self.ei.size:
            u = (np.asarray(p, dtype=float)[self.ei] - EXPONENT_MIN) / self.span
            u = np.minimum(np.maximum(u, 1e-6), 1 - 1e-9)
            x[self.ei] = np.log(u / (1 - u))
        return x

    def to_p(self, x: np.ndarray) -> np.ndarray:
        p = np.exp(np.minimum(x, 700.0))
        if self.ei.size:
            p[self.ei] = EXPONENT_MIN + self.span / (1 + np.exp(-np.maximum(x[self.ei], -700.0)))
        return p

    def dp_dx(self, x: np.ndarray) -> np.ndarray:
        d = np.exp(np.minimum(x, 700.0))
        if self.ei.size:
            e = np.exp(-np.maximum(x[self.ei], -700.0))
            d[self.ei] = self.span * e / (1 + e) ** 2
        return d


def solve(circuit: Circuit, tr: Transform, f, Z, wgt, x0, max_nfev: int):
    """Levenberg-Marquardt from x0 on residuals (Z_model - Z) * wgt (real and imaginary parts
    stacked), analytic Jacobian; returns scipy's OptimizeResult."""
    zr = np.concatenate([Z.real, Z.imag])
    cache: dict = {}

    def model(x):
        key = x.tobytes()
        if key not in cache:
            cache.clear()
            cache[key] = circuit.impedance_and_jacobian(tr.to_p(x), f)
        return cache[key]

    def resid(x):
        zm, _ = model(x)
        r = (np.concatenate([zm.real, zm.imag]) - zr) * wgt
        return np.where(np.isfinite(r), r, 1e10)

    def jac(x):
        _, dz = model(x)
        j = np.vstack([dz.real, dz.imag]) * wgt[:, None] * tr.dp_dx(x)[None, :]
        return np.where(np.isfinite(j), j, 0.0)

    return least_squares(
        resid, x0, jac=jac, method="lm", max_nfev=max_nfev, xtol=LM_TOL, ftol=LM_TOL
    )


def solve_bounded(circuit: Circuit, f, Z, wgt, p0, max_nfev: int):
    """impedance.py's way of fitting, on our compiled circuit: trust-region reflective least
    squares in the linear parameters, bounded to [0, inf) (exponents to [EXPONENT_MIN, 1]),
    from p0. Its path through parameter space differs from the log-parameter
    Levenberg-Marquardt and sometimes ends in a lower minimum; returns the parameters."""
    zr = np.concatenate([Z.real, Z.imag])
    lo = np.where(circuit.is_exponent, EXPONENT_MIN, 0.0)
    hi = np.where(circuit.is_exponent, 1.0, np.inf)
    p0 = np.clip(np.asarray(p0, dtype=float), lo + 1e-12, np.where(np.isfinite(hi), hi, np.inf))

    def resid(p):
        zm = circuit.impedance(p, f)
        r = (np.concatenate([zm.real, zm.imag]) - zr) * wgt
        return np.where(np.isfinite(r), r, 1e10)

    def jac(p):
        _, dz = circuit.impedance_and_jacobian(p, f)
        j = np.vstack([dz.real, dz.imag]) * wgt[:, None]
        return np.where(np.isfinite(j), j, 0.0)

    res = least_squares(
        resid,
        p0,
        jac=jac,
        bounds=(lo, hi),
        method="trf",
        max_nfev=max_nfev,
        x_scale="jac",
        ftol=1e-12,
        xtol=1e-12,
    )
    return res.x


def uncertainty(cir: Circuit, tr: Transform, res, n_used: int):
    """(stderr, covariance) of the parameters from the Jacobian at the solution.

    Parameters the model no longer depends on (an element run to a bound: its Jacobian column
    vanishes) get NaN and are left out, so that the others keep their uncertainties; exact
    degeneracies among the rest (resistors in series) are resolved by the pseudo-inverse, which
    gives their sum its proper variance (the parts are reported as not determined)."""
    chi2 = float(2 * res.cost)
    dof = 2 * n_used - cir.n_params
    stderr = np.full(cir.n_params, np.nan)
    cov_p = np.full((cir.n_params, cir.n_params), np.nan)
    jac = np.asarray(res.jac, dtype=float)
    norms = np.linalg.norm(jac, axis=0)
    alive = np.isfinite(norms) & (norms > DEAD_COLUMN_RTOL * np.nanmax(norms, initial=0.0))
    if dof <= 0 or not alive.any():
        return stderr, cov_p
    ja = jac[:, alive]
    try:
        cov = np.linalg.pinv(ja.T @ ja, rcond=1e-13, hermitian=True) * (chi2 / dof)
    except np.linalg.LinAlgError:
        return stderr, cov_p
    d = tr.dp_dx(res.x)[alive]
    idx = np.flatnonzero(alive)
    cov_p[np.ix_(idx, idx)] = cov * np.outer(d, d)
    var = np.diag(cov_p)
    ok = np.isfinite(var) & (var >= 0)
    stderr[ok] = np.sqrt(var[ok])
    return stderr, cov_p
