"""The whole-pattern fit's parameters: the shared ones' names, every bound, the convergence
setting, and `FitState`, what a finished fit knows (the model itself is `labledger.xrd.fit`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Bounds on nonlinear parameters (deg, deg^2, fraction): wide enough for any sane scan.
ZERO_BOUND_DEG = 0.5
DISPLACEMENT_BOUND_DEG = 0.5
STRAIN_BOUND = 0.03
ANGLE_BOUND_DEG = 3.0
W_BOUNDS = (1e-5, 0.5)
U_BOUNDS = (0.0, 0.5)
SIZE_WIDTH_BOUNDS = (0.0, 1.0)
PO_BOUNDS = (0.4, 2.5)
# Asymmetry: the split s of the two halves saturates at S_MAX (one half then has 1.8x, the
# other 0.2x the mean FWHM); A itself is bounded where s at 2theta = 20 deg is ~0.8 already.
S_MAX = 0.8
ASYMMETRY_BOUND = 0.5
SHARED_PARAMS = ("zero_deg", "displacement_deg", "W", "U", "eta", "asymmetry")
N_SHARED = len(SHARED_PARAMS)
# Convergence: a step that lowers chi^2 by less than this fraction of it ends the fit.
FIT_FTOL = 1e-7


@dataclass
class FitState:
    """Everything a finished fit knows; `WholePatternFit.fit` returns it."""

    theta: np.ndarray
    coeffs: np.ndarray  # phase scales then background coefficients
    model: np.ndarray
    phase_patterns: np.ndarray  # N x P, unit scale
    chi2: float
    n_params: int
    cov_linear: np.ndarray
    cov_theta: np.ndarray | None
    lattices: list[np.ndarray]
    lattice_esd: list[np.ndarray]
    nfev: int = 0
    names: list[str] = field(default_factory=list)
