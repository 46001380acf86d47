"""Binary cycler files (BioLogic .mpr, Neware .nda/.ndax) written by tests/support, read back.

The files are made by our writers from point tables with known per-step charges; they go
through the real libraries (galvani, NewareNDA) and labledger's readers and analysis.
"""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from labledger.cycling import analyze_cycling, read_cycling
from labledger.demo.cycling_synthetic import Segment, build_table
from labledger.errors import InputFileError
from support.biologic_mpr import gcpl_columns, write_mpr
from support.neware_nda import records_from_table, write_nda, write_ndax

PLATE = [1.0, 1.0, 1.0]
STRIP = [0.9, 0.95, 0.97]

#: (suffix, writer, voltage tolerance V, time tolerance s) of each Neware format. nda v29
#: stores voltage in 0.1 mV steps and timestamps in whole seconds; the others store float32
#: voltages and ms (ndax) or ns (nda v130) timestamps.
NEWARE = {
    "nda-v29": (".nda", lambda p, r: write_nda(p, r, version=29), 0.5e-4, 1.0),
    "nda-v130": (".nda", lambda p, r: write_nda(p, r, version=130), 1e-6, 1e-3),
    "ndax-v14": (".ndax", write_ndax, 1e-6, 2e-3),
}


@pytest.fixture
def frame():
    """Three half-cell cycles with rest steps: plate 1.0 mAh, strip 0.9/0.95/0.97 mAh."""
    segs = []
    for i, q in enumerate(STRIP):
        segs.append(Segment(i + 1, -1.13, PLATE[i], lambda x: -0.03 - 0.01 * x, 30))
        segs.append(Segment(i + 1, 1.13, q, lambda x: 0.03 + 0.9 * x**8, 30))
    return build_table(segs, rest_points=3)


@pytest.fixture
def half(half_cell_segments):
    """12 plating/stripping cycles after 2 precycling sweeps: (table, q_plate, q_strip)."""
    rng = np.random.default_rng(11)
    n = 12
    q_plate = 1.13 * (1 + rng.normal(0, 0.002, n))
    q_strip = q_plate * (0.993 - 0.08 * np.exp(-np.arange(n) / 3) + rng.normal(0, 0.002, n))
    table = build_table(half_cell_segments(q_plate, q_strip))
    # The precycling sweep ends at exactly 0 V, which NewareNDA drops from .ndax files (it
    # takes 0 V slots for page padding): keep every point readable.
    table["voltage_V"] = np.where(table["voltage_V"] == 0.0, 1e-3, table["voltage_V"])
    return table, q_plate, q_strip


def _per_cycle(data):
    steps = data.steps()
    plate = steps[steps["direction"] < 0].groupby("cycle")["capacity_mAh"].sum()
    strip = steps[steps["direction"] > 0].groupby("cycle")["capacity_mAh"].sum()
    return plate.to_numpy(), strip.to_numpy()


def _step_charges(data):
    steps = data.steps()
    active = steps[steps["direction"] != 0]
    return active["direction"].to_numpy(), active["capacity_mAh"].to_numpy()


def _f32(x):
    return np.asarray(x, dtype=np.float32).astype(float)


# ---------------------------------------------------------------- BioLogic .mpr


@pytest.mark.parametrize(("data_version", "header"), [(3, "v2"), (2, "v1")])
def test_gcpl_mpr_gives_the_written_table(tmp_path, frame, data_version, header):
    path = write_mpr(
        tmp_path / "cell.mpr",
        gcpl_columns(frame),
        "GCPL",
        data_version=data_version,
        header=header,
    )
    data = read_cycling(path)
    assert data.dialect == "biologic-mpr"
    assert data.columns_used["current_mA"] == "I/mA"
    out = data.frame.iloc[1:]  # row 0 is EC-Lab's start point at t = 0
    assert len(out) == len(frame)
    np.testing.assert_array_equal(out["current_mA"], _f32(frame["current_mA"]))
    np.testing.assert_array_equal(out["voltage_V"], _f32(frame["voltage_V"]))
    np.testing.assert_array_equal(out["cycle"], frame["cycle"])
    np.testing.assert_allclose(out["time_s"], frame["time_s"], rtol=1e-12)
    plate, strip = _per_cycle(data)
    np.testing.assert_allclose(plate, PLATE, rtol=1e-6)
    np.testing.assert_allclose(strip, STRIP, rtol=1e-6)
    assert data.frame["step"].nunique() == 12  # 3 cycles x (plate, rest, strip, rest)


