"""Circuit strings: parsing, element formulas and Jacobians against impedance.py's own code."""

from __future__ import annotations

import numpy as np
import pytest
from impedance.models.circuits import CustomCircuit
from impedance.models.circuits.elements import circuit_elements

from labledger.eis.circuit import FAST_ELEMENTS, Circuit, CircuitSyntaxError

F = np.logspace(6, -2, 25)

# a plausible parameter set per element type
PARAMS = {
    "R": [12.0],
    "C": [3e-6],
    "L": [2e-7],
    "W": [40.0],
    "Wo": [20.0, 0.5],
    "Ws": [20.0, 0.5],
    "CPE": [1e-5, 0.8],
    "La": [1e-6, 0.9],
    "G": [30.0, 0.01],
    "Gs": [30.0, 0.01, 0.7],
    "K": [50.0, 1e-3],
    "Zarc": [50.0, 1e-3, 0.8],
}


@pytest.mark.parametrize("etype", sorted(FAST_ELEMENTS))
def test_fast_elements_equal_impedance_elements(etype):
    ours = FAST_ELEMENTS[etype](np.array(PARAMS[etype]), 2 * np.pi * F)
    theirs = circuit_elements[etype](PARAMS[etype], list(F))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        ("R0-p(R1,C1)-p(R2-Wo1,C2)", [0.01, 0.01, 100, 0.01, 0.05, 100, 1]),
        ("p(R1,CPE1)-p(R2,CPE2)-CPE3", [100, 1e-10, 0.95, 1000, 1e-8, 0.85, 5e-6, 0.9]),
        ("R0-p(R1,CPE1)-W1", [3, 250, 2e-5, 0.85, 40]),
        ("L1-R0-p(R1,p(C1,R2-Zarc1))-T1", [1e-7, 2, 10, 1e-6, 5, 20, 1e-3, 0.8, 1, 2, 0.5, 0.1]),
    ],
)
@pytest.mark.filterwarnings("ignore:Simulating circuit")
def test_circuit_matches_customcircuit_predict(text, guess):
    ours = Circuit(text).impedance(np.array(guess, dtype=float), F)
    theirs = CustomCircuit(text, initial_guess=guess).predict(F, use_initial=True)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_parameter_names_follow_impedance_convention():
    c = Circuit("R0-p(R1,CPE1)-Wo1")
    assert c.param_names == ("R0", "R1", "CPE1_0", "CPE1_1", "Wo1_0", "Wo1_1")
    assert list(c.is_exponent) == [False, False, False, True, False, False]


@pytest.mark.parametrize(
    "text", ["p(R1,CPE1)-p(R2,CPE2)-CPE3", "R0-p(R1,C1)-p(R2-Wo1,C2)", "R0-p(R1,CPE1)-W1"]
)
def test_analytic_jacobian_matches_finite_differences(text):
    c = Circuit(text)
    rng = np.random.default_rng(3)
    p = np.where(c.is_exponent, 0.85, 10 ** rng.uniform(-3, 2, c.n_params))
    _, jac = c.impedance_and_jacobian(p, F)
    for j in range(c.n_params):
        h = 1e-6 * p[j]
        pp, pm = p.copy(), p.copy()
        pp[j] += h
        pm[j] -= h
        num = (c.impedance(pp, F) - c.impedance(pm, F)) / (2 * h)
        np.testing.assert_allclose(jac[:, j], num, rtol=1e-5, atol=1e-6 * np.abs(num).max())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("p(R1,X1)", "unknown element type 'X'"),
        ("p(R1,C1", "expected ',' or ')'"),
        ("R1-", "expected an element name"),
        ("R1-R1", "used twice"),
        ("p(R1)", "at least two branches"),
        ("R", "needs a number"),
        ("", "empty"),
    ],
)
def test_bad_circuit_strings_are_named(text, message):
    with pytest.raises(CircuitSyntaxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Circuit(text)


def test_round_trip_string():
    assert Circuit(" p(R1, CPE1) - p(R2,CPE2)-CPE3 ").text == "p(R1,CPE1)-p(R2,CPE2)-CPE3"


def test_importing_the_library_stays_light():
    """impedance.py's package __init__ pulls in matplotlib/altair/pandas; we avoid it."""
    import subprocess
    import sys

    code = (
        "import sys, labledger.eis, labledger.cli.eis\n"
        "heavy = [m for m in ('matplotlib', 'pandas', 'altair') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
