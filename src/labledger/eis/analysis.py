"""From a spectrum to resistances, arc assignments and conductivities: `analyze_spectrum`."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from labledger.eis.arcs import (
    BULK_FC_MAX_FRACTION,
    GRAIN_BOUNDARY_MAX_F_PER_CM,
    SURFACE_LAYER_FROM_F_PER_CM,
    Arc,
    fallback_circuit,
    find_arcs,
    role_of,
)
from labledger.eis.circuit import PELLET_CIRCUIT, Circuit
from labledger.eis.fit import CircuitFit, fit_circuit
from labledger.eis.linkk import LinKKResult, lin_kk
from labledger.eis.spectrum import Spectrum
from labledger.eis.totals import (
    BULK_MAX_F_PER_CM,
    bulk_status,
    resistances,
    total_status,
)

__all__ = [
    "BULK_FC_MAX_FRACTION",
    "BULK_MAX_F_PER_CM",
    "GRAIN_BOUNDARY_MAX_F_PER_CM",
    "Arc",
    "EISResult",
    "Geometry",
    "analyze_spectrum",
    "fallback_circuit",
    "find_arcs",
    "role_of",
]


@dataclass(frozen=True)
class Geometry:
    """Pellet geometry: thickness L (mm) and electrode area A (cm2); cell constant L/A in 1/cm."""

    thickness_mm: float
    area_cm2: float
    diameter_mm: float | None = None

    @classmethod
    def from_options(
        cls, thickness_mm: float, diameter_mm: float | None = None, area_cm2: float | None = None
    ) -> Geometry:
        """Build from thickness and either diameter (mm) or area (cm2); raise ValueError."""
        if (diameter_mm is None) == (area_cm2 is None):
            raise ValueError("give exactly one of the diameter (mm) or the area (cm2)")
        if not thickness_mm > 0:
            raise ValueError(f"thickness {thickness_mm} mm is not positive")
        if diameter_mm is not None:
            if not diameter_mm > 0:
                raise ValueError(f"diameter {diameter_mm} mm is not positive")
            area_cm2 = np.pi * (diameter_mm / 20.0) ** 2
        assert area_cm2 is not None  # exactly one of the two was given
        if not area_cm2 > 0:
            raise ValueError(f"area {area_cm2} cm2 is not positive")
        return cls(float(thickness_mm), float(area_cm2), diameter_mm)

    @property
    def cell_constant_per_cm(self) -> float:
        """L / A in 1/cm."""
        return (self.thickness_mm / 10.0) / self.area_cm2

    def to_dict(self) -> dict:
        return {
            "thickness_mm": self.thickness_mm,
            "diameter_mm": self.diameter_mm,
            "area_cm2": self.area_cm2,
            "cell_constant_per_cm": self.cell_constant_per_cm,
        }


def _num(v) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if np.isfinite(v) else None


def _sigma(geom: Geometry | None, r: float | None) -> float | None:
    if geom is None or r is None or not np.isfinite(r) or r <= 0:
        return None
    return geom.cell_constant_per_cm / r


def _sigma_err(geom: Geometry | None, r: float | None, r_err: float | None) -> float | None:
    s = _sigma(geom, r)
    if s is None or r is None or r_err is None or not np.isfinite(r_err):
        return None
    return s * r_err / r


@dataclass(frozen=True)
class EISResult:
    """Analysis of one impedance spectrum.

    Method:
    1. Fit the circuit (default PELLET_CIRCUIT = p(R1,CPE1)-p(R2,CPE2)-CPE3) with `fit_circuit`
       (log parameters, modulus weighting, data-derived multi-start, Jacobian uncertainties).
    2. Each R||CPE block is an arc with C_eff = Q^(1/n) R^((1-n)/n) (Brug et al., J. Electroanal.
       Chem. 176 (1984) 275) and apex frequency f_c = 1/(2 pi (R Q)^(1/n)). With a geometry, the
       arc's role follows from C_eff * L / A (F/cm): < 1e-11 bulk, < 1e-7 grain boundary, else
       electrode (Irvine, Sinclair, West 1990), never from the element order.
    3. An arc with f_c > BULK_FC_MAX_FRACTION * f_max is "outside_window": its capacitance is not
       determined by the data, and its R is part of the high-frequency intercept. When no circuit
       was named (or choose_circuit=True), the circuit with that arc replaced by its resistor
       (e.g. R1-p(R2,CPE2)-CPE3) is fitted too, and the fit with the lower BIC = 2N ln(chi2/2N)
       + P ln(2N) is reported (the other is listed); a named circuit is reported as fitted.
       An arc whose capacitance is not determined has no C_eff or f_c; its role is
       "outside_window" when its Q ran to 0 (a resistor at every frequency), else "undetermined".
    4. The bulk is determined only if no arc is outside the window, an arc has a bulk
       capacitance, and its R is known to BULK_MAX_REL_STDERR; else sigma_bulk is None and the
       reason is given.
    5. R_total = series resistors + outside-window, bulk and grain-boundary arcs (electrode arcs
       and CPEs excluded); sigma = (L/A) / R in S/cm for bulk, apparent grain boundary and
       total; stderr by propagation with the fit covariance.
    6. Lin-KK residuals (our `lin_kk`) judge whether the data are KK-consistent.
    7. R_total is checked against the spectrum (`labledger.eis.totals.total_status`): its sum
       must be determined, the fitted points must pass Lin-KK, the fit must follow both ends of
       the spectrum within the noise, and R_total must not lie below the high-frequency plateau
       nor beyond the largest measured Z'. Otherwise R_total and all conductivities are None,
       total_reason says why, and R_total_fit_ohm keeps the fit's number.
    """

    spectrum: Spectrum
    fit: CircuitFit
    circuit_requested: str
    geometry: Geometry | None
    temperature_C: float | None
    arcs: tuple[Arc, ...]
    R_bulk_ohm: float | None
    R_bulk_stderr_ohm: float | None
    R_gb_ohm: float | None
    R_gb_stderr_ohm: float | None
    R_total_ohm: float | None
    R_total_stderr_ohm: float | None
    bulk_determined: bool
    bulk_reason: str
    linkk: LinKKResult
    other_fits: tuple[CircuitFit, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    total_determined: bool = False
    total_reason: str = ""
    R_total_fit_ohm: float | None = None

    @property
    def sigma_bulk_S_cm(self) -> float | None:
        return _sigma(self.geometry, self.R_bulk_ohm) if self.bulk_determined else None

    @property
    def sigma_gb_apparent_S_cm(self) -> float | None:
        return _sigma(self.geometry, self.R_gb_ohm)

    @property
    def sigma_total_S_cm(self) -> float | None:
        return _sigma(self.geometry, self.R_total_ohm)

    @property
    def charge_transfer_R_ohm(self) -> float | None:
        """Without geometry and with exactly one arc: that arc's R (an electrode in a cell)."""
        if self.geometry is None and len(self.arcs) == 1:
            return self.arcs[0].R_ohm
        return None

    def to_dict(self) -> dict:
        """Plain JSON-serialisable data (NaN -> None); conductivities in S/cm."""
        g = self.geometry
        sp = self.spectrum
        return {
            "source": {
                "path": sp.path,
                "format": sp.source_format,
                "n_points": len(sp),
                "f_max_Hz": float(sp.frequency_Hz.max()),
                "f_min_Hz": float(sp.frequency_Hz.min()),
            },
            "temperature_C": self.temperature_C,
            "geometry": g.to_dict() if g else None,
            "circuit_requested": self.circuit_requested,
            "circuit_used": self.fit.circuit.text,
            "fit": self.fit.to_dict(),
            "other_fits": [
                {"circuit": o.circuit.text, "chi2": _num(o.chi2), "bic": _num(o.bic)}
                for o in self.other_fits
            ],
            "arcs": [a.to_dict() for a in self.arcs],
            "R_bulk_ohm": _num(self.R_bulk_ohm),
            "R_bulk_stderr_ohm": _num(self.R_bulk_stderr_ohm),
            "R_gb_ohm": _num(self.R_gb_ohm),
            "R_gb_stderr_ohm": _num(self.R_gb_stderr_ohm),
            "R_total_ohm": _num(self.R_total_ohm),
            "R_total_stderr_ohm": _num(self.R_total_stderr_ohm),
            "total_determined": self.total_determined,
            "total_reason": self.total_reason,
            "R_total_fit_ohm": _num(self.R_total_fit_ohm),
            "charge_transfer_R_ohm": _num(self.charge_transfer_R_ohm),
            "bulk_determined": self.bulk_determined,
            "bulk_reason": self.bulk_reason,
            "sigma_bulk_S_cm": _num(self.sigma_bulk_S_cm),
            "sigma_bulk_stderr_S_cm": _num(
                _sigma_err(g, self.R_bulk_ohm, self.R_bulk_stderr_ohm)
                if self.bulk_determined
                else None
            ),
            "sigma_gb_apparent_S_cm": _num(self.sigma_gb_apparent_S_cm),
            "sigma_gb_apparent_stderr_S_cm": _num(
                _sigma_err(g, self.R_gb_ohm, self.R_gb_stderr_ohm)
            ),
            "sigma_total_S_cm": _num(self.sigma_total_S_cm),
            "sigma_total_stderr_S_cm": _num(
                _sigma_err(g, self.R_total_ohm, self.R_total_stderr_ohm)
            ),
            "chi2": _num(self.fit.chi2),
            "weighted_rms": _num(self.fit.weighted_rms),
            "linkk": self.linkk.to_dict(),
            "notes": list(self.notes),
        }


