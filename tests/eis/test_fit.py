"""Circuit fits and conductivities on spectra with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from labledger.demo.eis import PELLET, synthetic_Z
from labledger.eis.analysis import Geometry, analyze_spectrum
from labledger.eis.fit import fit_circuit
from labledger.eis.spectrum import Spectrum


def _spectrum(f, z) -> Spectrum:
    return Spectrum(np.asarray(f), np.asarray(z), "synthetic", "synthetic")


# (sigma_bulk, sigma_total) at which the bulk arc apex lies inside 7 MHz..0.1 Hz
IN_WINDOW = [(4.4e-5, 2.5e-6), (1.6e-4, 1.2e-5), (1.0e-4, 4.0e-5), (5e-5, 1e-5)]
# ... and above it (LLTO at room temperature and above), or near its top (last one, 5.3 MHz)
OUT_OF_WINDOW = [(6e-4, 6.5e-5), (1e-3, 1e-4), (5e-4, 1.2e-5), (2e-3, 3e-4), (3e-4, 3e-5)]


@pytest.mark.parametrize(("sb", "st"), IN_WINDOW)
@pytest.mark.parametrize("seed", [1, 2])
def test_bulk_inside_window_within_3_percent(sb, st, seed, h):
    f, z, truth = h.pellet_spectrum(sb, st, seed=seed)
    r = analyze_spectrum(_spectrum(f, z), PELLET)
    assert truth["f_c_bulk_Hz"] < 3.5e6
    assert r.bulk_determined, r.bulk_reason
    assert r.sigma_bulk_S_cm == pytest.approx(sb, rel=0.03)
    assert r.sigma_total_S_cm == pytest.approx(st, rel=0.01)
    assert r.sigma_gb_apparent_S_cm == pytest.approx(truth["sigma_gb_apparent_S_cm"], rel=0.03)
    roles = sorted(a.role for a in r.arcs)
    assert roles == ["bulk", "grain_boundary"]


@pytest.mark.parametrize(("sb", "st"), OUT_OF_WINDOW)
def test_bulk_above_window_is_not_determined_and_total_within_1_percent(sb, st, h):
    f, z, truth = h.pellet_spectrum(sb, st, seed=5)
    assert truth["f_c_bulk_Hz"] > 0.5 * 7e6
    r = analyze_spectrum(_spectrum(f, z), PELLET)
    assert not r.bulk_determined
    assert r.sigma_bulk_S_cm is None
    assert "not determined" in r.bulk_reason
    assert r.sigma_total_S_cm == pytest.approx(st, rel=0.01)
    d = r.to_dict()
    assert d["sigma_bulk_S_cm"] is None and d["sigma_total_S_cm"] is not None


def test_fallback_circuit_is_used_when_bulk_arc_is_far_above_the_window(h):
    # bulk apex ~1 GHz: the spectrum starts on the real axis; R1-p(R2,CPE2)-CPE3 suffices
    from labledger.demo import eis as demo

    params, _ = demo.pellet_parameters(0.1, 5e-5)
    f = demo.demo_frequencies()
    z = synthetic_Z(h.PELLET, params, f, 0.005, 11)
    r = analyze_spectrum(_spectrum(f, z), PELLET)
    assert r.sigma_bulk_S_cm is None
    assert r.sigma_total_S_cm == pytest.approx(5e-5, rel=0.01)
    # the arc left is whichever the fit labelled second; both read one arc and a resistor
    assert r.fit.circuit.text in ("R1-p(R2,CPE2)-CPE3", "p(R1,CPE1)-R2-CPE3")
    assert any("fallback" in n for n in r.notes)
    assert [o.circuit.text for o in r.other_fits] == ["p(R1,CPE1)-p(R2,CPE2)-CPE3"]


@pytest.mark.parametrize(("sb", "st"), [IN_WINDOW[1], OUT_OF_WINDOW[0]])
def test_outliers_are_removed_and_noted(sb, st, h):
    f, z, truth = h.pellet_spectrum(sb, st, seed=7)
    z = z.copy()
    bad = [9, 25, 40]
    z[bad] *= np.array([1.25, 0.8 - 0.1j, 1.3])
    r = analyze_spectrum(_spectrum(f, z), PELLET)
    assert not r.fit.used[bad].any()
    assert r.fit.used.sum() == len(f) - 3
    assert any("removed 3 outlier" in n for n in r.notes)
    assert r.sigma_total_S_cm == pytest.approx(st, rel=0.01)
    if truth["f_c_bulk_Hz"] < 3.5e6:
        assert r.sigma_bulk_S_cm == pytest.approx(sb, rel=0.03)
    # without removal the same data give a visibly worse fit
    plain = fit_circuit(f, z, h.PELLET, remove_outliers=False)
    assert plain.weighted_rms > 3 * r.fit.weighted_rms


def test_arcs_are_assigned_by_capacitance_not_by_order(h):
    # write the grain-boundary block first: the assignment must not change
    f, z, truth = h.pellet_spectrum(*IN_WINDOW[1], seed=3)
    r = analyze_spectrum(_spectrum(f, z), PELLET, circuit="p(R2,CPE2)-p(R1,CPE1)-CPE3")
    by_role = {a.role: a for a in r.arcs}
    assert by_role["bulk"].R_ohm == pytest.approx(truth["R_bulk_ohm"], rel=0.03)
    assert by_role["grain_boundary"].R_ohm == pytest.approx(truth["R_gb_ohm"], rel=0.03)
    assert by_role["bulk"].C_per_cm_F == pytest.approx(9e-12, rel=0.1)


def test_uncertainties_are_of_the_size_of_the_errors(h):
    """Over several noise draws the fit errors of R_total scatter like the reported stderr."""
    z_scores = []
    for seed in range(8):
        f, z, truth = h.pellet_spectrum(*IN_WINDOW[1], seed=100 + seed)
        r = analyze_spectrum(_spectrum(f, z), PELLET)
        z_scores.append((r.R_total_ohm - truth["R_total_ohm"]) / r.R_total_stderr_ohm)
    rms = float(np.sqrt(np.mean(np.square(z_scores))))
    assert 0.3 < rms < 3.0


def test_no_geometry_reports_resistances_only(h):
    from labledger.demo.eis import ELECTRODE_CIRCUIT

    f = np.logspace(np.log10(7e6), -1, 60)
    z = synthetic_Z(ELECTRODE_CIRCUIT, [3.0, 250.0, 2e-5, 0.85, 40.0], f, 0.005, 4)
    r = analyze_spectrum(_spectrum(f, z), None, circuit=ELECTRODE_CIRCUIT)
    assert r.charge_transfer_R_ohm == pytest.approx(250, rel=0.02)
    assert r.sigma_total_S_cm is None and r.R_total_ohm is None
    assert [a.role for a in r.arcs] == ["unassigned"]
    assert r.fit.param("R0") == pytest.approx(3.0, rel=0.05)


def test_geometry_from_area_equals_from_diameter():
    a = Geometry.from_options(1.0, diameter_mm=10.0)
    b = Geometry.from_options(1.0, area_cm2=np.pi * 0.25)
    assert a.cell_constant_per_cm == pytest.approx(b.cell_constant_per_cm)
    assert a.cell_constant_per_cm == pytest.approx(0.1 / 0.7853981634)
    with pytest.raises(ValueError, match="exactly one"):
        Geometry.from_options(1.0, diameter_mm=10.0, area_cm2=0.8)
    with pytest.raises(ValueError, match="not positive"):
        Geometry.from_options(-1.0, diameter_mm=10.0)


def test_bad_initial_guess_length():
    f = np.logspace(5, 0, 20)
    z = 10 + 100 / (1 + 1j * 2 * np.pi * f * 1e-4)
    with pytest.raises(ValueError, match="takes 3"):
        fit_circuit(f, z, "R0-p(R1,C1)", initial_guess=[1, 2])


@pytest.mark.parametrize("seed", [0, 3])
def test_noisy_spectrum_total_is_within_its_plateau_or_not_determined(seed):
    """R0 = 10.6 ohm (the high-frequency plateau), an arc of 40 ohm and an electrode spike."""
    f = np.logspace(6, -1, 60)
    params = [10.6, 40.0, 2e-6, 0.9, 1e-4, 0.85]
    geom = Geometry.from_options(1.0, diameter_mm=10.0)
    quiet = analyze_spectrum(
        _spectrum(f, synthetic_Z("R0-p(R1,CPE1)-CPE2", params, f, 0.005, seed)), geom
    )
    assert quiet.total_determined, quiet.total_reason
    assert quiet.R_total_ohm == pytest.approx(50.6, rel=0.01)
    noisy_z = synthetic_Z("R0-p(R1,CPE1)-CPE2", params, f, 0.03, seed)
    noisy = analyze_spectrum(_spectrum(f, noisy_z), geom)
    if noisy.R_total_ohm is None:
        assert noisy.sigma_total_S_cm is None and "Lin-KK" in noisy.total_reason
    else:
        assert noisy.R_total_ohm >= noisy_z.real[:3].min() * 0.9
