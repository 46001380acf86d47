"""A real measured pattern (Li2TiO3, see data/README.md) is identified as Li2TiO3."""

from __future__ import annotations

from pathlib import Path

from labledger.xrd.analysis import analyze_scan
from labledger.xrd.readers import read_scan

DATA = Path(__file__).parent / "data"


def test_measured_li2tio3_is_identified(refs):
    scan = read_scan(DATA / "Li2TiO3_measured.xy")
    assert scan.n_points == 1276
    result = analyze_scan(scan, refs)
    assert result.phases[0].name == "Li2TiO3"
    assert result.phases[0].wt_percent > 90
    cell = result.phases[0].lattice
    # refined cell close to the reference one (measured sample, 1 % tolerance)
    assert abs(cell["a_A"] / 5.0623 - 1) < 0.01
    assert abs(cell["c_A"] / 9.7533 - 1) < 0.01
    assert "LLTO_tetragonal" not in result.detected
