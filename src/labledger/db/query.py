"""Read-only SQL against the labledger database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from labledger.db.engine import make_engine
from labledger.db.schema import require_database
from labledger.errors import DatabaseError

READ_ONLY_HINT = (
    "queries are read-only: the database is written only by `labledger ingest` from the record "
    "files; change a record instead"
)


QueryResult = tuple[list[str], list[tuple[Any, ...]]]
#: Runs one statement on an open read-only session: (sql, params) -> (column names, rows).
RunStatement = Callable[[str, "dict[str, Any] | None"], QueryResult]


def run_query(url: str, sql: str, params: dict[str, Any] | None = None) -> QueryResult:
    """Run one statement and return (column names, rows).

    The connection is read-only (SQLite `query_only`, a PostgreSQL READ ONLY transaction), so a
    statement that would write is refused with a message, and the transaction is rolled back.
    """
    with read_only_session(url) as run:
        return run(sql, params)


@contextmanager
def read_only_session(url: str) -> Iterator[RunStatement]:
    """One read-only connection for several statements (`run_query`'s rules for each): the
    database's revision is checked once, not per statement."""
    require_database(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:

            def run(sql: str, params: dict[str, Any] | None = None) -> QueryResult:
                return _run_read_only(conn, sql, params)

            yield run
    finally:
        engine.dispose()


def _run_read_only(conn: Connection, sql: str, params: dict[str, Any] | None) -> QueryResult:
    try:
        _read_only(conn)
        result = conn.execute(text(sql), params or {})
        if not result.returns_rows:
            raise DatabaseError(f"{READ_ONLY_HINT} (the statement returned no rows)")
        return list(result.keys()), [tuple(r) for r in result]
    except DBAPIError as err:
        raise DatabaseError(_message(err)) from None
    except SQLAlchemyError as err:
        raise DatabaseError(f"SQL error: {err}") from None
    finally:
        conn.rollback()


def _read_only(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA query_only = ON")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def _message(err: DBAPIError) -> str:
    detail = str(err.orig).strip()
    lowered = detail.lower()
    if "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
        return f"{READ_ONLY_HINT} ({detail})"
    return f"SQL error: {detail}"
