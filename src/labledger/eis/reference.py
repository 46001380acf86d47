"""impedance.py's own circuit fit, used as one more starting point where ours falls short.

`impedance.models.circuits.fitting.circuit_fit` is loaded on its own (like the element registry
in `labledger.eis.circuit`), without the package __init__ that imports matplotlib.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np

from labledger.eis.circuit import Circuit, _impedance_elements

__all__ = ["REFERENCE_MAXFEV", "impedance_py_fit"]

REFERENCE_MAXFEV = 100
"""At most 100 function evaluations (Jacobian ones not counted) per reference fit: impedance.py
evaluates its circuit string with a numerical Jacobian (several ms per evaluation on a long
spectrum), so this bounds a reference start to about a second; it is only a start, polished by
our fit afterwards."""


def _fitting_module():
    name = "impedance.models.circuits.fitting"
    if name not in sys.modules:
        elements = _impedance_elements()  # registered under its own name first
        path = Path(elements.__file__).parent / "fitting.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception:
            del sys.modules[name]
            raise
    return sys.modules[name]


def impedance_py_fit(
    circuit: Circuit, frequency_Hz: np.ndarray, Z: np.ndarray, start: np.ndarray, weighting: str
) -> np.ndarray | None:
    """Parameters of impedance.py's circuit_fit from `start` (weight_by_modulus for the
    modulus weighting), or None when it fails; its warnings are silenced."""
    try:
        fitting = _fitting_module()
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            p, _ = fitting.circuit_fit(
                np.asarray(frequency_Hz, dtype=float),
                np.asarray(Z, dtype=complex),
                circuit.text,
                [float(x) for x in start],
                weight_by_modulus=weighting == "modulus",
                maxfev=REFERENCE_MAXFEV,
            )
    except Exception:  # a failed reference fit is only a start that did not work out
        return None
    p = np.asarray(p, dtype=float)
    return p if p.shape == (circuit.n_params,) and np.all(np.isfinite(p)) else None
