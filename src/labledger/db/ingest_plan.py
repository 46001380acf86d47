"""The ingest's plan: what the database holds, which record files changed, and the whole store
cross-checked (steps 2 and 3 of `labledger.db.ingest`); nothing is written here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, select

from labledger.db.tables import RawFile, Record, RecordReference
from labledger.errors import Problem, RecordsInvalid
from labledger.records.fields import RefTo
from labledger.records.introspect import marked_fields, marker_of
from labledger.records.kinds import KINDS
from labledger.records.paths import relative_path
from labledger.records.store import Entry, Loaded, RecordFile, cross_check, load, placeholder
from labledger.records.yamlfile import YamlDocument, YamlProblems, read_yaml


@dataclass
class StoredRecord:
    """A record as the database holds it now."""

    kind: str
    path: str
    sha256: str
    revision: int
    status: str


@dataclass
class IngestPlan:
    """What to write: the records parsed anew, those unchanged, the ids removed, notes."""

    loaded: dict[str, Loaded]
    unchanged: dict[str, RecordFile]
    removed: list[str]
    notes: list[Problem]


Pairs = dict[str, list[tuple[str, str]]]


def _ref_kinds() -> dict[tuple[str, str], tuple[str, ...]]:
    out = {}
    for kind, model in KINDS.items():
        for path, info in marked_fields(model, RefTo):
            out[(kind, ".".join(map(str, path)))] = marker_of(info, RefTo).kinds
    return out


def read_state(conn: Connection) -> tuple[dict[str, StoredRecord], Pairs, Pairs]:
    """Current records, their references and their raw files (field, path) by record id."""
    stored = {
        r.id: StoredRecord(r.kind, r.path, r.sha256, r.revision, r.status)
        for r in conn.execute(select(Record.__table__))
    }
    refs: Pairs = {}
    for r in conn.execute(select(RecordReference.__table__)):
        refs.setdefault(r.record_id, []).append((r.field, r.target_id))
    raws: Pairs = {}
    for r in conn.execute(select(RawFile.__table__)):
        raws.setdefault(r.record_id, []).append((r.field, r.path))
    return stored, refs, raws


def plan_ingest(
    files: list[RecordFile],
    read_problems: list[Problem],
    stored: dict[str, StoredRecord],
    refs: Pairs,
    raws: Pairs,
    records_dir: Path,
    *,
    full: bool,
) -> IngestPlan:
    """Parse what changed, cross-check everything; raise RecordsInvalid on any error."""
    problems = list(read_problems)
    loaded: dict[str, Loaded] = {}
    unchanged: dict[str, RecordFile] = {}
    entries: list[Entry] = []
    docs: dict[Path, YamlDocument] = {}
    ref_kinds = _ref_kinds()
    seen: set[str] = set()
    for f in files:
        old = stored.get(f.stem)
        if (
            not full
            and old
            and old.status == "active"
            and old.sha256 == f.sha256
            and f.stem not in seen
        ):
            unchanged[f.stem] = f
            seen.add(f.stem)
            entries.append(
                Entry(
                    id=f.stem,
                    kind=old.kind,
                    display=f.display,
                    path=f.path,
                    refs=[(fld, t, ref_kinds[(old.kind, fld)]) for fld, t in refs.get(f.stem, [])],
                    # stored relative to the records folder; cross_check wants it relative to f
                    raw=[
                        (fld, relative_path(records_dir / p, f.path.parent))
                        for fld, p in raws.get(f.stem, [])
                    ],
                )
            )
            continue
        result = load(f)
        if isinstance(result, list):
            problems.extend(result)
            entries.append(placeholder(f))
            continue
        entries.append(result.entry())
        docs[f.path] = result.doc
        seen.add(result.record.id)
        loaded.setdefault(result.record.id, result)

    def locate(entry: Entry, field_name: str) -> tuple[int, int]:
        doc = docs.get(entry.path)
        if doc is None:
            try:
                doc = docs[entry.path] = read_yaml(entry.path, display=entry.display)
            except YamlProblems:
                return (1, 1)
        return doc.position(tuple(field_name.split(".")))

    problems.extend(cross_check(entries, locate))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise RecordsInvalid(errors)
    present = {e.id for e in entries}
    removed = [i for i, s in stored.items() if s.status == "active" and i not in present]
    notes = [p for p in problems if p.severity != "error"]
    return IngestPlan(loaded, unchanged, sorted(removed), notes)
