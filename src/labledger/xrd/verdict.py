"""What a fit supports: parameters at their bounds, own lines, unexplained peaks, the verdict.

numpy + scipy only. Used by `labledger.xrd.analysis` on every accepted phase and on the final
model:

1. Bounds: a refined cell strain, size width or March-Dollase r within `BOUND_MARGIN` of its
   bound means the fit wanted to go further; such a phase is not supported (a real phase of
   the library sits well inside, a phase fitted to background or to another material's lines
   runs to a bound). Shared parameters (zero, displacement, W, U, eta) at a bound are flagged.
2. Own lines (`own_line`): a phase's strongest line that other phases do not dominate must
   stand `LINE_SIGMA` standard deviations above the rest of the model and be observed, and so
   must most of its other strong own lines (`PATTERN_FRACTION`): a phase from outside the
   library matches one or two lines of a listed phase, not all.
3. Unexplained peaks: the residual y - y_calc, summed over windows of `PEAK_WINDOW_DEG`, is
   searched for maxima that stand `PEAK_SIGMA` standard deviations (misfit-scaled, at least
   counting noise) above zero, are at least `STRONG_PEAK_FRACTION` of the strongest observed
   peak above background, and lie where the model has no peak of its own (calculated peak
   intensity there below `MODEL_PEAK_FRACTION` of the residual: misfit on a modelled peak's
   flank is a profile error, not a missing phase).
4. Verdict: "explained" when at least one phase is accepted, no strong peak is unexplained and
   GOF <= `GOF_LIMIT`; otherwise "no listed phase explains this scan", and no weight fractions.
"""

from __future__ import annotations

import math

import numpy as np

from labledger.xrd.fit import WholePatternFit
from labledger.xrd.fit_params import (
    ANGLE_BOUND_DEG,
    ASYMMETRY_BOUND,
    DISPLACEMENT_BOUND_DEG,
    PO_BOUNDS,
    SIZE_WIDTH_BOUNDS,
    STRAIN_BOUND,
    U_BOUNDS,
    W_BOUNDS,
    ZERO_BOUND_DEG,
    FitState,
)
from labledger.xrd.scan import Scan

# Fraction of a parameter's allowed range (from the bound) counted as "at the bound".
BOUND_MARGIN = 0.02
# A refined cell length further than this from the reference (fraction) is another material:
# doping and off-stoichiometry move the cells of the listed phases by well under 1 %.
CELL_STRAIN_MAX = 0.02
# A phase whose size width exceeds this (deg; crystallites below ~15 nm at 30 deg Cu) has
# lines as broad as the features an 8-term Chebyshev background can take or leave: its
# intensity is not distinguishable from background, so it is not reported.
BROAD_WIDTH_DEG = 0.5
# Window (deg 2theta) over which residuals are summed when looking for peaks: about a
# laboratory FWHM, so a peak's counts add up and single-point noise does not.
PEAK_WINDOW_DEG = 0.10
# An unexplained peak stands this many (misfit-scaled) standard deviations above zero ...
PEAK_SIGMA = 8.0
# ... and is at least this fraction of the strongest observed peak height above background.
STRONG_PEAK_FRACTION = 0.08
# The model has a peak of its own at a residual maximum when its net intensity there is at
# least this fraction of the residual.
MODEL_PEAK_FRACTION = 0.5
# A residual peak must fall to half its height within this distance (deg) on both sides.
PEAK_SIDE_DEG = 1.0
# GOF above this is "far above counting statistics": the model does not describe the data.
GOF_LIMIT = 8.0
# Peaks listed in a verdict (the strongest first).
MAX_LISTED_PEAKS = 12
NOT_EXPLAINED = "no listed phase explains this scan"
# Own-line test: a line is the phase's own when other phases contribute less than
# OVERLAP_FRACTION of its intensity within +-1 FWHM; the strongest own line must stand
# LINE_SIGMA standard deviations above the rest of the model, and at least
# LINE_EXCESS_FRACTION of the predicted intensity must be there in the observed pattern.
OVERLAP_FRACTION = 1.0
LINE_SIGMA = 3.0
LINE_EXCESS_FRACTION = 0.5
# Of the predicted intensity of a phase's strong own lines (the 10 strongest lines not
# dominated by other phases, each above LINE_SIGMA), at least this fraction must be observed:
# a phase from outside the library matches one or two lines of a listed phase, not all.
PATTERN_FRACTION = 0.75


