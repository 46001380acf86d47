"""Whole-database checks for ingest tests: consistency of the ledger and normalised snapshots."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from sqlalchemy import DateTime, create_engine, inspect, text
from sqlalchemy.engine import make_url

from labledger.db.engine import sqlite_path
from labledger.db.record_tables import kind_tables
from labledger.db.tables import metadata
from support.databases import postgres_url_or_skip

#: What stands in for a timestamp in a normalised snapshot (two runs never share them).
TIMESTAMP = "<timestamp>"
#: Columns holding an ingest id (the key of `ingest` and the references to it).
INGEST_ID_COLUMNS = {"ingest": "id", "record": "updated_ingest_id", "record_revision": "ingest_id"}


def _timestamp_columns() -> dict[str, set[str]]:
    return {
        t.name: {c.name for c in t.columns if isinstance(c.type, DateTime)}
        for t in metadata.tables.values()
    }


def normalised_snapshot(url: str, *, renumber_ingests: bool = False) -> dict[str, list[tuple]]:
    """Every table's rows (sorted, as text) with the timestamp columns of labledger's tables
    masked: two ingests of the same files differ in nothing else. `renumber_ingests` also numbers
    the ingests 1, 2, ... in order (a killed PostgreSQL transaction consumes a sequence value, so
    the ids of a re-run may skip one)."""
    timestamps = _timestamp_columns()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            renumber: dict[object, int] = {}
            if renumber_ingests:
                ids = conn.execute(text("SELECT id FROM ingest ORDER BY id")).scalars()
                renumber = {i: n for n, i in enumerate(ids, start=1)}
            out = {}
            for table in sorted(inspect(conn).get_table_names()):
                masked = timestamps.get(table, set())
                id_column = INGEST_ID_COLUMNS.get(table) if renumber_ingests else None
                got = conn.execute(text(f'SELECT * FROM "{table}"'))
                names = list(got.keys())
                rows = []
                for row in got:
                    values = []
                    for name, value in zip(names, row, strict=True):
                        if name in masked and value is not None:
                            value = TIMESTAMP
                        elif name == id_column:
                            value = renumber.get(value, value)
                        values.append(repr(value))
                    rows.append(tuple(values))
                out[table] = sorted(rows)
            return out
    finally:
        engine.dispose()


def differing_tables(a: dict[str, list[tuple]], b: dict[str, list[tuple]]) -> list[str]:
    """Names of the tables whose rows differ between two snapshots."""
    return sorted(t for t in set(a) | set(b) if a.get(t) != b.get(t))


#: Records whose revisions are not numbered 1..n: (id, min, max, count).
REVISION_GAPS = """
SELECT record_id, MIN(revision), MAX(revision), COUNT(*) FROM record_revision
GROUP BY record_id HAVING MIN(revision) <> 1 OR MAX(revision) <> COUNT(*)
"""
#: Record rows that disagree with their latest revision.
RECORD_VS_REVISION = """
SELECT r.id FROM record r
LEFT JOIN record_revision v ON v.record_id = r.id AND v.revision = r.revision
WHERE v.record_id IS NULL
   OR r.revision <> (SELECT MAX(m.revision) FROM record_revision m WHERE m.record_id = r.id)
   OR v.kind <> r.kind OR v.path <> r.path
   OR (r.status = 'active' AND (v.change = 'removed' OR v.sha256 <> r.sha256))
   OR (r.status = 'removed' AND v.change <> 'removed')
   OR r.status NOT IN ('active', 'removed')
"""
#: (what, query returning offending ids) checked on every backend.
ID_CHECKS = [
    (
        "record.updated_ingest_id names missing ingests",
        "SELECT DISTINCT updated_ingest_id FROM record "
        "WHERE updated_ingest_id NOT IN (SELECT id FROM ingest)",
    ),
    (
        "record_revision.ingest_id names missing ingests",
        "SELECT DISTINCT ingest_id FROM record_revision "
        "WHERE ingest_id NOT IN (SELECT id FROM ingest)",
    ),
    ("record rows disagree with their latest revision", RECORD_VS_REVISION),
    (
        "revisions of records missing from record",
        "SELECT DISTINCT record_id FROM record_revision "
        "WHERE record_id NOT IN (SELECT id FROM record)",
    ),
    *[
        (
            f"{table} rows of records that are not active",
            f"SELECT DISTINCT record_id FROM {table} "
            "WHERE record_id NOT IN (SELECT id FROM record WHERE status = 'active')",
        )
        for table in ("record_reference", "raw_file")
    ],
]


def integrity_problems(url: str) -> list[str]:
    """Everything wrong with a labledger database, as sentences (empty: consistent).

    Storage integrity and foreign keys (SQLite), references to ingests, revisions 1..n without
    gaps per record, the record table agreeing with each record's latest revision, and the kind
    tables holding exactly the active records.
    """
    problems: list[str] = []
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                check = list(conn.execute(text("PRAGMA integrity_check")).scalars())
                if check != ["ok"]:
                    problems.append(f"integrity_check: {check[:5]}")
                fk = list(conn.execute(text("PRAGMA foreign_key_check")))
                if fk:
                    problems.append(f"foreign_key_check: {fk[:5]}")
            gaps = list(conn.execute(text(REVISION_GAPS)))
            if gaps:
                problems.append(f"revisions not 1..n (id, min, max, count): {gaps[:5]}")
            for what, sql in ID_CHECKS:
                bad = sorted(conn.execute(text(sql)).scalars())
                if bad:
                    problems.append(f"{what}: {bad[:5]}")
            problems += _kind_table_problems(conn)
    finally:
        engine.dispose()
    return problems


def _kind_table_problems(conn) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    for kind, kt in kind_tables().items():
        active = conn.execute(
            text("SELECT id FROM record WHERE status = 'active' AND kind = :kind"), {"kind": kind}
        ).scalars()
        rows = list(conn.execute(text(f"SELECT id FROM {kt.table.name}")).scalars())
        if sorted(rows) != sorted(active):
            problems.append(f"{kt.table.name} does not hold exactly the active {kind} records")
        for child in kt.children:
            orphans = conn.execute(
                text(
                    f"SELECT DISTINCT {kind}_id FROM {child.table.name} "
                    f"WHERE {kind}_id NOT IN (SELECT id FROM {kt.table.name})"
                )
            ).scalars()
            orphans = sorted(orphans)
            if orphans:
                problems.append(f"{child.table.name} rows without a {kind} row: {orphans[:5]}")
    return problems


def copy_database(source_url: str, target: Path | None = None) -> str:
    """A copy of a database, for restoring one state many times; returns its URL.

    SQLite: the file is copied to `target` (any -wal/-shm left there from an earlier copy is
    removed first; the source must have none). PostgreSQL: `CREATE DATABASE ... TEMPLATE`, fast
    and exact; the source must have no open connections. Drop PostgreSQL copies with
    `support.databases.drop_postgres_database`.
    """
    source = sqlite_path(source_url)
    if source is not None:
        assert target is not None, "a SQLite copy needs a target file"
        assert not Path(f"{source}-wal").exists(), f"{source}: has a -wal file, copy is not exact"
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"
    name = f"{make_url(source_url).database}_copy_{uuid.uuid4().hex[:8]}"
    engine = create_engine(postgres_url_or_skip(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            template = make_url(source_url).database
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        engine.dispose()
    return make_url(source_url).set(database=name).render_as_string(hide_password=False)
