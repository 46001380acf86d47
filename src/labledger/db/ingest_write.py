"""The ingest's writes: revisions, record rows, references, raw files and kind tables of what
changed, the ingest row, and the results (step 5 of `labledger.db.ingest`)."""

from __future__ import annotations

import datetime as dt
import getpass
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    delete,
    insert,
    inspect,
    select,
    text,
    update,
)

from labledger.config import Config
from labledger.db.engine import create_views
from labledger.db.ingest_plan import IngestPlan, StoredRecord
from labledger.db.record_tables import kind_tables
from labledger.db.results import load_results, result_tables
from labledger.db.tables import (
    Ingest,
    Meta,
    RawFile,
    Record,
    RecordReference,
    RecordRevision,
    metadata,
)
from labledger.errors import Problem
from labledger.gitinfo import git_blob_id, git_state
from labledger.hashing import sha256_file
from labledger.records.paths import relative_path
from labledger.records.store import Loaded
from labledger.version import labledger_version

#: Rows per DELETE ... IN (...) statement (SQLite limits bound parameters).
CHUNK = 500


@dataclass
class IngestSummary:
    """What one ingest did, by record id."""

    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    raw_changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    results_loaded: list[str] = field(default_factory=list)
    results_unloaded: list[str] = field(default_factory=list)
    rebuilt_tables: bool = False
    ingest_id: int | None = None
    notes: list[Problem] = field(default_factory=list)

    @property
    def wrote(self) -> bool:
        return self.ingest_id is not None

    def notes_hint(self) -> str | None:
        """A line pointing at `labledger check` when the ingest had notes (pending raw files)."""
        if not self.notes:
            return None
        return f"{len(self.notes)} note(s), e.g. raw files pending: see `labledger check`"

    def describe(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.modified)} modified",
            f"{len(self.removed)} removed",
        ]
        if self.restored:
            parts.append(f"{len(self.restored)} restored")
        if self.moved:
            parts.append(f"{len(self.moved)} moved")
        if self.raw_changed:
            parts.append(f"{len(self.raw_changed)} with changed raw files")
        parts.append(f"{self.unchanged} unchanged")
        if self.results_loaded or self.results_unloaded:
            parts.append(f"{len(self.results_loaded)} result(s) loaded")
        if self.results_unloaded:
            parts.append(f"{len(self.results_unloaded)} unloaded")
        head = ", ".join(parts)
        return head + ("" if self.wrote else "; nothing to write")


def write_ingest(
    conn: Connection,
    plan: IngestPlan,
    stored: dict[str, StoredRecord],
    config: Config,
    rebuild: bool,
    fingerprint: str,
) -> IngestSummary:
    """Write what `plan` says changed, load the results, and (`rebuild`) rebuild the derived
    tables and views; the summary has an ingest id only when something was written."""
    records_dir = config.records_dir
    summary = IngestSummary(unchanged=len(plan.unchanged), notes=plan.notes)
    rel = {i: _relpath(item.file.path, records_dir) for i, item in plan.loaded.items()}
    changed: list[Loaded] = []
    for rid, item in plan.loaded.items():
        old = stored.get(rid)
        if old is None:
            summary.added.append(rid)
        elif old.status == "removed":
            summary.restored.append(rid)
        elif old.sha256 != item.file.sha256:
            summary.modified.append(rid)
        elif old.path != rel[rid]:
            summary.moved.append(rid)
            continue
        else:  # same content re-parsed because the tables are rebuilt
            summary.unchanged += 1
            continue
        changed.append(item)
    for rid, f in plan.unchanged.items():
        if stored[rid].path != _relpath(f.path, records_dir):
            summary.moved.append(rid)
    raw_rows, summary.raw_changed = _raw_rows(conn, plan, records_dir, changed)
    summary.removed = plan.removed
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    git: list[tuple[str | None, bool | None]] = []

    def ingest_id() -> int:
        """The id of this ingest's row, created on first use (no row when nothing changes)."""
        if summary.ingest_id is None:
            git.append(git_state(records_dir))
            result = conn.execute(
                insert(Ingest.__table__).values(
                    started_at=now,
                    finished_at=now,
                    git_commit=git[0][0],
                    git_dirty=git[0][1],
                    user=_user(),
                    host=socket.gethostname(),
                    labledger_version=labledger_version(),
                    records_dir=str(records_dir),
                    added=len(summary.added),
                    modified=len(summary.modified),
                    removed=len(summary.removed),
                    unchanged=summary.unchanged,
                )
            )
            key = result.inserted_primary_key
            assert key is not None  # an INSERT of one row
            summary.ingest_id = key[0]
        return summary.ingest_id

    if changed or summary.removed or summary.moved or summary.raw_changed or rebuild:
        run_id = ingest_id()
        _write_records(conn, plan, stored, records_dir, summary, changed, raw_rows, run_id, git[0])
        _write_kind_rows(conn, plan, changed, summary.removed, rebuild)
    active = set(plan.loaded) | set(plan.unchanged)
    results = load_results(
        conn, config.results_dir, config.root, active, ingest_id, reload_all=rebuild
    )
    summary.results_loaded, summary.results_unloaded = results.loaded, results.unloaded
    if rebuild:
        create_views(conn)
        meta = Meta.__table__
        conn.execute(delete(meta).where(meta.c.key == "models_sha256"))
        conn.execute(insert(Meta.__table__).values(key="models_sha256", value=fingerprint))
    return summary


