"""Import: rebuild a database from an export file in one write transaction, all or nothing;
an export of an older schema revision is upgraded on the way."""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Column, Connection, MetaData, String, Table, delete, insert, inspect, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from labledger.db import schema
from labledger.db.backup.dump import export_database
from labledger.db.backup.format import (
    ALEMBIC_TABLE,
    DECODERS,
    existing_tables,
    file_type_of,
    metadata,
    owned_order,
)
from labledger.db.backup.verify import ExportPlan, ExportReader, check_header
from labledger.db.engine import create_views, display_url, make_engine, sqlite_path, view_statements
from labledger.errors import DatabaseError, InputFileError

#: Rows per executemany on import (bounds memory; each row is its own parameter set).
CHUNK_ROWS = 2000

#: Alembic's version table as Alembic creates it (reflecting it costs ~0.4 s on PostgreSQL).
_ALEMBIC_VERSION = Table(
    ALEMBIC_TABLE,
    MetaData(),
    Column("version_num", String(32), primary_key=True, nullable=False),
)


@dataclass(frozen=True)
class ImportSummary:
    """What one import loaded: rows per table, the schema revision and time."""

    path: Path
    tables: dict[str, int]
    schema_revision: str | None
    replaced: bool
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def import_database(url: str, path: str | Path, *, replace: bool = False) -> ImportSummary:
    """Rebuild the database at `url` from an export file, all or nothing.

    The database must hold no labledger tables, unless `replace` is set: then they are dropped
    first, in the same transaction. An export of an older schema revision is upgraded on the
    way (see `_import_via_upgrade`). Raises InputFileError (naming the file and line) for a
    damaged or unknown file and DatabaseError for a database that is not empty or cannot be
    written; in both cases the database is left as it was.
    """
    started = time.perf_counter()
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "export file not found")
    reader = ExportReader(path)
    try:
        revision = check_header(reader, next(iter(reader), None)).revision
    finally:
        reader.close()
    if revision == schema.head_revision():
        done = _import(url, path, replace)
    else:
        done = _import_via_upgrade(url, path, replace, revision)
    return ImportSummary(path, done.tables, revision, replace, time.perf_counter() - started)


def _import_via_upgrade(url: str, path: Path, replace: bool, revision: str | None) -> ImportSummary:
    """Import an export of an older revision: load it into a scratch SQLite database at that
    revision, run the migrations there, and import the upgraded export into `url`.

    The scratch step keeps the target's transaction simple and works whatever the target: an
    older revision's column types may not hold the data on PostgreSQL (0001 had 32-bit
    INTEGER times that SQLite stored as 64-bit).
    """
    with tempfile.TemporaryDirectory(prefix="labledger-import-") as scratch:
        staging = f"sqlite:///{Path(scratch) / 'staging.db'}"
        _import(staging, path, replace=False)
        upgraded = export_database(staging, Path(scratch) / "upgraded.jsonl.gz")
        try:
            return _import(url, upgraded.path, replace)
        except InputFileError as err:
            raise InputFileError(
                path, f"after upgrading from schema revision {revision}: {err.message}"
            ) from None


def _import(url: str, path: Path, replace: bool) -> ImportSummary:
    started = time.perf_counter()
    sqlite_file = sqlite_path(url)
    created_file = sqlite_file is not None and not sqlite_file.exists()
    reader = ExportReader(path)
    ok = False
    try:
        engine = make_engine(url, write=True)
    except BaseException:
        reader.close()
        raise
    try:
        header = next(iter(reader), None)
        plan = check_header(reader, header)
        with engine.connect() as conn, conn.begin():
            counts = _load(conn, reader, plan, url, replace)
        ok = True
    except DBAPIError as err:
        raise DatabaseError(
            f"database {display_url(url)}: {err.orig}; nothing was imported"
        ) from None
    except SQLAlchemyError as err:
        raise DatabaseError(f"database {display_url(url)}: {err}; nothing was imported") from None
    finally:
        reader.close()
        engine.dispose()
        if not ok and created_file and sqlite_file is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(sqlite_file) + suffix).unlink(missing_ok=True)
    return ImportSummary(path, counts, plan.revision, replace, time.perf_counter() - started)


