"""Export: the whole database, one consistent snapshot, to a gzip JSON Lines file (written to
`FILE.tmp`, renamed at the end)."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, column, func, select, text
from sqlalchemy import table as table_clause
from sqlalchemy.exc import SQLAlchemyError

from labledger.db import schema
from labledger.db.backup.format import (
    ALEMBIC_TABLE,
    ENCODERS,
    FORMAT,
    FORMAT_VERSION,
    TableDump,
    describe,
    existing_tables,
    file_type_of,
    known_revisions,
    owned_order,
)
from labledger.db.engine import database_exists, display_url, make_engine
from labledger.errors import DatabaseError, LabledgerError
from labledger.version import labledger_version

#: Rows fetched at a time on export.
FETCH_ROWS = 2000

#: gzip level: 6 is zlib's default trade-off of size against time.
GZIP_LEVEL = 6


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
    existing = set(existing_tables(conn))
    revision = _schema_revision(conn, existing)
    if revision not in known_revisions():
        raise DatabaseError(
            f"database {display_url(url)} has schema revision {revision}, made by a "
            "newer labledger: export it with that labledger"
        )
    order = owned_order()
    names = [n for n in order if n in existing]
    skipped = sorted(existing - set(order))
    dumps = describe(conn, names)
    counts = {
        d.name: conn.execute(select(func.count()).select_from(table_clause(d.name))).scalar_one()
        for d in dumps
    }
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "labledger_version": labledger_version(),
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


def _rows(conn: Connection, d: TableDump, *, stream: bool) -> Iterator[list[Any]]:
    """The table's rows, encoded; `stream`: fetch in batches (a server-side cursor)."""
    cols = [column(n, t) for (n, _), t in zip(d.columns, d.sql_types, strict=True)]
    by_name = {c.name: c for c in cols}
    order = []
    for name in d.order_by:
        col = by_name[name]
        text_key = file_type_of(col.type) == "text"
        # Byte order on PostgreSQL too (SQLite compares text bytewise), so exports match.
        order.append(col.collate("C") if text_key and conn.dialect.name == "postgresql" else col)
    query = select(*cols).select_from(table_clause(d.name)).order_by(*order)
    encoders = [ENCODERS[t] for _, t in d.columns]
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
