"""Phase identification and quantification of one scan (numpy + scipy only).

`analyze_scan(scan, refs)` returns an `XrdResult`; `analyze_file(path, ...)` reads the file and
resolves the references first. See `XrdResult` for the method.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from labledger.analysis_versions import XRD
from labledger.xrd.fit import FitState, WholePatternFit, lattice_dict
from labledger.xrd.refdata import PhaseRef, cell_volume, resolve_references
from labledger.xrd.scan import Scan
from labledger.xrd.verdict import make_verdict, phase_at_bounds

ANALYSIS_VERSION = f"xrd-fit-{XRD}"  # bump in labledger.analysis_versions
# A phase is kept when it lowers the (misfit-scaled) BIC by more than this: 10 is "very
# strong" evidence on the Kass & Raftery (J. Am. Stat. Assoc. 1995, 90, 773) scale.
BIC_THRESHOLD = 10.0
# Screening (linear fit with fixed profile) must promise at least this fraction of the BIC
# threshold before a candidate gets a full trial refinement (saves time, loses nothing that a
# full fit would keep in the tests here).
SCREEN_FRACTION = 0.5
# Grid of isotropic strains (fraction) over which a candidate's cell is tried before refining:
# covers the +-1 % a doped or off-stoichiometric phase shows, in steps well under a peak width
# at 2theta < 60 deg.
STRAIN_GRID = np.linspace(-0.01, 0.01, 11)
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
# Candidates tried for addition per round (best screening first) before selection stops.
TRIES_PER_ROUND = 2
# Best-screened candidates refined alone before the first phase is chosen (a cubic subcell
# can screen as well as the tetragonal supercell before the cell is refined).
FIRST_TRIES = 2
# Restarts of the first phase with its c strain moved by these amounts (fraction) against a:
# covers the swap of (h00) and (00l) lines of a pseudo-cubic cell (c/2a ~ 1 +- 0.3 %).
C_RESTARTS = (-0.004, 0.004)
# A new phase brings at least a scale, a width and one cell parameter.
NEW_PARAMS_MIN = 3
MAX_PHASES = 5
# Weight-fraction standard uncertainties never fall below this (wt %): the scale covariance
# alone ignores profile, absorption and orientation errors, and the accuracy of quantitative
# phase analysis of simple mixtures is of order 1 wt % (Madsen et al., J. Appl. Cryst. 2001,
# 34, 409).
WT_ESD_FLOOR = 0.3


@dataclass(frozen=True)
class PhaseResult:
    """One detected phase: weight fraction (wt %, with standard uncertainty) and refined cell."""

    name: str
    formula: str
    space_group: str
    crystal_system: str
    wt_percent: float | None
    wt_percent_esd: float | None
    scale: float
    scale_esd: float
    lattice: dict
    reference_lattice: dict
    size_width_deg: float
    preferred_orientation_r: float | None
    cell_mass_amu: float
    cell_volume_A3: float
    reference: dict
    at_bounds: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return _plain(self.__dict__)


@dataclass(frozen=True)
class CandidateDecision:
    """Why a candidate phase was kept or left out."""

    name: str
    kept: bool
    delta_bic: float | None
    reason: str

    def to_dict(self) -> dict:
        return _plain(self.__dict__)


@dataclass(frozen=True)
class XrdResult:
    """Phases, weight fractions and refined cells of one scan.

    Method:
    1. Candidates: the reference phases given (name -> `PhaseRef`, from CIFs via
       `labledger.xrd.references`).
    2. First phase: each candidate alone (+ Chebyshev background) is tried over a grid of
       isotropic strains (`STRAIN_GRID`) with linear scales; the `FIRST_TRIES` lowest are
       refined fully alone (`labledger.xrd.fit.WholePatternFit`) and the lowest chi^2 wins;
       its c parameter is restarted at +-`C_RESTARTS` against a (a tetragonal split that
       swaps line order relative to the reference is a local minimum otherwise).
    3. Forward selection: each remaining candidate is screened the same way on top of the
       current model; the most promising (`TRIES_PER_ROUND`) get a full refinement with it
       added. A phase is kept when (a) its scale is positive, (b) dBIC = dchi^2 / s^2 -
       dk ln N > `BIC_THRESHOLD`, s^2 = chi^2 / (N - k) of the larger model (misfit-scaled,
       so a model error does not count as evidence), and (c) its strongest own line (one
       other phases do not dominate) stands `LINE_SIGMA` sigma above the rest of the model
       with >= `LINE_EXCESS_FRACTION` of its predicted intensity observed. A kept phase whose
       scale turns non-positive when a newcomer is added is replaced by it (a polymorph or
       subcell picked first). Selection stops when no candidate is kept or `MAX_PHASES` are in.
    4. Weight fractions (Hill & Howard, J. Appl. Cryst. 1987, 20, 467):
       W_i = S_i M_i V_i / sum_j S_j M_j V_j, S the scale, M the cell mass (incl. partial
       occupancies), V the refined cell volume; the uncertainty propagates the covariance of
       the scales (reduced-chi^2 scaled), not that of the cells.
    5. Agreement: Rwp = sqrt(sum w (y - yc)^2 / sum w y^2), Rexp = sqrt((N - P) / sum w y^2),
       GOF = Rwp / Rexp.
    """

    source: dict
    phases: list[PhaseResult]
    zero_shift_deg: float
    zero_shift_deg_esd: float
    displacement_deg: float
    profile: dict
    rwp: float
    rexp: float
    gof: float
    n_points: int
    n_params: int
    candidates: list[CandidateDecision]
    references: dict = field(default_factory=dict)  # every candidate: CIF sha256, code version
    verdict: dict = field(default_factory=dict)  # labledger.xrd.verdict.make_verdict
    analysis_version: str = ANALYSIS_VERSION
    # arrays for plots (not serialised)
    two_theta_deg: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    observed: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    calculated: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    background: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    contributions: dict = field(default_factory=dict, repr=False)
    ticks: dict = field(default_factory=dict, repr=False)

    @property
    def detected(self) -> list[str]:
        return [p.name for p in self.phases]

    def wt_percent(self) -> dict[str, float | None]:
        return {p.name: p.wt_percent for p in self.phases}

    def to_dict(self) -> dict:
        return _plain(
            {
                "analysis_version": self.analysis_version,
                "source": self.source,
                "verdict": self.verdict,
                "phases_detected": self.detected,
                "phases": [p.to_dict() for p in self.phases],
                "zero_shift_deg": self.zero_shift_deg,
                "zero_shift_deg_esd": self.zero_shift_deg_esd,
                "displacement_deg": self.displacement_deg,
                "profile": self.profile,
                "rwp_percent": 100 * self.rwp,
                "rexp_percent": 100 * self.rexp,
                "gof": self.gof,
                "n_points": self.n_points,
                "n_params": self.n_params,
                "candidates": [c.to_dict() for c in self.candidates],
                "references": self.references or {p.name: p.reference for p in self.phases},
            }
        )


def _plain(obj):
    """JSON-safe copy: numpy scalars to float/int, NaN/inf to None, tuples to lists."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_plain(v) for v in obj.tolist()]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        v = float(obj)
        return v if math.isfinite(v) else None
    return obj


