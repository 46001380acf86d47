"""Export a whole labledger database to one portable file, and rebuild a database from it.

The file is gzip-compressed JSON Lines (UTF-8, one JSON object per line):

1. A header::

       {"format": "labledger-export", "format_version": 1, "labledger_version": "0.1.0",
        "schema_revision": "0002", "exported_at": "2026-11-26T14:00:00+00:00",
        "tables": {"ingest": [["id", "integer"], ["started_at", "datetime"], ...], ...},
        "rows": {"ingest": 3, ...}}

   `tables` lists every table labledger owns that the database holds, in dependency order
   (a table comes after the tables it references), with its columns in order and their types:
   integer, float, boolean, text, datetime, date or bytes. `rows` counts each table's rows, so a
   file cut short is recognised. `schema_revision` is the Alembic revision of the database
   (`labledger.db.schema`; "0001" for a database made before labledger used Alembic).
2. One line per row, `{"t": "ingest", "r": [1, "2026-11-26T14:00:00", ...]}`: the values in the
   header's column order. Tables follow the header's order, rows their primary key (text keys in
   byte order on every backend), so two exports of equal databases are byte-identical apart from
   `exported_at`, whichever backend they come from.

Values: null, true/false, integers of any size, floats as the shortest decimal that reads back
as the same double (NaN, Infinity and -Infinity as those strings), text as is, datetimes and
dates in ISO 8601 (`2026-11-26T14:00:00.123456`, naive as stored), bytes in base64.

Views are not exported: import recreates them from the views this labledger ships. SQLite itself
stores -0.0 as 0.0 and cannot store NaN (it becomes NULL): an import into SQLite refuses a NaN
rather than lose it; PostgreSQL keeps both.

Export reads in one read transaction (a consistent snapshot: SQLite BEGIN, PostgreSQL REPEATABLE
READ) and writes `FILE.tmp`, renamed to FILE at the end. Import loads into an empty database
(or, with `replace=True`, empties it first) in one write transaction: any problem rolls
everything back and names the file and line. It creates the schema with
`labledger.db.schema.prepare_for_write`, loads the rows in chunks, resets PostgreSQL's id
sequences past the loaded ids and recreates the views. An export of an older schema revision
is loaded into a scratch SQLite database at that revision, migrated there, then imported.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gzip
import io
import json
import math
import os
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from alembic import command
from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    String,
    Table,
    column,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy import table as table_clause
from sqlalchemy import types as sqltypes
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from labledger import __version__
from labledger.db import schema
from labledger.db.engine import (
    create_views,
    database_exists,
    display_url,
    make_engine,
    sqlite_path,
    view_statements,
)
from labledger.errors import DatabaseError, InputFileError, LabledgerError

#: Every table labledger defines (primary, kind and result tables).
metadata = schema.full_metadata()

FORMAT = "labledger-export"
FORMAT_VERSION = 1
#: Table Alembic keeps the schema revision in; labledger owns it besides its metadata tables.
ALEMBIC_TABLE = schema.VERSION_TABLE
#: Rows per executemany on import (bounds memory; each row is its own parameter set).
CHUNK_ROWS = 2000
#: Rows fetched at a time on export.
FETCH_ROWS = 2000
#: gzip level: 6 is zlib's default trade-off of size against time.
GZIP_LEVEL = 6

#: Alembic's version table as Alembic creates it (reflecting it costs ~0.4 s on PostgreSQL).
_ALEMBIC_VERSION = Table(
    ALEMBIC_TABLE,
    MetaData(),
    Column("version_num", String(32), primary_key=True, nullable=False),
)

_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


@dataclass(frozen=True)
class ExportSummary:
    """What one export wrote: rows per table, the schema revision, file size and time."""

    path: Path
    tables: dict[str, int]
    schema_revision: str | None
    size_bytes: int
    seconds: float
    skipped: list[str] = field(default_factory=list)  # tables in the database labledger lacks

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


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


# --- column types -------------------------------------------------------------------------


def _type_name(sql_type: Any) -> str | None:
    """The file's name for a column type, or None when the export cannot carry it exactly."""
    if isinstance(sql_type, sqltypes.TypeDecorator):  # e.g. SQLModel's AutoString
        sql_type = sql_type.impl_instance
    for cls, name in (
        (sqltypes.Boolean, "boolean"),
        (sqltypes.DateTime, "datetime"),
        (sqltypes.Date, "date"),
        (sqltypes.Integer, "integer"),
        (sqltypes.Float, "float"),
        (sqltypes.LargeBinary, "bytes"),
        (sqltypes.String, "text"),
    ):
        if isinstance(sql_type, cls):
            return name
    return None


