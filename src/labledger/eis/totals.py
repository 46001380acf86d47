"""Resistances of a fitted spectrum and whether the data determine them.

`bulk_status` says whether R_bulk is determined; `resistances` sums the resistors of each role;
`total_status` checks R_total against the spectrum itself: the high-frequency plateau (R_total
cannot lie below it), the low-frequency end (nor far beyond what was measured), the fit's own
residuals at both ends and the Lin-KK test. Where a check fails the total is "not determined",
with the reason, instead of a number.
"""

from __future__ import annotations

import numpy as np

from labledger.eis.fit import NOISE_FLOOR, CircuitFit
from labledger.eis.linkk import LinKKResult
from labledger.eis.spectrum import Spectrum

__all__ = ["bulk_status", "resistances", "series_resistors", "total_status"]

BULK_MAX_F_PER_CM = 1e-11
BULK_MAX_REL_STDERR = 0.05
"""The bulk resistance counts as determined only to 5 % (1 sigma) or better."""

END_POINTS = 3
"""The high-frequency plateau and the low-frequency end are the 3 outermost fitted points."""


MISS_SIGMAS = 4.0
"""The fit misses an end of the spectrum when its mean relative residual over END_POINTS
points exceeds 4 noise levels; R_total may lie at most 4 noise levels below the plateau."""


def _blocks(fit: CircuitFit):
    tree = fit.circuit.tree
    return tree.children if tree.kind == "series" else (tree,)


def series_resistors(fit: CircuitFit) -> list[str]:
    """Names of resistors in series at the top level (the high-frequency intercept)."""
    return [b.name for b in _blocks(fit) if b.kind == "element" and b.etype == "R"]


def bulk_status(arcs: list, fit: CircuitFit, f_max: float, fc_fraction: float) -> tuple[bool, str]:
    """Whether the bulk resistance is determined, and why (not)."""
    outside = [a for a in arcs if a.role == "outside_window"]
    bulk = [a for a in arcs if a.role == "bulk"]
    if outside:
        a = max(outside, key=lambda a: a.f_c_Hz if a.f_c_Hz is not None else np.inf)
        apex = f"apex {a.f_c_Hz:.3g} Hz" if a.f_c_Hz is not None else "capacitance not determined"
        return False, (
            f"the highest-frequency arc ({a.resistor}, {apex}) is above {fc_fraction:g} x the "
            f"highest measured frequency ({f_max:.3g} Hz): R_bulk is not determined, only the "
            "total"
        )
    if not bulk:
        return False, (
            f"no arc with a bulk capacitance (C*L/A < {BULK_MAX_F_PER_CM:g} F/cm)"
            + (
                "; the bulk resistance is part of the high-frequency intercept"
                if series_resistors(fit)
                else ""
            )
        )
    b = max(bulk, key=lambda a: a.f_c_Hz)
    rel = b.R_stderr_ohm / b.R_ohm if np.isfinite(b.R_stderr_ohm) else np.inf
    if rel > BULK_MAX_REL_STDERR or not fit.determined(b.resistor):
        return False, (
            f"bulk resistance uncertain ({rel:.0%} > {BULK_MAX_REL_STDERR:.0%} "
            "relative stderr): not determined, only the total"
        )
    return True, f"bulk arc apex at {b.f_c_Hz:.3g} Hz lies inside the measured window"


def resistances(fit: CircuitFit, arcs: list, geom) -> tuple:
    """R_bulk, R_gb, R_total (each with stderr) of a fit; None where not applicable."""
    series = series_resistors(fit)
    if geom is None:
        return (None,) * 6
    outside = [a.resistor for a in arcs if a.role == "outside_window"]
    bulk = [a.resistor for a in arcs if a.role == "bulk"]
    gb = [a.resistor for a in arcs if a.role == "grain_boundary"]
    names = series + outside + bulk + gb
    if not names:
        return (None,) * 6

    def total(ns):
        if not ns:
            return None, None
        return sum(fit.param(n) for n in ns), fit.stderr_of_sum(ns)

    return (*total(bulk), *total(gb), *total(names))


def total_status(
    spectrum: Spectrum,
    fit: CircuitFit,
    arcs: list,
    r_total: float | None,
    r_total_err: float | None,
    linkk: LinKKResult,
) -> tuple[bool, str]:
    """(determined, reason) for R_total, from the spectrum's own ends and the Lin-KK test."""
    if r_total is None:
        return False, "no resistor of the circuit belongs to the total"
    unknown = [a.resistor for a in arcs if a.role == "undetermined"]
    if unknown:
        return False, (
            f"the capacitance of arc {', '.join(unknown)} is not determined, so whether its "
            "resistance belongs to the total is unknown"
        )
    if r_total_err is None or not np.isfinite(r_total_err) or r_total_err >= abs(r_total):
        return False, "the fit does not determine the sum of the resistances (stderr >= value)"
    if not linkk.consistent:
        return False, (
            f"the fitted points fail the Lin-KK test (rms residual {linkk.residual_rms:.2%} > "
            f"{linkk.to_dict()['rms_limit']:.0%}): noise, drift or non-stationarity beyond what a "
            "reliable total allows"
        )
    used = fit.used
    f, z = spectrum.frequency_Hz[used], spectrum.Z[used]
    noise = max(linkk.residual_rms, NOISE_FLOOR)
    zm = fit.predict(f)
    k = min(END_POINTS, f.size)
    hf, lf = slice(0, k), slice(f.size - k, f.size)
    for part, sl in (("high", hf), ("low", lf)):
        miss = float(np.mean(np.abs(zm[sl] - z[sl]) / np.abs(z[sl])))
        if miss > MISS_SIGMAS * noise:
            return False, (
                f"the fit misses the {part}-frequency end of the spectrum by {miss:.1%} of |Z| "
                f"(noise {noise:.2%}): R_total not determined"
            )
    plateau = z.real[hf]
    low = float(plateau.min()) - MISS_SIGMAS * noise * float(np.abs(z[hf]).max())
    if r_total < low:
        return False, (
            f"R_total {r_total:.4g} ohm from the fit lies below the high-frequency plateau "
            f"({plateau.min():.4g}..{plateau.max():.4g} ohm): not determined"
        )
    top = float(spectrum.Z.real.max()) + MISS_SIGMAS * noise * float(np.abs(z[lf]).max())
    if r_total > top:
        return False, (
            f"R_total {r_total:.4g} ohm from the fit lies beyond the largest measured Z' "
            f"({spectrum.Z.real.max():.4g} ohm): the arcs do not close within the window, the "
            "total is an extrapolation"
        )
    return True, "R_total lies within the spectrum and the fit follows both of its ends"