def _near(value: float, lo: float, hi: float) -> str | None:
    margin = BOUND_MARGIN * (hi - lo)
    if value <= lo + margin:
        return "lower"
    if value >= hi - margin:
        return "upper"
    return None


def phase_at_bounds(model: WholePatternFit, state: FitState, name: str) -> list[str]:
    """Refined parameters of phase `name` at a bound, e.g. ['c strain at its upper bound']."""
    sp = model.phases[model.phase_index(name)]
    out = []
    for n, j in enumerate(sp.free):
        bound = STRAIN_BOUND if j < 3 else ANGLE_BOUND_DEG
        value = float(state.theta[sp.lat_slice.start + n])
        side = _near(value, -bound, bound)
        what = "abc"[j] + " strain" if j < 3 else ("alpha", "beta", "gamma")[j - 3]
        if side:
            out.append(f"{what} at its {side} bound")
        elif j < 3 and abs(value) > CELL_STRAIN_MAX:
            out.append(f"{what} {100 * value:+.1f} % beyond {100 * CELL_STRAIN_MAX:g} %")
    # a zero size width is a sharp phase, not a fit that wants to go further
    width = float(state.theta[sp.width_index])
    if _near(width, *SIZE_WIDTH_BOUNDS) == "upper":
        out.append(f"size width at its upper bound ({SIZE_WIDTH_BOUNDS[1]:g} deg)")
    elif width > BROAD_WIDTH_DEG:
        out.append(f"size width {width:.2f} deg above {BROAD_WIDTH_DEG:g} deg")
    if sp.po_index is not None:
        side = _near(float(state.theta[sp.po_index]), *PO_BOUNDS)
        if side:
            out.append(f"preferred-orientation r at its {side} bound")
    return out


def shared_at_bounds(state: FitState) -> list[str]:
    """Shared profile parameters (zero, displacement, W, U, eta, asymmetry) at a bound."""
    limits = (
        ("zero shift", -ZERO_BOUND_DEG, ZERO_BOUND_DEG),
        ("displacement", -DISPLACEMENT_BOUND_DEG, DISPLACEMENT_BOUND_DEG),
        ("W", *W_BOUNDS),
        ("U", *U_BOUNDS),
        ("eta", 0.0, 1.0),
        ("asymmetry", -ASYMMETRY_BOUND, ASYMMETRY_BOUND),
    )
    out = []
    for i, (what, lo, hi) in enumerate(limits):
        side = _near(float(state.theta[i]), lo, hi)
        # small W or U (a sharp instrument) and any eta (Gauss to Lorentz) are physical
        if side and what != "eta" and not (what in ("W", "U") and side == "lower"):
            out.append(f"{what} at its {side} bound")
    return out