def _encode_float(v: Any) -> Any:
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise ValueError(f"{v!r} is not a float")
    v = float(v)
    if math.isfinite(v):
        return v
    return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")


def _iso(v: Any) -> Any:
    return v if isinstance(v, str) else v.isoformat()


def _exact(kind: type) -> Callable[[Any], Any]:
    """An encoder passing values of `kind` through and refusing others (SQLite's dynamic typing
    can put any value in any column; converting it would change the data)."""

    def encode(v: Any) -> Any:
        if isinstance(v, kind) and (kind is bool or not isinstance(v, bool)):
            return v
        raise ValueError(f"{v!r} is not {kind.__name__}")

    return encode


_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "integer": _exact(int),
    "float": _encode_float,
    "boolean": _exact(bool),
    "text": _exact(str),
    "datetime": _iso,
    "date": _iso,
    "bytes": lambda v: base64.b64encode(bytes(v)).decode("ascii"),
}


def _decode_integer(v: Any) -> int:
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    raise ValueError


def _decode_float(v: Any) -> float:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str) and v in _NON_FINITE:
        return _NON_FINITE[v]
    raise ValueError


def _decode_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    raise ValueError


def _decode_text(v: Any) -> str:
    if isinstance(v, str):
        return v
    raise ValueError


def _decode_datetime(v: Any) -> dt.datetime:
    if isinstance(v, str):
        return dt.datetime.fromisoformat(v)
    raise ValueError


def _decode_date(v: Any) -> dt.date:
    if isinstance(v, str):
        return dt.date.fromisoformat(v)
    raise ValueError


def _decode_bytes(v: Any) -> bytes:
    if isinstance(v, str):
        return base64.b64decode(v, validate=True)
    raise ValueError


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "integer": _decode_integer,
    "float": _decode_float,
    "boolean": _decode_bool,
    "text": _decode_text,
    "datetime": _decode_datetime,
    "date": _decode_date,
    "bytes": _decode_bytes,
}


# --- which tables ---------------------------------------------------------------------------


def _owned_order() -> list[str]:
    """labledger's table names in dependency order, alembic_version last."""
    return [t.name for t in metadata.sorted_tables] + [ALEMBIC_TABLE]


def _existing_tables(conn: Connection) -> list[str]:
    return [n for n in inspect(conn).get_table_names() if not n.startswith("sqlite_")]


@dataclass(frozen=True)
class _TableDump:
    name: str
    columns: list[tuple[str, str]]  # (name, type name)
    sql_types: list[Any]
    order_by: list[str]


def _describe(conn: Connection, names: list[str]) -> list[_TableDump]:
    """The tables as the database holds them, typed by labledger's metadata where it knows."""
    insp = inspect(conn)
    # One catalog query for all tables (PostgreSQL: ~15 ms per table otherwise).
    all_columns = {k[1]: v for k, v in insp.get_multi_columns(filter_names=names).items()}
    all_pks = {k[1]: v for k, v in insp.get_multi_pk_constraint(filter_names=names).items()}
    return [_describe_one(n, all_columns[n], all_pks[n]) for n in names]


def _describe_one(name: str, infos: list[Any], pk_info: Any) -> _TableDump:
    model = metadata.tables.get(name)
    columns, sql_types = [], []
    for info in infos:
        known = model.columns.get(info["name"]) if model is not None else None
        sql_type = known.type if known is not None else info["type"]
        type_name = _type_name(sql_type)
        if type_name is None:
            raise DatabaseError(
                f"table {name} column {info['name']} has type {info['type']}, "
                "which the export format cannot carry"
            )
        columns.append((info["name"], type_name))
        sql_types.append(sql_type)
    pk = pk_info.get("constrained_columns") or [c for c, _ in columns]
    return _TableDump(name, columns, sql_types, list(pk))


# --- export ---------------------------------------------------------------------------------


