"""From a spectrum to resistances, arc assignments and conductivities: `analyze_spectrum`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from labledger.eis.circuit import PELLET_CIRCUIT, Circuit, Node
from labledger.eis.fit import CircuitFit, fit_circuit
from labledger.eis.linkk import LinKKResult, lin_kk
from labledger.eis.spectrum import Spectrum

__all__ = ["Arc", "EISResult", "Geometry", "analyze_spectrum"]

# Capacitance per cell constant, C * L / A in F/cm (Irvine, Sinclair, West, Adv. Mater. 1990, 2,
# 132): bulk ~1e-12, grain boundary 1e-11..1e-8, surface layer 1e-9..1e-7, electrode interface
# 1e-7..1e-5. The boundaries below sit where one range ends and the next begins.
BULK_MAX_F_PER_CM = 1e-11
GRAIN_BOUNDARY_MAX_F_PER_CM = 1e-7
SURFACE_LAYER_FROM_F_PER_CM = 1e-8

BULK_FC_MAX_FRACTION = 0.5
"""The bulk arc counts as measured only if its apex frequency is at most half the highest
measured frequency, so that the apex and the high-frequency side of the arc are in the data."""

BULK_MAX_REL_STDERR = 0.05
"""...and if its resistance is determined to 5 % (1 sigma) or better."""


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
        elif not area_cm2 > 0:
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


@dataclass(frozen=True)
class Arc:
    """One R||C or R||CPE block of the fitted circuit.

    C_eff (F) by Brug: C_eff = Q^(1/n) R^((1-n)/n) (= C for an ideal capacitor);
    f_c = 1 / (2 pi (R Q)^(1/n)) (Hz), the apex frequency; C_per_cm = C_eff * L / A (F/cm).
    role: bulk, grain_boundary or electrode by C_per_cm, "unassigned" without geometry,
    "outside_window" when the apex is above the measured window (part of the intercept).
    """

    resistor: str
    capacitor: str
    R_ohm: float
    R_stderr_ohm: float
    Q: float
    n: float
    C_eff_F: float
    f_c_Hz: float
    C_per_cm_F: float | None
    role: str

    def to_dict(self) -> dict:
        return {
            "resistor": self.resistor,
            "capacitor": self.capacitor,
            "R_ohm": _num(self.R_ohm),
            "R_stderr_ohm": _num(self.R_stderr_ohm),
            "Q": _num(self.Q),
            "n": _num(self.n),
            "C_eff_F": _num(self.C_eff_F),
            "f_c_Hz": _num(self.f_c_Hz),
            "C_per_cm_F": _num(self.C_per_cm_F),
            "role": self.role,
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
    if s is None or r_err is None or not np.isfinite(r_err):
        return None
    return s * r_err / r


def role_of(c_per_cm: float) -> str:
    """bulk / grain_boundary / electrode from the capacitance per cell constant (F/cm)."""
    if c_per_cm < BULK_MAX_F_PER_CM:
        return "bulk"
    if c_per_cm < GRAIN_BOUNDARY_MAX_F_PER_CM:
        return "grain_boundary"
    return "electrode"


def _blocks(tree: Node) -> tuple[Node, ...]:
    return tree.children if tree.kind == "series" else (tree,)


def find_arcs(fit: CircuitFit, geom: Geometry | None, f_max_Hz: float = np.inf) -> list[Arc]:
    """The R||C and R||CPE blocks of a fit with their effective capacitance and role.

    An arc whose apex lies above BULK_FC_MAX_FRACTION * f_max_Hz is "outside_window": its
    capacitance (and so its kind) is not determined by the data.
    """
    arcs = []
    for blk in _blocks(fit.circuit.tree):
        if blk.kind != "parallel" or len(blk.children) != 2:
            continue
        kids = blk.children
        if not all(k.kind == "element" for k in kids):
            continue
        rs = [k for k in kids if k.etype == "R"]
        cs = [k for k in kids if k.etype in ("C", "CPE")]
        if len(rs) != 1 or len(cs) != 1:
            continue
        r = fit.param(rs[0].name)
        if cs[0].etype == "C":
            q, n = fit.param(cs[0].name), 1.0
        else:
            q, n = fit.param(cs[0].name + "_0"), fit.param(cs[0].name + "_1")
        with np.errstate(all="ignore"):  # a degenerate fit (R or Q -> 0) gives inf, not a crash
            r64, q64 = np.float64(r), np.float64(q)
            c_eff = float(q64 ** (1 / n) * r64 ** ((1 - n) / n))
            f_c = float(1 / (2 * np.pi * (r64 * q64) ** (1 / n)))
        c_cm = c_eff * geom.cell_constant_per_cm if geom else None
        arcs.append(
            Arc(
                resistor=rs[0].name,
                capacitor=cs[0].name,
                R_ohm=r,
                R_stderr_ohm=fit.param_stderr(rs[0].name),
                Q=q,
                n=n,
                C_eff_F=c_eff,
                f_c_Hz=f_c,
                C_per_cm_F=c_cm,
                role=(
                    "unassigned"
                    if c_cm is None
                    else "outside_window"
                    if f_c > BULK_FC_MAX_FRACTION * f_max_Hz
                    else role_of(c_cm)
                ),
            )
        )
    return arcs


def series_resistors(circuit: Circuit) -> list[str]:
    """Names of resistors in series at the top level (the high-frequency intercept)."""
    return [b.name for b in _blocks(circuit.tree) if b.kind == "element" and b.etype == "R"]


def fallback_circuit(circuit: Circuit, arc: Arc) -> Circuit:
    """The circuit with the given arc's R||C block replaced by its resistor alone."""
    blocks = []
    for b in _blocks(circuit.tree):
        names = {e.name for e in b.elements()}
        blocks.append(
            arc.resistor
            if b.kind == "parallel" and arc.resistor in names and arc.capacitor in names
            else b.to_string()
        )
    return Circuit("-".join(blocks))


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
       determined by the data, and its R is part of the high-frequency intercept. Then the circuit
       with that arc replaced by its resistor (e.g. R1-p(R2,CPE2)-CPE3) is fitted too, and the fit
       with the lower BIC = 2N ln(chi2/2N) + P ln(2N) is reported (the other is listed).
    4. The bulk is determined only if no arc is outside the window, an arc has a bulk
       capacitance, and its R is known to BULK_MAX_REL_STDERR; else sigma_bulk is None and the
       reason is given.
    5. R_total = series resistors + outside-window, bulk and grain-boundary arcs (electrode arcs
       and CPEs excluded); sigma = (L/A) / R in S/cm for
       bulk, apparent grain boundary and total; stderr by propagation with the fit covariance.
    6. Lin-KK residuals (our `lin_kk`) judge whether the data are KK-consistent.
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


