"""The `labledger` commands, end to end on a project folder."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
import yaml

from labledger.cli import app
from labledger.records.store import check_store
from labledger.textable import display_width, format_table

COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(cli, command) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert "Example: labledger " in result.out.replace("│", " ").replace("  ", " ") or (
        "Example:" in result.out
    )


def test_check_passes_on_demo_and_notes_pending(project, cli) -> None:
    result = cli("check", cwd=project.root)
    assert result.code == 0
    assert "checked 50 record files: 0 error(s)" in result.out
    assert cli("check", "-q", cwd=project.root).out.strip().startswith("checked 50")


def test_ingest_then_sql_table_csv_json(project, cli) -> None:
    assert cli("ingest", cwd=project.root).code == 0
    q = (
        "SELECT batch_id, li2co3_excess_pct FROM batch_synthesis WHERE source='synthesis' "
        "ORDER BY li2co3_excess_pct, batch_id"
    )
    table = cli("sql", q, cwd=project.root)
    assert table.code == 0
    lines = table.out.splitlines()
    assert lines[0].split() == ["batch_id", "li2co3_excess_pct"]
    assert lines[2].split() == ["B-001", "0"]
    assert lines[-1] == "(7 rows)"
    csv_out = cli("sql", q, "--csv", cwd=project.root).out.splitlines()
    assert csv_out[0] == "batch_id,li2co3_excess_pct" and csv_out[1] == "B-001,0"
    data = json.loads(cli("sql", q, "--json", cwd=project.root).out)
    assert [d["li2co3_excess_pct"] for d in data] == [0, 5, 10, 10, 15, 20, 20]


def test_sql_errors_are_messages(project, cli) -> None:
    result = cli("sql", "SELECT 1", cwd=project.root)
    assert result.code == 1 and "run `labledger ingest` first" in result.err
    cli("ingest", cwd=project.root)
    result = cli("sql", "SELECT nope FROM batch", cwd=project.root)
    assert result.code == 1 and result.err.startswith("error: SQL error:")
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    "statement",
    ["DELETE FROM batch", "UPDATE batch SET notes = 'x'", "CREATE TABLE t (x INTEGER)"],
)
def test_sql_is_read_only_and_says_so(project, cli, statement) -> None:
    cli("ingest", cwd=project.root)
    refused = cli("sql", statement, cwd=project.root)
    assert refused.code == 1, refused.out
    assert "queries are read-only" in refused.err and "labledger ingest" in refused.err
    assert "(0 rows)" not in refused.out
    out = cli("sql", "SELECT COUNT(*) AS n FROM batch", "--json", cwd=project.root).out
    assert json.loads(out) == [{"n": 8}]


def test_csv_and_json_keep_every_digit_and_every_character(project, cli) -> None:
    cli("ingest", cwd=project.root)
    q = "SELECT 123456789.123 AS big, 1.0E-7 / 3 AS small, '碳纳米管 LLTO' AS text"
    [row] = list(csv.reader(io.StringIO(cli("sql", q, "--csv", cwd=project.root).out)))[1:]
    assert float(row[0]) == 123456789.123 and float(row[1]) == 1.0e-7 / 3
    assert row[2] == "碳纳米管 LLTO"
    out = cli("sql", q, "--json", cwd=project.root).out
    assert "碳纳米管" in out and "\\u" not in out
    assert json.loads(out)[0]["big"] == 123456789.123


def test_wide_characters_keep_the_table_aligned() -> None:
    table = format_table(["name", "n"], [["碳纳米管", 1], ["CNT", 22]]).splitlines()
    # every row's second column ends in the same terminal column
    assert len({display_width(line) for line in table[:4]}) == 1


def test_show_lists_both_directions(project, cli) -> None:
    result = cli("show", "E-003", cwd=project.root)
    assert result.code == 0
    assert "id: E-003" in result.out
    names, named_by = result.out.split("named by:")
    assert "batch: B-003" in names.split("names:")[1]
    for cell in ("C-004", "C-005", "C-008", "C-012"):
        assert f"{cell} (cell.working_electrode)" in named_by
    assert "EIS-014 (eis.sample)" in named_by
    assert cli("show", "B-404", cwd=project.root).code == 1


#: What a person writes over each template placeholder (the test fills them like a person).
FILLED = {
    "batch id": "B-003",
    "batch or electrode id": "B-003",
    "electrode id": "E-003",
    "wt %": "20",
    "%": "10",
    " g>": "2.0",
    " C>": "800",
    "mg/cm2": "1.5",
    "um": "40",
    "mm": "1.0",
    "cm2": "1.13",
}


def fill(text: str) -> str:
    def value(match: re.Match[str]) -> str:
        inner = match.group(0)
        return next(v for k, v in FILLED.items() if k in inner)

    return "\n".join(
        ln if ln.startswith("#") else re.sub(r"<[^<>\n]+>", value, ln) for ln in text.split("\n")
    )


def test_new_from_template_takes_next_id_and_check_lists_each_placeholder(project, cli) -> None:
    made = {}
    for kind, expected in [
        ("batch", "B-009"),
        ("electrode", "E-006"),
        ("xrd", "XRD-009"),
        ("eis", "EIS-016"),
        ("cell", "C-015"),
    ]:
        result = cli("new", kind, cwd=project.root)
        assert result.code == 0, result.err
        assert expected in result.out
        path = project.records / result.out.split("records/", 1)[1].strip()
        text = path.read_text()
        assert text.startswith("# yaml-language-server: $schema=../../schema/")
        data = yaml.safe_load(text)
        assert data["id"] == expected and data["date"] == dt.date.today()
        made[path] = text
    # an unedited template is no sample: every placeholder is one problem, nothing else is
    problems = check_store(project.records).errors
    for path, text in made.items():
        mine = [p for p in problems if p.path.endswith(path.name)]
        body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
        n_placeholders = len(re.findall(r"<[^<>\n]+>", body))
        assert n_placeholders >= 1 and len(mine) == n_placeholders, (path, mine)
        assert all(p.message.startswith("not filled in: <") for p in mine)
    batch = next(p for p in problems if p.path.endswith("B-009.yaml") and "mass_g" in p.field)
    assert batch.field == "precursors[0].mass_g" and batch.message == (
        "not filled in: <weighed mass in g>"
    )
    for path, text in made.items():
        path.write_text(fill(text))
    assert check_store(project.records).errors == []


def test_a_number_with_its_unit_is_told_to_drop_the_unit(project) -> None:
    path = project.records / "batches" / "B-003.yaml"
    path.write_text(re.sub(r"temperature_C: 800\b", "temperature_C: 800 C", path.read_text()))
    [problem] = check_store(project.records).errors
    assert problem.field.endswith("temperature_C")
    assert "drop the unit and write the number alone, 800" in problem.message


def test_new_from_copies_a_record(project, cli) -> None:
    result = cli("new", "batch", "--from", "B-003", cwd=project.root)
    assert result.code == 0
    data = yaml.safe_load((project.records / "batches" / "B-009.yaml").read_text())
    original = yaml.safe_load((project.records / "batches" / "B-003.yaml").read_text())
    assert data["steps"] == original["steps"] and data["date"] == dt.date.today()
    # what describes the original sample stays behind: the demo's synthetic flag and header
    # comment, its operator and its notes
    assert original["synthetic"] is True and original["notes"]
    text = (project.records / "batches" / "B-009.yaml").read_text()
    assert "synthetic" not in data and "notes" not in data and "SYNTHETIC" not in text
    assert data["operator"] != original["operator"]
    assert text.startswith("# yaml-language-server: $schema=")
    assert check_store(project.records).problems == []
    assert cli("new", "batch", "--id", "B-003", cwd=project.root).code == 1
    assert cli("new", "powder", cwd=project.root).code == 1


def test_new_from_a_record_of_another_kind_is_refused(project, cli) -> None:
    result = cli("new", "batch", "--from", "E-003", cwd=project.root)
    assert result.code == 1
    assert "E-003 is an electrode record, not a batch" in result.err
    assert "labledger new electrode --from E-003" in result.err
    assert sorted(p.name for p in (project.records / "batches").iterdir()) == sorted(
        f"B-00{i}.yaml" for i in range(1, 9)
    )


def test_a_record_in_another_kinds_folder_is_a_problem(project) -> None:
    source = project.records / "xrd" / "XRD-003.yaml"
    moved = project.records / "eis" / "XRD-003.yaml"
    moved.write_text(source.read_text())
    source.unlink()
    [problem] = [p for p in check_store(project.records).problems if p.severity == "error"]
    assert problem.field == "kind" and problem.path.endswith("eis/XRD-003.yaml")
    assert "an xrd record in the eis/ folder, which holds eis records; move it to xrd/" in (
        problem.message
    )


def test_history_shows_field_changes(project, cli) -> None:
    cli("ingest", cwd=project.root)
    path = project.records / "batches" / "B-005.yaml"
    path.write_text(path.read_text().replace("temperature_C: 1150", "temperature_C: 1200"))
    cli("ingest", cwd=project.root)
    result = cli("history", "B-005", cwd=project.root)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("revision 1  added")
    assert lines[1].startswith("revision 2  modified")
    assert lines[2].strip() == "steps[3].temperature_C: 1150 -> 1200"
    assert cli("history", "B-404", cwd=project.root).code == 1
    # CRLF line endings: a new revision of the bytes, but no field changed, and it says so
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    cli("ingest", cwd=project.root)
    lines = cli("history", "B-005", cwd=project.root).out.splitlines()
    assert lines[-2].startswith("revision 3  modified")
    assert (
        lines[-1].strip() == "(no field changed: only the file's layout, comments or line endings)"
    )


def test_bad_config_is_a_message(tmp_path, cli) -> None:
    (tmp_path / "config.yaml").write_text("records_dir: records\nrecords_folder: x\n")
    result = cli("check", cwd=tmp_path)
    assert result.code == 1
    assert (
        "config.yaml:2:1: records_folder: unknown field; did you mean 'records_dir'?" in result.err
    )


def test_views_command_lists_views(cli) -> None:
    out = cli("views").out
    assert "batch_synthesis:" in out and "lineage:" in out


def test_query_from_a_notebook_in_a_subfolder_finds_the_project(project, cli, monkeypatch) -> None:
    import labledger
    from labledger.config import load_config

    assert cli("ingest", cwd=project.root).code == 0
    notebooks = project.root / "analysis" / "2026"
    notebooks.mkdir(parents=True)
    monkeypatch.chdir(notebooks)
    assert load_config().root == project.root.resolve()
    frame = labledger.query("SELECT COUNT(*) AS n FROM batch")
    assert frame["n"].tolist() == [8]
    # the search stops at the top of a git work tree: a folder of its own repository inside
    # the project does not use the project's config
    (notebooks / ".git").mkdir()
    assert load_config().source is None and load_config().root == notebooks.resolve()


def test_ls_lists_records_by_kind_and_field(project, cli) -> None:
    everything = json.loads(cli("ls", "--json", cwd=project.root).out)
    assert len(everything) == len(list(project.records.rglob("*.yaml")))
    assert {r["kind"] for r in everything} == {"batch", "electrode", "xrd", "eis", "cell"}
    electrodes = json.loads(cli("ls", "electrode", "--json", cwd=project.root).out)
    expected = sorted(p.stem for p in (project.records / "electrodes").glob("*.yaml"))
    assert [r["id"] for r in electrodes] == expected
    # a field by its name (case-insensitive), also inside a step or the protocol
    by_cnt = json.loads(
        cli("ls", "electrode", "-w", "CNT_wt_pct=20", "--json", cwd=project.root).out
    )
    for row in by_cnt:
        assert yaml.safe_load((project.root / row["file"]).read_text())["cnt_wt_pct"] == 20
    assert by_cnt
    fast = json.loads(
        cli("ls", "cell", "--where", "current_density_mA_cm2=4", "--json", cwd=project.root).out
    )
    for row in fast:
        record = yaml.safe_load((project.root / row["file"]).read_text())
        assert record["protocol"]["current_density_mA_cm2"] == 4
    table = cli("ls", "batch", cwd=project.root).out.splitlines()
    assert table[0].split() == ["id", "kind", "date", "operator", "file"]
    assert table[-1] == "(8 rows)"
    assert cli("ls", "powder", cwd=project.root).code == 1
    bad = cli("ls", "--where", "cnt", cwd=project.root)
    assert bad.code == 1 and "field=value" in bad.err


def test_ls_names_a_field_no_record_has(project, cli) -> None:
    """A misspelt field is an error with a suggestion, not an empty list that looks like "no
    such record"; a field some records leave empty is no error."""
    bad = cli("ls", "electrode", "--where", "cnt_pct=20", cwd=project.root)
    assert bad.code == 1
    assert "no electrode record has a field 'cnt_pct'" in bad.err
    assert "did you mean 'cnt_wt_pct'" in bad.err
    assert "Traceback" not in bad.err
    # the same name is a field of some kind: fine without --kind, and for a kind that has it
    assert cli("ls", "--where", "cnt_wt_pct=20", cwd=project.root).code == 0
    assert cli("ls", "batch", "--where", "cnt_wt_pct=20", cwd=project.root).code == 1
    # a field that exists but matches nothing: an empty list, exit 0
    none = cli("ls", "electrode", "--where", "cnt_wt_pct=99", cwd=project.root)
    assert none.code == 0 and "(0 rows)" in none.out