def own_line(model: WholePatternFit, state: FitState, name: str) -> tuple[bool, str, float | None]:
    """Is the strongest own line of `name` present? (ok, reason, its 2theta)."""
    p = model.phase_index(name)
    n_ph = len(model.phases)
    scales = state.coeffs[:n_ph]
    contrib = state.phase_patterns * scales
    mine = contrib[:, p]
    others = contrib.sum(axis=1) - mine
    rest = state.model - mine
    var = 1.0 / model.w
    gof2 = max(state.chi2 / max(model.n - state.n_params, 1), 1.0)
    groups = [g for g in model._peaks(state.theta) if g["phase"] == p and g["line"] == 1.0]
    if not groups:
        return False, "no line of this phase in the scanned range", None
    g = groups[0]
    lines = []
    for pos, h in zip(g["pos"], g["h"], strict=True):
        win = (model.x >= pos - h) & (model.x <= pos + h)
        if not np.any(win):
            continue
        signal = float(mine[win].sum())
        other = float(others[win].sum())
        lines.append((signal, other, pos, win))
    lines.sort(key=lambda t: -t[0])
    own = [t for t in lines[:10] if t[1] < OVERLAP_FRACTION * t[0]]
    if not own:
        return False, "all its strong lines coincide with other phases' lines", None
    signal, _other, pos, win = own[0]
    noise = math.sqrt(float(var[win].sum()) * gof2)
    excess = float((model.y[win] - rest[win]).sum())
    if signal < LINE_SIGMA * noise:
        return False, f"strongest own line at {pos:.2f} deg below {LINE_SIGMA:g} sigma", pos
    if excess < LINE_EXCESS_FRACTION * signal:
        return False, f"strongest own line at {pos:.2f} deg not in the observed pattern", pos
    # the phase's other strong own lines must be there too, not only the one that fits
    seen = total = 0.0
    missing = None
    for sig, _o, at, w in own:
        if sig < LINE_SIGMA * math.sqrt(float(var[w].sum()) * gof2):
            continue
        got = float((model.y[w] - rest[w]).sum())
        total += sig
        seen += min(max(got, 0.0), sig)
        if got < LINE_EXCESS_FRACTION * sig and missing is None:
            missing = at
    frac = seen / total
    if frac < PATTERN_FRACTION:
        return (
            False,
            f"only {100 * frac:.0f} % of its strong own lines' intensity observed "
            f"(line at {missing:.2f} deg missing)",
            pos,
        )
    return True, f"own line at {pos:.2f} deg; {100 * frac:.0f} % of its strong lines seen", pos


def _window_sums(values: np.ndarray, m: int) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(values)])
    s = c[m:] - c[:-m]
    pad = m // 2
    return np.concatenate([np.full(pad, s[0]), s, np.full(values.size - s.size - pad, s[-1])])


def _local_maxima(values: np.ndarray, half: int) -> np.ndarray:
    """Indices where `values` is positive and the largest within +-`half` points (numpy only:
    scipy.signal's import alone costs more than a whole analysis)."""
    padded = np.pad(values, half, constant_values=-np.inf)
    top = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1).max(axis=1)
    idx = np.nonzero((values >= top) & (values > 0))[0]
    # a flat top counts once
    return idx[np.r_[True, np.diff(idx) > half]] if idx.size else idx


