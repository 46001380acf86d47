"""Equivalent circuits written in the `impedance` package's string syntax, compiled for speed.

Syntax (as in `impedance.models.circuits`): elements in series are joined by `-`, elements in
parallel are wrapped in `p(a,b,...)`, and each element is a type name followed by a number
(`R0`, `CPE1`, `Wo1`). Elements with several parameters name them `<element>_<i>` (`CPE1_0` is Q,
`CPE1_1` the exponent n).

The element types, their parameter counts and units come from `impedance`'s element registry.
The common elements have vectorised numpy twins here (the registry's functions type-check every
frequency on each call, which dominates fit time); a test checks every twin against the
registry's own function. Elements without a twin call the registry's function.

Impedance convention: Z = Z' + jZ'' with Z'' < 0 for capacitive arcs; omega = 2 pi f (f in Hz).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from labledger.config import PELLET_CIRCUIT


def _impedance_elements():
    """impedance.py's element registry (impedance.models.circuits.elements) without its package
    __init__, which imports matplotlib, altair and pandas (~1.4 s on this machine) for plotting
    we do not use. The module file only needs numpy. It is registered under its own name, so a
    later `import impedance.models.circuits` reuses this very registry."""
    name = "impedance.models.circuits.elements"
    if name not in sys.modules:
        import impedance.models  # light: impedance/__init__ and models/__init__ import nothing

        path = Path(impedance.models.__file__).parent / "circuits" / "elements.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_elements = _impedance_elements()
circuit_elements = _elements.circuit_elements
get_element_from_name = _elements.get_element_from_name

__all__ = ["PELLET_CIRCUIT", "Circuit", "CircuitSyntaxError", "Node", "parse_circuit"]

# The default pellet circuit is defined once, with the other settings, in labledger.config.

# Parameters that are exponents in (0, 1]; all others are positive magnitudes.
EXPONENT_PARAMETERS = {("CPE", 1), ("La", 1), ("Gs", 2), ("Zarc", 2), ("TLMQ", 2)}

_ELEMENT_NAME = re.compile(r"[A-Za-z]+[A-Za-z0-9_]*")


class CircuitSyntaxError(ValueError):
    """A circuit string cannot be parsed; the message names the position and the problem."""


def _fast_elements() -> dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]:
    """Vectorised element impedances: f(params, omega) -> complex array (same formulas as
    `impedance.models.circuits.elements`)."""

    def r(p, w):
        return np.full(w.shape, p[0] + 0j)

    def c(p, w):
        return 1.0 / (1j * w * p[0])

    def ind(p, w):
        return 1j * w * p[0]

    def warburg(p, w):
        return p[0] * (1 - 1j) / np.sqrt(w)

    def wo(p, w):
        s = np.sqrt(1j * w * p[1])
        return p[0] / (s * np.tanh(s))

    def ws(p, w):
        s = np.sqrt(1j * w * p[1])
        return p[0] * np.tanh(s) / s

    def cpe(p, w):
        # (j w)^n = w^n exp(j n pi/2) for w > 0: a real power instead of a complex one
        return (w ** -p[1] / p[0]) * np.exp(-0.5j * np.pi * p[1])

    def la(p, w):
        return (p[0] * 1j * w) ** p[1]

    def g(p, w):
        return p[0] / np.sqrt(1 + 1j * w * p[1])

    def gs(p, w):
        s = np.sqrt(1 + 1j * w * p[1])
        return p[0] / (s * np.tanh(p[2] * s))

    def k(p, w):
        return p[0] / (1 + 1j * w * p[1])

    def zarc(p, w):
        return p[0] / (1 + (1j * w * p[1]) ** p[2])

    return {
        "R": r,
        "C": c,
        "L": ind,
        "W": warburg,
        "Wo": wo,
        "Ws": ws,
        "CPE": cpe,
        "La": la,
        "G": g,
        "Gs": gs,
        "K": k,
        "Zarc": zarc,
    }


FAST_ELEMENTS = _fast_elements()


def _element_gradients() -> dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]]:
    """Analytic dZ/dp of the common elements: g(params, omega, Z) -> (n_freq, n_params)."""

    def r(p, w, z):
        return np.ones((w.size, 1), dtype=complex)

    def c(p, w, z):
        return (-z / p[0])[:, None]

    def ind(p, w, z):
        return (1j * w)[:, None]

    def warburg(p, w, z):
        return ((1 - 1j) / np.sqrt(w))[:, None]

    def cpe(p, w, z):
        return np.column_stack([-z / p[0], -z * (np.log(w) + 0.5j * np.pi)])

    def wo(p, w, z):
        s = np.sqrt(1j * w * p[1])
        t = np.tanh(s)
        dz_ds = -p[0] * (t + s * (1 - t**2)) / (s * t) ** 2
        return np.column_stack([z / p[0], dz_ds * s / (2 * p[1])])

    def k(p, w, z):
        d = 1 + 1j * w * p[1]
        return np.column_stack([1 / d, -p[0] * 1j * w / d**2])

    return {"R": r, "C": c, "L": ind, "W": warburg, "Wo": wo, "CPE": cpe, "K": k}


ELEMENT_GRADIENTS = _element_gradients()


@dataclass(frozen=True)
class Node:
    """One node of a parsed circuit: `kind` is "series", "parallel" or "element"."""

    kind: str
    children: tuple[Node, ...] = ()
    name: str = ""  # element name, e.g. "CPE1"
    etype: str = ""  # element type, e.g. "CPE"

    def to_string(self) -> str:
        """The circuit string of this node in `impedance` syntax."""
        if self.kind == "element":
            return self.name
        parts = [c.to_string() for c in self.children]
        return "-".join(parts) if self.kind == "series" else "p(" + ",".join(parts) + ")"

    def elements(self) -> list[Node]:
        """Element nodes in string order (the order of the parameters)."""
        if self.kind == "element":
            return [self]
        return [e for c in self.children for e in c.elements()]


def parse_circuit(text: str) -> Node:
    """Parse a circuit string (`impedance` syntax) into a tree; raise CircuitSyntaxError."""
    s = text.replace(" ", "")
    if not s:
        raise CircuitSyntaxError("empty circuit string")
    pos = 0

    def fail(msg: str) -> CircuitSyntaxError:
        return CircuitSyntaxError(f"circuit {text!r}, at character {pos + 1}: {msg}")

    def series() -> Node:
        nonlocal pos
        items = [term()]
        while pos < len(s) and s[pos] == "-":
            pos += 1
            items.append(term())
        return items[0] if len(items) == 1 else Node("series", tuple(items))

    def term() -> Node:
        nonlocal pos
        if s.startswith("p(", pos):
            pos += 2
            items = [series()]
            while pos < len(s) and s[pos] == ",":
                pos += 1
                items.append(series())
            if pos >= len(s) or s[pos] != ")":
                raise fail("expected ',' or ')' to close p(")
            pos += 1
            if len(items) < 2:
                raise fail("p(...) needs at least two branches")
            return Node("parallel", tuple(items))
        m = _ELEMENT_NAME.match(s, pos)
        if not m:
            raise fail("expected an element name such as R1 or CPE1, or p(")
        name = m.group(0)
        etype = get_element_from_name(name)
        if etype not in circuit_elements or etype in ("s", "p"):
            known = ", ".join(sorted(k for k in circuit_elements if k not in ("s", "p")))
            raise fail(f"unknown element type {etype!r} in {name!r} (known: {known})")
        if not any(ch.isdigit() for ch in name):
            raise fail(f"element {name!r} needs a number, e.g. {name}1")
        pos = m.end()
        return Node("element", name=name, etype=etype)

    tree = series()
    if pos != len(s):
        raise fail(f"unexpected {s[pos]!r}")
    names = [e.name for e in tree.elements()]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise CircuitSyntaxError(f"circuit {text!r}: element name(s) used twice: {dup}")
    return tree


class Circuit:
    """A parsed, compiled circuit: `circuit.impedance(params, f_Hz)` returns complex Z in ohm.

    Attributes: `text` (canonical string), `tree`, `param_names` (impedance's naming),
    `param_units`, `is_exponent` (bool per parameter, exponents live in (0, 1]).
    """

    def __init__(self, text: str) -> None:
        self.tree = parse_circuit(text)
        self.text = self.tree.to_string()
        names: list[str] = []
        units: list[str] = []
        expo: list[bool] = []
        self._slices: dict[str, slice] = {}
        for el in self.tree.elements():
            func = circuit_elements[el.etype]
            n = func.num_params
            self._slices[el.name] = slice(len(names), len(names) + n)
            for j in range(n):
                names.append(el.name if n == 1 else f"{el.name}_{j}")
                units.append(func.units[j])
                expo.append((el.etype, j) in EXPONENT_PARAMETERS)
        self.param_names = tuple(names)
        self.param_units = tuple(units)
        self.is_exponent = np.array(expo, dtype=bool)
        self._eval = self._compile(self.tree)

    def __repr__(self) -> str:
        return f"Circuit({self.text!r})"

    @property
    def n_params(self) -> int:
        return len(self.param_names)

    def element_params(self, name: str, params: np.ndarray) -> np.ndarray:
        """The parameters of one element (by name, e.g. "CPE1") from a full parameter vector."""
        return np.asarray(params)[self._slices[name]]

    def _compile(self, node: Node) -> Callable:
        """Compile a node into g(p, w, want_jac) -> (Z, blocks): blocks is a list of
        (parameter slice, dZ/dp of those parameters as an (n_freq, k) array)."""
        if node.kind == "element":
            sl = self._slices[node.name]
            fast = FAST_ELEMENTS.get(node.etype)
            grad = ELEMENT_GRADIENTS.get(node.etype)
            if fast is None:
                slow = circuit_elements[node.etype]

                def fast(q, w):
                    return np.asarray(
                        slow([float(x) for x in q], list(w / (2 * np.pi))), dtype=complex
                    )

            def leaf(p, w, want_jac):
                q = p[sl]
                z = fast(q, w)
                if not want_jac:
                    return z, None
                if grad is not None:
                    return z, [(sl, grad(q, w, z))]
                # central differences for elements without an analytic gradient
                cols = []
                for j in range(q.size):
                    h = 1e-6 * max(abs(q[j]), 1e-300)
                    qp, qm = q.copy(), q.copy()
                    qp[j] += h
                    qm[j] -= h
                    cols.append((fast(qp, w) - fast(qm, w)) / (2 * h))
                return z, [(sl, np.column_stack(cols))]

            return leaf
        parts = [self._compile(c) for c in node.children]
        if node.kind == "series":

            def series(p, w, want_jac):
                z, blocks = parts[0](p, w, want_jac)
                if want_jac:
                    blocks = list(blocks)
                for part in parts[1:]:
                    zi, bi = part(p, w, want_jac)
                    z = z + zi
                    if want_jac:
                        blocks.extend(bi)
                return z, blocks

            return series

        def parallel(p, w, want_jac):
            zs = [part(p, w, want_jac) for part in parts]
            y = 1.0 / zs[0][0]
            for zi, _ in zs[1:]:
                y = y + 1.0 / zi
            z = 1.0 / y
            if not want_jac:
                return z, None
            # dZ/dp = (Z / Z_k)^2 dZ_k/dp for the parameters of branch k
            blocks = []
            for zi, bi in zs:
                factor = ((z / zi) ** 2)[:, None]
                blocks.extend((sl, b * factor) for sl, b in bi)
            return z, blocks

        return parallel

    def impedance_and_jacobian(
        self, params: np.ndarray, frequency_Hz: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Z (ohm) and dZ/dp (complex, shape (n_freq, n_params)) at the given frequencies."""
        p = np.asarray(params, dtype=float)
        w = 2 * np.pi * np.asarray(frequency_Hz, dtype=float)
        with np.errstate(all="ignore"):
            z, blocks = self._eval(p, w, True)
        jac = np.empty((w.size, self.n_params), dtype=complex)
        for sl, b in blocks:
            jac[:, sl] = b
        return z, jac

    def impedance(self, params: np.ndarray, frequency_Hz: np.ndarray) -> np.ndarray:
        """Complex impedance (ohm) at the given frequencies (Hz)."""
        p = np.asarray(params, dtype=float)
        if p.shape != (self.n_params,):
            raise ValueError(
                f"circuit {self.text!r} takes {self.n_params} parameters "
                f"{list(self.param_names)}, got {p.size}"
            )
        w = 2 * np.pi * np.asarray(frequency_Hz, dtype=float)
        with np.errstate(all="ignore"):
            return self._eval(p, w, False)[0]
