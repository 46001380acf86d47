"""Half-cell analysis on records with known per-cycle charges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labledger.cycling import CyclingAnalysisError, analyze_cycling, read_cycling
from labledger.demo.cycling_synthetic import Segment, build_table, write_generic_csv


def test_ce_per_cycle_and_window_means(half_record):
    result = analyze_cycling(half_record.path, "half", area_cm2=1.13)
    c = result.cycles
    assert result.activation_file_cycles == (1, 2)
    assert list(c["file_cycle"]) == list(range(3, 63))
    np.testing.assert_allclose(c["q_plate_mAh"], half_record.q_plate, rtol=1e-7)
    np.testing.assert_allclose(c["ce"], half_record.q_strip / half_record.q_plate, atol=1e-6)
    ce = half_record.q_strip / half_record.q_plate
    assert result.window == (2, 60)
    assert result.mean_ce == pytest.approx(ce[1:].mean(), abs=1e-12)
    pooled = half_record.q_strip[1:].sum() / half_record.q_plate[1:].sum()
    assert result.pooled_ce == pytest.approx(pooled, abs=1e-12)
    first = int(np.flatnonzero(ce >= 0.99)[0]) + 1
    assert result.first_cycle_ce_99 == first
    assert result.failure is None


def test_explicit_window_and_open_end(half_record):
    ce = half_record.q_strip / half_record.q_plate
    result = analyze_cycling(half_record.path, "half", window=(10, 30))
    assert result.window == (10, 30)
    assert result.mean_ce == pytest.approx(ce[9:30].mean(), abs=1e-12)
    open_end = analyze_cycling(half_record.path, "half", window=(5, None))
    assert open_end.window == (5, 60)
    assert open_end.mean_ce == pytest.approx(ce[4:].mean(), abs=1e-12)
    with pytest.raises(CyclingAnalysisError, match="60 analysed cycles"):
        analyze_cycling(half_record.path, "half", window=(2, 61))


def test_nucleation_overpotential_within_2_mV(half_record):
    result = analyze_cycling(half_record.path, "half", area_cm2=1.13)
    nuc = result.nucleation
    assert nuc is not None
    assert abs(nuc.eta_mV - half_record.eta_mV) < 2.0
    assert nuc.v_plateau_V == pytest.approx(-0.02, abs=0.002)
    assert nuc.current_density_mA_cm2 == pytest.approx(1.0, rel=1e-6)
    assert nuc.notable


@pytest.mark.parametrize("eta", [0.0, 5.0, 61.0, 100.0])
def test_nucleation_range(tmp_path, eta, half_cell_segments):
    q = np.full(3, 1.13)
    frame = build_table(half_cell_segments(q, q * 0.98, eta_mV=eta, plateau_V=-0.035))
    path = write_generic_csv(frame, tmp_path / "n.csv")
    nuc = analyze_cycling(path, "half", area_cm2=1.13).nucleation
    assert abs(nuc.eta_mV - eta) < 2.0
    assert nuc.notable == (eta >= 10)


def test_coarse_first_plating_gives_no_eta_and_says_so(tmp_path, half_cell_segments):
    q = np.full(3, 1.13)
    frame = build_table(half_cell_segments(q, q * 0.98, first_points=10))
    path = write_generic_csv(frame, tmp_path / "coarse.csv")
    result = analyze_cycling(path, "half")
    assert result.nucleation is None
    assert any("too coarse" in n for n in result.notes)


def test_given_activation_count_overrides_detection(half_record):
    result = analyze_cycling(half_record.path, "half", activation_cycles=0)
    assert result.activation_file_cycles == ()
    assert not result.activation_detected
    assert result.n_cycles == 62
    assert result.cycles["ce"].iloc[0] == pytest.approx(0.75, abs=1e-6)  # 0.15 / 0.2 sweep


def test_hysteresis_per_cycle(tmp_path, half_cell_segments):
    n = 20
    q = np.full(n, 1.0)
    hyst = np.linspace(30, 60, n)
    frame = build_table(half_cell_segments(q, q * 0.99, hyst_mV=hyst))
    path = write_generic_csv(frame, tmp_path / "h.csv")
    c = analyze_cycling(path, "half").cycles
    # plating at -h/2 - 0.5 mV (median of the -1 mV slope), stripping at +h/2: h + 0.5 mV
    np.testing.assert_allclose(c["hysteresis_mV"].iloc[1:], hyst[1:] + 0.5, atol=0.05)


def test_soft_short_detected_at_its_cycle(tmp_path, half_cell_segments):
    n, onset = 80, 57
    rng = np.random.default_rng(3)
    q = np.full(n, 1.13)
    ce = 0.97 + rng.normal(0, 0.004, n)
    hyst = np.full(n, 50.0)
    ce[onset - 1 :] = 1.03 + np.abs(rng.normal(0.05, 0.04, n - onset + 1))
    hyst[onset - 1 :] = 4.0
    frame = build_table(half_cell_segments(q, q * ce, hyst_mV=hyst))
    path = write_generic_csv(frame, tmp_path / "short.csv")
    result = analyze_cycling(path, "half")
    assert result.failure is not None
    assert result.failure.cycle == onset
    assert "voltage collapse" in result.failure.reasons
    assert result.first_cycle_ce_99 is None  # CE above 100 % after the short does not count


def test_single_noisy_cycle_is_not_a_failure(tmp_path, half_cell_segments):
    n = 40
    q = np.full(n, 1.13)
    ce = np.full(n, 0.985)
    ce[20] = 1.03
    frame = build_table(half_cell_segments(q, q * ce))
    path = write_generic_csv(frame, tmp_path / "blip.csv")
    assert analyze_cycling(path, "half").failure is None


def test_stopped_last_cycle_is_left_out(half_record, tmp_path):
    lines = half_record.path.read_text().splitlines()
    last_strip = [i for i, ln in enumerate(lines) if ln.startswith(("#", "Time")) is False]
    # drop the final stripping step (its 25 rows)
    cut = lines[: last_strip[-25]]
    path = tmp_path / "stopped.csv"
    path.write_text("\n".join(cut) + "\n")
    result = analyze_cycling(path, "half")
    assert result.n_cycles == 59
    assert any("no stripping" in n for n in result.notes)


def test_strip_first_cycle_numbering_is_repaired(half_record, tmp_path):
    """A tester counting 'charge first' puts each stripping with the next plating."""
    data = read_cycling(half_record.path)
    frame = data.frame
    renumbered = frame.copy()
    # shift every stripping step into the next cycle
    renumbered.loc[renumbered["direction"] > 0, "cycle"] += 1
    out = renumbered.assign(protocol_step=1)
    path = write_generic_csv(out, tmp_path / "chg_first.csv")
    result = analyze_cycling(path, "half")
    assert any("re-paired" in n for n in result.notes)
    ce = half_record.q_strip / half_record.q_plate
    np.testing.assert_allclose(result.cycles["ce"], ce, atol=1e-6)


def test_current_pulses_between_cycles_are_left_out(tmp_path, half_cell_segments):
    """A 2 s +-1.13 mA pulse pair (a DCIR check, rests around each step) after every 5th cycle
    is no plating/stripping cycle: the cycles and CE stay those of the plating/stripping steps."""
    n = 20
    q_plate = np.full(n, 1.13)
    q_strip = q_plate * 0.99
    segs = []
    for seg in half_cell_segments(q_plate, q_strip):
        segs.append(seg)
        if seg.current_mA > 1 and seg.cycle % 5 == 0:
            pulse_q = 1.13 * 2 / 3600
            segs.append(Segment(seg.cycle, -1.13, pulse_q, lambda x: np.full_like(x, -0.03), 3))
            segs.append(Segment(seg.cycle, 1.13, pulse_q, lambda x: np.full_like(x, 0.03), 3))
    path = write_generic_csv(build_table(segs, rest_points=2), tmp_path / "pulses.csv")
    result = analyze_cycling(path, "half", activation_cycles=2)
    assert result.n_cycles == n
    np.testing.assert_allclose(result.cycles["ce"], 0.99, atol=1e-6)
    left = result.to_dict()["reading"]["left_out"]
    assert any(x["count"] == 8 and "pulse" in x["why"] for x in left)


def test_impedance_step_inside_a_modulo_bat_file_is_left_out(tmp_path, half_cell_segments):
    """EC-Lab modulo-bat with a PEIS step after every 5th cycle (rows with `freq/Hz` > 0, a
    +-0.5 mA excitation around zero): the excitation is no plating/stripping, and the cycles and
    CE are those of the galvanostatic steps (read as cycles it gave 62 "cycles", mean CE 13)."""
    n = 12
    q_plate = np.full(n, 1.13)
    frame = build_table(half_cell_segments(q_plate, q_plate * 0.99), rest_points=2)
    frame["freq/Hz"] = 0.0
    parts, end, shift = [], frame["cycle"].max(), 0.0
    for cycle, block in frame.groupby("cycle", sort=True):
        parts.append(block.assign(time_s=block["time_s"] + shift))
        if cycle % 5 == 0 and cycle != end:
            f = np.logspace(5, -1, 31)
            t = parts[-1]["time_s"].iloc[-1] + np.cumsum(1 + 1 / f)
            shift += t[-1] - parts[-1]["time_s"].iloc[-1]
            excitation = pd.DataFrame({
                "time_s": t, "cycle": cycle, "freq/Hz": f,
                "current_mA": 0.5 * np.sin(np.arange(f.size)),
                "voltage_V": block["voltage_V"].iloc[-1],
            })  # fmt: skip
            parts.append(excitation)
    body = pd.concat(parts, ignore_index=True)
    table = pd.DataFrame({
        "mode": 1, "time/s": body["time_s"], "freq/Hz": body["freq/Hz"],
        "I/mA": body["current_mA"], "Ewe/V": body["voltage_V"],
    })  # fmt: skip
    text = table.to_csv(sep="\t", index=False, float_format="%.10g", lineterminator="\n")
    path = tmp_path / "mb.mpt"
    path.write_text("EC-Lab ASCII FILE\nNb header lines : 4\nsynthetic modulo-bat\n" + text)
    result = analyze_cycling(path, "half", activation_cycles=2)
    assert result.n_cycles == n
    np.testing.assert_allclose(result.cycles["ce"], 0.99, atol=1e-6)
    left = result.to_dict()["reading"]["left_out"]
    assert any("impedance" in x["why"] and x["count"] == 2 for x in left), left
