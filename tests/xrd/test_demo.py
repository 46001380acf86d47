"""Demo scans: deterministic, labelled synthetic, two formats, and the fit recovers the truth."""

from __future__ import annotations

import pytest

from labledger.demo.xrd import write_demo_scans
from labledger.xrd.analysis import analyze_scan
from labledger.xrd.readers import read_scan


@pytest.fixture(scope="module")
def demo(tmp_path_factory, refs):  # refs: builds the cache the demo needs only once
    out = tmp_path_factory.mktemp("demo")
    return out, write_demo_scans(out)


def test_files_and_metadata(demo):
    out, scans = demo
    assert [d.record_id for d in scans] == [f"XRD-{i:03d}" for i in range(1, 9)]
    assert [d.batch_id for d in scans] == [f"B-{i:03d}" for i in range(1, 9)]
    assert {p.suffix for p in out.iterdir()} == {".xy", ".xrdml"}
    for d in scans:
        path = out / d.file_name
        assert path.stat().st_size < 300_000
        assert "SYNTHETIC" in path.read_text()[:2000]
        scan = read_scan(path)
        assert scan.n_points == 3501
        assert scan.two_theta_deg[0] == pytest.approx(d.two_theta_start_deg)
        assert scan.two_theta_deg[-1] == pytest.approx(d.two_theta_end_deg)
        assert sum(d.true_wt_percent.values()) == pytest.approx(100)


def test_layered_phase_follows_excess(demo):
    _, scans = demo
    at_1150 = [d for d in scans if d.sinter_temperature_C == 1150.0]
    rp = [d.true_wt_percent.get("Li2La2Ti3O10", 0.0) for d in at_1150]
    excess = [d.li2co3_excess_percent for d in at_1150]
    assert excess == sorted(excess) and rp == sorted(rp) and rp[-1] > rp[0]
    by_batch = {d.batch_id: d.true_wt_percent.get("Li2La2Ti3O10", 0.0) for d in scans}
    assert by_batch["B-006"] < by_batch["B-003"] and by_batch["B-007"] < by_batch["B-005"]
    assert len(scans[-1].true_wt_percent) == 1  # commercial powder: single phase


def test_deterministic(tmp_path, demo):
    out, scans = demo
    again = write_demo_scans(tmp_path)
    for a, b in zip(scans, again, strict=True):
        assert (out / a.file_name).read_bytes() == (tmp_path / b.file_name).read_bytes()


@pytest.mark.parametrize("index", [0, 4, 7])
def test_fit_recovers_truth(demo, refs, index):
    out, scans = demo
    d = scans[index]
    result = analyze_scan(read_scan(out / d.file_name), refs)
    assert set(result.detected) == set(d.true_wt_percent)
    for name, wt in d.true_wt_percent.items():
        assert result.wt_percent()[name] == pytest.approx(wt, abs=0.5)
