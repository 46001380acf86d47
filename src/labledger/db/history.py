"""Revisions of a record and what changed between them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from labledger.db.engine import make_engine
from labledger.db.schema import require_database
from labledger.db.tables import RecordRevision
from labledger.errors import LabledgerError
from labledger.gitinfo import blobs_at, resolve_commit
from labledger.records.yamlfile import flatten


@dataclass
class Revision:
    number: int
    change: str
    ingested_at: str
    git_commit: str | None
    git_dirty: bool | None
    content: dict[str, Any] | None
    differences: list[str]


def diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[str]:
    """Field-by-field differences: `field: old -> new`."""
    a, b = flatten(old or {}), flatten(new or {})
    out = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            out.append(f"{key}: {_show(a.get(key))} -> {_show(b.get(key))}")
    return out


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, float):
        return f"{value:.10g}"
    return json.dumps(value, ensure_ascii=False)


def _revision_rows(url: str, record_id: str) -> list[Any]:
    """The record_revision rows of a record, oldest first; LabledgerError when there is none."""
    require_database(url)
    engine = make_engine(url)
    table = RecordRevision.__table__
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(table).where(table.c.record_id == record_id).order_by(table.c.revision)
            ).all()
    finally:
        engine.dispose()
    if not rows:
        raise LabledgerError(f"no revisions of {record_id!r} in the database")
    return list(rows)


def record_history(url: str, record_id: str) -> list[Revision]:
    """Every revision of a record, oldest first, with the differences to the one before."""
    rows = _revision_rows(url, record_id)
    out, previous = [], None
    for r in rows:
        content = json.loads(r.content_json) if r.content_json else None
        out.append(
            Revision(
                r.revision,
                r.change,
                r.ingested_at.isoformat(timespec="seconds"),
                r.git_commit,
                r.git_dirty,
                content,
                diff(previous, content) if r.change == "modified" else [],
            )
        )
        if content is not None:
            previous = content
    return out


@dataclass
class RevisionAtCommit:
    """The revision of a record whose content a commit holds."""

    commit: str
    number: int
    change: str
    ingested_at: str
    content_yaml: str


def revision_at(url: str, records_dir: Path, record_id: str, commit: str) -> RevisionAtCommit:
    """The revision of `record_id` that `commit` holds, found by git's id of the file content
    (so also a revision ingested before the commit was made). LabledgerError, saying why, when
    the commit does not hold the record or holds a version that was never ingested."""
    full = resolve_commit(records_dir, commit)
    blobs = blobs_at(records_dir, full)
    rows = _revision_rows(url, record_id)
    present = set(blobs.values())
    held = [r for r in rows if r.git_blob is not None and r.git_blob in present]
    if held:
        r = held[-1]
        return RevisionAtCommit(
            full, r.revision, r.change, r.ingested_at.isoformat(timespec="seconds"), r.content_yaml
        )
    paths = {r.path for r in rows}
    short = full[:10]
    if paths & set(blobs):
        raise LabledgerError(
            f"commit {short} holds a version of {record_id} that was never ingested "
            "(run `labledger ingest` on that checkout to record it)"
        )
    raise LabledgerError(f"commit {short} has no file of {record_id} (looked for {sorted(paths)})")
