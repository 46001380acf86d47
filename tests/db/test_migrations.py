"""Schema revisions: a labledger 0.1.0 database upgrades in place; writers and readers refuse a
schema they do not know. Runs on the suite's backend (SQLite or PostgreSQL).

The 0.1.0 database is rebuilt from tests/db/data/release-0.1.0.json, written by running the
released code (tests/db/data/make_release_database.py): revision 0001 created by Alembic, its
`alembic_version` dropped (0.1.0 had none), every row of the primary tables inserted, the
derived tables created as 0.1.0 declared them, with their rows, and the views on top. Its
record, raw and result files are written back from the same data, so an ingest after the
upgrade sees the files that made the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from labledger.cli.db import app as db_app
from labledger.db.engine import sqlite_path, view_statements
from labledger.db.ingest import ingest, models_fingerprint
from labledger.db.schema import (
    PRE_ALEMBIC_REVISION,
    alembic_config,
    current_revision,
    derived_tables,
    head_revision,
    include_in_migrations,
    managed_metadata,
    managed_tables,
    require_database,
    scripts_head,
    upgrade,
)
from labledger.errors import DatabaseError
from support.databases import rows, snapshot

if TYPE_CHECKING:
    from conftest import Project

REPO = Path(__file__).resolve().parents[2]

RELEASE = json.loads(
    (Path(__file__).parent / "data" / "release-0.1.0.json").read_text(encoding="utf-8")
)
RELEASE_TABLES: dict[str, dict[str, Any]] = RELEASE["tables"]
#: The primary tables of 0.1.0, parents first (foreign keys).
PRIMARY = (
    "ingest",
    "ledger_meta",
    "record",
    "record_revision",
    "record_reference",
    "raw_file",
    "analysis_run",
)


def _value(value: Any, sql_type: str) -> Any:
    if value is None:
        return None
    if sql_type == "BOOLEAN":
        return bool(value)
    if sql_type == "DATETIME":
        return dt.datetime.fromisoformat(value)
    if sql_type == "DATE":
        return dt.date.fromisoformat(value)
    return value


def _comparable(value: Any) -> Any:
    """A value read back on either backend, in the dump's form."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _table_rows(url: str, table: str, columns: list[str]) -> list[list[Any]]:
    cols = ", ".join(f'"{c}"' for c in columns)
    got = [[_comparable(v) for v in r] for r in rows(url, f'SELECT {cols} FROM "{table}"')]
    return sorted(got, key=lambda r: json.dumps(r, default=str))


def _release_rows(table: str) -> list[list[Any]]:
    spec = RELEASE_TABLES[table]
    got = [
        [_comparable(_value(v, t)) for v, t in zip(r, spec["types"], strict=True)]
        for r in spec["rows"]
    ]
    return sorted(got, key=lambda r: json.dumps(r, default=str))


