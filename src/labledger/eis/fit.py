"""Equivalent-circuit fitting: log-parameter least squares with modulus weighting, multi-start."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from labledger.eis.circuit import Circuit
from labledger.eis.determinacy import series_resistor_groups, undetermined_parameters
from labledger.eis.solver import Transform as _Transform
from labledger.eis.solver import solve as _solve
from labledger.eis.solver import solve_bounded
from labledger.eis.solver import uncertainty as _uncertainty
from labledger.eis.starts import initial_guesses

__all__ = ["WEIGHTINGS", "CircuitFit", "fit_circuit", "initial_guesses", "normalise_weighting"]

WEIGHTINGS = {"modulus": "modulus", "unit": "unit", "impedance.py": "unit"}
"""modulus: residuals / |Z| (ours, the default); unit: unweighted residuals, which is
impedance.py's default (CustomCircuit.fit without weight_by_modulus), also named so."""

OUTLIER_SIGMAS = 6.0
"""A point is an outlier if its weighted residual exceeds 6 robust standard deviations (MAD)..."""
OUTLIER_MIN = 0.02
"""...and 2 % of |Z| (so that a noise-free fit does not flag ordinary points)."""
OUTLIER_MAX_FRACTION = 0.1
"""At most 10 % of the points may be removed as outliers; more means the model is wrong."""


AGREE_STARTS = 2
AGREE_RTOL = 1e-5
"""Starts stop early once the lowest chi2 has been reached from 2 different starting points
(within a relative 1e-5): a minimum found twice from different data-derived starts is taken
as the global one; it saves most of the multi-start cost on clean spectra. Minima where a
parameter is not determined (labledger.eis.determinacy) do not count towards this."""

NEAR_RTOL = 1e-3
"""Fits within a relative 1e-3 in chi2 are indistinguishable by the data: of those, the one
with the fewest undetermined parameters is kept."""

REFERENCE_FIT_FACTOR = 3.0
"""When the fit's weighted rms exceeds 3x the noise the data show, our starts have missed:
impedance.py's own fit (slow, so only then) is tried as further starts."""

NOISE_FLOOR = 0.002  # noise level (fraction of |Z|) assumed at least

BOUNDED_STARTS = 1
"""For a degenerate or poor fit, the first data-derived start is also fitted the way
impedance.py fits (bounded, linear parameters) and polished; the lower chi2 wins."""

CROSS_STARTS = 2
"""When every start ends with an undetermined parameter, the first 2 starts are fitted again,
first in the other weighting and then polished in the chosen one."""


