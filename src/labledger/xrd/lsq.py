"""Bounded nonlinear least squares: a scaled Levenberg-Marquardt step, numpy only.

Written here rather than using scipy.optimize.least_squares because importing scipy.optimize
costs ~0.3 s, a third of a whole per-scan analysis run; the fits here have 10-25 parameters and
an analytic Jacobian, for which a Levenberg-Marquardt step on J^T J (More's column scaling),
with bounds kept by projection and an active set, is all that is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# Initial damping relative to the scaled curvature, and its bounds.
_LAMBDA0 = 1e-3
_LAMBDA_MIN, _LAMBDA_MAX = 1e-12, 1e12


@dataclass
class LsqResult:
    """Solution `x`, the Jacobian there, the number of residual evaluations, 0.5 |r|^2."""

    x: np.ndarray
    jac: np.ndarray
    nfev: int
    cost: float


def least_squares_bounded(
    fun: Callable[[np.ndarray], np.ndarray],
    jac: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    max_nfev: int = 60,
    xtol: float = 1e-6,
    ftol: float = 1e-7,
) -> LsqResult:
    """Minimise 0.5 |fun(x)|^2 for lo <= x <= hi from `x0`.

    Stops when a successful step lowers the cost by less than `ftol` of it, when a step is
    shorter than `xtol` (|dx| < xtol (xtol + |x|), as scipy's), or after `max_nfev` residuals.
    """
    x = np.clip(np.asarray(x0, float), lo, hi)
    r = fun(x)
    nfev = 1
    cost = 0.5 * float(r @ r)
    j = jac(x)
    scale = np.zeros_like(x)  # More's scaling: the largest column norm of J seen so far
    lam = _LAMBDA0
    while nfev < max_nfev:
        g = j.T @ r
        a = j.T @ j
        scale = np.maximum(scale, np.sqrt(np.diag(a)))
        scale[scale == 0] = 1.0
        # a parameter at a bound whose gradient pushes it outwards stays there this step
        held = ((x <= lo) & (g > 0)) | ((x >= hi) & (g < 0))
        free = ~held
        if not np.any(free):
            break
        step = np.zeros_like(x)
        af = a[np.ix_(free, free)]
        damp = lam * np.diag(scale[free] ** 2)
        try:
            step[free] = np.linalg.solve(af + damp, -g[free])
        except np.linalg.LinAlgError:
            step[free] = -np.linalg.lstsq(af + damp, g[free], rcond=None)[0]
        x_new = np.clip(x + step, lo, hi)
        s = x_new - x
        small_step = np.linalg.norm(s) < xtol * (xtol + np.linalg.norm(x))
        predicted = -(g @ s + 0.5 * s @ a @ s)
        r_new = fun(x_new)
        nfev += 1
        cost_new = 0.5 * float(r_new @ r_new)
        actual = cost - cost_new
        rho = actual / predicted if predicted > 0 else -1.0
        if rho > 0.75:
            lam = max(lam / 3, _LAMBDA_MIN)
        elif rho < 0.25:
            lam = min(lam * 4, _LAMBDA_MAX)
        if actual > 0:
            x, r, cost_old, cost = x_new, r_new, cost, cost_new
            j = jac(x)
            if actual < ftol * cost_old or small_step:
                break
        elif small_step:
            break
    return LsqResult(x=x, jac=j, nfev=nfev, cost=cost)
