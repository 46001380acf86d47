"""Equivalent-circuit fitting: log-parameter least squares with modulus weighting, multi-start."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from labledger.eis.circuit import Circuit, Node

__all__ = ["CircuitFit", "fit_circuit", "initial_guesses"]

EXPONENT_MIN = 0.3
"""CPE-type exponents are mapped into (EXPONENT_MIN, 1]; below 0.3 a CPE is no longer a
capacitive arc element and such fits are unphysical for our samples."""

OUTLIER_SIGMAS = 6.0
"""A point is an outlier if its weighted residual exceeds 6 robust standard deviations (MAD)..."""
OUTLIER_MIN = 0.02
"""...and 2 % of |Z| (so that a noise-free fit does not flag ordinary points)."""
OUTLIER_MAX_FRACTION = 0.1
"""At most 10 % of the points may be removed as outliers; more means the model is wrong."""


LM_TOL = 1e-8
"""Relative tolerance on chi2 and on the fit variables (ln p) for Levenberg-Marquardt: far below
the 0.1 % level that matters for resistances and below the agreement test AGREE_RTOL."""

AGREE_STARTS = 2
AGREE_RTOL = 1e-5
"""Starts stop early once the lowest chi2 has been reached from 2 different starting points
(within a relative 1e-5): a minimum found twice from different data-derived starts is taken
as the global one; it saves most of the multi-start cost on clean spectra."""


@dataclass(frozen=True)
class CircuitFit:
    """A fitted equivalent circuit.

    Method:
    1. Parameters are mapped to unbounded variables: x = ln(p) for magnitudes, and
       x = logit((n - EXPONENT_MIN)/(1 - EXPONENT_MIN)) for CPE-type exponents n.
    2. Residuals r = [(Z'_model - Z')/|Z|, (Z''_model - Z'')/|Z|] (modulus weighting) or
       unweighted (weighting="unit"), minimised with scipy least_squares (Levenberg-Marquardt).
    3. Several starting points (from the data: intercepts and arc apexes; see
       `initial_guesses`) are fitted; the lowest chi2 = sum(r^2) wins (early stop once it has
       been reached from AGREE_STARTS starts).
    4. Outliers (residual > OUTLIER_SIGMAS robust sigmas and > OUTLIER_MIN) are dropped and the
       fit repeated once, with a note, if they are at most OUTLIER_MAX_FRACTION of the points.
    5. Standard errors from the Jacobian: cov_x = (J^T J)^-1 chi2/(2N - P), mapped to the
       parameters by the derivative of the transform (dp/dx = p for ln).
    Fields: circuit, names, values, stderr, cov (parameter covariance), chi2, weighted_rms =
    sqrt(chi2 / 2N), n_points, n_starts (starts run), used (mask of points fitted), notes;
    `bic` = 2N ln(chi2/2N) + P ln(2N) compares circuits on the same points.
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
        c = np.zeros(len(self.names))
        c[idx] = 1.0
        v = float(c @ self.cov @ c)
        return float(np.sqrt(v)) if v >= 0 else float("nan")

    @property
    def bic(self) -> float:
        """Bayesian information criterion 2N ln(chi2/2N) + P ln(2N), to compare circuits."""
        m = 2 * int(self.used.sum())
        return float(m * np.log(max(self.chi2, 1e-300) / m) + self.circuit.n_params * np.log(m))

    def predict(self, frequency_Hz: np.ndarray) -> np.ndarray:
        return self.circuit.impedance(self.values, frequency_Hz)

    def to_dict(self) -> dict:
        """Plain data: circuit, parameters with stderr and units, chi2 and residual figures."""
        return {
            "circuit": self.circuit.text,
            "weighting": self.weighting,
            "parameters": {
                n: {"value": _num(v), "stderr": _num(s), "unit": u}
                for n, v, s, u in zip(
                    self.names, self.values, self.stderr, self.circuit.param_units, strict=True
                )
            },
            "chi2": _num(self.chi2),
            "weighted_rms": _num(self.weighted_rms),
            "n_points": self.n_points,
            "n_points_used": int(self.used.sum()),
            "n_starts": self.n_starts,
            "notes": list(self.notes),
        }