@dataclass(frozen=True)
class CircuitFit:
    """A fitted equivalent circuit.

    Method:
    1. Parameters are mapped to unbounded variables: x = ln(p) for magnitudes, and
       x = logit((n - EXPONENT_MIN)/(1 - EXPONENT_MIN)) for CPE-type exponents n.
    2. Residuals r = [(Z'_model - Z')/|Z|, (Z''_model - Z'')/|Z|] (weighting="modulus") or
       unweighted (weighting="unit", which is impedance.py's default objective; also accepted as
       "impedance.py"), minimised with scipy least_squares (Levenberg-Marquardt).
    3. Several starting points (from the data: intercepts and arc apexes; see
       `initial_guesses`) are fitted; starts stop early once the lowest chi2 = sum(r^2) has been
       reached from AGREE_STARTS starts whose parameters are all determined. Of the fits within
       NEAR_RTOL of the lowest chi2, the one with the fewest undetermined parameters is kept.
       When the best still has an undetermined parameter, or `noise` is given and the weighted
       rms exceeds REFERENCE_FIT_FACTOR times it, BOUNDED_STARTS starts are also fitted the way
       impedance.py fits (bounded, linear parameters) and CROSS_STARTS first in the other
       weighting, each polished; if the fit is still poor, impedance.py's own circuit_fit from
       CROSS_STARTS starts (`labledger.eis.reference`) is tried as a start too.
    4. Outliers (residual > OUTLIER_SIGMAS robust sigmas and > OUTLIER_MIN) are dropped and the
       fit repeated once, with a note, if they are at most OUTLIER_MAX_FRACTION of the points.
    5. Standard errors from the Jacobian: cov_x = (J^T J)^-1 chi2/(2N - P), mapped to the
       parameters by the derivative of the transform (dp/dx = p for ln); parameters the model
       no longer depends on get none.
    6. Parameters the data do not determine (resistors in series, a value run to a bound,
       stderr larger than the value; `labledger.eis.determinacy`) are listed in `undetermined`
       with the reason; `to_dict` gives them no value, and gives the sums of series resistors.
    Fields: circuit, names, values, stderr, cov (parameter covariance), chi2, weighted_rms =
    sqrt(chi2 / 2N), weighting, n_points, n_starts (starts run), used (mask of points fitted),
    notes, undetermined; `bic` = 2N ln(chi2/2N) + P ln(2N) compares circuits on the same points.
    """

    circuit: Circuit
    values: np.ndarray
    stderr: np.ndarray
    chi2: float
    weighted_rms: float
    weighting: str
    n_points: int
    n_starts: int
    used: np.ndarray
    cov: np.ndarray
    notes: tuple[str, ...] = ()
    undetermined: tuple[tuple[str, str], ...] = ()

    @property
    def undetermined_reasons(self) -> dict[str, str]:
        """{parameter: why the data do not determine it}."""
        return dict(self.undetermined)

    def determined(self, name: str) -> bool:
        return name not in self.undetermined_reasons

    @property
    def names(self) -> tuple[str, ...]:
        return self.circuit.param_names

    def param(self, name: str) -> float:
        return float(self.values[self.names.index(name)])

    def param_stderr(self, name: str) -> float:
        return float(self.stderr[self.names.index(name)])

    def stderr_of_sum(self, names: list[str]) -> float:
        """Standard error of the sum of some parameters, with their covariances."""
        idx = [self.names.index(n) for n in names]
        v = float(self.cov[np.ix_(idx, idx)].sum())  # NaN if one of them has no uncertainty
        return float(np.sqrt(v)) if v >= 0 else float("nan")

    @property
    def bic(self) -> float:
        """Bayesian information criterion 2N ln(chi2/2N) + P ln(2N), to compare circuits."""
        m = 2 * int(self.used.sum())
        return float(m * np.log(max(self.chi2, 1e-300) / m) + self.circuit.n_params * np.log(m))

    def predict(self, frequency_Hz: np.ndarray) -> np.ndarray:
        return self.circuit.impedance(self.values, frequency_Hz)

    def _param_dict(self, i: int, name: str) -> dict:
        return _param_dict_of(self, i, name)

    def to_dict(self) -> dict:
        """Plain data: circuit, parameters with stderr and units (undetermined ones with their
        reason instead of a value), sums of series resistors, chi2 and residual figures."""
        return {
            "circuit": self.circuit.text,
            "weighting": self.weighting,
            "parameters": {n: self._param_dict(i, n) for i, n in enumerate(self.names)},
            "sums": {
                "+".join(g): {
                    "value": _num(sum(self.param(n) for n in g)),
                    "stderr": _num(self.stderr_of_sum(g)),
                    "unit": "Ohm",
                }
                for g in series_resistor_groups(self.circuit)
            },
            "chi2": _num(self.chi2),
            "weighted_rms": _num(self.weighted_rms),
            "n_points": self.n_points,
            "n_points_used": int(self.used.sum()),
            "n_starts": self.n_starts,
            "notes": list(self.notes),
        }


def _param_dict_of(fit: CircuitFit, i: int, name: str) -> dict:
    """A parameter as plain data; an undetermined one has value and stderr None, the reason,
    and the number the fit ended at (to redraw the curve), never as if it were known."""
    why = fit.undetermined_reasons.get(name)
    d = {"unit": fit.circuit.param_units[i], "determined": why is None}
    if why is None:
        return {"value": _num(fit.values[i]), "stderr": _num(fit.stderr[i]), **d}
    return {"value": None, "stderr": None, **d, "reason": why, "fit_value": _num(fit.values[i])}


def _num(v: float) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


def normalise_weighting(weighting: str) -> str:
    """The canonical name of a weighting ("modulus" or "unit"), or ValueError."""
    try:
        return WEIGHTINGS[weighting]
    except KeyError:
        raise ValueError(
            f"weighting must be one of {', '.join(WEIGHTINGS)}, not {weighting!r}"
        ) from None


def _weights(z: np.ndarray, weighting: str) -> np.ndarray:
    w = 1.0 / np.abs(z) if weighting == "modulus" else np.ones(z.size)
    return np.concatenate([w, w])


