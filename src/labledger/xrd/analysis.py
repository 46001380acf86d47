"""Phase identification and quantification of one scan (numpy only).

`analyze_scan(scan, refs)` returns an `XrdResult` (`labledger.xrd.result`, re-exported here);
`analyze_file(path, ...)` reads the file and resolves the references first. See `XrdResult` for
the method; `labledger.xrd.verdict` holds what decides whether the data support a phase.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from labledger.xrd.fit import N_SHARED, WINDOW_FWHM, FitState, WholePatternFit
from labledger.xrd.refcache import resolve_references
from labledger.xrd.refdata import PhaseRef
from labledger.xrd.result import (
    ANALYSIS_VERSION,
    CandidateDecision,
    PhaseResult,
    XrdResult,
    build_result,
)
from labledger.xrd.scan import Scan
from labledger.xrd.verdict import own_line, phase_at_bounds, unexplained_peaks

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
# Selection (screening and trial refinements) runs on the scan summed into bins of at least
# this width (deg): still 4-5 points per FWHM of the sharpest lab peaks, half the work on
# 0.01-deg scans and a third on 0.008-deg ones. Summed counts stay Poisson, so the chi^2 and
# BIC tests keep their meaning; the phases chosen are then refined on every point, and the
# reported numbers and the verdict come from that final fit.
SELECTION_STEP_DEG = 0.02
# Screening evaluates each line within +-this many FWHM only (refinement: fit.WINDOW_FWHM): it
# ranks candidates and the tails it leaves out hold a few per cent of a line's area, the same
# for every line, while the profile work falls threefold.
SCREEN_WINDOW_FWHM = 4.0
# The final refinement on every point starts from the selection's converged parameters.
FINAL_MAX_NFEV = 30
# Trial refinements during selection stop when a step lowers chi^2 by less than this fraction
# of it (the final refinement: fit.FIT_FTOL): on a scan of N points chi^2 ~ N, so the trial's
# chi^2 is good to ~1e-5 N, far below the BIC threshold the decisions compare it with, and
# the fits take half the steps (corpus: same verdicts, phases and GOF to 1e-3).
SELECTION_FTOL = 1e-5
# Candidates tried for addition per round (best screening first) before selection stops.
TRIES_PER_ROUND = 2
# Best-screened candidates refined alone before the first phase is chosen (a cubic subcell
# can screen as well as the tetragonal supercell before the cell is refined).
FIRST_TRIES = 2
# ... of which the next is refined only when screening says it explains at least this fraction
# of what the best one explains (of the background-only chi^2): a subcell and its supercell
# screen alike (0.5-1 here); a phase that explains a twentieth as much cannot win by refinement.
FIRST_TRY_FRACTION = 0.25
# Restarts of the first phase with its c strain moved by these amounts (fraction) against a:
# covers the swap of (h00) and (00l) lines of a pseudo-cubic cell (c/2a ~ 1 +- 0.3 %).
C_RESTARTS = (-0.004, 0.004)
# ... done only where c is within this fraction of a whole multiple (>= 1) of a: elsewhere
# the (h00) and (00l) lines lie apart and cannot swap.
PSEUDO_CUBIC_TOLERANCE = 0.01
# A new phase brings at least a scale, a width and one cell parameter.
NEW_PARAMS_MIN = 3
MAX_PHASES = 5


# ----------------------------------------------------------------------------- internals


class _Selector:
    def __init__(
        self,
        scan: Scan,
        refs: dict[str, PhaseRef],
        background_terms: int,
        refine_displacement: bool,
    ) -> None:
        self.full = scan
        self.refs = refs
        self.bgt = background_terms
        self.fixed = () if refine_displacement else (1,)
        step = float(np.median(np.diff(scan.two_theta_deg)))
        k = int(SELECTION_STEP_DEG // step) if step > 0 else 1
        # the scan every selection step works on (the full scan when it is already coarse)
        self.scan = scan.binned(k) if k > 1 and scan.n_points // k >= 4 * background_terms else scan
        self.n = self.scan.n_points

    def model(
        self, names: list[str], scan: Scan | None = None, window_fwhm: float = WINDOW_FWHM
    ) -> WholePatternFit:
        refs = [self.refs[n] for n in names]
        return WholePatternFit(scan or self.scan, refs, self.bgt, window_fwhm)

    def screening_base(self, current: list[str], base: dict | None) -> tuple:
        """The current phases' unit patterns on the screening grid (None without phases) and
        the chi^2 of their linear fit there: what `screen` measures a candidate against."""
        model = self.model(current, window_fwhm=SCREEN_WINDOW_FWHM)
        cols, _ = model.evaluate(self._theta_with(model, base, {}), derivatives=False)
        c, a, _ = model.solve_linear(cols)
        chi2 = float(np.sum((model.sw * model.y - a @ c) ** 2))
        return (cols if current else None), chi2

    def _theta_with(self, model: WholePatternFit, base: dict | None, strain: dict) -> np.ndarray:
        """Start vector: shared and per-phase values from `base`, isotropic strains given."""
        t = model.initial_theta()
        if base is not None:
            t[:N_SHARED] = base["shared"]
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
            "shared": theta[:N_SHARED].copy(),
            "phases": phases,
            "median_width": float(np.median(widths)),
        }

    def screen(
        self, current: list[str], base: dict | None, cand: str, screening: tuple
    ) -> tuple[float, float, bool]:
        """(chi^2 gain, best strain, scale positive) of adding `cand` to `current`, by a linear
        fit only, on the screening grid (`screening` from `screening_base`).

        The current phases' unit patterns are fixed; only the candidate's pattern is
        recomputed for each strain of `STRAIN_GRID`.
        """
        cur_cols, base_chi2 = screening
        model = self.model([cand], window_fwhm=SCREEN_WINDOW_FWHM)
        best = (np.inf, 0.0, False)
        for eps in STRAIN_GRID:
            theta = self._theta_with(model, base, {cand: eps})
            col, _ = model.evaluate(theta, derivatives=False)
            cols = col if cur_cols is None else np.hstack([cur_cols, col])
            c, a, _ = model.solve_linear(cols)
            chi2 = float(np.sum((model.sw * model.y - a @ c) ** 2))
            if chi2 < best[0]:
                best = (chi2, float(eps), bool(c[len(current)] > 0))
        return base_chi2 - best[0], best[1], best[2]

    def on_full_scan(
        self,
        names: list[str],
        model: WholePatternFit,
        state: FitState,
        decisions: dict[str, CandidateDecision],
    ) -> tuple[WholePatternFit, FitState]:
        """The selected phases refined on every point of the scan, from the selection's fit.

        Each must still show its own lines there; one that does not is dropped (its decision
        says why) and the rest refined again."""
        if self.scan is self.full:
            return model, state
        while True:
            full = self.model(names, self.full)
            if not names:
                return full, full.state(full.initial_theta())
            theta0 = self._theta_with(full, self.snapshot(model, state.theta), {})
            st = full.fit(theta0, max_nfev=FINAL_MAX_NFEV, fixed=self.fixed)
            failed = {}
            for name in names:
                ok, why, _ = own_line(full, st, name)
                if not ok:
                    failed[name] = why
            if not failed:
                return full, st
            for name, why in failed.items():
                old = decisions[name]
                decisions[name] = CandidateDecision(
                    name, False, old.delta_bic, f"not supported on every point: {why}"
                )
            names = [n for n in names if n not in failed]
            model, state = full, st

    def refine(
        self, names: list[str], base: dict | None, strain: dict
    ) -> tuple[WholePatternFit, FitState]:
        model = self.model(names)
        theta0 = self._theta_with(model, base, strain)
        state = model.fit(theta0, fixed=self.fixed, ftol=SELECTION_FTOL)
        return model, state

    def bic_gain(self, small: FitState, big: FitState) -> float:
        s2 = big.chi2 / max(self.n - big.n_params, 1)
        dk = big.n_params - small.n_params
        return (small.chi2 - big.chi2) / s2 - dk * math.log(self.n)

    def restart_c(self, model: WholePatternFit, state: FitState) -> FitState:
        """Restarts with c strained against a: a c ~ 2a cell whose split lines are swapped
        relative to the reference otherwise ends in the local minimum of merged lines."""
        sp = model.phases[0]
        a, c = sp.ref.lattice[0], sp.ref.lattice[2]
        multiple = max(round(c / a), 1)
        pseudo_cubic = abs(c / (multiple * a) - 1) < PSEUDO_CUBIC_TOLERANCE
        if pseudo_cubic and 0 in sp.free and 2 in sp.free:
            ic = sp.lat_slice.start + sp.free.index(2)
            for delta in C_RESTARTS:
                theta0 = state.theta.copy()
                theta0[ic] += delta
                st1 = model.fit(theta0, fixed=self.fixed, ftol=SELECTION_FTOL)
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
        ok, why, _ = own_line(model, state, name)
        return ok, dbic, why if ok else f"not supported: {why}"


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
    # nothing rises above the counting noise over the background alone: there is nothing a
    # phase could explain, and fitting candidates to noise is what made up phases before
    if not unexplained_peaks(scan, model, state, state.model, misfit_scaled=False):
        why = "not tried: no diffraction peak stands above the counting noise"
        decisions = {name: CandidateDecision(name, False, None, why) for name in refs}
        return _result(scan, refs, *sel.on_full_scan([], model, state, decisions), decisions)
    # 2. first phase: screen all, refine the best alone, keep the lowest chi^2 that is supported
    firsts = []
    background_only = sel.screening_base([], None)
    for name in refs:
        gain, eps, positive = sel.screen([], None, name, background_only)
        if positive:
            firsts.append((-gain, name, eps))
        else:
            decisions[name] = CandidateDecision(name, False, None, "no positive scale alone")
    firsts.sort()
    # the best FIRST_TRIES by refined chi^2 first; the next screened ones only if none passes
    best_gain = -firsts[0][0] if firsts else 0.0
    close = [f for f in firsts[:FIRST_TRIES] if -f[0] >= FIRST_TRY_FRACTION * best_gain]
    groups = [close, firsts[len(close) : len(close) + 1]]
    for group in groups:
        trials = []
        for _, name, eps in group:
            m1, st1 = sel.refine([name], None, {name: eps})
            trials.append((st1.chi2, name, m1, st1))
        trials.sort(key=lambda t: t[0])
        for _, name, m1, st1 in trials:
            # a phase that does not improve on the background is not rescued by a c restart
            if sel.bic_gain(state, st1) > BIC_THRESHOLD:
                st1 = sel.restart_c(m1, st1)
            ok, dbic, why = sel.accept(state, m1, st1, name)
            decisions[name] = CandidateDecision(name, ok, dbic, why)
            if ok:
                current, model, state = [name], m1, st1
                break
        if current:
            break
    # 3. forward selection
    while current and len(current) < max_phases:
        base = sel.snapshot(model, state.theta)
        s2 = state.chi2 / max(sel.n - state.n_params, 1)
        ranked = []
        screening = sel.screening_base(current, base)
        for name in refs:
            if name in current or (name in decisions and decisions[name].kept):
                continue
            gain, eps, positive = sel.screen(current, base, name, screening)
            ranked.append((-gain / s2, name, eps, positive))
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
    return _result(scan, refs, *sel.on_full_scan(current, model, state, decisions), decisions)


def _result(
    scan: Scan,
    refs: dict[str, PhaseRef],
    model: WholePatternFit,
    state: FitState,
    decisions: dict[str, CandidateDecision],
) -> XrdResult:
    result = build_result(scan, model, state, [decisions[n] for n in refs])
    return replace(result, references={n: r.provenance() for n, r in refs.items()})


def analyze_file(
    path: str | Path,
    phases: dict[str, Path] | None = None,
    references: str | Path | None = None,
    fmt: str | None = None,
    scan_index: int = 0,
    wavelength: str | None = None,
    **kwargs: Any,
) -> XrdResult:
    """Read scan `scan_index` of `path` (format `fmt` or detected), resolve the candidate
    references (default phases if None) and analyse. `source.scans_in_file` of the result
    says how many scans the file holds. `wavelength` (Ka1 in angstrom or an anode symbol) is
    used when the file states none (see `readers.assume_wavelength`)."""
    from labledger.xrd.phases import default_phases
    from labledger.xrd.readers import assume_wavelength, read_scan

    scan = read_scan(path, fmt, scan_index)
    if wavelength is not None:
        scan = assume_wavelength(scan, wavelength)
    phases = default_phases() if phases is None else phases
    refs = resolve_references(phases, references)
    return analyze_scan(scan, refs, **kwargs)


__all__ = [
    "ANALYSIS_VERSION",
    "CandidateDecision",
    "PhaseResult",
    "XrdResult",
    "analyze_file",
    "analyze_scan",
]