def export_database(url: str, path: str | Path) -> ExportSummary:
    """Write the whole database at `url` to `path` (format: see the module docstring).

    Reads one consistent snapshot; writes `path.tmp` and renames it, so a failed export leaves
    no partial file. A database at an older schema revision is exported as it is (a backup
    before `labledger db upgrade`); import upgrades it. Raises DatabaseError when there is no
    labledger database, its revision is unknown (newer) or it cannot be read.
    """
    started = time.perf_counter()
    path = Path(path)
    if not database_exists(url):
        raise DatabaseError(f"no labledger database at {display_url(url)}; nothing to export")
    tmp = path.with_name(path.name + ".tmp")
    engine = make_engine(url)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # `export backups/lab.jsonl.gz`
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            with conn.begin():
                summary_parts = _export(conn, url, tmp)
        os.replace(tmp, path)
    except SQLAlchemyError as err:
        _unlink(tmp)
        detail = getattr(err, "orig", None) or err
        raise DatabaseError(f"database {display_url(url)}: {detail}; no export written") from None
    except OSError as err:
        _unlink(tmp)
        raise LabledgerError(f"{path}: cannot write the export: {err.strerror or err}") from None
    except BaseException:
        _unlink(tmp)
        raise
    finally:
        engine.dispose()
    tables, revision, skipped = summary_parts
    return ExportSummary(
        path, tables, revision, path.stat().st_size, time.perf_counter() - started, skipped
    )


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # never written
        path.unlink()


def _export(conn: Connection, url: str, tmp: Path) -> tuple[dict[str, int], str | None, list[str]]:
    existing = set(_existing_tables(conn))
    revision = _schema_revision(conn, existing)
    if revision not in _known_revisions():
        raise DatabaseError(
            f"database {display_url(url)} has schema revision {revision}, made by a "
            "newer labledger: export it with that labledger"
        )
    order = _owned_order()
    names = [n for n in order if n in existing]
    skipped = sorted(existing - set(order))
    dumps = _describe(conn, names)
    counts = {
        d.name: conn.execute(select(func.count()).select_from(table_clause(d.name))).scalar_one()
        for d in dumps
    }
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "labledger_version": __version__,
        "schema_revision": revision,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tables": {d.name: [list(c) for c in d.columns] for d in dumps},
        "rows": counts,
    }
    with open(tmp, "wb") as raw, _gzip_writer(raw) as out:
        out.write(_line(header))
        for d in dumps:
            for values in _rows(conn, d, stream=counts[d.name] > FETCH_ROWS):
                out.write(_line({"t": d.name, "r": values}))
    return counts, revision, skipped


def _gzip_writer(raw: IO[bytes]) -> IO[str]:
    # No file name or time in the gzip header, so equal exports compress to equal bytes.
    gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL)
    return io.TextIOWrapper(gz, encoding="utf-8", newline="\n")


def _line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"


def _rows(conn: Connection, d: _TableDump, *, stream: bool) -> Iterator[list[Any]]:
    """The table's rows, encoded; `stream`: fetch in batches (a server-side cursor)."""
    cols = [column(n, t) for (n, _), t in zip(d.columns, d.sql_types, strict=True)]
    by_name = {c.name: c for c in cols}
    order = []
    for name in d.order_by:
        col = by_name[name]
        text_key = _type_name(col.type) == "text"
        # Byte order on PostgreSQL too (SQLite compares text bytewise), so exports match.
        order.append(col.collate("C") if text_key and conn.dialect.name == "postgresql" else col)
    query = select(*cols).select_from(table_clause(d.name)).order_by(*order)
    encoders = [_ENCODERS[t] for _, t in d.columns]
    if stream:
        conn = conn.execution_options(stream_results=True, yield_per=FETCH_ROWS)
    for row in conn.execute(query):
        out = []
        for (name, type_name), enc, v in zip(d.columns, encoders, row, strict=True):
            try:
                out.append(None if v is None else enc(v))
            except (TypeError, ValueError, AttributeError) as err:
                raise DatabaseError(
                    f"table {d.name} column {name} ({type_name}) holds a value of another "
                    f"type: {err}; fix the row, then export again"
                ) from None
        yield out


def _schema_revision(conn: Connection, existing: set[str]) -> str | None:
    """The database's revision (one made before Alembic is the first revision)."""
    if ALEMBIC_TABLE not in existing:
        return schema.PRE_ALEMBIC_REVISION
    found = conn.execute(text(f"SELECT version_num FROM {ALEMBIC_TABLE}")).scalars().all()
    return found[0] if len(found) == 1 else None


# --- import ---------------------------------------------------------------------------------


