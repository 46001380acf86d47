"""Test databases: the suite runs against SQLite (default) or a real PostgreSQL server.

`LABLEDGER_TEST_BACKEND=postgresql` runs every test against its own fresh PostgreSQL database,
created through `LABLEDGER_TEST_POSTGRES_URL` (a role allowed to CREATE DATABASE) and dropped
after the test. Tests that need PostgreSQL whatever the backend call `postgres_url_or_skip()`.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

POSTGRES_ENV = "LABLEDGER_TEST_POSTGRES_URL"
BACKEND_ENV = "LABLEDGER_TEST_BACKEND"
SKIP_REASON = (
    f"no PostgreSQL server: set {POSTGRES_ENV}="
    "postgresql+psycopg://USER:PASSWORD@HOST/DB (a role with CREATEDB); .ci/run sets it"
)
_counter = itertools.count()
DROP_ATTEMPTS = 10


def backend() -> str:
    """The backend the suite runs on: 'sqlite' or 'postgresql'."""
    name = os.environ.get(BACKEND_ENV, "sqlite").strip().lower() or "sqlite"
    if name not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"{BACKEND_ENV} must be sqlite or postgresql, not {name!r}")
    return name


def postgres_admin_url() -> str | None:
    """The server URL tests create their databases through, or None when unset."""
    return os.environ.get(POSTGRES_ENV) or None


def postgres_url_or_skip() -> str:
    """The admin URL, or skip the calling test with the reason."""
    url = postgres_admin_url()
    if url is None:
        pytest.skip(SKIP_REASON)
    return url


def create_postgres_database(prefix: str = "lt") -> str:
    """A new empty PostgreSQL database on the test server; returns its URL."""
    admin = postgres_url_or_skip()
    name = f"{prefix}_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    """Drop a database made by `create_postgres_database` (closing its connections)."""
    admin = postgres_admin_url()
    if admin is None:
        return
    name = make_url(url).database
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        # A plain DROP cancels an autovacuum worker on the fresh database (FORCE would try to
        # end it and fail for a non-superuser); FORCE ends our own leftover connections.
        for attempt in range(DROP_ATTEMPTS):
            force = " WITH (FORCE)" if attempt % 2 else ""
            try:
                with engine.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"{force}'))
                return
            except DBAPIError as err:
                if attempt == DROP_ATTEMPTS - 1:
                    warnings.warn(f"test database {name} left behind: {err.orig}", stacklevel=2)
                time.sleep(0.5)
    finally:
        engine.dispose()


@contextmanager
def postgres_database(prefix: str = "lt") -> Iterator[str]:
    """A fresh PostgreSQL database for the duration of the block."""
    url = create_postgres_database(prefix)
    try:
        yield url
    finally:
        drop_postgres_database(url)


def rows(url: str, sql: str, **params: object) -> list[tuple]:
    """Run one query on any backend and return its rows as tuples."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every table's rows (sorted, as text), to compare a database before and after."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in sorted(inspect(conn).get_table_names()):
                got = conn.execute(text(f'SELECT * FROM "{table}"'))
                out[table] = sorted(tuple(map(repr, r)) for r in got)
            return out
    finally:
        engine.dispose()


def database_state(url: str, sqlite_file: Path | None = None) -> object:
    """What must not change when a command writes nothing: every table's rows and, on SQLite,
    the file's bytes; on PostgreSQL each row's physical version (ctid, xmin), which a rewrite of
    the same values would change."""
    if backend() == "sqlite":
        data = sqlite_file.read_bytes() if sqlite_file is not None and sqlite_file.exists() else b""
        return snapshot(url), hashlib.sha256(data).hexdigest()
    versions = {
        table: rows(url, f'SELECT ctid::text, xmin::text FROM "{table}" ORDER BY 1')
        for table in snapshot(url)
    }
    return snapshot(url), versions
