"""BioLogic .mpr impedance files written by tests/support/biologic_mpr.py, read through galvani."""

from __future__ import annotations

import numpy as np
import pytest

from labledger.demo.eis import PELLET
from labledger.eis import analyze_spectrum, read_spectrum
from labledger.errors import InputFileError
from support.biologic_mpr import gcpl_columns, peis_columns, write_mpr


def _f32(x):
    """What a float32 column of the file holds."""
    return np.asarray(x, dtype=np.float32).astype(float)


@pytest.mark.parametrize(("data_version", "header"), [(3, "v2"), (2, "v2"), (2, "v1")])
def test_peis_mpr_gives_the_written_spectrum(tmp_path, simple_spectrum, data_version, header):
    f, z = simple_spectrum
    path = write_mpr(
        tmp_path / "peis.mpr", peis_columns(f, z), data_version=data_version, header=header
    )
    sp = read_spectrum(path)
    assert sp.source_format == "biologic-mpr"
    assert len(sp) == f.size
    np.testing.assert_array_equal(sp.frequency_Hz, _f32(f))
    np.testing.assert_array_equal(sp.Z.real, _f32(z.real))
    # the file holds -Im(Z) > 0; the spectrum has Z'' < 0 on the capacitive arc
    np.testing.assert_array_equal(sp.Z.imag, -_f32(-z.imag))
    assert (sp.Z.imag < 0).all()
    assert any("-Im(Z)/Ohm" in note for note in sp.notes)


def test_low_to_high_sweep_is_ordered_with_its_impedance(tmp_path, simple_spectrum):
    f, z = simple_spectrum
    path = write_mpr(tmp_path / "up.mpr", peis_columns(f[::-1], z[::-1]))
    sp = read_spectrum(path)
    assert np.all(np.diff(sp.frequency_Hz) < 0)
    np.testing.assert_allclose(sp.Z, z, rtol=1e-6)


def test_pellet_spectrum_from_mpr_recovers_resistances(tmp_path, h):
    f, z, truth = h.pellet_spectrum(1.6e-4, 1.2e-5, seed=2)
    path = write_mpr(tmp_path / "pellet.mpr", peis_columns(f, z))
    result = analyze_spectrum(read_spectrum(path), PELLET)
    assert result.spectrum.source_format == "biologic-mpr"
    assert result.bulk_determined, result.bulk_reason
    assert result.R_bulk_ohm == pytest.approx(truth["R_bulk_ohm"], rel=0.03)
    assert result.R_gb_ohm == pytest.approx(truth["R_gb_ohm"], rel=0.03)
    assert result.R_total_ohm == pytest.approx(truth["R_total_ohm"], rel=0.01)
    assert result.sigma_total_S_cm == pytest.approx(1.2e-5, rel=0.01)


def test_two_sweeps_in_one_mpr_are_refused(tmp_path, simple_spectrum):
    f, z = simple_spectrum
    first, second = peis_columns(f, z, cycle=0), peis_columns(f, 1.1 * z, cycle=1)
    both = {k: np.r_[first[k], second[k]] for k in first}
    path = write_mpr(tmp_path / "two.mpr", both)
    with pytest.raises(InputFileError, match="more than one sweep"):
        read_spectrum(path)


def test_cycling_mpr_is_not_an_impedance_file(tmp_path):
    import pandas as pd

    frame = pd.DataFrame(
        {
            "time_s": np.arange(1.0, 13.0),
            "cycle": np.ones(12),
            "step": np.repeat([1, 2], 6),
            "current_mA": np.repeat([-1.0, 1.0], 6),
            "voltage_V": np.linspace(-0.02, 0.05, 12),
        }
    )
    path = write_mpr(tmp_path / "gcpl.mpr", gcpl_columns(frame), "GCPL")
    with pytest.raises(InputFileError, match=r"no column\(s\) \['freq/Hz'.*impedance file"):
        read_spectrum(path)


def test_truncated_mpr_gets_a_clear_error(tmp_path, simple_spectrum):
    f, z = simple_spectrum
    whole = write_mpr(tmp_path / "whole.mpr", peis_columns(f, z), log=False).read_bytes()
    cut = tmp_path / "cut.mpr"
    cut.write_bytes(whole[: len(whole) - 100])
    with pytest.raises(InputFileError, match=r"cut\.mpr: cannot read as a BioLogic \.mpr"):
        read_spectrum(cut)


def test_galvanostatic_mpr_with_rows_at_0_hz_is_read(tmp_path, simple_spectrum):
    """GEIS files carry rows at 0 Hz (the DC steps): dropped and counted, the sweep is kept."""
    f, z = simple_spectrum
    f0 = np.concatenate([[0.0, 0.0], f, [0.0]])
    z0 = np.concatenate([[0j, 0j], z, [0j]])
    with np.errstate(divide="ignore"):  # the writer's time column divides by f
        path = write_mpr(tmp_path / "geis.mpr", peis_columns(f0, z0))
    sp = read_spectrum(path)
    assert len(sp) == f.size
    np.testing.assert_allclose(sp.Z, z, rtol=1e-6)
    assert any(
        "dropped 3 row(s) with frequency <= 0 Hz" in n and "row(s) 1, 2" in n for n in sp.notes
    )
