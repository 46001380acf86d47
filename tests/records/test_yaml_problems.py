"""Each kind of bad record file gets one precise `path:line:col: field: message`."""

from __future__ import annotations

from pathlib import Path

import pytest

from labledger.records.store import check_store

GOOD_BATCH = """\
id: B-100
kind: batch
date: 2025-01-10
li2co3_excess_pct: 10
steps:
  - type: ball_mill
    speed_rpm: 300
    duration_h: 12
  - type: sinter
    temperature_C: 1150
    dwell_h: 6
"""


def problems_for(tmp_path: Path, text: str | bytes, name: str = "B-100.yaml") -> list[str]:
    folder = tmp_path / "records" / "batches"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    result = check_store(tmp_path / "records")
    prefix = str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else None
    out = []
    for p in result.errors:
        text_ = str(p)
        # drop the path prefix so the assertions read cleanly
        out.append(text_.split(f"{name}:", 1)[1] if f"{name}:" in text_ else text_)
    assert prefix is None or all(str(p).startswith(prefix) for p in result.errors)
    return out


def test_good_batch_has_no_problems(tmp_path: Path) -> None:
    assert problems_for(tmp_path, GOOD_BATCH) == []


def test_kelvin_hint_names_line_column_field_and_value(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("temperature_C: 1150", "temperature_C: 1473")
    assert problems_for(tmp_path, text) == [
        "10:5: steps[1].temperature_C: 1473 is above 1400; is it in kelvin?"
    ]


def test_percent_above_100(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("li2co3_excess_pct: 10", "li2co3_excess_pct: 110")
    assert problems_for(tmp_path, text) == [
        "4:1: li2co3_excess_pct: 110 is above 100; percentages run 0-100"
    ]


def test_negative_percent(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("li2co3_excess_pct: 10", "li2co3_excess_pct: -5")
    assert problems_for(tmp_path, text) == [
        "4:1: li2co3_excess_pct: -5 is below 0; percentages run 0-100"
    ]


def test_yaml_syntax_error(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("kind: batch", "kind: [batch")
    [msg] = problems_for(tmp_path, text)
    assert msg.startswith("3:5: YAML syntax:")


def test_empty_file(tmp_path: Path) -> None:
    assert problems_for(tmp_path, "\n# only a comment\n") == [
        "1:1: file is empty; expected `field: value` lines"
    ]


def test_tab_indentation(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("    speed_rpm: 300", "\tspeed_rpm: 300")
    assert problems_for(tmp_path, text) == ["7:1: tab in indentation; indent with spaces"]


def test_duplicate_key(tmp_path: Path) -> None:
    text = GOOD_BATCH + "li2co3_excess_pct: 12\n"
    assert problems_for(tmp_path, text) == [
        "12:1: li2co3_excess_pct: duplicate key (first at line 4)"
    ]


def test_wrong_type(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("duration_h: 12", "duration_h: twelve")
    [msg] = problems_for(tmp_path, text)
    assert msg.startswith("8:5: steps[0].duration_h: ")
    assert "'twelve'" in msg and "number" in msg


def test_unknown_field_suggests_the_close_one(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("dwell_h: 6", "dwell_h: 6\n    temprature_C: 1100")
    assert problems_for(tmp_path, text) == [
        "12:5: steps[1].temprature_C: unknown field; did you mean 'temperature_C'?"
    ]


def test_missing_required_field(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("    dwell_h: 6\n", "")
    assert problems_for(tmp_path, text) == ["9:5: steps[1]: required field 'dwell_h' is missing"]


def test_unknown_step_type(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("type: sinter", "type: sintering")
    [msg] = problems_for(tmp_path, text)
    assert msg.startswith("9:5: steps[1].type: unknown type 'sintering'; one of ")
    assert "'sinter'" in msg


def test_unknown_kind(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("kind: batch", "kind: powder")
    [msg] = problems_for(tmp_path, text)
    assert msg.startswith("2:1: kind: unknown kind 'powder'; expected one of batch, electrode")


def test_id_differs_from_file_name(tmp_path: Path) -> None:
    assert problems_for(tmp_path, GOOD_BATCH, name="B-101.yaml") == [
        "1:1: id: 'B-100' differs from the file name 'B-101'.yaml"
    ]


def test_not_utf8(tmp_path: Path) -> None:
    raw = GOOD_BATCH.replace("kind: batch", "kind: batch\nnotes: caf\xe9").encode("latin-1")
    assert problems_for(tmp_path, raw) == [
        "3:11: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    ]


def test_top_level_list(tmp_path: Path) -> None:
    assert problems_for(tmp_path, "- id: B-100\n") == [
        "1:1: expected `field: value` lines at the top, found list"
    ]


def test_impossible_date(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("2025-01-10", "2025-02-30")
    [msg] = problems_for(tmp_path, text)
    assert msg.startswith("3:7: date: cannot read value '2025-02-30'")


def test_all_problems_of_a_file_at_once(tmp_path: Path) -> None:
    text = (
        GOOD_BATCH.replace("temperature_C: 1150", "temperature_C: 1473")
        .replace("speed_rpm: 300", "speed_rpm: fast")
        .replace("li2co3_excess_pct: 10", "li2co3_excess_pct: 150")
    )
    msgs = problems_for(tmp_path, text)
    assert [m.split(":")[2].strip() for m in msgs] == [
        "li2co3_excess_pct",
        "steps[0].speed_rpm",
        "steps[1].temperature_C",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("steps:\n", "steps: []\n", "steps: a synthesised batch needs its steps"),
        ("li2co3_excess_pct: 10\n", "", "li2co3_excess_pct: required for a synthesised batch"),
    ],
)
def test_plausibility(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = GOOD_BATCH.replace(old, new)
    if new == "steps: []\n":
        text = text.split("steps: []\n")[0] + "steps: []\n"
    msgs = problems_for(tmp_path, text)
    assert any(expected in m for m in msgs), msgs


def test_an_impossible_date_does_not_hide_the_other_problems(tmp_path: Path) -> None:
    text = (
        GOOD_BATCH.replace("2025-01-10", "2025-13-45")
        .replace("duration_h: 12", "duration_h: -3")
        .replace("dwell_h: 6", "dwell_h: 0")
    )
    msgs = problems_for(tmp_path, text)
    assert [m.split(":")[2].strip() for m in msgs] == [
        "date",
        "steps[0].duration_h",
        "steps[1].dwell_h",
    ]
    assert msgs[0].startswith("3:7: date: cannot read value '2025-13-45'")


def test_a_duplicate_key_does_not_hide_the_other_problems(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("speed_rpm: 300", "speed_rpm: 300\n    speed_rpm: 350").replace(
        "temperature_C: 1150", "temperature_C: 1473"
    )
    assert problems_for(tmp_path, text) == [
        "8:5: steps[0].speed_rpm: duplicate key (first at line 7)",
        "11:5: steps[1].temperature_C: 1473 is above 1400; is it in kelvin?",
    ]


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("date: 2025-01-10", 'date: 2025-01-10\noperator: "A. Chen')
    assert problems_for(tmp_path, text) == [
        '4:11: YAML syntax: the " opened here is never closed; close it or drop it'
    ]


def test_implausible_masses_and_future_dates(tmp_path: Path) -> None:
    text = GOOD_BATCH.replace("date: 2025-01-10", "date: 2999-01-10") + (
        "precursors:\n  - {compound: Li2CO3, mass_g: 1.0e+26}\n"
    )
    msgs = problems_for(tmp_path, text)
    assert "3:1: date: 2999-01-10 is in the future; is it a typo?" in msgs
    assert any("precursors[0].mass_g: 1e+26 is above 5000; is it in mg?" in m for m in msgs), msgs