# ----------------------------------------------------------------------------- internals


class _Selector:
    def __init__(
        self,
        scan: Scan,
        refs: dict[str, PhaseRef],
        background_terms: int,
        refine_displacement: bool,
    ) -> None:
        self.scan = scan
        self.refs = refs
        self.bgt = background_terms
        self.fixed = () if refine_displacement else (1,)
        self.n = scan.n_points

    def model(self, names: list[str]) -> WholePatternFit:
        return WholePatternFit(self.scan, [self.refs[n] for n in names], self.bgt)

    def _theta_with(self, model: WholePatternFit, base: dict | None, strain: dict) -> np.ndarray:
        """Start vector: shared and per-phase values from `base`, isotropic strains given."""
        t = model.initial_theta()
        if base is not None:
            t[:5] = base["shared"]
        for sp in model.phases:
            name = sp.ref.name
            if base is not None and name in base["phases"]:
                vals = base["phases"][name]
                t[sp.lat_slice] = vals["lat"]
                t[sp.width_index] = vals["width"]
                if sp.po_index is not None:
                    t[sp.po_index] = vals["po"]
            else:
                eps = strain.get(name, 0.0)
                for n, j in enumerate(sp.free):
                    if j < 3:
                        t[sp.lat_slice.start + n] = eps
                if base is not None:
                    t[sp.width_index] = base["median_width"]
        return t

    @staticmethod
    def snapshot(model: WholePatternFit, theta: np.ndarray) -> dict:
        phases = {}
        for sp in model.phases:
            phases[sp.ref.name] = {
                "lat": theta[sp.lat_slice].copy(),
                "width": theta[sp.width_index],
                "po": theta[sp.po_index] if sp.po_index is not None else 1.0,
            }
        widths = [v["width"] for v in phases.values()]
        return {
            "shared": theta[:5].copy(),
            "phases": phases,
            "median_width": float(np.median(widths)),
        }

    def screen(
        self, current: list[str], base: dict | None, cand: str, cur_cols: np.ndarray | None
    ) -> tuple[float, float, bool]:
        """(chi^2, best strain, scale positive) of `current` + `cand` with a linear fit only.

        The current phases' unit patterns `cur_cols` are fixed; only the candidate's pattern is
        recomputed for each strain of `STRAIN_GRID`.
        """
        model = self.model([cand])
        best = (np.inf, 0.0, False)
        for eps in STRAIN_GRID:
            theta = self._theta_with(model, base, {cand: eps})
            col, _ = model.evaluate(theta, derivatives=False)
            cols = col if cur_cols is None else np.hstack([cur_cols, col])
            c, a, _ = model.solve_linear(cols)
            chi2 = float(np.sum((model.sw * model.y - a @ c) ** 2))
            if chi2 < best[0]:
                best = (chi2, float(eps), bool(c[len(current)] > 0))
        return best

    def refine(
        self, names: list[str], base: dict | None, strain: dict
    ) -> tuple[WholePatternFit, FitState]:
        model = self.model(names)
        theta0 = self._theta_with(model, base, strain)
        state = model.fit(theta0, fixed=self.fixed)
        return model, state

    def bic_gain(self, small: FitState, big: FitState) -> float:
        s2 = big.chi2 / max(self.n - big.n_params, 1)
        dk = big.n_params - small.n_params
        return (small.chi2 - big.chi2) / s2 - dk * math.log(self.n)

    def restart_c(self, model: WholePatternFit, state: FitState) -> FitState:
        """Restarts with c strained against a: a c ~ 2a cell whose split lines are swapped
        relative to the reference otherwise ends in the local minimum of merged lines."""
        sp = model.phases[0]
        if 0 in sp.free and 2 in sp.free:
            ic = sp.lat_slice.start + sp.free.index(2)
            for delta in C_RESTARTS:
                theta0 = state.theta.copy()
                theta0[ic] += delta
                st1 = model.fit(theta0, fixed=self.fixed)
                if st1.chi2 < state.chi2:
                    state = st1
        return state

    def accept(
        self, small: FitState, model: WholePatternFit, state: FitState, name: str
    ) -> tuple[bool, float | None, str]:
        """Is `name` in (`model`, `state`) supported against the model without it (`small`)?

        (a) positive scale, (b) misfit-scaled dBIC > `BIC_THRESHOLD`, (c) no cell strain, size
        width or orientation at its bound, (d) its strongest own line is observed.
        """
        idx = model.phase_index(name)
        dbic = self.bic_gain(small, state)
        if state.coeffs[idx] <= 0:
            return False, dbic, "not supported: refined scale not positive"
        if dbic <= BIC_THRESHOLD:
            return False, dbic, f"not supported: dBIC {dbic:.1f} <= {BIC_THRESHOLD:g}"
        bounds = phase_at_bounds(model, state, name)
        if bounds:
            return False, dbic, "not supported: " + "; ".join(bounds)
        ok, why, _ = self.own_line(model, state, name)
        return ok, dbic, why if ok else f"not supported: {why}"

    def own_line(
        self, model: WholePatternFit, state: FitState, name: str
    ) -> tuple[bool, str, float | None]:
        """Is the strongest own line of `name` present? (ok, reason, its 2theta)."""
        p = model.phase_index(name)
        n_ph = len(model.phases)
        scales = state.coeffs[:n_ph]
        contrib = state.phase_patterns * scales
        mine = contrib[:, p]
        others = contrib.sum(axis=1) - mine
        rest = state.model - mine
        var = 1.0 / model.w
        gof2 = max(state.chi2 / max(self.n - state.n_params, 1), 1.0)
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