def unexplained_peaks(
    scan: Scan,
    model: WholePatternFit,
    state: FitState,
    background: np.ndarray,
    misfit_scaled: bool = True,
) -> list[dict]:
    """Strong observed peaks the model leaves unexplained: 2theta, d, net height, sigma.

    The noise a peak must stand above is the counting noise, scaled by the fit's GOF when
    `misfit_scaled` (a misfitting model leaves wiggles that are no peaks)."""
    x, y = model.x, model.y
    step = float(np.median(np.diff(x)))
    m = max(1, min(round(PEAK_WINDOW_DEG / step), x.size // 4))
    var = 1.0 / model.w
    gof2 = max(state.chi2 / max(model.n - state.n_params, 1), 1.0) if misfit_scaled else 1.0
    resid = _window_sums(y - state.model, m)
    sigma = np.sqrt(_window_sums(var, m) * gof2)
    net_obs = _window_sums(y - background, m)
    net_calc = _window_sums(state.model - background, m)
    strongest = float(net_obs.max())
    if strongest <= 0:
        return []
    floor = max(STRONG_PEAK_FRACTION * strongest, 0.0)
    side = max(round(PEAK_SIDE_DEG / step), 2 * m)
    idx = _local_maxima(resid, m)
    peaks = []
    for i in idx:
        if resid[i] < PEAK_SIGMA * sigma[i] or resid[i] < floor:
            continue
        if net_calc[i] >= MODEL_PEAK_FRACTION * resid[i]:
            continue
        # a peak falls off on both sides within PEAK_SIDE_DEG; a one-sided rise at the
        # scan's ends (direct beam, knife edge) is background, not a reflection
        lo, hi = i - side, i + side
        if lo < 0 or hi >= x.size:
            continue
        if resid[lo:i].min() > 0.5 * resid[i] or resid[i:hi].min() > 0.5 * resid[i]:
            continue
        tt = float(x[i])
        d = scan.wavelength.ka1_a / (2 * math.sin(math.radians(tt / 2)))
        peaks.append(
            {
                "two_theta_deg": round(tt, 3),
                "d_A": round(d, 4),
                "net_counts_per_window": round(float(resid[i]), 1),
                "relative_height": round(float(resid[i]) / strongest, 3),
                "sigma": round(float(resid[i] / sigma[i]), 1),
            }
        )
    peaks.sort(key=lambda p: -p["net_counts_per_window"])
    return _without_ka2(peaks, scan, PEAK_WINDOW_DEG)[:MAX_LISTED_PEAKS]


def _without_ka2(peaks: list[dict], scan: Scan, tol_deg: float) -> list[dict]:
    """Drop a peak that sits at the Ka2 position of a stronger listed one (same reflection)."""
    wl = scan.wavelength
    if not wl.ka2_a or wl.ka2_ratio <= 0:
        return peaks
    kept: list[dict] = []
    for p in peaks:
        twin = False
        for q in kept:
            s = wl.ka2_a / wl.ka1_a * math.sin(math.radians(q["two_theta_deg"] / 2))
            if s < 1 and abs(2 * math.degrees(math.asin(s)) - p["two_theta_deg"]) <= tol_deg:
                twin = True
                break
        if not twin:
            kept.append(p)
    return kept


def wavelength_note(scan: Scan) -> str:
    """Which wavelength the analysis used and whether the file stated it."""
    wl = scan.wavelength
    line = f"Ka1 {wl.ka1_a:g} A"
    if wl.ka2_a:
        line += f", Ka2 {wl.ka2_a:g} A ratio {wl.ka2_ratio:g}"
    else:
        line += " only (no Ka2)"
    if wl.stated:
        return f"{line}, stated in the file"
    given = scan.metadata.get("wavelength_given")
    if given:
        return f"{line}: the file states no wavelength; {given} as given (assumed)"
    return f"{line}: the file states no wavelength; Cu Ka assumed"


def make_verdict(
    scan: Scan,
    model: WholePatternFit,
    state: FitState,
    background: np.ndarray,
    gof: float,
    accepted: list[str],
) -> dict:
    """The verdict dictionary of a finished analysis (see the module docstring)."""
    peaks = unexplained_peaks(scan, model, state, background)
    reasons = []
    if not accepted:
        if peaks:
            reasons.append("no candidate phase is supported by the data")
        else:
            reasons.append("no diffraction peak stands above the counting noise")
    if peaks:
        listed = ", ".join(f"{p['two_theta_deg']:.2f} deg (d {p['d_A']:.3f} A)" for p in peaks[:5])
        reasons.append(f"{len(peaks)} strong observed peak(s) unexplained: {listed}")
    if accepted and gof > GOF_LIMIT:
        reasons.append(f"GOF {gof:.1f} is far above counting statistics (limit {GOF_LIMIT:g})")
    explained = bool(accepted) and not reasons
    summary = f"{' + '.join(accepted)} explain(s) this scan" if explained else NOT_EXPLAINED
    n_scans = int(scan.metadata.get("scans_in_file", 1))
    scan_note = None
    if n_scans > 1:
        scan_note = (
            f"scan {int(scan.metadata.get('scan_index', 0)) + 1} of the {n_scans} in the file"
        )
    return {
        "status": "explained" if explained else "not_explained",
        "scan_note": scan_note,
        "summary": summary,
        "reasons": reasons,
        "unexplained_peaks": peaks,
        "wavelength_note": wavelength_note(scan),
        "shared_at_bounds": shared_at_bounds(state) if accepted else [],
    }