class _Candidate:
    """One converged start with its uncertainties and undetermined parameters."""

    def __init__(self, cir: Circuit, tr: _Transform, res, n_used: int, origin: str) -> None:
        self.res, self.origin = res, origin
        self.chi2 = float(2 * res.cost)
        self.values = tr.to_p(res.x)
        self.stderr, self.cov = _uncertainty(cir, tr, res, n_used)
        self.undetermined = undetermined_parameters(cir, self.values, self.stderr)


def _pick(cands: list[_Candidate]) -> _Candidate:
    """Lowest chi2; among fits within NEAR_RTOL of it, the one with fewest undetermined
    parameters (the data cannot tell such fits apart, but one of them is determined)."""
    low = min(c.chi2 for c in cands)
    near = [c for c in cands if c.chi2 <= low * (1 + NEAR_RTOL)]
    return min(near, key=lambda c: (len(c.undetermined), c.chi2))


def fit_circuit(
    frequency_Hz: np.ndarray,
    Z: np.ndarray,
    circuit: str | Circuit,
    initial_guess: list[float] | np.ndarray | None = None,
    weighting: str = "modulus",
    remove_outliers: bool = True,
    max_nfev: int = 400,
    extra_starts: list[np.ndarray] | None = None,
    noise: float | None = None,
) -> CircuitFit:
    """Fit `circuit` to a spectrum (Hz, complex ohm); see CircuitFit for the method.

    extra_starts: further starting points tried after the data-derived ones; the best in the
    chosen weighting is kept. noise: the spectrum's noise level (fraction of |Z|, e.g. the
    Lin-KK rms residual); when the fit's weighted rms exceeds REFERENCE_FIT_FACTOR times it,
    impedance.py's own fit from the first CROSS_STARTS data-derived starts is tried as well.

    weighting: "modulus" (residuals / |Z|, default), "unit" (unweighted), or "impedance.py"
    (the same as unit: impedance.py's CustomCircuit.fit default). With `initial_guess` only
    that start is used (as `impedance`'s fit does); otherwise the data-derived starts of
    `initial_guesses`. numpy floating-point warnings are silenced (overflow in a trial step is
    handled by the solver).
    """
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _fit(
            frequency_Hz,
            Z,
            circuit,
            initial_guess,
            weighting,
            remove_outliers,
            max_nfev,
            extra_starts or [],
            noise,
        )