def analyze_scan(
    scan: Scan,
    refs: dict[str, PhaseRef],
    background_terms: int = 8,
    refine_displacement: bool = False,
    max_phases: int = MAX_PHASES,
) -> XrdResult:
    """Identify and quantify the phases of `scan` among the candidate references `refs`."""
    if not refs:
        raise ValueError("no candidate phases given")
    sel = _Selector(scan, refs, background_terms, refine_displacement)
    decisions: dict[str, CandidateDecision] = {}
    # the model without any phase: what the first phase must beat
    model = sel.model([])
    state = model.state(model.initial_theta())
    current: list[str] = []
    # 2. first phase: screen all, refine the best alone, keep the lowest chi^2 that is supported
    firsts = []
    for name in refs:
        chi2, eps, positive = sel.screen([], None, name, None)
        if positive:
            firsts.append((chi2, name, eps))
        else:
            decisions[name] = CandidateDecision(name, False, None, "no positive scale alone")
    firsts.sort()
    trials = []
    for _, name, eps in firsts[: FIRST_TRIES + 1]:
        m1, st1 = sel.refine([name], None, {name: eps})
        trials.append((st1.chi2, name, m1, st1))
    trials.sort(key=lambda t: t[0])
    for _, name, m1, st1 in trials:
        st1 = sel.restart_c(m1, st1)
        ok, dbic, why = sel.accept(state, m1, st1, name)
        decisions[name] = CandidateDecision(name, ok, dbic, why)
        if ok:
            current, model, state = [name], m1, st1
            break
    # 3. forward selection
    while current and len(current) < max_phases:
        base = sel.snapshot(model, state.theta)
        s2 = state.chi2 / max(sel.n - state.n_params, 1)
        ranked = []
        for name in refs:
            if name in current or (name in decisions and decisions[name].kept):
                continue
            chi2, eps, positive = sel.screen(current, base, name, state.phase_patterns)
            gain = (state.chi2 - chi2) / s2
            ranked.append((-gain, name, eps, positive))
        ranked.sort()
        kept = False
        for neg_gain, name, eps, positive in ranked[:TRIES_PER_ROUND]:
            needed = SCREEN_FRACTION * (BIC_THRESHOLD + NEW_PARAMS_MIN * math.log(sel.n))
            if not positive or -neg_gain < needed:
                decisions[name] = CandidateDecision(
                    name, False, None, "no significant improvement in screening"
                )
                continue
            names = [*current, name]
            m2, st2 = sel.refine(names, base, {name: eps})
            # a kept phase whose scale turned non-positive is replaced by the newcomer
            dropped = [n for i, n in enumerate(names[:-1]) if st2.coeffs[i] <= 0]
            if dropped:
                names = [n for n in names if n not in dropped]
                m2, st2 = sel.refine(names, sel.snapshot(m2, st2.theta), {})
            ok, dbic, why = sel.accept(state, m2, st2, name)
            decisions[name] = CandidateDecision(name, ok, dbic, why)
            if not ok:
                continue
            for n in dropped:
                decisions[n] = CandidateDecision(n, False, None, f"replaced by {name}")
            current = names
            model, state = m2, st2
            kept = True
            break
        for _neg, name, _eps, _pos in ranked[TRIES_PER_ROUND:]:
            decisions.setdefault(
                name, CandidateDecision(name, False, None, "not tried: weak screening")
            )
        if not kept:
            break
    for name in refs:
        decisions.setdefault(name, CandidateDecision(name, False, None, "not tried"))
    result = _result(scan, sel, model, state, [decisions[n] for n in refs])
    return replace(result, references={n: r.provenance() for n, r in refs.items()})


