"""Read-only SQL against the labledger database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from labledger.db.engine import make_engine, require_database
from labledger.errors import DatabaseError


def run_query(
    url: str, sql: str, params: dict[str, Any] | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one statement and return (column names, rows). The transaction is rolled back."""
    require_database(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            try:
                result = conn.execute(text(sql), params or {})
                if not result.returns_rows:
                    return [], []
                return list(result.keys()), [tuple(r) for r in result]
            except DBAPIError as err:
                raise DatabaseError(f"SQL error: {err.orig}") from None
            except SQLAlchemyError as err:
                raise DatabaseError(f"SQL error: {err}") from None
            finally:
                conn.rollback()
    finally:
        engine.dispose()
