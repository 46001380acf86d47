"""Real potentiostat exports (tests/eis/real, SOURCES.md) against impedance.py's readers and fits.

expected.json is written by tests/eis/real/make_expected.py from impedance.py itself.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from labledger.eis.analysis import Geometry, analyze_spectrum
from labledger.eis.fit import fit_circuit
from labledger.eis.readers import read_spectrum
from labledger.errors import InputFileError

REAL = Path(__file__).parent / "real"
EXPECTED = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
FILES = EXPECTED["files"]
GS = EXPECTED["getting_started"]
READABLE = sorted(n for n, d in FILES.items() if "error" not in d)
REFUSED = sorted(n for n, d in FILES.items() if "error" in d)


@pytest.mark.parametrize("name", READABLE)
def test_reads_like_impedance_py(name):
    exp = FILES[name]
    s = read_spectrum(REAL / name)
    f = np.asarray(exp["frequency_Hz"])
    z = np.asarray(exp["Z_real_ohm"]) + 1j * np.asarray(exp["Z_imag_ohm"])
    order = np.argsort(-f)  # we hold a sweep from high to low frequency
    assert len(s) == exp["n_points"]
    assert s.frequency_Hz == pytest.approx(f[order], rel=1e-12)
    assert s.Z.real == pytest.approx(z.real[order], rel=1e-9, abs=1e-15)
    assert s.Z.imag == pytest.approx(z.imag[order], rel=1e-9, abs=1e-15)


def test_rows_at_zero_frequency_are_dropped_with_a_count():
    s = read_spectrum(REAL / "exampleDataParstat.txt")
    dropped = EXPECTED["parstat_rows"]["n_rows_at_0_Hz"]
    assert dropped > 0
    assert len(s) == EXPECTED["parstat_rows"]["n_rows"] - dropped
    assert any(f"dropped {dropped} row(s)" in n and "0 Hz" in n for n in s.notes), s.notes


@pytest.mark.parametrize("name", REFUSED)
def test_refused_files_name_what_is_missing(name):
    with pytest.raises(InputFileError) as err:
        read_spectrum(REAL / name)
    msg = str(err.value)
    assert name in msg and "freq/Hz" in msg and "Re(Z)/Ohm" in msg


def _first_quadrant():
    s = read_spectrum(REAL / "exampleData.csv")
    keep = s.Z.imag < 0  # impedance.preprocessing.ignoreBelowX, as its docs do
    return s.frequency_Hz[keep], s.Z[keep]


def test_getting_started_parameters_within_1_percent_in_its_weighting():
    f, z = _first_quadrant()
    assert f.size == GS["n_points"]
    fit = fit_circuit(
        f,
        z,
        GS["circuit"],
        initial_guess=GS["initial_guess"],
        weighting="unit",
        remove_outliers=False,
    )
    documented, converged = GS["fits"]["unit"], GS["fits"]["unit_converged"]
    for name, value in converged["parameters"].items():
        assert fit.param(name) == pytest.approx(value, rel=0.01), name
    # The documented fit stops while the Warburg time constant Wo1_1 still moves (a flat
    # valley): every other parameter matches it to 1 %, Wo1_1 to its standard error.
    for name, value in documented["parameters"].items():
        if name == "Wo1_1":
            assert abs(fit.param(name) - value) < fit.param_stderr(name)
        else:
            assert fit.param(name) == pytest.approx(value, rel=0.01), name
    assert fit.chi2 <= min(documented["chi2_unit"], converged["chi2_unit"]) * (1 + 1e-6)


@pytest.mark.parametrize("weighting", ["unit", "modulus"])
def test_our_starts_reach_a_chi2_no_worse_than_impedance_py(weighting):
    """Without the documented start: data-derived starts, the chosen weighting."""
    f, z = _first_quadrant()
    fit = fit_circuit(f, z, GS["circuit"], weighting=weighting, remove_outliers=False)
    best_ref = min(d[f"chi2_{weighting}"] for d in GS["fits"].values())
    assert fit.chi2 <= best_ref * (1 + 1e-6)


def test_requested_circuit_is_the_one_reported():
    s = read_spectrum(REAL / "exampleData.csv")
    r = analyze_spectrum(s, None, circuit=GS["circuit"])
    assert r.fit.circuit.text == GS["circuit"]
    assert r.to_dict()["circuit_used"] == GS["circuit"]


@pytest.mark.parametrize("name", sorted(EXPECTED["dummy_fits"]))
def test_dummy_circuits_as_impedance_py_fits_them(name):
    ref = EXPECTED["dummy_fits"][name]
    s = read_spectrum(REAL / name)
    f, z = s.frequency_Hz, s.Z
    same = fit_circuit(
        f,
        z,
        ref["circuit"],
        initial_guess=ref["initial_guess"],
        weighting="unit",
        remove_outliers=False,
    )
    ours = fit_circuit(f, z, ref["circuit"], remove_outliers=False)  # data-derived starts
    for p, value in ref["parameters"].items():
        assert same.param(p) == pytest.approx(value, rel=0.01), p
        assert ours.param(p) == pytest.approx(value, rel=0.01), p
    assert same.chi2 <= ref["chi2_unit"] * (1 + 1e-6)
    assert ours.chi2 <= ref["chi2_modulus"] * (1 + 1e-6)


@pytest.mark.parametrize("weighting", ["modulus", "unit"])
def test_all_points_no_worse_than_impedance_py_and_no_collapsed_capacitor(weighting):
    """All 66 points, inductive ones included: the case where C1 used to collapse to 1e-42 F."""
    ref = GS["all_points"]
    s = read_spectrum(REAL / "exampleData.csv")
    fit = fit_circuit(
        s.frequency_Hz, s.Z, GS["circuit"], weighting=weighting, remove_outliers=False
    )
    assert fit.chi2 <= ref[f"chi2_{weighting}"] * (1 + 1e-6)
    for name in ("R0", "R1", "C1", "R2", "C2"):
        assert fit.determined(name), fit.undetermined_reasons
        assert 1e-6 < fit.param(name) < 1e3


def test_named_circuit_is_kept_with_geometry_too():
    s = read_spectrum(REAL / "exampleDataBioLogic.mpt")
    named = analyze_spectrum(s, PELLET_GEOMETRY, circuit="p(R1,CPE1)-p(R2,CPE2)-CPE3")
    assert named.fit.circuit.text == "p(R1,CPE1)-p(R2,CPE2)-CPE3" and not named.other_fits
    chosen = analyze_spectrum(s, PELLET_GEOMETRY)  # no circuit named: the fallback may win
    assert chosen.fit.circuit.text == "R1-p(R2,CPE2)-CPE3"


def test_series_resistors_are_not_split():
    s = read_spectrum(REAL / "exampleData.csv")
    fit = fit_circuit(s.frequency_Hz, s.Z, "R0-R1-p(R2,CPE1)-W1")
    d = fit.to_dict()
    for name in ("R0", "R1"):
        assert not fit.determined(name)
        assert d["parameters"][name]["value"] is None
        assert "only the sum R0+R1" in d["parameters"][name]["reason"]
    total = d["sums"]["R0+R1"]
    assert total["value"] == pytest.approx(fit.param("R0") + fit.param("R1"))
    assert 0 < total["stderr"] < 0.1 * total["value"]


PELLET_GEOMETRY = Geometry.from_options(1.0, diameter_mm=10.0)


@pytest.mark.parametrize("name", READABLE)
def test_every_file_gives_an_honest_total_and_no_warning(name):
    """R_total lies at or above the high-frequency plateau and the fit follows the spectrum,
    or it is not determined with a reason; undetermined parameters carry no value."""
    s = read_spectrum(REAL / name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = analyze_spectrum(s, PELLET_GEOMETRY)
    d = r.to_dict()
    if r.R_total_ohm is None:
        assert not d["total_determined"] and d["total_reason"] and d["sigma_total_S_cm"] is None
    else:
        noise = max(r.linkk.residual_rms, 0.002)
        plateau = s.Z.real[:3].min() - 4 * noise * np.abs(s.Z[:3]).max()
        assert r.linkk.consistent and r.R_total_ohm >= plateau
    for p, v in d["fit"]["parameters"].items():
        value = r.fit.param(p)
        if not v["determined"]:
            assert v["value"] is None and v["reason"], p
        else:
            assert 1e-30 <= abs(value) <= 1e30, p


def test_inconsistent_spectrum_gives_no_sigma():
    s = read_spectrum(REAL / "exampleDataCHInstruments.txt")
    r = analyze_spectrum(s, PELLET_GEOMETRY)
    assert not r.linkk.consistent
    assert r.sigma_total_S_cm is None and "Lin-KK" in r.total_reason
    assert r.R_total_fit_ohm is not None  # the fit's number stays visible, marked as such


@pytest.mark.parametrize("case", EXPECTED["hard_cases"], ids=lambda c: c["file"])
def test_never_worse_than_impedance_py_from_the_same_starts(case):
    from labledger.eis.linkk import lin_kk

    s = read_spectrum(REAL / case["file"])
    noise = lin_kk(s.frequency_Hz, s.Z).residual_rms
    fit = fit_circuit(s.frequency_Hz, s.Z, case["circuit"], remove_outliers=False, noise=noise)
    assert fit.chi2 <= case["chi2_modulus"] * (1 + 1e-4)  # the same minimum, converged