def _new_database(url: str) -> sa.Engine:
    """An engine on `url` (for SQLite, after making the file's folder)."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(url)


#: SQL types of the 0.1.0 tables as SQLite declared them
SQL_TYPES = {
    "VARCHAR": sa.String,
    "TEXT": sa.Text,
    "INTEGER": sa.Integer,
    "FLOAT": sa.Float,
    "BOOLEAN": sa.Boolean,
    "DATE": sa.Date,
    "DATETIME": sa.DateTime,
}


def _insert_release_rows(conn: sa.Connection, table: sa.Table) -> None:
    spec = RELEASE_TABLES[table.name]
    values = [
        {c: _value(v, t) for c, v, t in zip(spec["columns"], r, spec["types"], strict=True)}
        for r in spec["rows"]
    ]
    if values:
        conn.execute(sa.insert(table), values)


def make_release_database(url: str, *, pre_alembic: bool = True, derived: bool = True) -> None:
    """The 0.1.0 database at `url`: revision 0001 (without `alembic_version` if pre_alembic)
    holding the primary tables' rows; with `derived`, also its kind and result tables as 0.1.0
    declared them, with their rows, and the views (today's views.sql: 0.1.0's used
    SQLite-only functions, and only their dependence on the tables matters here)."""
    engine = _new_database(url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), PRE_ALEMBIC_REVISION)
            if pre_alembic:
                conn.execute(sa.text("DROP TABLE alembic_version"))
            for name in PRIMARY:
                _insert_release_rows(conn, sa.Table(name, sa.MetaData(), autoload_with=conn))
            if conn.dialect.name == "postgresql":  # ids were given: move the sequences on
                for name in ("ingest", "analysis_run"):
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT max(id) FROM {name}))"
                        )
                    )
            if not derived:
                return
            for name, spec in RELEASE_TABLES.items():
                if name in PRIMARY:
                    continue
                table = sa.Table(
                    name,
                    sa.MetaData(),
                    *(
                        sa.Column(c, SQL_TYPES[t](), primary_key=c in spec["primary_key"])
                        for c, t in zip(spec["columns"], spec["types"], strict=True)
                    ),
                )
                table.create(conn)
                _insert_release_rows(conn, table)
            # today's views that fit 0.1.0's tables (a view naming a result column renamed
            # since cannot be created over them; the upgrade and the next ingest deal with it)
            for _name, body in view_statements():
                try:
                    with conn.begin_nested():
                        conn.execute(sa.text(body))
                except sa.exc.SQLAlchemyError:
                    continue
    finally:
        engine.dispose()


def _release_dicts(table: str) -> list[dict[str, Any]]:
    spec = RELEASE_TABLES[table]
    return [dict(zip(spec["columns"], r, strict=True)) for r in spec["rows"]]


#: Demo raw files changed since 0.1.0, and how to get 0.1.0's bytes back from today's (the
#: result is checked against the hash 0.1.0 stored). XRD-008.xrdml: the doublet it holds is now
#: stated as intended="K-Alpha" (0.1.0 wrote "K-Alpha 1", which means a Ka1 monochromator).
RAW_CHANGED_SINCE_RELEASE = {
    "raw/xrd/XRD-008.xrdml": lambda b: b.replace(
        b'<usedWavelength intended="K-Alpha">', b'<usedWavelength intended="K-Alpha 1">', 1
    ),
}


def write_release_files(project: Project) -> int:
    """The 0.1.0 record, raw and result files into `project`; returns the active record count.

    Records come from their current revision's text; raw files from this repository's demo
    records, checked against the hashes 0.1.0 stored.
    """
    revisions = {(r["record_id"], r["revision"]): r for r in _release_dicts("record_revision")}
    active = 0
    for record in _release_dicts("record"):
        if record["status"] != "active":
            continue
        text = revisions[(record["id"], record["revision"])]["content_yaml"]
        target = project.records / record["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        assert hashlib.sha256(target.read_bytes()).hexdigest() == record["sha256"], target
        active += 1
    for raw in _release_dicts("raw_file"):
        source = REPO / "records" / raw["path"]
        data = RAW_CHANGED_SINCE_RELEASE.get(raw["path"], lambda b: b)(source.read_bytes())
        assert hashlib.sha256(data).hexdigest() == raw["sha256"], (
            f"demo raw file {source} differs from the one of labledger 0.1.0"
        )
        (project.records / raw["path"]).parent.mkdir(parents=True, exist_ok=True)
        (project.records / raw["path"]).write_bytes(data)
    for relpath, text in RELEASE["result_files"].items():
        (project.root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (project.root / relpath).write_text(text, encoding="utf-8")
    return active


def _db(*args: str) -> Any:
    """`labledger db ARGS` in the current folder."""
    return CliRunner().invoke(db_app, list(args))


def _assert_no_password(message: str, url: str) -> None:
    password = make_url(url).password
    if password:
        assert f":{password}@" not in message


def _assert_release_data(url: str, tables: tuple[str, ...] = PRIMARY) -> None:
    for name in tables:
        columns = RELEASE_TABLES[name]["columns"]
        assert _table_rows(url, name, columns) == _release_rows(name), name


def _assert_ingest_keeps_release(project: Project, n_active: int, rebuild: bool) -> None:
    """An ingest of 0.1.0's files adds no revision or run; it writes one ingest row only when
    it rebuilds the derived tables; those then hold 0.1.0's rows and the views answer."""
    url = project.database_url
    summary = ingest(project.config())
    assert (summary.added, summary.modified, summary.removed, summary.restored) == ([], [], [], [])
    assert summary.unchanged == n_active
    assert summary.wrote is rebuild
    ingests = rows(url, "SELECT added, modified, removed, unchanged FROM ingest ORDER BY id")
    assert len(ingests) == len(RELEASE_TABLES["ingest"]["rows"]) + rebuild
    if rebuild:
        assert ingests[-1] == (0, 0, 0, n_active)
    _assert_release_data(url, tuple(t for t in PRIMARY if t not in ("ingest", "ledger_meta")))
    for table in derived_tables():
        spec = RELEASE_TABLES[table.name]
        if spec["columns"] == [c.name for c in table.columns]:  # same definition as in 0.1.0
            assert _table_rows(url, table.name, spec["columns"]) == _release_rows(table.name)
        else:
            assert len(rows(url, f"SELECT * FROM {table.name}")) == len(spec["rows"])
    n_batches = len(RELEASE_TABLES["batch"]["rows"])
    assert rows(url, "SELECT count(*) FROM batch_synthesis") == [(n_batches,)]
    before = snapshot(url)
    assert not ingest(project.config()).wrote
    assert snapshot(url) == before


