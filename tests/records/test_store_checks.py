"""Problems between files: references, duplicate ids, raw files; all reported at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from labledger.db.engine import database_exists
from labledger.db.ingest import ingest
from labledger.errors import RecordsInvalid
from labledger.records.store import check_store
from support.databases import database_state

# These checks run against the database the ingest would write (nothing must reach it).
pytestmark = pytest.mark.database

ELECTRODE = """\
id: E-100
kind: electrode
date: 2025-03-01
batch: {batch}
material: LLTO@CNT
cnt_wt_pct: 20
"""

CELL = """\
id: C-100
kind: cell
date: 2025-03-02
cell_type: half
working_electrode: {electrode}
electrolyte: ether
area_cm2: 1.13
protocol:
  current_density_mA_cm2: 1
"""

XRD = """\
id: XRD-100
kind: xrd
date: 2025-03-03
sample: B-001
two_theta_start_deg: 10
two_theta_end_deg: 80
step_deg: 0.02
raw_file: {raw}
"""


def messages(records: Path) -> list[str]:
    return [str(p) for p in check_store(records).errors]


def test_demo_records_are_valid(project) -> None:
    result = check_store(project.records)
    assert result.errors == []
    assert result.n_files == 50


def test_electrode_citing_a_missing_batch(project) -> None:
    project.write("electrodes/E-100.yaml", ELECTRODE.format(batch="B-999"))
    assert messages(project.records) == [
        "records/electrodes/E-100.yaml:4:1: batch: no record with id 'B-999'"
    ] or messages(project.records)[0].endswith("E-100.yaml:4:1: batch: no record with id 'B-999'")


def test_cell_citing_an_xrd_record(project) -> None:
    project.write("cells/C-100.yaml", CELL.format(electrode="XRD-001"))
    [msg] = messages(project.records)
    assert msg.endswith(
        "C-100.yaml:5:1: working_electrode: "
        "'XRD-001' is a record of kind xrd; expected kind electrode"
    )


def test_duplicate_id_in_two_folders(project) -> None:
    text = (project.records / "batches" / "B-001.yaml").read_text()
    project.write("old/B-001.yaml", text)
    msgs = messages(project.records)
    assert len(msgs) == 1
    assert "id: duplicate id 'B-001'; also in" in msgs[0]


def test_missing_raw_file(project) -> None:
    project.write("xrd/XRD-100.yaml", XRD.format(raw="../raw/xrd/nowhere.xy"))
    [msg] = messages(project.records)
    assert msg.endswith(
        "raw_file: raw file not found: " + str(Path("records/raw/xrd/nowhere.xy"))
    ) or ("XRD-100.yaml:8:1: raw_file: raw file not found:" in msg and msg.endswith("nowhere.xy"))


def test_pending_raw_file_is_a_note_not_an_error(project) -> None:
    project.write("xrd/XRD-100.yaml", XRD.format(raw="null"))
    result = check_store(project.records)
    assert result.errors == []
    notes = [str(p) for p in result.problems if "XRD-100" in p.path]
    assert len(notes) == 1 and "note: raw_file: no raw file yet (pending)" in notes[0]


def test_present_raw_file_is_accepted(project) -> None:
    raw = project.records / "raw" / "xrd" / "scan.xy"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text("10 100\n10.02 101\n")
    project.write("xrd/XRD-100.yaml", XRD.format(raw="../raw/xrd/scan.xy"))
    result = check_store(project.records)
    assert result.errors == []
    assert not [p for p in result.problems if "XRD-100" in p.path]


def unchanged_state(project) -> object:
    return database_state(project.database_url, project.db_path)


def test_raw_folder_is_not_read_as_records(project) -> None:
    (project.records / "raw").mkdir(exist_ok=True)
    (project.records / "raw" / "notes.yaml").write_text("not: a record\n")
    assert messages(project.records) == []


def test_broken_directory_one_message_per_problem_exit_1_database_unchanged(project, cli) -> None:
    assert cli("ingest", cwd=project.root).code == 0
    before = unchanged_state(project)
    project.write("electrodes/E-100.yaml", ELECTRODE.format(batch="B-999"))
    project.write("cells/C-100.yaml", CELL.format(electrode="XRD-001"))
    project.write("batches/B-100.yaml", "id: B-100\nkind: batch\ndate: 2025-01-01\n\tnotes: x\n")
    project.write("batches/B-101.yaml", "")
    b2 = project.records / "batches" / "B-002.yaml"
    b2.write_text(b2.read_text().replace("temperature_C: 1150", "temperature_C: 1423"))

    result = cli("check", cwd=project.root)
    assert result.code == 1
    lines = [ln for ln in result.out.splitlines() if "note:" not in ln]
    assert len(lines) == 5, result.out
    assert "checked 54 record files: 5 error(s)" in result.err

    result = cli("ingest", cwd=project.root)
    assert result.code == 1
    assert "5 problem(s) found; nothing was written to the database." in result.err
    assert unchanged_state(project) == before


def test_invalid_records_create_no_database(project) -> None:
    project.write("batches/B-100.yaml", "id: B-100\nkind: batch\n")
    try:
        ingest(project.config())
    except RecordsInvalid as err:
        assert "required field 'date' is missing" in str(err)
    else:  # pragma: no cover - the assertion below reports it
        raise AssertionError("ingest accepted an invalid record")
    assert not project.db_path.exists()
    assert not database_exists(project.database_url)  # on PostgreSQL: no tables created


def test_records_sharing_one_raw_file_content_get_a_note(project) -> None:
    """Two scans whose raw files hold the same bytes: one is probably a copy made by mistake."""
    raw = project.records / "raw" / "xrd"
    (raw / "XRD-004.xy").write_bytes((raw / "XRD-003.xy").read_bytes())
    record = project.records / "xrd" / "XRD-004.yaml"
    assert "raw_file: ../raw/xrd/XRD-004.xy" in record.read_text()
    result = check_store(project.records)
    assert result.errors == []
    notes = [p for p in result.problems if "same bytes" in p.message]
    assert sorted(n.path.rsplit("/", 1)[1] for n in notes) == ["XRD-003.yaml", "XRD-004.yaml"]
    assert all(n.severity == "note" and n.field == "raw_file" for n in notes)
    assert "XRD-004" in next(n.message for n in notes if n.path.endswith("XRD-003.yaml"))


def test_pending_raw_file_note_points_at_the_raw_file_line(project) -> None:
    """The note names the line where the raw file goes: the `raw_file: null` line, or the
    `# raw_file:` line a template leaves commented out (it said line 1, the schema comment)."""
    from labledger.records.new_record import new_record

    project.write("xrd/XRD-100.yaml", XRD.format(raw="null"))
    path = new_record(project.records, "xrd")
    path.write_text(re.sub(r"<[^>]+>", "B-003", path.read_text()))
    result = check_store(project.records)
    assert result.errors == []
    for file in (project.records / "xrd" / "XRD-100.yaml", path):
        lines = file.read_text().splitlines()
        want = next(i for i, line in enumerate(lines, 1) if "raw_file:" in line)
        [note] = [p for p in result.problems if p.path.endswith(file.name)]
        assert (note.line, note.field) == (want, "raw_file"), (file.name, str(note))
        assert lines[want - 1][note.col - 1 :].startswith("raw_file:")