def _result(
    scan: Scan,
    sel: _Selector,
    model: WholePatternFit,
    state: FitState,
    decisions: list[CandidateDecision],
) -> XrdResult:
    n_ph = len(model.phases)
    scales = state.coeffs[:n_ph]
    # the covariance is scaled by the reduced chi^2 (GOF^2), but never below counting statistics
    s2 = state.chi2 / max(model.n - state.n_params, 1)
    cov_s = state.cov_linear[:n_ph, :n_ph] / s2 * max(s2, 1.0) if s2 > 0 else state.cov_linear
    mv = np.array(
        [
            sp.ref.cell_mass * cell_volume(lat)
            for sp, lat in zip(model.phases, state.lattices, strict=True)
        ]
    ).reshape(n_ph)
    w = scales * mv
    total = w.sum() if n_ph else 1.0
    frac = w / total
    jac = (np.diag(mv) * total - np.outer(w, mv)) / total**2  # dW_i/dS_j
    cov_w = jac @ cov_s @ jac.T
    esd_w = np.maximum(np.sqrt(np.clip(np.diag(cov_w), 0, None)), WT_ESD_FLOOR / 100)
    esd_s = np.sqrt(np.clip(np.diag(cov_s), 0, None))
    background = model.bg @ state.coeffs[n_ph:]
    y, wts = model.y, model.w
    n, k = model.n, state.n_params
    sum_wy2 = float(np.sum(wts * y**2))
    rwp = math.sqrt(state.chi2 / sum_wy2)
    rexp = math.sqrt(max(n - k, 1) / sum_wy2)
    accepted = [sp.ref.name for sp in model.phases]
    verdict = make_verdict(scan, model, state, background, rwp / rexp, accepted)
    quantified = verdict["status"] == "explained"
    phases = []
    for i, sp in enumerate(model.phases):
        ref = sp.ref
        ref_lat = np.array(ref.lattice, dtype=float)
        phases.append(
            PhaseResult(
                name=ref.name,
                formula=ref.formula,
                space_group=ref.space_group,
                crystal_system=ref.crystal_system,
                wt_percent=100 * float(frac[i]) if quantified else None,
                wt_percent_esd=100 * float(esd_w[i]) if quantified else None,
                scale=float(scales[i]),
                scale_esd=float(esd_s[i]),
                lattice=lattice_dict(state.lattices[i], state.lattice_esd[i], ref.crystal_system),
                reference_lattice={
                    k: v
                    for k, v in lattice_dict(ref_lat, np.zeros(6), ref.crystal_system).items()
                    if not k.endswith("_esd")
                },
                size_width_deg=float(state.theta[sp.width_index]),
                preferred_orientation_r=(
                    float(state.theta[sp.po_index]) if sp.po_index is not None else None
                ),
                cell_mass_amu=ref.cell_mass,
                cell_volume_A3=cell_volume(state.lattices[i]),
                reference=ref.provenance(),
                at_bounds=phase_at_bounds(model, state, ref.name),
            )
        )
    order = np.argsort(-frac)
    phases = [phases[i] for i in order]
    esd_theta = np.zeros(model.n_theta)
    if state.cov_theta is not None:
        esd_theta = np.sqrt(np.clip(np.diag(state.cov_theta), 0, None))
    contributions = {
        sp.ref.name: state.phase_patterns[:, i] * scales[i] for i, sp in enumerate(model.phases)
    }
    ticks = {}
    for g in model._peaks(state.theta):
        if g["line"] == 1.0:
            ticks[model.phases[g["phase"]].ref.name] = g["pos"]
    return XrdResult(
        source=scan.summary(),
        phases=phases,
        zero_shift_deg=float(state.theta[0]),
        zero_shift_deg_esd=float(esd_theta[0]),
        displacement_deg=float(state.theta[1]),
        profile={
            "W_deg2": float(state.theta[2]),
            "U_deg2": float(state.theta[3]),
            "eta": float(state.theta[4]),
            "background_terms": int(model.bg.shape[1]),
        },
        rwp=rwp,
        rexp=rexp,
        gof=rwp / rexp,
        n_points=n,
        n_params=k,
        candidates=decisions,
        verdict=verdict,
        two_theta_deg=model.x,
        observed=y,
        calculated=state.model,
        background=background,
        contributions=contributions,
        ticks=ticks,
    )


def analyze_file(
    path: str | Path,
    phases: dict[str, Path] | None = None,
    references: str | Path | None = None,
    fmt: str | None = None,
    **kwargs,
) -> XrdResult:
    """Read `path` (format `fmt` or detected), resolve the candidate references (default
    phases if None) and analyse."""
    from labledger.xrd.phases import default_phases
    from labledger.xrd.readers import read_scan

    scan = read_scan(path, fmt)
    phases = default_phases() if phases is None else phases
    refs = resolve_references(phases, references)
    return analyze_scan(scan, refs, **kwargs)


__all__ = ["CandidateDecision", "PhaseResult", "XrdResult", "analyze_file", "analyze_scan"]