def _load(
    conn: Connection, reader: ExportReader, plan: ExportPlan, url: str, replace: bool
) -> dict[str, int]:
    present = [n for n in existing_tables(conn) if n in set(owned_order())]
    if present and not replace:
        raise DatabaseError(
            f"database {display_url(url)} already holds labledger tables "
            f"({', '.join(sorted(present)[:5])}{', ...' if len(present) > 5 else ''}); "
            "import into an empty database, or pass --replace to overwrite it"
        )
    if present:
        _drop_labledger_tables(conn, present)
    at_head = _create_schema(conn, plan.revision)
    targets = {
        n: _target_table(conn, reader, n, cols, reflect=not at_head)
        for n, cols in plan.tables.items()
    }
    if ALEMBIC_TABLE in targets:
        conn.execute(delete(targets[ALEMBIC_TABLE]))  # the file's row replaces the stamp
    order = list(plan.tables)
    counts = {n: 0 for n in order}
    sqlite = conn.dialect.name == "sqlite"
    current = -1
    batch: list[dict[str, Any]] = []
    first_line = 0

    def flush() -> None:
        if batch:
            _insert(conn, reader, targets[order[current]], batch, first_line)
            batch.clear()

    for obj in reader:
        if not isinstance(obj, dict) or set(obj) != {"t", "r"}:
            raise reader.error('expected a row {"t": table, "r": [values]}')
        name, values = obj["t"], obj["r"]
        if name not in counts:
            raise reader.error(f"row of table {name!r}, which the header does not list")
        index = current if current >= 0 and name == order[current] else order.index(name)
        if index < current:
            raise reader.error(f"row of table {name} after rows of {order[current]}: out of order")
        if index != current:
            flush()
            current = index
        columns = plan.tables[name]
        if not isinstance(values, list) or len(values) != len(columns):
            raise reader.error(f"table {name}: expected {len(columns)} values")
        row = {}
        for (col, type_name), v in zip(columns, values, strict=True):
            if v is not None:
                try:
                    v = DECODERS[type_name](v)
                except (ValueError, TypeError):
                    raise reader.error(
                        f"table {name} column {col}: {v!r} is not a valid {type_name}"
                    ) from None
                if sqlite and type_name == "float" and math.isnan(v):
                    raise reader.error(
                        f"table {name} column {col}: SQLite cannot store NaN (it would become "
                        "NULL); import this file into PostgreSQL"
                    )
            elif not targets[name].columns[col].nullable:
                raise reader.error(f"table {name} column {col}: null in a NOT NULL column")
            row[col] = v
        if not batch:
            first_line = reader.line
        batch.append(row)
        counts[name] += 1
        if len(batch) >= CHUNK_ROWS:
            flush()
    flush()
    for name, expected in plan.rows.items():
        if counts[name] != expected:
            raise reader.error(
                f"table {name} has {counts[name]} rows, the header announces {expected}: "
                "the file is incomplete"
            )
    stamped = conn.execute(text(f"SELECT version_num FROM {ALEMBIC_TABLE}")).scalars().all()
    if stamped != [plan.revision]:
        raise reader.error(
            f"table {ALEMBIC_TABLE} holds {stamped}, the header says {plan.revision!r}", line=1
        )
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn)
    if not at_head:
        command.upgrade(schema.alembic_config(conn), "head")
    create_views(conn)
    return counts


def _insert(
    conn: Connection, reader: ExportReader, table: Table, rows: list[dict[str, Any]], first: int
) -> None:
    try:
        conn.execute(insert(table), rows)
    except DBAPIError as err:
        raise reader.error(
            f"table {table.name}: rows on lines {first}-{first + len(rows) - 1} were refused "
            f"by the database: {str(err.orig).splitlines()[0]}",
            line=first,
        ) from None


def _target_table(
    conn: Connection,
    reader: ExportReader,
    name: str,
    columns: list[tuple[str, str]],
    *,
    reflect: bool,
) -> Table:
    """The created table `name`, after checking the file's columns match it exactly.

    `reflect`: read the table from the database (an older revision's primary tables differ
    from the models) instead of taking the models' definition.
    """
    table = _ALEMBIC_VERSION if name == ALEMBIC_TABLE else metadata.tables[name]
    if reflect:
        table = Table(name, MetaData(), autoload_with=conn)
    have = {c.name: file_type_of(c.type) for c in table.columns}
    for col, type_name in columns:
        if col not in have:
            raise reader.error(f"table {name}: unknown column {col!r}", line=1)
        if have[col] != type_name:
            raise reader.error(
                f"table {name} column {col} is {type_name} in the file but {have[col]} in "
                "this labledger's schema",
                line=1,
            )
    missing = sorted(set(have) - {c for c, _ in columns})
    if missing:
        raise reader.error(
            f"table {name} lacks column(s) {', '.join(missing)}: the file was exported with a "
            "different schema",
            line=1,
        )
    return table


def _create_schema(conn: Connection, revision: str) -> bool:
    """Create labledger's tables, empty, at `revision`; True when that is the head revision.

    At an older revision the primary tables are made by the migrations up to it and the
    derived tables by the models; the caller upgrades to head after loading the rows.
    """
    if revision == schema.head_revision():
        schema.prepare_for_write(conn)
        return True
    command.upgrade(schema.alembic_config(conn), revision)
    metadata.create_all(conn, tables=schema.derived_tables())
    return False


def _drop_labledger_tables(conn: Connection, present: list[str]) -> None:
    """Drop the views and every labledger table (for `replace`), in the open transaction."""
    views = set(inspect(conn).get_view_names())
    for name, _ in reversed(view_statements()):
        if name in views:
            conn.execute(text(f"DROP VIEW {name}"))
    metadata.drop_all(conn, tables=[metadata.tables[n] for n in present if n in metadata.tables])
    if ALEMBIC_TABLE in present:
        conn.execute(text(f"DROP TABLE {ALEMBIC_TABLE}"))


def _reset_sequences(conn: Connection) -> None:
    """Point every serial/identity sequence past the largest id loaded (PostgreSQL)."""
    owned = conn.execute(
        text(
            "SELECT t.relname, a.attname, s.oid::regclass::text "
            "FROM pg_depend d "
            "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
            "WHERE t.relnamespace = current_schema()::regnamespace"
        )
    ).all()
    known = set(owned_order())
    for table_name, col, seq in owned:
        if table_name in known:
            conn.execute(
                text(
                    f'SELECT setval(:seq, COALESCE((SELECT MAX("{col}") FROM "{table_name}"), 0)'
                    " + 1, false)"
                ),
                {"seq": seq},
            )
