"""Real tester files (tests/cycling/real, see SOURCES.md) against their reference figures.

expected.json is written by real/make_expected.py from the reference readers (NewareNDA,
galvani, pandas on the tester's own step counters) with its own definition of a complete cycle;
nothing in it comes from labledger.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labledger.cycling import analyze_cycling, read_cycling
from labledger.errors import LabledgerError

REAL = Path(__file__).parent / "real"
EXPECTED = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
CYCLING = {name: e for name, e in EXPECTED.items() if "error" not in e}
ERRORS = {name: e for name, e in EXPECTED.items() if "error" in e}


@pytest.fixture(scope="module")
def results() -> dict:
    return {}


def _result(name: str, cache: dict):
    if name not in cache:
        cache[name] = analyze_cycling(REAL / name, cell_type=EXPECTED[name]["cell_type"])
    return cache[name]


@pytest.mark.parametrize("name", sorted(CYCLING))
def test_complete_cycles_match_the_reference(name: str, results: dict) -> None:
    exp = EXPECTED[name]
    result = _result(name, results)
    assert result.n_cycles == exp["n_complete_cycles"]
    d = result.to_dict()
    reading = d["reading"]
    assert reading["rows"] == exp["rows"]
    assert reading["complete_cycles"] == exp["n_complete_cycles"]
    assert reading["half_cycles"] == exp["n_half_cycles"]
    assert reading["half_cycles_left_out"] == exp["half_cycles_left_out"]


@pytest.mark.parametrize("name", sorted(CYCLING))
def test_first_cycle_capacities_within_1_percent(name: str, results: dict) -> None:
    exp = EXPECTED[name]
    c = _result(name, results).cycles.iloc[0]
    if exp["cell_type"] == "half":
        red, ox = c["q_plate_mAh"], c["q_strip_mAh"]
    else:
        red, ox = c["q_discharge_mAh"], c["q_charge_mAh"]
    assert red == pytest.approx(exp["first_cycle_reduction_mAh"], rel=0.01)
    assert ox == pytest.approx(exp["first_cycle_oxidation_mAh"], rel=0.01)
    if exp["first_cycle_tester_cycle"] is not None:
        assert int(c["file_cycle"]) == exp["first_cycle_tester_cycle"]


@pytest.mark.parametrize("name", sorted(CYCLING))
def test_mean_ce_within_0005(name: str, results: dict) -> None:
    exp = EXPECTED[name]
    assert _result(name, results).mean_ce == pytest.approx(exp["mean_ce"], abs=0.005)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_files_without_cycles_give_a_clear_error(name: str) -> None:
    exp = EXPECTED[name]
    with pytest.raises(LabledgerError) as err:
        analyze_cycling(read_cycling(REAL / name), cell_type=exp["cell_type"])
    message = str(err.value)
    assert name in message
    assert exp["error"] in message


def test_implausible_ce_is_flagged(results: dict) -> None:
    """The Neware sample file plates 0.065 uAh and strips 0.70 uAh: CE 10.7 is reported with
    a flag, never silently."""
    d = _result("neware_new_nda_file.nda", results).to_dict()
    assert d["summary"]["mean_ce"] == pytest.approx(EXPECTED["neware_new_nda_file.nda"]["mean_ce"])
    assert any("CE above 1.05" in f for f in d["flags"])


def test_formation_detection_never_takes_every_cycle(results: dict) -> None:
    """The graphite || Li Arbin file starts at 2.6 V (its one complete cycle looks like a
    precycling sweep): nothing is excluded, and the note says so."""
    result = _result("arbin_gr_li_channel_11.xlsx", results)
    assert result.activation_file_cycles == ()
    assert result.n_cycles == 1
    assert any("none excluded" in n for n in result.notes)


def test_plausible_file_has_no_ce_flag(results: dict) -> None:
    d = _result("neware_pr28_M50T.ndax", results).to_dict()
    assert not any("CE" in f for f in d["flags"])


@pytest.mark.parametrize(
    "name",
    [
        "neware_issue72_TestFile.nda",
        "neware_pr28_M50T.ndax",
        "biologic_bec01_MB.mpr",
        "arbin_gr_li_channel_11.xlsx",
        "arbin_bdf_cut.csv",
    ],
)
def test_truncated_and_garbage_files_give_a_clear_error(name: str, tmp_path: Path) -> None:
    """Half a file (a copy cut off mid-transfer) and random bytes: a message naming the file,
    never a traceback and never figures from a half-cycle cut short."""
    data = (REAL / name).read_bytes()
    garbage = bytes((i * 7919 + 13) % 251 for i in range(5000))
    for label, content in (("half", data[: len(data) // 2]), ("garbage", garbage)):
        path = tmp_path / f"{label}_{name}"
        path.write_bytes(content)
        with pytest.raises(LabledgerError) as err:
            analyze_cycling(path, cell_type=EXPECTED[name]["cell_type"])
        assert path.name in str(err.value)


@pytest.mark.database  # it ingests: on PostgreSQL it gets a database of its own
def test_flags_reach_the_database_view(tmp_path: Path) -> None:
    """A cell record on the Neware sample file (CE 10.7 over one complete cycle): analysed and
    ingested, `cell_figures.plausibility_flags` says what is wrong."""
    import shutil

    from labledger.analyses import analyze_record
    from labledger.config import load_config
    from labledger.db.ingest import ingest
    from support.databases import rows

    (tmp_path / "records" / "cells").mkdir(parents=True)
    (tmp_path / "records" / "raw").mkdir()
    shutil.copy(REAL / "neware_new_nda_file.nda", tmp_path / "records" / "raw" / "c.nda")
    (tmp_path / "config.yaml").write_text("records_dir: records\nresults_dir: results\n")
    (tmp_path / "records" / "cells" / "C-100.yaml").write_text(
        "id: C-100\nkind: cell\ndate: 2025-01-01\noperator: test\ncell_type: half\n"
        "substrate: Cu foil\nelectrolyte: 1 M LiPF6 in EC/DEC\narea_cm2: 1.13\n"
        "protocol:\n  current_density_mA_cm2: 0.04\ncycler: Neware BTS\n"
        "raw_file: ../raw/c.nda\n"
    )
    config = load_config(tmp_path / "config.yaml")
    analyze_record(config, "C-100", rule="test")
    ingest(config)
    [(flags,)] = rows(
        config.database_url, "SELECT plausibility_flags FROM cell_figures WHERE cell_id = 'C-100'"
    )
    assert "mean CE above 105 %" in flags
    assert "fewer than 3 complete cycles" in flags
    assert "capacity per area implausible" in flags  # 0.6 uAh on 1.13 cm2
