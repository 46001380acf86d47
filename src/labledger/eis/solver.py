"""The least-squares core of the circuit fit: parameter transform and Levenberg-Marquardt."""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from labledger.eis.circuit import Circuit
from labledger.eis.starts import EXPONENT_MIN

__all__ = ["LM_TOL", "Transform", "solve"]

LM_TOL = 1e-8
"""Relative tolerance on chi2 and on the fit variables (ln p) for Levenberg-Marquardt: far below
the 0.1 % level that matters for resistances and below the agreement test AGREE_RTOL."""


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
