"""Database connections: SQLite by default, any SQLAlchemy URL (PostgreSQL for a shared server).

Writers take the database's write lock at the start of their transaction: SQLite's
`BEGIN IMMEDIATE` (with a busy timeout, so a second writer waits instead of failing at once) and a
transaction-level advisory lock on PostgreSQL. Snakemake's own lock covers only the files it
knows, so the database needs its own guard.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from labledger.db.urls import display_url
from labledger.errors import DatabaseError

#: Seconds a writer waits for another writer before giving up.
BUSY_TIMEOUT_S = 60
#: Seconds to wait for a PostgreSQL server to answer a connection.
PG_CONNECT_TIMEOUT_S = 10
#: Key of the PostgreSQL advisory lock that serialises labledger writers.
PG_WRITE_LOCK_KEY = 0x1AB1ED6E


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite:///:memory:":
        return Path(url[len(prefix) :])
    return None


def make_engine(url: str, *, write: bool = False) -> Engine:
    """An engine for `url`; with `write=True` every transaction takes the write lock first."""
    path = sqlite_path(url)
    if path is not None and write:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
            _sqlite_setup(engine, write)
        else:
            engine = create_engine(url, pool_pre_ping=True, connect_args=_connect_args(url))
            if write and engine.dialect.name == "postgresql":

                @event.listens_for(engine, "begin")
                def _pg_lock(conn: Connection) -> None:
                    # like SQLite's busy timeout: wait for another writer, but not for ever
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{BUSY_TIMEOUT_S}s'")
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK_KEY})")

    except (ArgumentError, NoSuchModuleError, ValueError) as err:
        shown = display_url(url)
        detail = str(err).replace(url, shown)
        raise DatabaseError(f"cannot use database URL {shown}: {detail}") from None
    except ImportError as err:
        raise DatabaseError(f"database driver missing for {display_url(url)}: {err}") from None
    return engine


def _connect_args(url: str) -> dict[str, object]:
    """A connect timeout for PostgreSQL unless the URL or PGCONNECT_TIMEOUT sets one: an
    unreachable server gives a message, not a hang."""
    if not url.startswith("postgresql") or "connect_timeout" in url:
        return {}
    if os.environ.get("PGCONNECT_TIMEOUT"):
        return {}
    return {"connect_timeout": PG_CONNECT_TIMEOUT_S}


def _sqlite_setup(engine: Engine, write: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let us issue BEGIN ourselves
        dbapi_conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        if write:
            dbapi_conn.execute("PRAGMA journal_mode = WAL")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def database_exists(url: str) -> bool:
    """Whether the database already holds labledger's tables (never creates anything)."""
    path = sqlite_path(url)
    if path is not None and (not path.is_file() or path.stat().st_size == 0):
        return False
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return inspect(conn).has_table("record")
    except OperationalError as err:
        raise DatabaseError(f"cannot open database {display_url(url)}: {err.orig}") from None
    finally:
        engine.dispose()


def views_sql() -> str:
    """The CREATE VIEW statements of labledger's views: those over the records
    (src/labledger/db/views.sql), then each analysed kind's (`KindResults.views`)."""
    from labledger.db.kind_results import kind_results

    base = resources.files("labledger.db").joinpath("views.sql").read_text(encoding="utf-8")
    kinds = [r.views.strip() + "\n" for r in kind_results().values() if r.views.strip()]
    return "\n".join([base.rstrip() + "\n", *kinds])


def view_statements() -> list[tuple[str, str]]:
    """(view name, CREATE VIEW statement) pairs, in dependency order."""
    out = []
    code = "\n".join(ln for ln in views_sql().splitlines() if not ln.strip().startswith("--"))
    for chunk in code.split(";"):
        body = chunk.strip()
        if body:
            name = body.split()[2]
            out.append((name, body))
    return out


def view_descriptions() -> dict[str, str]:
    """View name -> the comment block that documents it in views.sql (one paragraph)."""
    out: dict[str, str] = {}
    block: list[str] = []
    for line in views_sql().splitlines():
        words = line.split()
        if line.startswith("-- ") and not block and len(words) > 1 and words[1].endswith(":"):
            block = [line[3:]]
        elif line.startswith("-- ") and block:
            block.append(line[3:])
        elif block:
            name, _, text = " ".join(block).partition(":")
            out[name.strip()] = text.strip()
            block = []
    return out


def create_views(conn: Connection) -> None:
    """(Re)create every view, dropping the old definitions first."""
    statements = view_statements()
    for name, _ in reversed(statements):
        conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
    for _, body in statements:
        conn.execute(text(body))