def _write_records(
    conn: Connection,
    plan: IngestPlan,
    stored: dict[str, StoredRecord],
    records_dir: Path,
    summary: IngestSummary,
    changed: list[Loaded],
    raw_rows: list[dict],
    ingest_id: int,
    git: tuple[str | None, bool | None],
) -> None:
    """Revisions, record rows, references and raw files of what changed."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    commit, dirty = git
    rel = {i: _relpath(item.file.path, records_dir) for i, item in plan.loaded.items()}

    revisions: list[dict[str, Any]] = []
    record_rows: list[dict[str, Any]] = []
    for item in changed:
        rid = item.record.id
        old = stored.get(rid)
        number = (old.revision + 1) if old else 1
        change = "added" if old is None else ("restored" if old.status == "removed" else "modified")
        revisions.append(
            dict(
                record_id=rid,
                revision=number,
                kind=item.record.kind,
                change=change,
                path=rel[rid],
                sha256=item.file.sha256,
                content_yaml=item.doc.text,
                content_json=item.record.model_dump_json(),
                ingest_id=ingest_id,
                ingested_at=now,
                git_commit=commit,
                git_dirty=dirty,
                git_blob=git_blob_id(item.file.raw),
            )
        )
        record_rows.append(
            dict(
                id=rid,
                kind=item.record.kind,
                path=rel[rid],
                sha256=item.file.sha256,
                revision=number,
                status="active",
                updated_ingest_id=ingest_id,
            )
        )
    for rid in summary.removed:
        old = stored[rid]
        revisions.append(
            dict(
                record_id=rid,
                revision=old.revision + 1,
                kind=old.kind,
                change="removed",
                path=old.path,
                sha256=None,
                content_yaml=None,
                content_json=None,
                ingest_id=ingest_id,
                ingested_at=now,
                git_commit=commit,
                git_dirty=dirty,
                git_blob=None,
            )
        )
    record_table = Record.__table__
    _delete_ids(conn, record_table, record_table.c.id, [r["id"] for r in record_rows])
    if record_rows:
        conn.execute(insert(record_table), record_rows)
    for rid in summary.removed:
        conn.execute(
            update(record_table)
            .where(record_table.c.id == rid)
            .values(
                status="removed", revision=stored[rid].revision + 1, updated_ingest_id=ingest_id
            )
        )
    for rid in summary.moved:
        path = rel.get(rid) or _relpath(plan.unchanged[rid].path, records_dir)
        conn.execute(update(record_table).where(record_table.c.id == rid).values(path=path))
    if revisions:
        conn.execute(insert(RecordRevision.__table__), revisions)

    gone = [i.record.id for i in changed] + summary.removed
    ref_table = RecordReference.__table__
    _delete_ids(conn, ref_table, ref_table.c.record_id, gone)
    ref_rows = [
        dict(record_id=i.record.id, field=fld, target_id=target)
        for i in changed
        for fld, target, _ in i.entry().refs
    ]
    if ref_rows:
        conn.execute(insert(ref_table), ref_rows)
    raw_table = RawFile.__table__
    _delete_ids(conn, raw_table, raw_table.c.record_id, gone + summary.raw_changed)
    if raw_rows:
        conn.execute(insert(raw_table), raw_rows)


def _write_kind_rows(
    conn: Connection, plan: IngestPlan, changed: list[Loaded], removed: list[str], rebuild: bool
) -> None:
    if rebuild:
        # The kind tables are derived from the files: drop and recreate them with the current
        # models, then fill them from every record (all were parsed for this).
        for name in reversed(_view_names(conn)):
            conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
        for kt in kind_tables().values():
            for t in (*[c.table for c in kt.children], kt.table):
                t.drop(conn, checkfirst=True)
                t.create(conn)
        for t in result_tables():
            t.drop(conn, checkfirst=True)
            t.create(conn)
        items = list(plan.loaded.values())
    else:
        ids = [i.record.id for i in changed] + removed
        for kt in kind_tables().values():
            _delete_ids(conn, kt.table, kt.table.c.id, ids)
            for child in kt.children:
                _delete_ids(conn, child.table, child.table.c[f"{kt.kind}_id"], ids)
        items = changed
    rows: dict[str, list[dict]] = {}
    tables = kind_tables()
    for item in items:
        kt = tables[item.record.kind]
        row, children = kt.rows(item.record)
        rows.setdefault(kt.table.name, []).append(row)
        for name, child_rows in children.items():
            rows.setdefault(name, []).extend(child_rows)
    for name, table_rows in rows.items():
        if table_rows:
            conn.execute(insert(metadata.tables[name]), table_rows)


def _view_names(conn: Connection) -> list[str]:
    return list(inspect(conn).get_view_names())


def _raw_rows(
    conn: Connection, plan: IngestPlan, records_dir: Path, changed: list[Loaded]
) -> tuple[list[dict], list[str]]:
    """Rows of raw_file for changed records, and unchanged records whose raw file changed.

    Raw files are re-hashed only when their size or mtime differs from the stored ones.
    """
    table = RawFile.__table__
    known = {(r.record_id, r.field): r for r in conn.execute(select(table))}
    rows, raw_changed = [], []
    for item in changed:
        for fld, relpath in item.entry().raw:
            rows.append(_raw_row(item.record.id, fld, item.file.path.parent / relpath, records_dir))
    changed_ids = {i.record.id for i in changed}
    for (rid, fld), old in known.items():
        if rid in changed_ids or rid in plan.removed or rid not in plan.unchanged:
            continue
        path = records_dir / old.path
        try:
            st = path.stat()
        except OSError:
            continue
        if st.st_size == old.size_bytes and st.st_mtime_ns == old.mtime_ns:
            continue
        new = _raw_row(rid, fld, path, records_dir)
        if new["sha256"] != old.sha256:
            raw_changed.append(rid)
            rows.append(new)
    return rows, sorted(set(raw_changed))


def _raw_row(rid: str, fld: str, path: Path, records_dir: Path) -> dict:
    st = path.stat()
    return dict(
        record_id=rid,
        field=fld,
        path=_relpath(path, records_dir),
        sha256=sha256_file(path),
        size_bytes=st.st_size,
        mtime_ns=st.st_mtime_ns,
    )


def _delete_ids(
    conn: Connection, table: Table, column: ColumnElement[Any], ids: Iterable[str]
) -> None:
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        conn.execute(delete(table).where(column.in_(ids[start : start + CHUNK])))


def _relpath(path: Path, records_dir: Path) -> str:
    return relative_path(path, records_dir)


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None
