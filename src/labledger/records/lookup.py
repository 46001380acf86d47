"""Find a record file by id, and the records that name it."""

from __future__ import annotations

from pathlib import Path

from labledger.errors import LabledgerError
from labledger.records.fields import RefTo
from labledger.records.introspect import marked_fields
from labledger.records.kinds import KINDS
from labledger.records.paths import discover
from labledger.records.yamlfile import YamlProblems, read_yaml


def find_record(records_dir: Path, record_id: str) -> Path:
    """The file of record `record_id` (the file is named after the id)."""
    for path in discover(records_dir):
        if path.stem == record_id:
            return path
    raise LabledgerError(f"no record {record_id!r} under {records_dir}")


def _ref_fields() -> dict[str, list[str]]:
    return {
        kind: [str(p[0]) for p, _ in marked_fields(model, RefTo) if len(p) == 1]
        for kind, model in KINDS.items()
    }


def referenced_by(records_dir: Path, record_id: str) -> list[tuple[str, str, str]]:
    """(id, kind, field) of every record whose reference fields name `record_id`."""
    fields = _ref_fields()
    out = []
    for path in discover(records_dir):
        try:
            data = read_yaml(path).data
        except YamlProblems:
            continue
        kind = data.get("kind")
        for name in fields.get(kind, []) if isinstance(kind, str) else []:
            if data.get(name) == record_id:
                out.append((path.stem, kind, name))
    return sorted(out)


def references_of(path: Path) -> list[tuple[str, str]]:
    """(field, id) of the references a record file makes (read without validation)."""
    data = read_yaml(path).data
    kind = data.get("kind")
    return [
        (name, data[name])
        for name in _ref_fields().get(kind, [])
        if isinstance(kind, str)
        if data.get(name)
    ]
