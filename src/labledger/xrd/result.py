"""The result of one scan's analysis as plain data (numpy only): phases, fractions, verdict.

`build_result` turns a finished fit into an `XrdResult`; see `XrdResult` for the method.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from labledger.analysis_versions import XRD
from labledger.xrd.fit import FitState, WholePatternFit
from labledger.xrd.refdata import PARAM_NAMES, cell_volume
from labledger.xrd.scan import Scan
from labledger.xrd.verdict import make_verdict, phase_at_bounds

ANALYSIS_VERSION = f"xrd-fit-{XRD}"  # bump in labledger.analysis_versions
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

    Method (constants in `labledger.xrd.analysis` and `labledger.xrd.verdict`):
    1. Candidates: the reference phases given (name -> `PhaseRef`, from CIFs via
       `labledger.xrd.references`).
    2. First phase: each candidate alone (+ Chebyshev background) is tried over a grid of
       isotropic strains (`STRAIN_GRID`) with linear scales; the `FIRST_TRIES` + 1 lowest are
       refined fully alone (`labledger.xrd.fit.WholePatternFit`), c restarted at
       +-`C_RESTARTS` against a (a tetragonal split that swaps line order relative to the
       reference is a local minimum otherwise), and the lowest chi^2 that passes the test of
       step 3 against the background-only model is taken. None passing: no phase at all.
    3. Forward selection: each remaining candidate is screened the same way on top of the
       current model; the most promising (`TRIES_PER_ROUND`) get a full refinement with it
       added. A phase is kept when (a) its scale is positive, (b) dBIC = dchi^2 / s^2 -
       dk ln N > `BIC_THRESHOLD`, s^2 = chi^2 / (N - k) of the larger model (misfit-scaled,
       so a model error does not count as evidence), (c) no cell strain, size width or
       orientation is at its bound, cells stay within `CELL_STRAIN_MAX` of the reference and
       widths below `BROAD_WIDTH_DEG`, and (d) its strongest own line (one other phases do
       not dominate) stands `LINE_SIGMA` sigma above the rest of the model with >=
       `LINE_EXCESS_FRACTION` of its predicted intensity observed, and >= `PATTERN_FRACTION`
       of the predicted intensity of all its strong own lines is observed. A kept phase whose
       scale turns non-positive when a newcomer is added is replaced by it (a polymorph or
       subcell picked first). Selection stops when no candidate is kept or `MAX_PHASES` are in.
    4. Verdict (`labledger.xrd.verdict`): "explained" when phases were accepted, no strong
       observed peak is left unexplained and GOF <= `GOF_LIMIT`; otherwise "no listed phase
       explains this scan" with the unexplained peaks (2theta, d), and no weight fractions.
    5. Weight fractions (Hill & Howard, J. Appl. Cryst. 1987, 20, 467):
       W_i = S_i M_i V_i / sum_j S_j M_j V_j, S the scale, M the cell mass (incl. partial
       occupancies), V the refined cell volume; the uncertainty propagates the covariance of
       the scales scaled by max(1, reduced chi^2) (misfit counts, never below counting
       statistics), not that of the cells, and is at least `WT_ESD_FLOOR`.
    6. Agreement: Rwp = sqrt(sum w (y - yc)^2 / sum w y^2), Rexp = sqrt((N - P) / sum w y^2),
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


def _plain(obj: Any) -> Any:
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


def build_result(
    scan: Scan,
    model: WholePatternFit,
    state: FitState,
    decisions: list[CandidateDecision],
) -> XrdResult:
    """The result of a finished selection: fractions, cells, agreement, verdict, plot data."""
    n_ph = len(model.phases)
    scales = state.coeffs[:n_ph]
    # the covariance is scaled by the reduced chi^2 (GOF^2), but never below counting statistics
    s2 = state.chi2 / max(model.n - state.n_params, 1)
    cov_s = state.cov_linear[:n_ph, :n_ph]
    if s2 > 0:
        cov_s = cov_s / s2 * max(s2, 1.0)
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
            "asymmetry": float(state.theta[5]),
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


def lattice_dict(lat: np.ndarray, esd: np.ndarray, crystal_system: str) -> dict:
    """Refined cell as plain data: a, c always; b, alpha, beta, gamma where the system needs."""
    keys = {"a", "c"}
    if crystal_system in ("orthorhombic", "monoclinic", "triclinic"):
        keys.add("b")
    if crystal_system == "monoclinic":
        keys.update(k for k, v in zip(PARAM_NAMES[3:], lat[3:], strict=True) if abs(v - 90) > 1e-6)
    if crystal_system == "triclinic":
        keys.update(PARAM_NAMES[3:])
    if crystal_system == "cubic":
        keys = {"a"}
    out = {}
    for i, k in enumerate(PARAM_NAMES):
        if k in keys:
            unit = "A" if i < 3 else "deg"
            out[f"{k}_{unit}"] = float(lat[i])
            out[f"{k}_{unit}_esd"] = float(esd[i])
    return out
