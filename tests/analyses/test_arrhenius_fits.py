"""The per-sample Arrhenius rows the ingest stores in `arrhenius_fit`."""

from __future__ import annotations

import pytest

from labledger.analyses.arrhenius import ConductivityPoint, sample_arrhenius_fits
from labledger.eis.arrhenius import arrhenius


def test_one_row_per_sample_and_conductivity_with_two_temperatures() -> None:
    points = [
        ConductivityPoint("S1", "EIS-001", 25.0, 1e-4, None),
        ConductivityPoint("S1", "EIS-002", 60.0, 4e-4, 1e-3),
        ConductivityPoint("S2", "EIS-003", 25.0, 2e-4, 5e-4),
    ]
    rows = sample_arrhenius_fits(points)
    assert [(r["sample"], r["quantity"]) for r in rows] == [("S1", "sigma_total")]
    (row,) = rows
    fit = arrhenius([25.0, 60.0], [1e-4, 4e-4])
    assert row["ea_ev"] == pytest.approx(fit.Ea_eV, rel=0, abs=0)
    assert row["eis_ids"] == "EIS-001,EIS-002"
    assert (row["t_min_c"], row["t_max_c"], row["n_points"]) == (25.0, 60.0, 2)