def _fit(
    frequency_Hz, Z, circuit, initial_guess, weighting, remove_outliers, max_nfev, extra, noise
):
    cir = circuit if isinstance(circuit, Circuit) else Circuit(circuit)
    f = np.asarray(frequency_Hz, dtype=float)
    z = np.asarray(Z, dtype=complex)
    weighting = normalise_weighting(weighting)
    if 2 * f.size <= cir.n_params:
        raise ValueError(
            f"{f.size} points are too few to fit {cir.n_params} parameters of {cir.text!r}"
        )
    if initial_guess is not None:
        starts = [np.asarray(initial_guess, dtype=float)]
        if starts[0].shape != (cir.n_params,):
            raise ValueError(
                f"initial guess has {starts[0].size} values; {cir.text!r} takes {cir.n_params}: "
                f"{list(cir.param_names)}"
            )
    else:
        starts = initial_guesses(cir, f, z)
    tr = _Transform(cir)
    used = np.ones(f.size, dtype=bool)
    notes: list[str] = []
    inherent = {n for g in series_resistor_groups(cir) for n in g}
    tried = [0]

    def best_of(x_starts, mask, cross: bool) -> _Candidate:
        wgt = _weights(z[mask], weighting)
        n_used = int(mask.sum())
        cands: list[_Candidate] = []
        agree = 0
        for x0 in x_starts:
            tried[0] += 1
            c = _Candidate(
                cir, tr, _solve(cir, tr, f[mask], z[mask], wgt, x0, max_nfev), n_used, ""
            )
            cands.append(c)
            if set(c.undetermined) - inherent:
                continue  # a degenerate minimum found twice is no reason to stop
            best = min(cands, key=lambda k: k.chi2)
            agree = sum(
                1
                for k in cands
                if abs(k.chi2 - best.chi2) <= AGREE_RTOL * best.chi2
                and not set(k.undetermined) - inherent
            )
            if agree >= AGREE_STARTS:
                break
        pick = _pick(cands)
        poor = noise is not None and np.sqrt(pick.chi2 / (2 * n_used)) > REFERENCE_FIT_FACTOR * max(
            noise, NOISE_FLOOR
        )
        if cross and (poor or set(pick.undetermined) - inherent):
            # Degenerate or poor: impedance.py's bounded fit in linear parameters from the first
            # start, and starts fitted first in the other weighting (impedance.py's default
            # objective is the unweighted one), each polished in the chosen weighting.
            other = _weights(z[mask], "unit" if weighting == "modulus" else "modulus")
            for p0 in starts[:BOUNDED_STARTS]:
                tried[0] += 2
                p = solve_bounded(cir, f[mask], z[mask], wgt, p0, max_nfev)
                res = _solve(cir, tr, f[mask], z[mask], wgt, tr.to_x(p), max_nfev)
                cands.append(_Candidate(cir, tr, res, n_used, "a bounded fit in linear parameters"))
            for x0 in x_starts[:CROSS_STARTS]:
                tried[0] += 2
                pre = _solve(cir, tr, f[mask], z[mask], other, x0, max_nfev)
                res = _solve(cir, tr, f[mask], z[mask], wgt, pre.x, max_nfev)
                cands.append(_Candidate(cir, tr, res, n_used, "a fit in the other weighting"))
            new = _pick(cands)
            if new is not pick:
                notes.append(
                    f"the best fit started from {new.origin}, polished (chi2 {new.chi2:.4g} vs "
                    f"{pick.chi2:.4g} from the data-derived starts)"
                )
            pick = new
        return pick

    x_starts = [tr.to_x(s) for s in starts]
    best = best_of(x_starts, used, cross=initial_guess is None)
    extra = list(extra)
    rms = np.sqrt(best.chi2 / (2 * f.size))
    if (
        noise is not None
        and initial_guess is None
        and rms > REFERENCE_FIT_FACTOR * max(noise, NOISE_FLOOR)
    ):
        from labledger.eis.reference import impedance_py_fit

        for g in starts[:CROSS_STARTS]:
            p = impedance_py_fit(cir, f, z, g, weighting)
            if p is not None:
                extra.append(p)
    for p0 in extra:
        tried[0] += 1
        res = _solve(cir, tr, f, z, _weights(z, weighting), tr.to_x(p0), max_nfev)
        c = _Candidate(cir, tr, res, f.size, "extra")
        if _pick([best, c]) is c:
            notes.append(
                f"the best fit started from impedance.py's own fit or a given start (chi2 "
                f"{c.chi2:.4g} vs "
                f"{best.chi2:.4g} from the data-derived starts)"
            )
            best = c
    n_tried = tried[0]
    if remove_outliers:
        zm = cir.impedance(best.values, f)
        scale = np.abs(z) if weighting == "modulus" else np.ones(f.size)
        dev = np.maximum(np.abs((zm.real - z.real) / scale), np.abs((zm.imag - z.imag) / scale))
        robust = 1.4826 * np.median(dev)
        limit = max(OUTLIER_SIGMAS * robust, OUTLIER_MIN if weighting == "modulus" else 0.0)
        out = dev > limit
        if weighting == "unit":
            out &= dev > OUTLIER_MIN * np.abs(z)
        if 0 < out.sum() <= OUTLIER_MAX_FRACTION * f.size:
            used = ~out
            fs = ", ".join(f"{v:.4g}" for v in f[out])
            notes.append(
                f"removed {int(out.sum())} outlier point(s) at {fs} Hz (residual > "
                f"{OUTLIER_SIGMAS:g} robust sigma and > {OUTLIER_MIN:.0%} of |Z|) and refitted"
            )
            best = best_of([best.res.x], used, cross=False)
            n_tried = tried[0]
        elif out.sum() > OUTLIER_MAX_FRACTION * f.size:
            notes.append(
                f"{int(out.sum())} points deviate strongly from the model; none removed (more "
                f"than {OUTLIER_MAX_FRACTION:.0%}): the circuit may not describe this spectrum"
            )
    n_used = int(used.sum())
    if not np.isfinite(best.stderr).any():
        notes.append("parameter uncertainties not available: the Jacobian is singular")
    for name, why in best.undetermined.items():
        notes.append(f"{name} not determined: {why}")
    return CircuitFit(
        circuit=cir,
        values=best.values,
        stderr=best.stderr,
        chi2=best.chi2,
        weighted_rms=float(np.sqrt(best.chi2 / (2 * n_used))),
        weighting=weighting,
        n_points=int(f.size),
        n_starts=n_tried,
        used=used,
        cov=best.cov,
        notes=tuple(notes),
        undetermined=tuple(best.undetermined.items()),
    )
