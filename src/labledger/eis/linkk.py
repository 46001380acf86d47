"""Kramers-Kronig check of a spectrum by the Lin-KK method (our own implementation).

`impedance.validation.linKK` fails on numpy 2 (see DESIGN.md), so this is written from the paper.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LinKKResult", "lin_kk"]

MU_CUTOFF = 0.85
"""Schoenleber et al. (2014): mu <= 0.85 marks over-fitting (negative resistances appear)."""

RMS_LIMIT = 0.01
"""A spectrum is called KK-consistent when the rms relative residual is below 1 %: ordinary noise
of 0.1-0.5 % stays well below it, drift or non-stationarity of a few % exceeds it."""

MIN_RC_PER_DECADE = 1.0
"""The search starts at one RC element per decade: with fewer, the time constants are too sparse
to follow even a single arc, negative R_k appear for that reason and mu drops below the cut-off
before the fit is adequate."""

MAX_RC = 50
"""Upper end of the search: 50 RC elements over 60-100 points is already an over-fit."""

POINT_LIMIT = 0.03
"""Single points whose relative residual (real or imaginary) exceeds 3 % are listed as suspect."""


@dataclass(frozen=True)
class LinKKResult:
    """Result of a Lin-KK test (Schoenleber, Klotz, Ivers-Tiffee, Electrochim. Acta 131 (2014) 20).

    Method:
    1. M time constants tau_k log-spaced from 1/omega_max to 1/omega_min (omega = 2 pi f).
    2. Linear model Z_KK = R0 + sum_k R_k / (1 + j omega tau_k) + j omega L + 1/(j omega C); the
       series L and 1/C terms admit inductive cables and blocking electrodes.
    3. Weighted linear least squares on real and imaginary parts jointly, weight 1/|Z|.
    4. M runs from MIN_RC_PER_DECADE per decade (at least 3) to MAX_RC; for each, the over-fit
       indicator mu = 1 - sum(|R_k|, R_k<0) / sum(|R_k|, R_k>=0) is computed. Of the M with
       mu > MU_CUTOFF (no over-fitting), the one with the lowest rms residual is used; this
       follows Schoenleber's mu criterion but does not stop at a first dip of mu, which occurs
       when sparse time constants miss a sharp arc.
    5. Residuals d_re = (Z' - Z'_KK)/|Z|, d_im = (Z'' - Z''_KK)/|Z|; rms over both parts.
    Fields: n_rc (M), mu, residual_rms, residual_max (fractions), suspect_frequencies_Hz
    (points above POINT_LIMIT), consistent (rms < RMS_LIMIT), residuals_real/imag.
    """

    n_rc: int
    mu: float
    residual_rms: float
    residual_max: float
    consistent: bool
    suspect_frequencies_Hz: tuple[float, ...]
    frequency_Hz: np.ndarray
    residuals_real: np.ndarray
    residuals_imag: np.ndarray

    def to_dict(self) -> dict:
        """Plain data; residuals as fractions of |Z|."""
        return {
            "method": "Lin-KK (Schoenleber et al. 2014), weights 1/|Z|, series L and C included",
            "n_rc": self.n_rc,
            "mu": self.mu,
            "mu_cutoff": MU_CUTOFF,
            "residual_rms": self.residual_rms,
            "residual_max": self.residual_max,
            "rms_limit": RMS_LIMIT,
            "consistent": self.consistent,
            "suspect_frequencies_Hz": list(self.suspect_frequencies_Hz),
            "residuals_real": self.residuals_real.tolist(),
            "residuals_imag": self.residuals_imag.tolist(),
        }


def _fit(f: np.ndarray, Z: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    w = 2 * np.pi * f
    taus = np.logspace(np.log10(1 / w.max()), np.log10(1 / w.min()), m)
    k = 1.0 / (1 + 1j * np.outer(w, taus))  # (n, m)
    cols = np.column_stack([np.ones_like(w) + 0j, k, 1j * w, 1.0 / (1j * w)])
    weight = 1.0 / np.abs(Z)
    a = np.vstack([cols.real * weight[:, None], cols.imag * weight[:, None]])
    b = np.concatenate([Z.real * weight, Z.imag * weight])
    scale = np.linalg.norm(a, axis=0)
    scale[scale == 0] = 1.0
    x, *_ = np.linalg.lstsq(a / scale, b, rcond=None)
    x = x / scale
    return x, cols @ x


def lin_kk(frequency_Hz: np.ndarray, Z: np.ndarray, max_rc: int | None = None) -> LinKKResult:
    """Lin-KK test of a spectrum (frequencies in Hz, complex Z in ohm); see LinKKResult."""
    f = np.asarray(frequency_Hz, dtype=float)
    z = np.asarray(Z, dtype=complex)
    n = f.size
    decades = float(np.log10(f.max() / f.min()))
    m_max = max_rc or max(3, min(n - 3, MAX_RC))
    m_min = int(min(max(MIN_RC_PER_DECADE * decades, 3), m_max))
    best: tuple[int, float, float, np.ndarray] | None = None
    for m in range(m_min, m_max + 1):
        x, zfit = _fit(f, z, m)
        rk = x[1 : m + 1]
        pos = np.abs(rk[rk >= 0]).sum()
        mu = 1.0 - np.abs(rk[rk < 0]).sum() / pos if pos > 0 else 0.0
        d = (z - zfit) / np.abs(z)
        rms = float(np.sqrt(np.mean(np.concatenate([d.real, d.imag]) ** 2)))
        if best is None or (mu > MU_CUTOFF and (best[1] <= MU_CUTOFF or rms < best[2])):
            best = (m, mu, rms, zfit)
    assert best is not None  # m_min <= m_max: at least one fit
    m, mu, _, zfit = best
    mod = np.abs(z)
    dre = (z.real - zfit.real) / mod
    dim = (z.imag - zfit.imag) / mod
    rms = float(np.sqrt(np.mean(np.concatenate([dre, dim]) ** 2)))
    big = np.maximum(np.abs(dre), np.abs(dim))
    return LinKKResult(
        n_rc=int(m),
        mu=float(mu),
        residual_rms=rms,
        residual_max=float(big.max()),
        consistent=rms < RMS_LIMIT,
        suspect_frequencies_Hz=tuple(float(v) for v in f[big > POINT_LIMIT]),
        frequency_Hz=f,
        residuals_real=dre,
        residuals_imag=dim,
    )
