"""Turn a parsed record file into a validated model, or into precise problems.

Each pydantic error becomes one `Problem` at the line and column of the offending field, with
the offending value and, where the unit in the field name suggests one, the likely mistake.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from labledger.errors import Problem
from labledger.records.base import RecordBase
from labledger.records.kinds import KINDS, kind_names, with_article
from labledger.records.yamlfile import FieldPath, YamlDocument, format_path, short_repr

_UNIT_HINTS_ABOVE = {
    "_C": "is it in kelvin?",
    "_pct": "percentages run 0-100",
    "_h": "is it in minutes?",
    "_mm": "is it in um?",
    "_cm2": "is it in mm2?",
    "_g": "is it in mg?",
}
_UNIT_HINTS_BELOW = {"_pct": "percentages run 0-100"}


def validate_document(doc: YamlDocument) -> tuple[RecordBase | None, list[Problem]]:
    """Validate one parsed record file against the model of its `kind`."""
    data = doc.data
    kind = data.get("kind")
    if kind is None:
        return None, [_problem(doc, ("kind",), f"missing; say which kind: one of {kind_names()}")]
    if not isinstance(kind, str) or kind not in KINDS:
        return None, [
            _problem(
                doc, ("kind",), f"unknown kind {short_repr(kind)}; expected one of {kind_names()}"
            )
        ]
    model = KINDS[kind]
    unfilled = placeholders(data)
    left = [_problem(doc, path, f"not filled in: {value}") for path, value in unfilled]
    date = data.get("date")
    if isinstance(date, dt.datetime):  # a datetime is a date too, but compares only with its kind
        date = date.date()
    if isinstance(date, dt.date) and date > dt.date.today():
        left.append(_problem(doc, ("date",), f"{date.isoformat()} is in the future; is it a typo?"))
    try:
        record = model.model_validate(data)
    except ValidationError as err:
        # a field still holding its placeholder has one problem: that it is not filled in
        at = {format_path(path) for path, _ in unfilled}
        rest = [q for q in pydantic_problems(doc, model, err) if q.field not in at]
        return None, left + rest
    if left:
        return None, left

    problems = [_problem(doc, _parse_path(p), msg) for p, msg in record.plausibility()]
    stem = Path(doc.path).stem
    if record.id != stem:
        problems.append(
            _problem(doc, ("id",), f"{record.id!r} differs from the file name {stem!r}.yaml")
        )
    folder = Path(doc.path).parent.name
    holder = {m.kind_folder: k for k, m in KINDS.items()}.get(folder)
    if holder is not None and holder != kind:
        # the workflow finds each kind's measurements in its folder: a record elsewhere would be
        # analysed as the other kind, or not at all
        problems.append(
            _problem(
                doc,
                ("kind",),
                f"{with_article(kind)} record in the {folder}/ folder, which holds {holder} "
                f"records; move it to {model.kind_folder}/",
            )
        )
    return (record if not problems else None), problems


#: A template's placeholder: the whole value in angle brackets, e.g. `<weighed mass in g>`.
PLACEHOLDER = re.compile(r"^<[^<>]+>$")


def placeholders(data: Any, path: FieldPath = ()) -> list[tuple[FieldPath, str]]:
    """(field path, value) of every template placeholder still in the data."""
    if isinstance(data, dict):
        return [hit for k, v in data.items() for hit in placeholders(v, (*path, k))]
    if isinstance(data, list):
        return [hit for i, v in enumerate(data) for hit in placeholders(v, (*path, i))]
    if isinstance(data, str) and PLACEHOLDER.match(data.strip()):
        return [(path, data.strip())]
    return []


#: A number written with its unit ("800 C", "12 h", "46%"): the unit belongs in the field name.
_NUMBER_WITH_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*)$")


def pydantic_problems(
    doc: YamlDocument, model: type[BaseModel], err: ValidationError
) -> list[Problem]:
    """One `Problem` per pydantic error, placed at the field's line and column."""
    return [_from_pydantic(doc, model, e) for e in err.errors()]


def _problem(doc: YamlDocument, path: FieldPath, message: str) -> Problem:
    line, col = doc.position(path)
    return Problem(doc.path, line, col, format_path(path), message)


def _from_pydantic(doc: YamlDocument, model: type[BaseModel], err: Mapping[str, Any]) -> Problem:
    path = _data_path(doc.data, err["loc"])
    kind = err["type"]
    value = err.get("input")
    name = str(path[-1]) if path else ""
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return _problem(doc, path[:-1], f"required field {name!r} is missing")
    if kind == "extra_forbidden":
        allowed = _allowed_fields(model, path[:-1], doc.data)
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
        return _problem(doc, path, f"unknown field{hint}")
    if kind in ("less_than_equal", "less_than"):
        hint = next((h for s, h in _UNIT_HINTS_ABOVE.items() if name.endswith(s)), "")
        limit = ctx.get("le", ctx.get("lt"))
        return _problem(
            doc, path, f"{short_repr(value)} is above {limit:g}" + (f"; {hint}" if hint else "")
        )
    if kind in ("greater_than_equal", "greater_than"):
        hint = next((h for s, h in _UNIT_HINTS_BELOW.items() if name.endswith(s)), "")
        limit = ctx.get("ge", ctx.get("gt"))
        word = "below" if kind == "greater_than_equal" else "not above"
        return _problem(
            doc, path, f"{short_repr(value)} is {word} {limit:g}" + (f"; {hint}" if hint else "")
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        expected = ctx.get("expected_tags", "")
        if kind == "union_tag_not_found":
            return _problem(doc, path, f"needs `type:`, one of {expected}")
        return _problem(doc, (*path, "type"), f"unknown type {ctx.get('tag')!r}; one of {expected}")
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type") and isinstance(
        value, str
    ):
        unit = _NUMBER_WITH_UNIT.match(value)
        if unit:
            return _problem(
                doc,
                path,
                f"{short_repr(value)}: drop the unit and write the number alone, {unit.group(1)} "
                f"(the unit is in the field name {name!r})",
            )
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if not isinstance(value, dict | list):
        message = f"{message} (got {short_repr(value)})"
    return _problem(doc, path, message)


def _data_path(data: Any, loc: tuple[Any, ...]) -> FieldPath:
    """Map a pydantic error location onto the data, dropping union-branch names."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part not in node and node.get("type") == part:
            continue  # discriminated-union branch name, not a key in the file
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            node = None
        path.append(part)
    return tuple(path)


def _allowed_fields(model: type[BaseModel], path: FieldPath, data: Any) -> list[str]:
    """Field names allowed at `path` inside `model` (following nested models and lists)."""
    from labledger.records.introspect import submodel_at

    sub = submodel_at(model, path, data)
    return list(sub.model_fields) if sub is not None else []


def _parse_path(text: str) -> FieldPath:
    """`steps[1].temperature_C` -> `('steps', 1, 'temperature_C')`."""
    out: list[str | int] = []
    for part in text.split("."):
        while "[" in part:
            head, _, rest = part.partition("[")
            if head:
                out.append(head)
            index, _, part = rest.partition("]")
            out.append(int(index))
        if part:
            out.append(part)
    return tuple(out)