def _bulk_status(arcs: list[Arc], fit: CircuitFit, f_max: float) -> tuple[bool, str]:
    """Whether the bulk resistance is determined, and why (not)."""
    outside = [a for a in arcs if a.role == "outside_window"]
    bulk = [a for a in arcs if a.role == "bulk"]
    if outside:
        a = max(outside, key=lambda a: a.f_c_Hz)
        return False, (
            f"the highest-frequency arc ({a.resistor}, apex {a.f_c_Hz:.3g} Hz) is above "
            f"{BULK_FC_MAX_FRACTION:g} x the highest measured frequency ({f_max:.3g} Hz): "
            "R_bulk is not determined, only the total"
        )
    if not bulk:
        return False, (
            f"no arc with a bulk capacitance (C*L/A < {BULK_MAX_F_PER_CM:g} F/cm)"
            + (
                "; the bulk resistance is part of the high-frequency intercept"
                if series_resistors(fit.circuit)
                else ""
            )
        )
    b = max(bulk, key=lambda a: a.f_c_Hz)
    rel = b.R_stderr_ohm / b.R_ohm if np.isfinite(b.R_stderr_ohm) else np.inf
    if rel > BULK_MAX_REL_STDERR:
        return False, (
            f"bulk resistance uncertain ({rel:.0%} > {BULK_MAX_REL_STDERR:.0%} "
            "relative stderr): not determined, only the total"
        )
    return True, f"bulk arc apex at {b.f_c_Hz:.3g} Hz lies inside the measured window"


def _resistances(fit: CircuitFit, arcs: list[Arc], geom: Geometry | None):
    """R_bulk, R_gb, R_total (with stderr) of a fit; None where not applicable."""
    series = series_resistors(fit.circuit)
    if geom is None:
        return None, None, None, None, None, None
    outside = [a.resistor for a in arcs if a.role == "outside_window"]
    bulk = [a.resistor for a in arcs if a.role == "bulk"]
    gb = [a.resistor for a in arcs if a.role == "grain_boundary"]
    names = series + outside + bulk + gb
    if not names:
        return None, None, None, None, None, None

    def total(ns):
        if not ns:
            return None, None
        return sum(fit.param(n) for n in ns), fit.stderr_of_sum(ns)

    rb, rbe = total(bulk)
    rg, rge = total(gb)
    rt, rte = total(names)
    return rb, rbe, rg, rge, rt, rte


def analyze_spectrum(
    spectrum: Spectrum,
    geometry: Geometry | None = None,
    circuit: str | None = None,
    temperature_C: float | None = None,
    initial_guess: list[float] | None = None,
) -> EISResult:
    """Fit and interpret one spectrum; see EISResult for the method. Raises ValueError for a
    circuit that does not parse or fit the data size."""
    requested = circuit or PELLET_CIRCUIT
    cir = Circuit(requested)
    notes = list(spectrum.notes)
    f, z = spectrum.frequency_Hz, spectrum.Z
    fit = fit_circuit(f, z, cir, initial_guess=initial_guess)
    notes.extend(fit.notes)
    f_max = float(f.max())
    arcs = find_arcs(fit, geometry, f_max)
    others: list[CircuitFit] = []
    bulk_ok, reason = False, ""
    if geometry is None:
        reason = "no geometry given: arcs not assigned, no conductivity"
    else:
        bulk_ok, reason = _bulk_status(arcs, fit, f_max)
        outside = [a for a in arcs if a.role == "outside_window"]
        if outside:
            high = max(outside, key=lambda a: a.f_c_Hz)
            alt_cir = fallback_circuit(fit.circuit, high)
            try:
                # same points as the main fit (outliers stay out), so that BICs compare
                used = fit.used
                alt = fit_circuit(f[used], z[used], alt_cir, remove_outliers=False)
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
                fit = alt
                notes.extend(alt.notes)
                arcs = find_arcs(fit, geometry, f_max)
                bulk_ok, reason = _bulk_status(arcs, fit, f_max)
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
    rb, rbe, rg, rge, rt, rte = _resistances(fit, arcs, geometry)
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
        linkk=lin_kk(f, z),
        other_fits=tuple(others),
        notes=tuple(notes),
    )
