"""Arcs of a fitted circuit: R||C and R||CPE blocks with effective capacitance, apex frequency
and role (bulk, grain boundary, electrode) from the capacitance per cell constant."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labledger.eis.circuit import Circuit, Node
from labledger.eis.fit import CircuitFit
from labledger.eis.totals import BULK_MAX_F_PER_CM

__all__ = ["Arc", "fallback_circuit", "find_arcs", "role_of"]

# Capacitance per cell constant, C * L / A in F/cm (Irvine, Sinclair, West, Adv. Mater. 1990, 2,
# 132): bulk ~1e-12, grain boundary 1e-11..1e-8, surface layer 1e-9..1e-7, electrode interface
# 1e-7..1e-5. The boundaries below sit where one range ends and the next begins.
GRAIN_BOUNDARY_MAX_F_PER_CM = 1e-7
SURFACE_LAYER_FROM_F_PER_CM = 1e-8

BULK_FC_MAX_FRACTION = 0.5
"""The bulk arc counts as measured only if its apex frequency is at most half the highest
measured frequency, so that the apex and the high-frequency side of the arc are in the data."""


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


def role_of(c_per_cm: float) -> str:
    """bulk / grain_boundary / electrode from the capacitance per cell constant (F/cm)."""
    if c_per_cm < BULK_MAX_F_PER_CM:
        return "bulk"
    if c_per_cm < GRAIN_BOUNDARY_MAX_F_PER_CM:
        return "grain_boundary"
    return "electrode"


def _blocks(tree: Node) -> tuple[Node, ...]:
    return tree.children if tree.kind == "series" else (tree,)


def find_arcs(fit: CircuitFit, geom, f_max_Hz: float = np.inf) -> list[Arc]:
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
        cap_known = all(
            fit.determined(n)
            for n in fit.names
            if n == cs[0].name or n.startswith(cs[0].name + "_")
        )
        if not cap_known:
            # The element ran off (Q -> 0: the arc is a resistor above the window; Q -> inf:
            # shorted): its capacitance and apex are not numbers the data give.
            # Q -> 0 leaves a resistor at every frequency: part of the high-frequency intercept
            above = not np.isnan(f_c) and f_c > BULK_FC_MAX_FRACTION * f_max_Hz
            role = "outside_window" if above and geom is not None else "undetermined"
            if geom is None:
                role = "unassigned"
            arcs.append(
                Arc(
                    rs[0].name,
                    cs[0].name,
                    r,
                    fit.param_stderr(rs[0].name),
                    q,
                    n,
                    float("nan"),
                    float("nan"),
                    None,
                    role,
                )
            )
            continue
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
