"""`labledger ls`: the records of the store, optionally of one kind and matching field values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labledger.errors import LabledgerError
from labledger.records.kinds import KINDS, kind_names
from labledger.records.store import check_store, display_path
from labledger.records.yamlfile import flatten

#: Columns every listing shows, in this order.
COLUMNS = ("id", "kind", "date", "operator", "file")


@dataclass(frozen=True)
class Condition:
    """`field=value`: a field path (`steps[2].temperature_C`, case-insensitive) equals value."""

    field: str
    value: str

    @classmethod
    def parse(cls, text: str) -> Condition:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise LabledgerError(f"--where {text!r}: write it as field=value, e.g. cnt_wt_pct=20")
        return cls(name.strip(), value.strip())

    def names(self, key: str) -> bool:
        """True when the flattened field path `key` is this condition's field."""
        wanted, low = self.field.lower(), key.lower()
        return low == wanted or low.endswith("." + wanted)

    def matches(self, fields: dict[str, Any]) -> bool:
        return any(self.names(key) and _same(value, self.value) for key, value in fields.items())


def _unknown_field(condition: Condition, keys: set[str], kind: str | None) -> LabledgerError:
    """The error for a condition on a field none of the listed records has, with the nearest
    field names as a suggestion."""
    import difflib
    import re

    names = {re.sub(r"\[\d+\]", "", k).rsplit(".", 1)[-1] for k in keys}
    by_low = {n.lower(): n for n in sorted(names)}
    close = difflib.get_close_matches(condition.field.lower(), list(by_low), n=3, cutoff=0.6)
    hint = "; did you mean " + " or ".join(repr(by_low[c]) for c in close) + "?" if close else ""
    who = f"no {kind} record" if kind else "no record"
    return LabledgerError(f"--where: {who} has a field {condition.field!r}{hint}")


def _same(value: Any, text: str) -> bool:
    if isinstance(value, bool):
        return text.lower() in (("true", "yes", "1") if value else ("false", "no", "0"))
    if isinstance(value, int | float):
        try:
            return float(text) == float(value)
        except ValueError:
            return False
    return str(value) == text


def list_records(
    records_dir: Path, kind: str | None = None, where: list[Condition] | None = None
) -> list[dict[str, Any]]:
    """One row per valid record (id, kind, date, operator, file), sorted by id.

    A condition on a field that none of the records listed has (a misspelt name) is an error
    naming the nearest field names, not an empty list."""
    if kind is not None and kind not in KINDS:
        raise LabledgerError(f"unknown kind {kind!r}; expected one of {kind_names()}")
    result = check_store(records_dir)
    rows: list[dict[str, Any]] = []
    keys: set[str] = set()
    for rid, item in sorted(result.loaded.items()):
        record = item.record
        if kind is not None and record.kind != kind:
            continue
        fields = flatten(record.model_dump(mode="json"))
        keys.update(fields)
        if where and not all(c.matches(fields) for c in where):
            continue
        rows.append(
            {
                "id": rid,
                "kind": record.kind,
                "date": fields.get("date"),
                "operator": fields.get("operator"),
                "file": display_path(item.file.path),
            }
        )
    for condition in where or []:
        if keys and not any(condition.names(k) for k in keys):
            raise _unknown_field(condition, keys, kind)
    return rows
