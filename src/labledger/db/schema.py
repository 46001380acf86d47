"""The database schema's revision: create, check and upgrade it (Alembic, both backends).

The primary tables (`managed_tables`) hold what cannot be regenerated from the files (records'
history, ingests, analysis runs); Alembic migrates them in place, scripts in
`labledger/db/migrations/versions/`. The derived tables (per record kind, analysis figures) and
the views are rebuilt by the ingest from the files whenever the models change.

- `prepare_for_write(conn)`: call first inside every write transaction. Empty database: the
  head schema. Database at head: go on. Older: DatabaseError telling to run
  `labledger db upgrade`. Newer (unknown revision): DatabaseError telling to upgrade labledger.
  Nothing is written when it raises.
- `require_database(url)`: the same check for readers (sql, status, report), which first
  says when there is no labledger database at all.
- `upgrade(url)`, `current_revision(url)` (or `revision_of(conn)`), `head_revision()`,
  `history()`; `managed_tables()` and `derived_tables()` say which table is which;
  `alembic_config(conn)` runs Alembic's own commands on a connection.

Writers never upgrade on their own: on a shared server a newer labledger on one laptop would
otherwise change the schema under everyone else's older copy, which would then refuse to write.
An upgrade is a deliberate step, `labledger db upgrade`, taken once everyone can update.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, MetaData, Table, delete, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from labledger.db.engine import (
    database_exists,
    display_url,
    make_engine,
    sqlite_path,
    view_statements,
)
from labledger.db.tables import Meta, metadata
from labledger.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

# Alembic and the record models are imported where they are needed: every command that reads
# the database checks its revision, and those imports would cost each of them a second.

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: The newest revision in migrations/versions/ (a test checks it against the scripts): knowing
#: it without reading the scripts keeps the check on every command cheap.
HEAD_REVISION = "0005"
#: The revision of a database made before labledger used Alembic (labledger 0.1.0).
PRE_ALEMBIC_REVISION = "0001"
#: Alembic's bookkeeping table (one row: the revision).
VERSION_TABLE = "alembic_version"
_FINGERPRINT_KEY = "models_sha256"


def full_metadata() -> MetaData:
    """labledger's MetaData with every table on it: primary, kind and result tables.

    The kind and result tables join the shared metadata when their modules are imported;
    whoever needs all tables (create, export, import, migrations) takes them from here."""
    from labledger.db.record_tables import kind_tables
    from labledger.db.results import result_tables

    kind_tables()  # registers the kind tables
    result_tables()  # registers the result tables (importing each kind's module)
    return metadata


def derived_tables() -> list[Table]:
    """Tables the ingest rebuilds from the files (kind tables and their children, results)."""
    from labledger.db.record_tables import kind_tables
    from labledger.db.results import result_tables

    tables = kind_tables().values()
    kinds = [t for kt in tables for t in (kt.table, *(c.table for c in kt.children))]
    return kinds + result_tables()


def managed_tables() -> list[Table]:
    """Primary tables, migrated by Alembic: every table of the models that is not derived."""
    derived = {t.name for t in derived_tables()}
    return [t for t in full_metadata().sorted_tables if t.name not in derived]


def managed_metadata() -> MetaData:
    """A MetaData holding copies of the managed tables only (Alembic's target)."""
    out = MetaData()
    for table in managed_tables():
        table.to_metadata(out)
    return out


def include_in_migrations(name: str | None, type_: str, _parent: object) -> bool:
    """Alembic filter: only the managed tables (and their parts) are compared and migrated."""
    if type_ == "table":
        return name in {t.name for t in managed_tables()}
    return True


def alembic_config(conn: Connection | None = None) -> AlembicConfig:
    """Alembic's configuration for our migrations, with `conn` for env.py (no alembic.ini)."""
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    """The migration scripts, read once per process."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The revision this labledger's models are at."""
    return HEAD_REVISION


def scripts_head() -> str | None:
    """The newest revision according to the migration scripts themselves."""
    return _scripts().get_current_head()


@dataclass(frozen=True)
class Revision:
    """One schema revision: its id, the one before it, and what it changes."""

    revision: str
    down_revision: str | None
    doc: str


def history() -> list[Revision]:
    """Every known revision, oldest first."""
    out = [
        Revision(s.revision, s.down_revision, (s.doc or "").strip())  # type: ignore[arg-type]
        for s in _scripts().walk_revisions()
    ]
    return out[::-1]


def revision_of(conn: Connection) -> str | None:
    """The revision of the database `conn` is open on ("0001" for one made before Alembic);
    None when it holds no labledger tables at all."""
    inspector = inspect(conn)
    if inspector.has_table(VERSION_TABLE):
        # a plain SELECT: reflecting the table first costs PostgreSQL several catalog queries
        # on every command that reads the database
        rev = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        if rev is not None:
            return str(rev)
    return PRE_ALEMBIC_REVISION if inspector.has_table("record") else None


def _is_known(rev: str) -> bool:
    return rev in {r.revision for r in history()}


def _older(rev: str, url: str) -> DatabaseError:
    return DatabaseError(
        f"database {display_url(url)}: schema is revision {rev}, this labledger expects "
        f"{head_revision()}: run `labledger db upgrade` (it keeps every record and revision)"
    )


def _newer(rev: str, url: str) -> DatabaseError:
    return DatabaseError(
        f"database {display_url(url)}: schema is revision {rev}, made by a newer labledger "
        f"(this one knows revisions up to {head_revision()}): upgrade labledger; "
        "nothing was written"
    )


def _url_of(conn: Connection) -> str:
    return conn.engine.url.render_as_string(hide_password=True)


def prepare_for_write(conn: Connection) -> None:
    """Make sure the database's schema is the one this labledger writes; call it first inside
    the write transaction (ingest, import).

    An empty database gets the head schema (every table, stamped with the head revision). A
    database at head goes on; when a derived table or view is missing (e.g. after an import
    of the primary tables), the models fingerprint is cleared so the ingest rebuilds them.
    An older or unknown newer revision raises DatabaseError; the caller rolls back.
    """
    rev = revision_of(conn)
    if rev is None:
        from alembic import command

        full_metadata().create_all(conn)
        command.stamp(alembic_config(conn), "head")
        return
    head = head_revision()
    if rev == head:
        _rebuild_if_incomplete(conn)
        return
    raise _older(rev, _url_of(conn)) if _is_known(rev) else _newer(rev, _url_of(conn))


def _rebuild_if_incomplete(conn: Connection) -> None:
    inspector = inspect(conn)
    tables = set(inspector.get_table_names())
    views = set(inspector.get_view_names())
    missing_table = any(t.name not in tables for t in derived_tables())
    missing_view = any(name not in views for name, _ in view_statements())
    if missing_table or missing_view:
        conn.execute(delete(Meta.__table__).where(Meta.__table__.c.key == _FINGERPRINT_KEY))


def current_revision(url: str) -> str | None:
    """The revision of the database at `url` ("0001" for one made before Alembic); None when
    there is no labledger database there."""
    return _read_revision(url)[1]


def _read_revision(url: str) -> tuple[bool, str | None]:
    """(whether `url` holds labledger's tables, its revision), through one connection."""
    path = sqlite_path(url)
    if path is not None and (not path.is_file() or path.stat().st_size == 0):
        return False, None  # connecting would create the file
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rev = revision_of(conn)
            has_records = rev is not None and (
                rev == PRE_ALEMBIC_REVISION or inspect(conn).has_table("record")
            )
            return has_records, rev
    except SQLAlchemyError as err:
        raise DatabaseError(f"cannot open database {display_url(url)}: {_detail(err)}") from None
    finally:
        engine.dispose()


def _check_revision(rev: str | None, url: str) -> None:
    if rev is None or rev == head_revision():
        return
    raise _older(rev, url) if _is_known(rev) else _newer(rev, url)


def require_database(url: str) -> None:
    """Raise a clear DatabaseError when `url` holds no labledger database yet, or one whose
    schema revision is not this labledger's. One connection, no reflection:
    every reading command calls it."""
    exists, rev = _read_revision(url)
    if not exists:
        raise DatabaseError(
            f"no labledger database at {display_url(url)}; run `labledger ingest` first"
        )
    _check_revision(rev, url)


@dataclass(frozen=True)
class UpgradeResult:
    """What `upgrade` did: the revision before and after (equal when already at head)."""

    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def upgrade(url: str) -> UpgradeResult:
    """Migrate the database at `url` to the head revision in one transaction, keeping its data.

    A database made before Alembic is first marked as revision 0001. Raises DatabaseError when
    there is no labledger database at `url` or its revision is unknown (newer).
    """
    if not database_exists(url):
        raise DatabaseError(
            f"no labledger database at {display_url(url)}; `labledger ingest` creates one "
            "(with the newest schema)"
        )
    from alembic import command
    from alembic.migration import MigrationContext

    head = head_revision()
    engine = make_engine(url, write=True)
    try:
        with engine.connect() as conn, conn.begin():
            before = revision_of(conn)
            assert before is not None
            if not _is_known(before):
                raise _newer(before, url)
            if before != head:
                config = alembic_config(conn)
                if MigrationContext.configure(conn).get_current_revision() is None:
                    command.stamp(config, PRE_ALEMBIC_REVISION)
                _drop_views(conn)
                command.upgrade(config, "head")
                _restore_views(conn)
    except SQLAlchemyError as err:
        raise DatabaseError(
            f"upgrade of {display_url(url)} failed, nothing was changed: {_detail(err)}"
        ) from None
    finally:
        engine.dispose()
    return UpgradeResult(before, head)


def _drop_views(conn: Connection) -> None:
    """Drop our views: they name the primary tables, and neither SQLite (batch mode renames a
    copied table) nor PostgreSQL (ALTER COLUMN TYPE) migrates a table a view depends on."""
    for name, _ in reversed(view_statements()):
        conn.execute(text(f"DROP VIEW IF EXISTS {name}"))


def _restore_views(conn: Connection) -> None:
    """Recreate the views, each on its own: one that the derived tables no longer fit (a result
    column renamed in this release) is left to the next ingest, which rebuilds the derived
    tables and every view (clearing the models fingerprint makes it do so); the others answer
    right after the upgrade."""
    incomplete = False
    for _name, body in view_statements():
        try:
            with conn.begin_nested():
                conn.execute(text(body))
        except SQLAlchemyError:
            incomplete = True
    if incomplete:
        conn.execute(delete(Meta.__table__).where(Meta.__table__.c.key == _FINGERPRINT_KEY))


def _detail(err: SQLAlchemyError) -> object:
    return getattr(err, "orig", None) or err