def test_release_database_upgrades_with_its_data_and_a_later_ingest_keeps_it(
    empty_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = empty_project
    url = project.database_url
    make_release_database(url)
    n_active = write_release_files(project)
    assert current_revision(url) == PRE_ALEMBIC_REVISION

    monkeypatch.chdir(project.root)
    result = _db("upgrade")
    assert result.exit_code == 0, result.output
    assert f"from revision 0001 to {head_revision()}" in result.output
    assert current_revision(url) == head_revision()
    _assert_release_data(url, tuple(t for t in PRIMARY if t != "ledger_meta"))
    # a view the derived tables of 0.1.0 do not fit (PostgreSQL checks at CREATE VIEW) waits
    # for the next ingest, which the cleared models fingerprint makes rebuild everything
    inspecting = sa.create_engine(url)
    try:
        views = set(sa.inspect(inspecting).get_view_names())
    finally:
        inspecting.dispose()
    fingerprint = rows(url, "SELECT value FROM ledger_meta WHERE key = 'models_sha256'")
    assert len(views) == len(view_statements()) or fingerprint == []
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            raw = {c["name"]: c["type"] for c in sa.inspect(conn).get_columns("raw_file")}
    finally:
        engine.dispose()
    assert isinstance(raw["mtime_ns"], sa.BigInteger)
    assert isinstance(raw["size_bytes"], sa.BigInteger)
    # every revision with text gets git's content id of that text (0003), as `git hash-object`
    blobs = rows(url, "SELECT content_yaml, git_blob FROM record_revision")
    with_text = [(t, b) for t, b in blobs if t is not None]
    assert with_text and all(b is not None for _t, b in with_text)
    text, blob = with_text[0]
    hashed = subprocess.run(
        ["git", "hash-object", "--stdin"], input=text.encode(), capture_output=True, check=True
    )
    assert hashed.stdout.decode().strip() == blob
    assert all(b is None for t, b in blobs if t is None)  # removals have no content
    # the views (they name raw_file, which the upgrade rebuilt) answer right after the upgrade
    n_batches = len(RELEASE_TABLES["batch"]["rows"])
    assert rows(url, "SELECT count(*) FROM batch_synthesis") == [(n_batches,)]

    # derived tables are rebuilt only if the models changed since 0.1.0
    (released,) = [r[1] for r in RELEASE_TABLES["ledger_meta"]["rows"] if r[0] == "models_sha256"]
    _assert_ingest_keeps_release(project, n_active, rebuild=released != models_fingerprint())

    big = 2**62  # did not fit the 0.1.0 column on PostgreSQL
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE raw_file SET mtime_ns = :v"), {"v": big})
    finally:
        engine.dispose()
    assert {r[0] for r in rows(url, "SELECT mtime_ns FROM raw_file")} == {big}


def test_primary_tables_alone_are_completed_by_the_next_ingest(empty_project: Project) -> None:
    """As after restoring only the primary tables: the ingest rebuilds the derived ones."""
    project = empty_project
    url = project.database_url
    make_release_database(url, derived=False)
    n_active = write_release_files(project)
    assert upgrade(url).changed
    # the fingerprint may be cleared, when the views could not be recreated without the tables
    _assert_release_data(url, tuple(t for t in PRIMARY if t != "ledger_meta"))
    _assert_ingest_keeps_release(project, n_active, rebuild=True)


def test_models_equal_the_schema_upgraded_from_nothing(project: Project) -> None:
    """A model change without a migration fails here."""
    url = project.database_url
    engine = _new_database(url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_in_migrations}
            )
            diff = compare_metadata(context, managed_metadata())
    finally:
        engine.dispose()
    assert diff == []
    assert current_revision(url) == head_revision()


