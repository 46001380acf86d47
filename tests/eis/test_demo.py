"""The demo spectra: deterministic, labelled synthetic, and analysed back to their true values."""

from __future__ import annotations

import pytest

from labledger.demo.eis import EA_BULK_EV, write_demo_spectra
from labledger.eis.analysis import analyze_spectrum
from labledger.eis.arrhenius import arrhenius
from labledger.eis.readers import read_spectrum


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    specs = write_demo_spectra(raw)
    results = {}
    for s in specs:
        sp = read_spectrum(raw / s.file_name)
        results[s.record_id] = analyze_spectrum(sp, s.geometry, s.circuit, s.temperature_C)
    return raw, specs, results


def test_ids_files_and_dialects(demo):
    raw, specs, _ = demo
    assert [s.record_id for s in specs] == [f"EIS-{i:03d}" for i in range(1, 16)]
    assert {s.sample_id for s in specs[:8]} == {f"B-{i:03d}" for i in range(1, 9)}
    assert all(s.sample_id == "B-003" for s in specs[8:13])
    assert [s.temperature_C for s in specs[8:13]] == [-20, 0, 50, 75, 100]
    formats = {read_spectrum(raw / s.file_name).source_format for s in specs}
    assert formats == {"csv", "biologic-mpt"}
    for s in specs:
        assert "SYNTHETIC" in (raw / s.file_name).read_text(encoding="latin-1")[:400]
        assert len(read_spectrum(raw / s.file_name)) == 60


def test_deterministic(demo, tmp_path):
    raw, specs, _ = demo
    again = write_demo_spectra(tmp_path)
    assert again == specs
    for s in specs:
        assert (tmp_path / s.file_name).read_bytes() == (raw / s.file_name).read_bytes()


def test_analysis_recovers_true_values(demo):
    _, specs, results = demo
    for s in specs:
        r = results[s.record_id]
        t = s.true_values
        if s.kind == "electrode":
            assert r.charge_transfer_R_ohm == pytest.approx(t["charge_transfer_R_ohm"], rel=0.02)
            continue
        assert r.sigma_total_S_cm == pytest.approx(t["sigma_total_S_cm"], rel=0.01), s.record_id
        if t["f_c_bulk_Hz"] < 3.5e6:
            assert r.sigma_bulk_S_cm == pytest.approx(t["sigma_bulk_S_cm"], rel=0.03)
        else:
            assert r.sigma_bulk_S_cm is None, s.record_id


def test_bulk_enters_window_only_at_low_temperature(demo):
    _, _, results = demo
    determined = sorted(k for k, r in results.items() if r.bulk_determined)
    assert determined == ["EIS-009", "EIS-010"]


def test_as_prepared_beats_commercial_and_peak_at_10_percent(demo):
    _, _, r = demo
    total = {k: r[k].sigma_total_S_cm for k in r if r[k].geometry is not None}
    commercial = total["EIS-008"]
    assert all(total[f"EIS-{i:03d}"] > commercial for i in range(1, 8))
    series_1150 = [total[f"EIS-{i:03d}"] for i in range(1, 6)]  # 0, 5, 10, 15, 20 % excess
    assert max(series_1150) == series_1150[2]
    assert all(1e-5 <= v <= 1e-4 for v in series_1150)


def test_temperature_series_arrhenius(demo):
    _, _, r = demo
    ids = ["EIS-009", "EIS-010", "EIS-003", "EIS-011", "EIS-012", "EIS-013"]
    temps = [r[i].temperature_C for i in ids]
    bulk = arrhenius(temps, [r[i].sigma_bulk_S_cm for i in ids])
    assert bulk.n_points == 2
    assert bulk.Ea_eV == pytest.approx(EA_BULK_EV, abs=0.02)
    total = arrhenius(temps, [r[i].sigma_total_S_cm for i in ids])
    # the total mixes bulk (0.40 eV) and grain boundary (0.50 eV), dominated by the latter
    assert 0.45 < total.Ea_eV < 0.50
