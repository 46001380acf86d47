"""Ingest: incremental by content hash, every revision kept, all or nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from labledger.db.ingest import ingest
from labledger.errors import RecordsInvalid
from support.databases import database_state as state_of
from support.databases import rows as db_rows


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def database_state(project) -> object:
    return state_of(project.database_url, project.db_path)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_first_ingest_loads_every_record(project) -> None:
    summary = ingest(project.config())
    assert len(summary.added) == 50 and summary.wrote
    db = project.database_url
    assert db_rows(db, "SELECT kind, COUNT(*) FROM record GROUP BY kind ORDER BY kind") == [
        ("batch", 8),
        ("cell", 14),
        ("eis", 15),
        ("electrode", 5),
        ("xrd", 8),
    ]
    assert db_rows(db, "SELECT COUNT(*) FROM record_revision") == [(50,)]
    assert db_rows(db, "SELECT COUNT(*) FROM batch_step") == [(28,)]  # 7 synthesised x 4 steps
    assert db_rows(db, "SELECT COUNT(*) FROM ingest") == [(1,)]


def test_nothing_changed_writes_nothing(project) -> None:
    ingest(project.config())
    before = database_state(project)
    summary = ingest(project.config())
    assert not summary.wrote and summary.unchanged == 50
    assert database_state(project) == before


def test_touch_without_change_writes_nothing(project) -> None:
    ingest(project.config())
    before = database_state(project)
    for path in project.records.rglob("*.yaml"):
        path.write_bytes(path.read_bytes())
    assert not ingest(project.config()).wrote
    assert database_state(project) == before


def test_editing_one_record_rewrites_only_it_and_adds_one_revision(project) -> None:
    ingest(project.config())
    edit(project.records / "batches" / "B-003.yaml", "temperature_C: 1150", "temperature_C: 1175")
    summary = ingest(project.config())
    assert summary.modified == ["B-003"] and not summary.added and summary.unchanged == 49
    db = project.database_url
    assert db_rows(db, "SELECT COUNT(*) FROM record_revision") == [(51,)]
    assert db_rows(db, "SELECT revision, change FROM record_revision WHERE record_id='B-003'") == [
        (1, "added"),
        (2, "modified"),
    ]
    # only B-003's record row points at the new ingest
    assert db_rows(db, "SELECT id FROM record WHERE updated_ingest_id = 2") == [("B-003",)]
    assert db_rows(
        db, "SELECT sinter_temperature_c FROM batch_synthesis WHERE batch_id='B-003'"
    ) == [(1175.0,)]
    old = db_rows(
        db, "SELECT content_json FROM record_revision WHERE record_id='B-003' AND revision=1"
    )
    assert json.loads(old[0][0])["steps"][3]["temperature_C"] == 1150


def test_removed_file_is_marked_removed_and_restored_later(project) -> None:
    ingest(project.config())
    path = project.records / "cells" / "C-014.yaml"
    text = path.read_text()
    path.unlink()
    summary = ingest(project.config())
    assert summary.removed == ["C-014"]
    db = project.database_url
    assert db_rows(db, "SELECT status, revision FROM record WHERE id='C-014'") == [("removed", 2)]
    assert db_rows(db, "SELECT COUNT(*) FROM cell WHERE id='C-014'") == [(0,)]
    assert db_rows(
        db, "SELECT change FROM record_revision WHERE record_id='C-014' ORDER BY revision"
    ) == [("added",), ("removed",)]
    path.write_text(text)
    assert ingest(project.config()).restored == ["C-014"]
    assert db_rows(db, "SELECT status, revision FROM record WHERE id='C-014'") == [("active", 3)]


def test_removing_a_referenced_record_is_an_error(project) -> None:
    ingest(project.config())
    before = database_state(project)
    (project.records / "electrodes" / "E-005.yaml").unlink()
    with pytest.raises(RecordsInvalid) as err:
        ingest(project.config())
    assert "working_electrode: no record with id 'E-005'" in str(err.value)
    assert "C-002.yaml:" in str(err.value)
    assert database_state(project) == before


def test_moved_file_keeps_its_history(project) -> None:
    ingest(project.config())
    src = project.records / "batches" / "B-001.yaml"
    dst = project.records / "batches" / "2025" / "B-001.yaml"
    dst.parent.mkdir()
    src.rename(dst)
    summary = ingest(project.config())
    assert summary.moved == ["B-001"] and summary.wrote
    assert db_rows(project.database_url, "SELECT path, revision FROM record WHERE id='B-001'") == [
        ("batches/2025/B-001.yaml", 1)
    ]


def test_raw_file_content_change_is_seen(project) -> None:
    raw = project.records / "raw" / "xrd" / "XRD-100.xy"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text("10 100\n")
    text = (project.records / "xrd" / "XRD-001.yaml").read_text()
    text = text.replace("id: XRD-001", "id: XRD-100").replace("XRD-001.xy", "XRD-100.xy")
    project.write("xrd/XRD-100.yaml", text)
    ingest(project.config())
    first = db_rows(project.database_url, "SELECT sha256 FROM raw_file WHERE record_id='XRD-100'")
    assert first == [(hashlib.sha256(b"10 100\n").hexdigest(),)]
    raw.write_text("10 100\n")  # same bytes, new mtime: nothing to write
    assert not ingest(project.config()).wrote
    raw.write_text("10 200\n")
    summary = ingest(project.config())
    assert summary.raw_changed == ["XRD-100"]
    assert db_rows(
        project.database_url, "SELECT sha256 FROM raw_file WHERE record_id='XRD-100'"
    ) == [(hashlib.sha256(b"10 200\n").hexdigest(),)]
    raw.unlink()
    with pytest.raises(RecordsInvalid, match="raw file not found"):
        ingest(project.config())


def test_revision_records_git_commit(project, tmp_path) -> None:
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(project.root), *args], check=True, capture_output=True, text=True
        ).stdout.strip()

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "demo")
    head = git("rev-parse", "HEAD")
    ingest(project.config())
    assert db_rows(
        project.database_url, "SELECT DISTINCT git_commit, git_dirty FROM record_revision"
    ) == [(head, 0)]
    edit(project.records / "batches" / "B-002.yaml", "dwell_h: 4", "dwell_h: 5")
    ingest(project.config())
    assert db_rows(
        project.database_url, "SELECT git_commit, git_dirty FROM record_revision WHERE revision = 2"
    ) == [(head, 1)]
    # what did B-002 say at that commit?
    rows = db_rows(
        project.database_url,
        f"SELECT content_yaml FROM record_revision WHERE record_id='B-002' "
        f"AND git_commit='{head}' AND git_dirty = FALSE",
    )
    assert "dwell_h: 4" in rows[0][0]


def test_changed_models_rebuild_kind_tables_without_new_revisions(project) -> None:
    ingest(project.config())
    engine = create_engine(project.database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE ledger_meta SET value='old' WHERE key='models_sha256'"))
        conn.execute(text("DELETE FROM batch_step"))
    engine.dispose()
    summary = ingest(project.config())
    assert summary.wrote and not summary.added and not summary.modified
    assert db_rows(project.database_url, "SELECT COUNT(*) FROM batch_step") == [(28,)]
    assert db_rows(project.database_url, "SELECT COUNT(*) FROM record_revision") == [(50,)]


def test_database_url_from_environment(project, monkeypatch, tmp_path) -> None:
    other = tmp_path / "elsewhere.db"
    monkeypatch.setenv("LABLEDGER_DATABASE_URL", f"sqlite:///{other}")
    ingest(project.config())
    assert other.is_file() and not project.db_path.exists()