def _num(v: float) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


class _Transform:
    """Maps parameters p to unbounded fit variables x and back (see CircuitFit, step 1)."""

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


def _solve(circuit, tr, f, Z, wgt, x0, max_nfev):
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


def fit_circuit(
    frequency_Hz: np.ndarray,
    Z: np.ndarray,
    circuit: str | Circuit,
    initial_guess: list[float] | np.ndarray | None = None,
    weighting: str = "modulus",
    remove_outliers: bool = True,
    max_nfev: int = 400,
) -> CircuitFit:
    """Fit `circuit` to a spectrum (Hz, complex ohm); see CircuitFit for the method.

    With `initial_guess` only that start is used (as `impedance`'s fit does); otherwise the
    data-derived starts of `initial_guesses`.
    """
    cir = circuit if isinstance(circuit, Circuit) else Circuit(circuit)
    f = np.asarray(frequency_Hz, dtype=float)
    z = np.asarray(Z, dtype=complex)
    if weighting not in ("modulus", "unit"):
        raise ValueError(f"weighting must be 'modulus' or 'unit', not {weighting!r}")
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

    def best_of(x_starts, mask):
        w = 1.0 / np.abs(z[mask]) if weighting == "modulus" else np.ones(int(mask.sum()))
        wgt = np.concatenate([w, w])
        best, agree = None, 0
        for x0 in x_starts:
            tried[0] += 1
            res = _solve(cir, tr, f[mask], z[mask], wgt, x0, max_nfev)
            if best is not None and abs(res.cost - best.cost) <= AGREE_RTOL * best.cost:
                agree += 1
            elif best is None or res.cost < best.cost:
                best, agree = res, 1
            if agree >= AGREE_STARTS:
                break
        return best, wgt

    tried = [0]
    best, _ = best_of([tr.to_x(s) for s in starts], used)
    n_tried = tried[0]
    if remove_outliers:
        zm = cir.impedance(tr.to_p(best.x), f)
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
            best, _ = best_of([best.x], used)
        elif out.sum() > OUTLIER_MAX_FRACTION * f.size:
            notes.append(
                f"{int(out.sum())} points deviate strongly from the model; none removed (more "
                f"than {OUTLIER_MAX_FRACTION:.0%}): the circuit may not describe this spectrum"
            )
    n_used = int(used.sum())
    chi2 = float(2 * best.cost)
    dof = 2 * n_used - cir.n_params
    stderr = np.full(cir.n_params, np.nan)
    cov_p = np.full((cir.n_params, cir.n_params), np.nan)
    try:
        jac = best.jac
        cov = np.linalg.inv(jac.T @ jac) * (chi2 / dof if dof > 0 else np.nan)
        d = tr.dp_dx(best.x)
        cov_p = cov * np.outer(d, d)
        var = np.diag(cov_p)
        ok = var >= 0
        stderr[ok] = np.sqrt(var[ok])
    except np.linalg.LinAlgError:
        notes.append("parameter uncertainties not available: the Jacobian is singular")
    return CircuitFit(
        circuit=cir,
        values=tr.to_p(best.x),
        stderr=stderr,
        chi2=chi2,
        weighted_rms=float(np.sqrt(chi2 / (2 * n_used))),
        weighting=weighting,
        n_points=int(f.size),
        n_starts=n_tried,
        used=used,
        cov=cov_p,
        notes=tuple(notes),
    )


# ---------------------------------------------------------------- starting points