@pytest.mark.parametrize("cycle_offset", [0, -1])
def test_gcpl_mpr_half_cell_ce(tmp_path, half, cycle_offset):
    table, q_plate, q_strip = half
    columns = gcpl_columns(table, cycle_offset=cycle_offset)
    result = analyze_cycling(write_mpr(tmp_path / "half.mpr", columns, "GCPL"), "half")
    assert result.activation_file_cycles == (1 + cycle_offset, 2 + cycle_offset)
    assert result.n_cycles == 12
    np.testing.assert_allclose(result.cycles["q_plate_mAh"], q_plate, rtol=1e-6)
    np.testing.assert_allclose(result.cycles["ce"], q_strip / q_plate, atol=1e-6)
    assert result.mean_ce == pytest.approx(np.mean(q_strip[1:] / q_plate[1:]), abs=1e-6)


def test_truncated_mpr(tmp_path, frame):
    whole = write_mpr(tmp_path / "whole.mpr", gcpl_columns(frame), "GCPL", log=False)
    cut = tmp_path / "cut.mpr"
    cut.write_bytes(whole.read_bytes()[:-50])
    with pytest.raises(InputFileError, match=r"not a readable BioLogic \.mpr"):
        read_cycling(cut)


# ---------------------------------------------------------------- Neware .nda / .ndax


@pytest.mark.parametrize("fmt", list(NEWARE))
def test_neware_gives_the_written_table(tmp_path, frame, fmt):
    suffix, write, v_tol, t_tol = NEWARE[fmt]
    path = write(tmp_path / f"cell{suffix}", records_from_table(frame))
    data = read_cycling(path)
    assert data.dialect == f"neware-{suffix[1:]}"
    out = data.frame
    assert len(out) == len(frame)
    np.testing.assert_allclose(out["current_mA"], frame["current_mA"], rtol=1e-6)
    np.testing.assert_allclose(out["voltage_V"], frame["voltage_V"], atol=v_tol)
    np.testing.assert_allclose(out["time_s"], frame["time_s"] - frame["time_s"][0], atol=t_tol)
    direction, charge = _step_charges(data)
    np.testing.assert_array_equal(direction, [-1, 1] * 3)
    np.testing.assert_allclose(charge, [1.0, 0.9, 1.0, 0.95, 1.0, 0.97], rtol=1e-6)
    assert out["step"].nunique() == 12


@pytest.mark.parametrize("fmt", list(NEWARE))
def test_neware_cycles_are_the_testers(tmp_path, frame, fmt):
    """The tester's cycle numbers, not NewareNDA's regenerated "charge first" ones."""
    suffix, write, _, _ = NEWARE[fmt]
    data = read_cycling(write(tmp_path / f"cell{suffix}", records_from_table(frame)))
    np.testing.assert_array_equal(data.frame["cycle"], frame["cycle"])


@pytest.mark.parametrize("fmt", list(NEWARE))
def test_neware_half_cell_ce(tmp_path, half, fmt):
    suffix, write, _, _ = NEWARE[fmt]
    table, q_plate, q_strip = half
    result = analyze_cycling(write(tmp_path / f"half{suffix}", records_from_table(table)), "half")
    assert result.n_cycles == 12
    # capacity counters: nda v29 integers of 1e-3 mA*s, the others float32
    np.testing.assert_allclose(result.cycles["q_plate_mAh"], q_plate, rtol=1e-6)
    np.testing.assert_allclose(result.cycles["ce"], q_strip / q_plate, atol=2e-6)
    assert result.mean_ce == pytest.approx(np.mean(q_strip[1:] / q_plate[1:]), abs=2e-6)


def test_ndax_without_data_member(tmp_path, frame):
    whole = write_ndax(tmp_path / "whole.ndax", records_from_table(frame))
    path = tmp_path / "partial.ndax"
    with zipfile.ZipFile(whole) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            if name != "data.ndc":
                dst.writestr(name, src.read(name))
    with pytest.raises(InputFileError, match=r"partial\.ndax.*not a readable Neware \.ndax"):
        read_cycling(path)