def analyze_spectrum(
    spectrum: Spectrum,
    geometry: Geometry | None = None,
    circuit: str | None = None,
    temperature_C: float | None = None,
    initial_guess: list[float] | None = None,
    weighting: str = "modulus",
    choose_circuit: bool | None = None,
) -> EISResult:
    """Fit and interpret one spectrum; see EISResult for the method. Raises ValueError for a
    circuit that does not parse or fit the data size.

    choose_circuit: whether the fallback circuit of step 3 may replace the circuit; by default
    only when no circuit is named (the default circuit), so a named circuit is fitted and
    reported as it is. numpy/scipy warnings are silenced; the fit notes what matters.
    """
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _analyze(
            spectrum, geometry, circuit, temperature_C, initial_guess, weighting, choose_circuit
        )


def _analyze(spectrum, geometry, circuit, temperature_C, initial_guess, weighting, choose):
    requested = circuit or PELLET_CIRCUIT
    if choose is None:
        choose = circuit is None
    cir = Circuit(requested)
    notes = list(spectrum.notes)
    f, z = spectrum.frequency_Hz, spectrum.Z
    linkk = lin_kk(f, z)
    fit = fit_circuit(
        f, z, cir, initial_guess=initial_guess, weighting=weighting, noise=linkk.residual_rms
    )
    notes.extend(fit.notes)
    f_max = float(f.max())
    arcs = find_arcs(fit, geometry, f_max)
    others: list[CircuitFit] = []
    bulk_ok, reason = False, ""
    if geometry is None:
        reason = "no geometry given: arcs not assigned, no conductivity"
    else:
        bulk_ok, reason = bulk_status(arcs, fit, f_max, BULK_FC_MAX_FRACTION)
        outside = [a for a in arcs if a.role == "outside_window"]
        if outside and not choose:
            notes.append(
                f"arc {outside[0].resistor} lies above the window; the circuit {fit.circuit.text} "
                "was named, so it is reported as fitted (no fallback circuit tried)"
            )
        elif outside:
            high = max(outside, key=lambda a: a.f_c_Hz if np.isfinite(a.f_c_Hz) else np.inf)
            alt_cir = fallback_circuit(fit.circuit, high)
            try:
                # same points as the main fit (outliers stay out), so that BICs compare
                used = fit.used
                alt = fit_circuit(
                    f[used], z[used], alt_cir, remove_outliers=False, weighting=weighting
                )
                alt = replace(alt, used=used.copy(), n_points=int(used.size))
            except ValueError as exc:
                notes.append(f"fallback circuit {alt_cir.text} not fitted: {exc}")
                alt = None
            if alt is not None and alt.bic < fit.bic:
                notes.append(
                    f"arc {high.resistor} lies above the window: reported the fallback circuit "
                    f"{alt_cir.text} (BIC {alt.bic:.1f} < {fit.bic:.1f} of {fit.circuit.text})"
                )
                others.append(fit)
                # the replaced fit's verdicts on its own parameters no longer apply
                gone = {f"{n} not determined: {w}" for n, w in fit.undetermined}
                notes = [n for n in notes if n not in gone]
                fit = alt
                notes.extend(alt.notes)
                arcs = find_arcs(fit, geometry, f_max)
                bulk_ok, reason = bulk_status(arcs, fit, f_max, BULK_FC_MAX_FRACTION)
            elif alt is not None:
                notes.append(
                    f"arc {high.resistor} lies above the window; the fallback {alt_cir.text} "
                    f"fitted worse (BIC {alt.bic:.1f} >= {fit.bic:.1f}), so {fit.circuit.text} "
                    "gives the total"
                )
                others.append(alt)
    for a in arcs:
        if (
            a.C_per_cm_F is not None
            and a.role == "grain_boundary"
            and (a.C_per_cm_F >= SURFACE_LAYER_FROM_F_PER_CM)
        ):
            notes.append(
                f"arc {a.resistor}: C*L/A = {a.C_per_cm_F:.2g} F/cm is in the surface-layer range "
                "(1e-8..1e-7); counted as grain boundary"
            )
    rb, rbe, rg, rge, rt, rte = resistances(fit, arcs, geometry)
    total_ok, total_reason = False, "no geometry given"
    rt_fit = rt
    if geometry is not None:
        # Lin-KK of the points the fit used: removed outliers would fail it on their own
        kk_used = linkk if fit.used.all() else lin_kk(f[fit.used], z[fit.used])
        total_ok, total_reason = total_status(spectrum, fit, arcs, rt, rte, kk_used)
        if not total_ok:
            notes.append(f"total not determined: {total_reason}")
            rt, rte, rg, rge = None, None, None, None
            if bulk_ok:
                bulk_ok, reason = False, f"not determined: {total_reason}"
    if geometry is not None and not bulk_ok:
        rb, rbe = None, None
    if geometry is None and len(arcs) == 1:
        notes.append(f"one arc and no geometry: {arcs[0].resistor} reported as charge-transfer R")
    return EISResult(
        spectrum=spectrum,
        fit=fit,
        circuit_requested=Circuit(requested).text,
        geometry=geometry,
        temperature_C=temperature_C,
        arcs=tuple(arcs),
        R_bulk_ohm=rb,
        R_bulk_stderr_ohm=rbe,
        R_gb_ohm=rg,
        R_gb_stderr_ohm=rge,
        R_total_ohm=rt,
        R_total_stderr_ohm=rte,
        bulk_determined=bulk_ok,
        bulk_reason=reason,
        linkk=linkk,
        other_fits=tuple(others),
        notes=tuple(notes),
        total_determined=total_ok,
        total_reason=total_reason,
        R_total_fit_ohm=rt_fit,
    )
