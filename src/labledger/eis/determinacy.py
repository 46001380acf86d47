"""Which fitted circuit parameters the data determine, and why the others are not determined.

A parameter is not determined when
- it is one of several resistors in series (`R0-R1`): the data fix only their sum;
- it sits at a bound of the fit: an exponent at EXPONENT_MIN, or a magnitude beyond
  MAGNITUDE_LIMIT (a capacitance of 1e-42 F or a Q of 1e39: the element has dropped out);
- its standard error is not available (singular Jacobian) or larger than its value.
"""

from __future__ import annotations

import numpy as np

from labledger.eis.circuit import Circuit, Node
from labledger.eis.starts import EXPONENT_MIN

__all__ = ["MAGNITUDE_LIMIT", "series_resistor_groups", "undetermined_parameters"]

MAGNITUDE_LIMIT = 1e30
"""Magnitudes (R, C, Q, L, W, tau) outside [1e-30, 1e30] in SI units are no physical values:
such a parameter has run to a bound of the log-parameter fit and the element dropped out."""

EXPONENT_BOUND_TOL = 1e-3
"""An exponent within 1e-3 of EXPONENT_MIN is at the lower bound of the fit."""


def series_resistor_groups(circuit: Circuit) -> list[list[str]]:
    """Resistors that stand in series with each other in one series block (e.g. R0-R1)."""
    groups: list[list[str]] = []

    def walk(node: Node) -> None:
        if node.kind == "series":
            rs = [c.name for c in node.children if c.kind == "element" and c.etype == "R"]
            if len(rs) >= 2:
                groups.append(rs)
        for c in node.children:
            walk(c)

    walk(circuit.tree)
    return groups


def undetermined_parameters(
    circuit: Circuit, values: np.ndarray, stderr: np.ndarray
) -> dict[str, str]:
    """{parameter name: why it is not determined} for a fit's values and standard errors."""
    out: dict[str, str] = {}
    for group in series_resistor_groups(circuit):
        for name in group:
            others = "+".join(group)
            out[name] = (
                f"in series with {', '.join(n for n in group if n != name)}: the data fix only "
                f"the sum {others}"
            )
    for i, name in enumerate(circuit.param_names):
        if name in out:
            continue
        v, e = float(values[i]), float(stderr[i])
        if circuit.is_exponent[i]:
            if v <= EXPONENT_MIN + EXPONENT_BOUND_TOL:
                out[name] = f"at the lower bound {EXPONENT_MIN:g} of the fit"
                continue
        elif not (1 / MAGNITUDE_LIMIT <= abs(v) <= MAGNITUDE_LIMIT):
            out[name] = (
                f"ran to a bound of the fit ({v:.3g} {circuit.param_units[i]}): the element "
                "has dropped out of the model"
            )
            continue
        if not np.isfinite(e):
            out[name] = "no standard error (singular Jacobian): the data do not fix it"
        elif e > abs(v):
            out[name] = f"standard error {e:.2g} is larger than the value {v:.3g}"
    return out