class _Reader:
    """Lines of an export file with their numbers; damage becomes InputFileError."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line = 0
        try:
            # closed by close(): the reader outlives the call that opens it
            self._file = gzip.open(path, "rt", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as err:
            raise InputFileError(path, f"cannot open: {err.strerror or err}") from None

    def close(self) -> None:
        self._file.close()

    def error(self, message: str, line: int | None = None) -> InputFileError:
        return InputFileError(self.path, message, self.line if line is None else line)

    def __iter__(self) -> Iterator[Any]:
        while True:
            try:
                text_line = self._file.readline()
            except gzip.BadGzipFile:
                raise InputFileError(
                    self.path, "not a gzip file; is it a labledger export?"
                ) from None
            except (EOFError, zlib.error, OSError) as err:
                raise self.error(f"file is damaged or cut short ({err})", self.line + 1) from None
            except UnicodeDecodeError:
                raise self.error("not UTF-8 text", self.line + 1) from None
            if not text_line:
                return
            self.line += 1
            if not text_line.endswith("\n"):
                raise self.error("last line is incomplete: the file was cut short")
            try:
                yield json.loads(text_line)
            except json.JSONDecodeError as err:
                raise self.error(f"not valid JSON: {err.msg} at character {err.pos + 1}") from None


@dataclass
class _Plan:
    """What the header announces, checked against this labledger's schema."""

    tables: dict[str, list[tuple[str, str]]]
    rows: dict[str, int]
    revision: str | None


def _check_header(reader: _Reader, header: Any) -> _Plan:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise reader.error("not a labledger export (the first line has no labledger header)")
    version = header.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise reader.error(
            f"export format version {version!r} is newer than this labledger reads "
            f"({FORMAT_VERSION}); upgrade labledger (the file was written by labledger "
            f"{header.get('labledger_version')})"
        )
    revision = header.get("schema_revision")
    known = _known_revisions()
    if revision not in known:
        raise reader.error(
            f"export has schema revision {revision!r}, which this labledger "
            f"({__version__}) does not know; upgrade labledger to import it"
        )
    tables, rows = header.get("tables"), header.get("rows")
    if not isinstance(tables, dict) or not isinstance(rows, dict):
        raise reader.error("header lacks its tables or rows")
    owned = set(_owned_order())
    plan = _Plan({}, {}, revision)
    for name, columns in tables.items():
        if name not in owned:
            raise reader.error(f"unknown table {name!r}: not one of labledger's tables")
        count = rows.get(name)
        if not isinstance(count, int) or not isinstance(columns, list):
            raise reader.error(f"header entry of table {name} is malformed")
        pairs = []
        for item in columns:
            if (
                not isinstance(item, list)
                or len(item) != 2
                or not all(isinstance(x, str) for x in item)
                or item[1] not in _DECODERS
            ):
                raise reader.error(f"table {name}: malformed column entry {item!r}")
            pairs.append((item[0], item[1]))
        plan.tables[name], plan.rows[name] = pairs, count
    return plan


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
    reader = _Reader(path)
    try:
        revision = _check_header(reader, next(iter(reader), None)).revision
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
    reader = _Reader(path)
    ok = False
    try:
        engine = make_engine(url, write=True)
    except BaseException:
        reader.close()
        raise
    try:
        header = next(iter(reader), None)
        plan = _check_header(reader, header)
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
                _unlink(Path(str(sqlite_file) + suffix))
    return ImportSummary(path, counts, plan.revision, replace, time.perf_counter() - started)


def _load(
    conn: Connection, reader: _Reader, plan: _Plan, url: str, replace: bool
) -> dict[str, int]:
    present = [n for n in _existing_tables(conn) if n in set(_owned_order())]
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
                    v = _DECODERS[type_name](v)
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
    conn: Connection, reader: _Reader, table: Table, rows: list[dict[str, Any]], first: int
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
    conn: Connection, reader: _Reader, name: str, columns: list[tuple[str, str]], *, reflect: bool
) -> Table:
    """The created table `name`, after checking the file's columns match it exactly.

    `reflect`: read the table from the database (an older revision's primary tables differ
    from the models) instead of taking the models' definition.
    """
    table = _ALEMBIC_VERSION if name == ALEMBIC_TABLE else metadata.tables[name]
    if reflect:
        table = Table(name, MetaData(), autoload_with=conn)
    have = {c.name: _type_name(c.type) for c in table.columns}
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
    known = set(_owned_order())
    for table_name, col, seq in owned:
        if table_name in known:
            conn.execute(
                text(
                    f'SELECT setval(:seq, COALESCE((SELECT MAX("{col}") FROM "{table_name}"), 0)'
                    " + 1, false)"
                ),
                {"seq": seq},
            )


def _known_revisions() -> set[str | None]:
    """Schema revisions this labledger can export and import."""
    return {r.revision for r in schema.history()}