def _features(f: np.ndarray, Z: np.ndarray) -> dict:
    """Arc apexes (local maxima of -Z'' over log f) and intercepts, ordered high -> low f."""
    order = np.argsort(-f)
    f, Z = f[order], Z[order]
    y = -Z.imag
    ys = np.convolve(np.pad(y, 1, mode="edge"), np.ones(3) / 3, mode="valid")
    peaks = [
        i for i in range(1, len(ys) - 1) if ys[i] >= ys[i - 1] and ys[i] > ys[i + 1] and y[i] > 0
    ]
    valleys = [i for i in range(1, len(ys) - 1) if ys[i] <= ys[i - 1] and ys[i] < ys[i + 1]]
    return {
        "f": f,
        "Z": Z,
        "peaks": peaks,
        "valleys": valleys,
        "r_hf": float(max(Z.real[0], 1e-12 * np.abs(Z).max())),
    }


def _role(node: Node) -> str:
    if node.kind == "element":
        return node.etype
    if node.kind == "parallel":
        return "arc"
    return "series"


def _arc_guess(node: Node, r: float, fc: float, n_cpe: float, out: dict) -> None:
    """Fill guesses for the elements of one arc block with resistance r and apex frequency fc."""
    tau = 1 / (2 * np.pi * fc)
    for el in node.elements():
        t = el.etype
        if t == "R":
            out[el.name] = [r]
        elif t == "C":
            out[el.name] = [tau / r]
        elif t == "CPE":
            out[el.name] = [tau**n_cpe / r, n_cpe]
        elif t in ("Wo", "Ws", "G"):
            out[el.name] = [r, tau]
        elif t == "Zarc":
            out[el.name] = [r, tau, n_cpe]


def _generic(el: Node, feat: dict, span: float, out: dict) -> None:
    f, Z = feat["f"], feat["Z"]
    w_lo = 2 * np.pi * f[-1]
    t = el.etype
    if el.name in out:
        return
    if t == "R":
        out[el.name] = [max(span, 1e-12)]
    elif t == "C":
        out[el.name] = [1 / (w_lo * max(abs(Z.imag[-1]), 1e-12))]
    elif t == "CPE":
        n = 0.85
        out[el.name] = [1 / (w_lo**n * max(abs(Z[-1]), 1e-12)), n]
    elif t == "L":
        w_hi = 2 * np.pi * f[0]
        out[el.name] = [max(Z.imag[0], 1e-3 * abs(Z[0])) / w_hi]
    elif t == "W":
        out[el.name] = [max(abs(Z.imag[-1]), 1e-12) * np.sqrt(w_lo)]
    elif t in ("Wo", "Ws", "G"):
        out[el.name] = [max(span, 1e-12), 1 / w_lo]
    elif t == "La":
        out[el.name] = [1e-6, 0.9]
    elif t == "Gs":
        out[el.name] = [max(span, 1e-12), 1 / w_lo, 0.9]
    elif t == "K":
        out[el.name] = [max(span, 1e-12), 1 / w_lo]
    elif t == "Zarc":
        out[el.name] = [max(span, 1e-12), 1 / w_lo, 0.9]
    elif t == "TLMQ":
        out[el.name] = [max(span, 1e-12), 1e-3, 0.9]
    elif t == "T":
        out[el.name] = [max(span, 1e-12), max(span, 1e-12), 1.0, 1 / w_lo]
    else:  # pragma: no cover - all registry elements are listed above
        out[el.name] = [1.0] * 1


