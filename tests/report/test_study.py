"""The study page: the reference study's headline numbers recomputed from the demo raw data."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from labledger.config import load_config
from labledger.cycling.knee import knee_cycle
from labledger.report.data import load_report_data
from labledger.report.study import TOL_CE_PCT, study_table


def test_demo_data_reproduces_every_headline(lab: Path) -> None:
    config = load_config(lab / "config.yaml")
    rows = study_table(config, load_report_data(config, history=False))
    failed = [r.to_dict() for r in rows if r.within is not True]
    assert failed == []
    by_key = {(r.experiment, r.quantity): r for r in rows}
    ce = by_key[("half cell LLTO@CNT, 1 mA/cm2, 1 mAh/cm2", "mean CE, cycles 2-400")]
    assert ce.cells == ("C-004",) and abs(ce.difference) <= TOL_CE_PCT
    # every headline of the study has a row: 3 CE, first 99 %, Cu comparison, 4 eta_nuc,
    # 2 R_ct, 3 full-cell rows and the anode-free retention
    assert len(rows) == 15


def test_rows_without_data_say_so(lab: Path) -> None:
    config = load_config(lab / "config.yaml")
    data = load_report_data(config, history=False)
    data.cells = [c for c in data.cells if c["cell_type"] != "full"]
    data.eis = []
    rows = study_table(config, data)
    empty = [r for r in rows if r.reproduced is None]
    assert {r.quantity for r in empty} == {"R_ct", "cycles above 80 % retention", "onset of decay"}
    assert all(r.within is None and r.difference is None for r in empty)


def test_a_changed_number_is_flagged(lab: Path) -> None:
    config = load_config(lab / "config.yaml")
    data = load_report_data(config, history=False)
    for e in data.eis:
        if e.get("condition") == "pristine":
            e["charge_transfer_r_ohm"] = 320.0  # outside ~250 ohm +-10 %
    row = next(r for r in study_table(config, data) if r.experiment.endswith("pristine"))
    assert row.within is False and row.difference == 70.0


def test_cycle_life_is_the_cell_analysis_one(lab: Path) -> None:
    """The study shows the cycle life the cell analysis stored (cell_figures), not its own."""
    config = load_config(lab / "config.yaml")
    data = load_report_data(config, history=False)
    life_row = ("full cell NCM622, N/P 4, LLTO@CNT", "cycles above 80 % retention")
    row = next(r for r in study_table(config, data) if (r.experiment, r.quantity) == life_row)
    cell = next(c for c in data.cells if c["cell_id"] == row.cells[0])
    stored = cell["cycle_life"] or cell["cycle_life_censored_at"]
    assert stored is not None and row.reproduced == stored
    cell["cycle_life"], cell["cycle_life_censored_at"] = 120, None
    row = next(r for r in study_table(config, data) if (r.experiment, r.quantity) == life_row)
    assert row.reproduced == 120 and row.within is False and row.reproduced_text == "120 cycles"


def test_knee_of_two_lines() -> None:
    rng = np.random.default_rng(7)
    n = np.arange(1, 201)
    retention = np.where(n <= 120, 1 - 2e-4 * n, 1 - 2e-4 * 120 - 8e-3 * (n - 120))
    retention = retention + rng.normal(0, 1e-3, n.size)
    assert abs(knee_cycle(list(n), list(retention)) - 120) <= 2
    assert knee_cycle([1, 2, 3], [1.0, 0.9, 0.8]) is None


def test_study_page_shows_published_and_reproduced(report_dir: Path) -> None:
    page = (report_dir / "study.html").read_text()
    assert "10.1039/d4nr04455j" in page
    assert page.count('class="ok">reproduced') == 15 and "differs" not in page
    # the demo raw files are synthetic, and the page says so, naming the records
    assert "<strong>Synthetic data.</strong>" in page and "C-004" in page.split("Synthetic data")[1]