def test_every_model_table_is_managed_or_derived() -> None:
    managed = {t.name for t in managed_tables()}
    assert set(PRIMARY) <= managed
    assert not managed & {t.name for t in derived_tables()}
    # 0.1.0's other tables are all derived (rebuilt by the ingest), not silently dropped
    assert set(RELEASE_TABLES) - managed <= {t.name for t in derived_tables()}


def test_empty_database_gets_the_head_schema(project: Project) -> None:
    url = project.database_url
    assert current_revision(url) is None
    ingest(project.config())
    assert current_revision(url) == head_revision()
    assert rows(url, "SELECT version_num FROM alembic_version") == [(head_revision(),)]


def test_database_at_head_is_left_alone(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    url = project.database_url
    ingest(project.config())
    before = snapshot(url)
    done = upgrade(url)
    assert (done.before, done.after, done.changed) == (head_revision(), head_revision(), False)
    monkeypatch.chdir(project.root)
    result = _db("upgrade")
    assert result.exit_code == 0
    assert f"already at head (revision {head_revision()})" in result.output
    assert snapshot(url) == before
    assert not ingest(project.config()).wrote


def test_newer_unknown_schema_is_refused_and_nothing_written(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = project.database_url
    ingest(project.config())
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = 'f00dcafe0099'"))
    finally:
        engine.dispose()
    path = project.records / "cells" / "C-014.yaml"
    path.write_text(path.read_text().replace("R. Patel", "R Patel"))
    before = snapshot(url)
    with pytest.raises(DatabaseError) as err:
        ingest(project.config())
    message = str(err.value)
    assert "f00dcafe0099" in message and "upgrade labledger" in message
    _assert_no_password(message, url)
    assert snapshot(url) == before
    with pytest.raises(DatabaseError, match="newer labledger"):
        require_database(url)  # readers: sql, status, report
    monkeypatch.chdir(project.root)
    result = _db("upgrade")
    assert result.exit_code == 1
    assert "f00dcafe0099" in result.stderr
    assert snapshot(url) == before


@pytest.mark.parametrize("pre_alembic", [True, False], ids=["pre-alembic", "stamped-0001"])
def test_older_schema_is_refused_for_writing_with_the_upgrade_hint(
    empty_project: Project, monkeypatch: pytest.MonkeyPatch, pre_alembic: bool
) -> None:
    project = empty_project
    url = project.database_url
    make_release_database(url, pre_alembic=pre_alembic)
    write_release_files(project)
    (project.records / "cells" / "C-014.yaml").unlink()  # a change to write
    before = snapshot(url)
    assert ("alembic_version" in before) is not pre_alembic
    with pytest.raises(DatabaseError) as err:
        ingest(project.config())
    message = str(err.value)
    assert f"revision 0001, this labledger expects {head_revision()}" in message
    assert "`labledger db upgrade`" in message
    _assert_no_password(message, url)
    assert snapshot(url) == before
    with pytest.raises(DatabaseError, match="labledger db upgrade"):
        require_database(url)
    monkeypatch.chdir(project.root)
    result = _db("current")
    assert "revision 0001" in result.output and "labledger db upgrade" in result.output


def test_upgrade_without_a_database_says_so(
    empty_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(empty_project.root)
    result = _db("upgrade")
    assert result.exit_code == 1
    assert "no labledger database" in result.stderr
    assert current_revision(empty_project.database_url) is None


def test_history_lists_every_revision_oldest_first() -> None:
    result = _db("history")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("0001: ")
    assert lines[-1].startswith(f"{head_revision()} (head): ")


def test_head_revision_constant_is_the_newest_script() -> None:
    # head_revision() answers without reading the scripts; a new migration must update it.
    assert head_revision() == scripts_head()
