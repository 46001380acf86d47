"""Whole-pattern fit of one scan to a set of reference phases (numpy only).

Model (2theta in degrees):

    y(2t) = sum_p S_p * sum_k sum_j r_j f2m_k LP(t_kj) PO_pk pV(2t - T_kj; H_pkj, eta)
            + sum_m b_m T_m(x)

1. Peak positions: d_k from the (refined) cell through the metric tensor,
   2t_kj = 2 asin(lambda_j / 2 d_k) for Ka1 (r_1 = 1) and Ka2 (r_2 = Ka2/Ka1 ratio), shifted by
   a zero error and a sample-displacement term: T = 2t + zero + D cos(t).
2. Intensities: f2m = |F|^2 x multiplicity from the reference, LP = (1 + cos^2 2t) /
   (sin^2 t cos t), March-Dollase preferred orientation for a layered phase,
   PO = (r^2 cos^2 a + sin^2 a / r)^(-3/2) with a the angle between the plane normal and the
   stacking axis (Dollase, J. Appl. Cryst. 1986, 19, 267).
3. Profile: area-normalised split pseudo-Voigt, shared mixing eta; FWHM^2 = W + U tan^2 t +
   (w_p / cos t)^2 (Caglioti-like instrument terms W, U shared; w_p a per-phase size width).
   Axial divergence makes low-angle lines tail towards low angles (and lines above 90 deg
   towards high angles), by an amount that goes as cot 2t (Finger, Cox & Jephcoat, J. Appl.
   Cryst. 1994, 27, 892). The split profile gives the low-angle half the FWHM H (1 + s) and the
   high-angle half H (1 - s), each half scaled by its (1 +- s) so that the profile stays
   continuous with unit area and mean FWHM H; s = S_MAX tanh(A cot(2t) / S_MAX) with one
   shared asymmetry A (zero: symmetric), bounded so that no half collapses.
4. Background: Chebyshev polynomials T_0..T_{m-1} of 2theta mapped onto [-1, 1].
5. Linear parameters (scales S_p, background b_m) are solved by weighted linear least squares
   inside the nonlinear loop (variable projection, Golub & Pereyra 1973); the nonlinear ones
   (zero, D, W, U, eta, cell, w_p, r) by a bounded Levenberg-Marquardt (`labledger.xrd.lsq`)
   on the Golub-Pereyra Jacobian of the projected residual, whose dA/dtheta is analytic in the
   profile and uses the metric tensor for the cell.
6. Weights 1/sigma^2 (Poisson when the file has no sigma). Rwp = sqrt(sum w (y - yc)^2 /
   sum w y^2), GOF = sqrt(chi^2 / (N - P)). Standard uncertainties are from the covariance
   (J^T J)^-1 and (A^T W A)^-1 scaled by the reduced chi^2, so they include model misfit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from labledger.xrd.fit_params import (
    ANGLE_BOUND_DEG,
    ASYMMETRY_BOUND,
    DISPLACEMENT_BOUND_DEG,
    FIT_FTOL,
    N_SHARED,
    PO_BOUNDS,
    S_MAX,
    SHARED_PARAMS,
    SIZE_WIDTH_BOUNDS,
    STRAIN_BOUND,
    U_BOUNDS,
    W_BOUNDS,
    ZERO_BOUND_DEG,
    FitState,
)
from labledger.xrd.lsq import least_squares_bounded
from labledger.xrd.profile import split_pseudo_voigt
from labledger.xrd.refdata import (
    PhaseRef,
    cos_to_axis,
    d_spacings,
    expand_lattice,
    free_lattice_indices,
)
from labledger.xrd.scan import Scan

# Profile window: each peak is evaluated within +-WINDOW_FWHM x FWHM. Beyond 12 FWHM a
# Lorentzian holds 2.7 % of its area (a Gaussian nothing); the loss is the same fraction for
# every peak of equal mixing eta, so it cancels in weight fractions, and it keeps a scan fast.
WINDOW_FWHM = 12.0
# Number of Chebyshev background terms: enough for a sloping background with a broad hump,
# few enough not to absorb broad weak peaks.
BACKGROUND_TERMS = 8
# Relative step used for the numerical derivative of d-spacings with respect to a cell
# parameter (exact enough: d is smooth, the step is 1e-6 of the parameter).
_CELL_STEP = 1e-6


@dataclass
class _PhaseSpec:
    ref: PhaseRef
    free: list[int]
    tie: dict[int, int]
    po: bool
    lat_slice: slice = field(default_factory=lambda: slice(0, 0))
    width_index: int = 0
    po_index: int | None = None


class WholePatternFit:
    """A whole-pattern model of one scan for a given list of phases (see the module docstring).

    `theta` layout: [zero, D, W, U, eta] then per phase: free cell parameters (length strains
    e = l/l0 - 1, angle offsets in degrees), the size width w_p, and r when the phase has
    preferred orientation.
    """

    SHARED = SHARED_PARAMS

    def __init__(
        self,
        scan: Scan,
        refs: list[PhaseRef],
        background_terms: int = BACKGROUND_TERMS,
        window_fwhm: float = WINDOW_FWHM,
    ) -> None:
        self.window_fwhm = window_fwhm
        self.x = scan.two_theta_deg
        self.y = scan.counts
        self.w = scan.weights()
        self.sw = np.sqrt(self.w)
        wl = scan.wavelength
        self.lines = [(wl.ka1_a, 1.0)]
        if wl.ka2_a and wl.ka2_ratio > 0:
            self.lines.append((wl.ka2_a, wl.ka2_ratio))
        self.n = self.x.size
        xr = 2 * (self.x - self.x[0]) / (self.x[-1] - self.x[0]) - 1
        self.bg = np.polynomial.chebyshev.chebvander(xr, background_terms - 1)
        self.phases: list[_PhaseSpec] = []
        i = len(self.SHARED)
        for ref in refs:
            free, tie = free_lattice_indices(ref)
            spec = _PhaseSpec(ref, free, tie, ref.preferred_orientation is not None)
            spec.lat_slice = slice(i, i + len(free))
            i += len(free)
            spec.width_index = i
            i += 1
            if spec.po:
                spec.po_index = i
                i += 1
            self.phases.append(spec)
        self.n_theta = i
        self._cache_key: bytes | None = None
        self._cache: tuple[np.ndarray, list[tuple[Any, ...]]] | None = None

    # ------------------------------------------------------------------ parameter helpers

    def initial_theta(self) -> np.ndarray:
        t = np.zeros(self.n_theta)
        t[2] = 0.004  # W: FWHM ~0.06 deg
        t[3] = 0.002
        t[4] = 0.5
        t[5] = 0.0  # symmetric until the data ask otherwise
        for sp in self.phases:
            t[sp.width_index] = 0.03
            if sp.po_index is not None:
                t[sp.po_index] = 1.0
        return t

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lo = np.empty(self.n_theta)
        hi = np.empty(self.n_theta)
        lo[:N_SHARED] = [
            -ZERO_BOUND_DEG,
            -DISPLACEMENT_BOUND_DEG,
            W_BOUNDS[0],
            U_BOUNDS[0],
            0.0,
            -ASYMMETRY_BOUND,
        ]
        hi[:N_SHARED] = [
            ZERO_BOUND_DEG,
            DISPLACEMENT_BOUND_DEG,
            W_BOUNDS[1],
            U_BOUNDS[1],
            1.0,
            ASYMMETRY_BOUND,
        ]
        for sp in self.phases:
            for j, idx in zip(sp.free, range(sp.lat_slice.start, sp.lat_slice.stop), strict=True):
                bound = STRAIN_BOUND if j < 3 else ANGLE_BOUND_DEG
                lo[idx], hi[idx] = -bound, bound
            lo[sp.width_index], hi[sp.width_index] = SIZE_WIDTH_BOUNDS
            if sp.po_index is not None:
                lo[sp.po_index], hi[sp.po_index] = PO_BOUNDS
        return lo, hi

    def lattice(self, sp: _PhaseSpec, theta: np.ndarray) -> np.ndarray:
        vals = np.asarray(sp.ref.lattice, dtype=float)[sp.free].copy()
        t = theta[sp.lat_slice]
        for n, j in enumerate(sp.free):
            vals[n] = vals[n] * (1 + t[n]) if j < 3 else vals[n] + t[n]
        return expand_lattice(sp.ref, vals, sp.free, sp.tie)

    # ------------------------------------------------------------------------ evaluation

    def _peaks(self, theta: np.ndarray, derivatives: bool = True) -> list[dict[str, Any]]:
        """Per-peak arrays of all phases: position, FWHM, base intensity and sensitivities."""
        zero, disp, w_inst, u_inst, _eta, asym = theta[:N_SHARED]
        x0, x1 = self.x[0], self.x[-1]
        out = []
        for p, sp in enumerate(self.phases):
            lat = self.lattice(sp, theta)
            d = d_spacings(sp.ref.hkl, lat)
            # d-derivatives for each free cell parameter (numerical, on K reflections only)
            rows = []
            for n, j in enumerate(sp.free if derivatives else []):
                t2 = theta.copy()
                step = _CELL_STEP if j < 3 else _CELL_STEP * 100
                t2[sp.lat_slice.start + n] += step
                rows.append((d_spacings(sp.ref.hkl, self.lattice(sp, t2)) - d) / step)
            dd = np.array(rows).reshape(len(rows), d.size)
            axis = sp.ref.preferred_orientation  # None exactly when not sp.po
            if axis is not None:
                r = theta[sp.po_index]
                ca = cos_to_axis(sp.ref.hkl, lat, axis)
                base = r * r * ca * ca + (1 - ca * ca) / r
                po = base**-1.5
                dlnpo = -1.5 * (2 * r * ca * ca - (1 - ca * ca) / (r * r)) / base
            else:
                po = np.ones(d.size)
                dlnpo = np.zeros(d.size)
            wp = theta[sp.width_index]
            for lam, ratio in self.lines:
                s = lam / (2 * d)
                ok = s < 1
                th = np.arcsin(np.where(ok, s, 0.5))
                tt = np.degrees(2 * th)
                cos_t, tan_t = np.cos(th), np.tan(th)
                h2 = w_inst + u_inst * tan_t**2 + (wp / cos_t) ** 2
                h = np.sqrt(h2)
                pos = tt + zero + disp * cos_t
                keep = ok & (pos > x0 - self.window_fwhm * h) & (pos < x1 + self.window_fwhm * h)
                if not np.any(keep):
                    continue
                lp = (1 + np.cos(2 * th) ** 2) / (np.sin(th) ** 2 * cos_t)
                # split of the halves and its derivative with respect to the asymmetry A
                cot2 = 1.0 / np.tan(2 * np.where(ok, th, 0.25))
                split = S_MAX * np.tanh(asym * cot2 / S_MAX)
                dsplit = cot2 * (1 - (split / S_MAX) ** 2)
                inten = ratio * sp.ref.f2m * lp * po
                # d(2theta)/dd in deg per angstrom, then per free cell parameter
                dtt_dd = np.degrees(-2 * tan_t / d)
                dpos_cell = (dtt_dd - disp * np.sin(th) * dtt_dd / 2 * np.pi / 180)[None] * dd
                out.append(
                    {
                        "phase": p,
                        "pos": pos[keep],
                        "h": h[keep],
                        "inten": inten[keep],
                        "cos": cos_t[keep],
                        "tan": tan_t[keep],
                        "dpos_cell": dpos_cell[:, keep],
                        "dlnpo": dlnpo[keep],
                        "split": split[keep],
                        "dsplit": dsplit[keep],
                        "wp": wp,
                        "k": np.nonzero(keep)[0],
                        "line": ratio,
                    }
                )
        return out

    def _windows(self, pos: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        half = self.window_fwhm * h
        lo = np.searchsorted(self.x, pos - half)
        hi = np.searchsorted(self.x, pos + half)
        n = hi - lo
        total = int(n.sum())
        pk = np.repeat(np.arange(pos.size), n)
        starts = np.cumsum(n) - n
        idx = np.arange(total) - np.repeat(starts, n) + np.repeat(lo, n)
        return idx, pk

    def evaluate(
        self, theta: np.ndarray, derivatives: bool = True
    ) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
        """Unit-scale phase patterns (N x P) and, if asked, the per-element derivative data."""
        key = theta.tobytes() + bytes([derivatives])
        if self._cache_key == key and self._cache is not None:
            return self._cache
        eta = theta[4]
        groups = self._peaks(theta, derivatives)
        cols = np.zeros((self.n, len(self.phases)))
        parts = []
        for g in groups:
            # the window covers the wider half to the same number of its own FWHM
            idx, pk = self._windows(g["pos"], g["h"] * (1 + np.abs(g["split"])))
            dx = self.x[idx] - g["pos"][pk]
            line = split_pseudo_voigt(dx, g["h"][pk], g["split"][pk], eta, derivatives)
            amp = g["inten"][pk]
            cols[:, g["phase"]] += np.bincount(idx, amp * line.value, minlength=self.n)
            if derivatives:
                assert line.d_pos is not None and line.d_h is not None
                assert line.d_eta is not None and line.d_split is not None
                parts.append(
                    (
                        g,
                        idx,
                        pk,
                        amp * line.d_pos,
                        amp * line.d_h,
                        amp * line.d_eta,
                        amp * line.value,
                        amp * line.d_split * g["dsplit"][pk],  # d/dA through ds/dA
                    )
                )
        self._cache_key, self._cache = key, (cols, parts)
        return cols, parts

    def design(self, cols: np.ndarray) -> np.ndarray:
        return np.hstack([cols, self.bg])

    def solve_linear(self, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Weighted least-squares scales and background.

        Returns (coeffs, sqrt(w) A, (A^T W A)^-1). Normal equations on column-normalised A
        (a few columns, well conditioned) are ~20x faster here than a QR of the N x M matrix.
        """
        a = self.design(cols) * self.sw[:, None]
        norms = np.sqrt(np.einsum("ij,ij->j", a, a))
        norms[norms == 0] = 1.0
        an = a / norms
        g = an.T @ an
        try:
            ginv = np.linalg.inv(g)
        except np.linalg.LinAlgError:
            ginv = np.linalg.pinv(g)
        c = (ginv @ (an.T @ (self.sw * self.y))) / norms
        cov = ginv / np.outer(norms, norms)
        return c, a, cov

    def residual(self, theta: np.ndarray) -> np.ndarray:
        cols, _ = self.evaluate(theta)
        c, _, _ = self.solve_linear(cols)
        return self.sw * (self.y - self.design(cols) @ c)

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """Jacobian of the projected residual (Golub-Pereyra, with Kaufman's first term).

        d r/d theta_j = -P_perp D_j c - (A^+)^T D_j^T r, D_j = sqrt(w) dA/dtheta_j. The second
        term matters when the model misfits (real data); dropping it (Kaufman) stalled fits of
        split tetragonal peaks in a local minimum here.
        """
        cols, parts = self.evaluate(theta)
        c, a, cov = self.solve_linear(cols)
        n_ph = len(self.phases)
        scales = c[:n_ph]
        n = self.n
        dp = np.zeros((n_ph, n, self.n_theta))
        for g, idx, pk, a_pos, a_h, a_eta, a_val, a_asym in parts:
            sp = self.phases[g["phase"]]
            d = dp[g["phase"]]
            h, cos_t, tan_t = g["h"][pk], g["cos"][pk], g["tan"][pk]
            d[:, 0] += np.bincount(idx, a_pos, minlength=n)
            d[:, 1] += np.bincount(idx, a_pos * cos_t, minlength=n)
            d[:, 2] += np.bincount(idx, a_h / (2 * h), minlength=n)
            d[:, 3] += np.bincount(idx, a_h * tan_t**2 / (2 * h), minlength=n)
            d[:, 4] += np.bincount(idx, a_eta, minlength=n)
            d[:, 5] += np.bincount(idx, a_asym, minlength=n)
            for m, col in enumerate(range(sp.lat_slice.start, sp.lat_slice.stop)):
                d[:, col] += np.bincount(idx, a_pos * g["dpos_cell"][m][pk], minlength=n)
            d[:, sp.width_index] += np.bincount(idx, a_h * g["wp"] / (cos_t**2 * h), minlength=n)
            if sp.po_index is not None:
                d[:, sp.po_index] += np.bincount(idx, a_val * g["dlnpo"][pk], minlength=n)
        resid_w = self.w * (self.y - self.design(cols) @ c)  # sqrt(w) * weighted residual
        dm = np.einsum("p,pnj->nj", scales, dp)
        jw = dm * self.sw[:, None]
        v = np.einsum("pnj,n->pj", dp, resid_w)  # D_j^T r for the phase columns
        term2 = a @ (cov[:, :n_ph] @ v)
        return -(jw - a @ (cov @ (a.T @ jw))) - term2

    # ------------------------------------------------------------------------------- fit

    def fit(
        self,
        theta0: np.ndarray | None = None,
        max_nfev: int = 60,
        fixed: tuple[int, ...] = (),
        ftol: float = FIT_FTOL,
    ) -> FitState:
        """Refine all nonlinear parameters from `theta0` (indices in `fixed` stay put); stop
        when a step lowers chi^2 by less than `ftol` of it."""
        theta0 = self.initial_theta() if theta0 is None else np.asarray(theta0, float).copy()
        lo, hi = self.bounds()
        theta0 = np.clip(theta0, lo + 1e-12, hi - 1e-12)
        free = np.array([i for i in range(self.n_theta) if i not in set(fixed)], dtype=int)

        def full(tf: np.ndarray) -> np.ndarray:
            t = theta0.copy()
            t[free] = tf
            return t

        res = least_squares_bounded(
            lambda tf: self.residual(full(tf)),
            lambda tf: self.jacobian(full(tf))[:, free],
            theta0[free],
            lo[free],
            hi[free],
            max_nfev=max_nfev,
            xtol=1e-6,
            ftol=ftol,
        )
        theta = full(res.x)
        state = self.state(theta, jac=res.jac, free=free)
        state.nfev = int(res.nfev)
        return state

    def state(
        self, theta: np.ndarray, jac: np.ndarray | None = None, free: np.ndarray | None = None
    ) -> FitState:
        cols, _ = self.evaluate(theta)
        c, _, cov = self.solve_linear(cols)
        model = self.design(cols) @ c
        chi2 = float(np.sum(self.w * (self.y - model) ** 2))
        n_free = 0 if free is None else free.size
        n_params = c.size + n_free
        s2 = chi2 / max(self.n - n_params, 1)
        cov_lin = cov * s2
        cov_theta = None
        if jac is not None and free is not None:
            try:
                ct = np.linalg.pinv(jac.T @ jac) * s2
                cov_theta = np.zeros((self.n_theta, self.n_theta))
                cov_theta[np.ix_(free, free)] = ct
            except np.linalg.LinAlgError:
                cov_theta = None
        lattices, esds = [], []
        for sp in self.phases:
            lat = self.lattice(sp, theta)
            esd = np.zeros(6)
            if cov_theta is not None:
                for n, j in enumerate(sp.free):
                    var = cov_theta[sp.lat_slice.start + n, sp.lat_slice.start + n]
                    scale = sp.ref.lattice[j] if j < 3 else 1.0
                    esd[j] = np.sqrt(max(var, 0.0)) * scale
                for dep, src in sp.tie.items():
                    esd[dep] = esd[src]
            lattices.append(lat)
            esds.append(esd)
        return FitState(
            theta=theta,
            coeffs=c,
            model=model,
            phase_patterns=cols,
            chi2=chi2,
            n_params=n_params,
            cov_linear=cov_lin,
            cov_theta=cov_theta,
            lattices=lattices,
            lattice_esd=esds,
            names=[sp.ref.name for sp in self.phases],
        )

    def phase_index(self, name: str) -> int:
        return [sp.ref.name for sp in self.phases].index(name)
