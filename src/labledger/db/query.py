"""Read-only SQL against the labledger database."""

from __future__ import annotations

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


def run_query(
    url: str, sql: str, params: dict[str, Any] | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one statement and return (column names, rows).

    The connection is read-only (SQLite `query_only`, a PostgreSQL READ ONLY transaction), so a
    statement that would write is refused with a message, and the transaction is rolled back.
    """
    require_database(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
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
    finally:
        engine.dispose()


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