def initial_guesses(circuit: Circuit, f: np.ndarray, Z: np.ndarray, max_starts: int = 8) -> list:
    """Starting points derived from the spectrum.

    The top-level series blocks of the circuit are read as: lone resistors (high-frequency
    intercept), arcs (parallel blocks; resistance from the apex height, Q or C from the apex
    frequency tau = 1/(2 pi f_apex)), and low-frequency elements (CPE/C/W: from the lowest-frequency
    point). Variants: A, arcs on the detected apexes (-Z'' maxima) from high to low frequency,
    a missing arc placed above the window; C, the first arc above the window holding the
    high-frequency intercept (a bulk arc of LLTO at room temperature); B, arcs spread evenly in
    log f; D, a missing arc below the window. Each with CPE exponents 0.9 and 0.75, ordered so
    that the likeliest starts come first (fit_circuit stops once two starts agree).
    Returns a list of parameter vectors in the circuit's parameter order.
    """
    feat = _features(f, Z)
    fs, zs = feat["f"], feat["Z"]
    top = circuit.tree.children if circuit.tree.kind == "series" else (circuit.tree,)
    arcs = [b for b in top if _role(b) == "arc"]
    lone_r = [b for b in top if _role(b) == "R"]
    peaks = feat["peaks"]
    valleys = feat["valleys"]
    r_hf = feat["r_hf"]
    # end of the arcs: the Z' at the last valley (start of an electrode spike) or lowest f
    r_lf = float(zs.real[valleys[-1]]) if valleys else float(zs.real[-1])
    r_lf = max(r_lf, r_hf * 1.01)
    span = r_lf - r_hf
    f_hi, f_lo = fs[0], fs[-1]

    def apex(i):
        return fs[i], max(2.2 * (-zs.imag[i]), 1e-3 * span)

    detected = [apex(i) for i in peaks]
    k = len(arcs)
    order: list[tuple[str, float]] = []
    if k:
        # A: detected apexes (the k biggest, in frequency order), missing arcs above the window
        top_k = sorted(sorted(detected, key=lambda a: -a[1])[:k], key=lambda a: -a[0])
        missing = k - len(top_k)
        above = [(f_hi * 3 * 10**j, r_hf if not lone_r else r_hf * 0.5) for j in range(missing)]
        variants = {
            "B": [(fc, span / k) for fc in np.logspace(np.log10(f_hi), np.log10(f_lo), k + 2)[1:-1]]
        }
        if detected:
            variants["A"] = above[::-1] + top_k
            # D: detected apexes, missing arcs below the window
            variants["D"] = top_k + [(f_lo / 3 / 10**j, span) for j in range(missing)]
        if k >= 2:
            # C: first arc above the window holding the high-frequency intercept
            spread2 = np.logspace(np.log10(f_hi), np.log10(f_lo), k + 1)[1:-1]
            variants["C"] = [(f_hi * 3, max(r_hf, span * 0.05))] + [
                (fc, span / (k - 1)) for fc in spread2
            ]
        # priority: the detected apexes first; with an arc missing, the arc-above-window start
        # next (LLTO bulk at room temperature), else the same apexes with another exponent
        if detected:
            order.append(("A", 0.9))
            if not (missing and "C" in variants):
                order.append(("A", 0.75))
        rest = "CBD" if missing else "BDC"
        order += [(v, n) for n in (0.9, 0.75) for v in rest if v in variants]
        if detected and ("A", 0.75) not in order:
            order.insert(2, ("A", 0.75))
    else:
        variants = {"-": []}
        order = [("-", 0.9), ("-", 0.75)]
    guesses = []
    for name, n_cpe in order:
        var = variants[name]
        out: dict[str, list[float]] = {}
        for blk, (fc, r) in zip(arcs, var, strict=False):
            _arc_guess(blk, r, fc, n_cpe, out)
        for blk in lone_r:
            out[blk.elements()[0].name] = [
                max(r_hf if not var or var[0][0] < f_hi else r_hf * 0.5, 1e-12 * abs(zs[0]))
            ]
        for el in circuit.tree.elements():
            _generic(el, feat, span if el.etype != "R" else max(span / 4, 1e-12), out)
        vec = np.array([v for el in circuit.tree.elements() for v in out[el.name]])
        vec = np.where(circuit.is_exponent, np.clip(vec, EXPONENT_MIN + 0.01, 0.99), vec)
        guesses.append(np.maximum(vec, 1e-300))
    # de-duplicate, keep order
    uniq, seen = [], set()
    for g in guesses:
        key = tuple(np.round(np.log10(g), 6))
        if key not in seen:
            seen.add(key)
            uniq.append(g)
    return uniq[: max(max_starts, 1)] if len(uniq) > max_starts else uniq
