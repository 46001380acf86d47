"""SQL tables of the record kinds, derived from the record models.

The record models are the single source: each kind gets a table named after it with one column
per scalar field (nested single models flattened as `protocol_current_density_ma_cm2`), and each
list of sub-models becomes a child table (`batch_step`, `batch_precursor`) keyed by the record id
and the position in the list; a discriminated union (the batch steps) gets the union of its
members' columns. Column names are the field names in lower case, so that unquoted identifiers
work the same in SQLite and PostgreSQL (PostgreSQL folds them to lower case).
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Boolean, Column, Date, Float, Integer, Table, Text

from labledger.db.tables import metadata
from labledger.records.base import RecordBase
from labledger.records.introspect import list_item, model_members, unwrap
from labledger.records.kinds import KINDS

Path_ = tuple[str, ...]


@dataclass(frozen=True)
class ColumnMap:
    """One SQL column and the path of the model field it holds."""

    name: str
    path: Path_
    json: bool = False  # a list of scalars, stored as JSON text


@dataclass(frozen=True)
class ChildTable:
    field: str
    table: Table
    columns: tuple[ColumnMap, ...]


@dataclass(frozen=True)
class KindTable:
    kind: str
    table: Table
    columns: tuple[ColumnMap, ...]
    children: tuple[ChildTable, ...]

    def rows(self, record: RecordBase) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
        """The row of this record and the rows of its child tables, by child table name."""
        data = record.model_dump(mode="python")
        row = {c.name: _value(data, c) for c in self.columns}
        children = {}
        for child in self.children:
            fk = f"{self.kind}_id"
            children[child.table.name] = [
                {fk: record.id, "position": i, **{c.name: _value(item, c) for c in child.columns}}
                for i, item in enumerate(data.get(child.field) or [])
            ]
        return row, children


def _value(data: dict[str, Any], col: ColumnMap) -> Any:
    node: Any = data
    for part in col.path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    if col.json and node is not None:
        return json.dumps(node, ensure_ascii=False)
    return node


def _sql_type(annotation: Any) -> Any:
    inner, _ = unwrap(annotation)
    if typing.get_origin(inner) is typing.Literal:
        inner = type(typing.get_args(inner)[0])
    return {float: Float, int: Integer, bool: Boolean, str: Text, dt.date: Date}.get(inner, Text)


def _flatten(
    model: type[BaseModel], prefix: str = "", path: Path_ = ()
) -> tuple[list[tuple[ColumnMap, Any]], list[tuple[str, list[type[BaseModel]]]]]:
    """Scalar columns of a model (nested models flattened) and its lists of sub-models."""
    columns: list[tuple[ColumnMap, Any]] = []
    lists: list[tuple[str, list[type[BaseModel]]]] = []
    for name, info in model.model_fields.items():
        if name == "kind" and not path:
            continue
        item = list_item(info.annotation)
        if item is not None:
            members = model_members(item)
            if members and not path:
                lists.append((name, members))
            else:
                columns.append((ColumnMap(f"{prefix}{name}".lower(), (*path, name), True), Text))
            continue
        inner, _ = unwrap(info.annotation)
        if typing.get_origin(inner) is dict:
            columns.append((ColumnMap(f"{prefix}{name}".lower(), (*path, name), True), Text))
            continue
        members = model_members(info.annotation)
        if members:
            sub_cols, _ = _flatten(members[0], f"{prefix}{name}_", (*path, name))
            columns.extend(sub_cols)
        else:
            columns.append(
                (ColumnMap(f"{prefix}{name}".lower(), (*path, name)), _sql_type(info.annotation))
            )
    return columns, lists


def _build(kind: str, model: type[RecordBase]) -> KindTable:
    columns, lists = _flatten(model)
    table = Table(
        kind,
        metadata,
        *(Column(c.name, t, primary_key=(c.name == "id")) for c, t in columns),
        comment=(model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else None,
    )
    children = []
    for field, members in lists:
        merged: dict[str, tuple[ColumnMap, Any]] = {}
        for member in members:
            for col, sql_type in _flatten(member)[0]:
                merged.setdefault(col.name, (col, sql_type))
        singular = field[:-1] if field.endswith("s") else field
        child = Table(
            f"{kind}_{singular}",
            metadata,
            Column(f"{kind}_id", Text, primary_key=True),
            Column("position", Integer, primary_key=True),
            *(Column(c.name, t) for c, t in merged.values()),
        )
        children.append(ChildTable(field, child, tuple(c for c, _ in merged.values())))
    return KindTable(kind, table, tuple(c for c, _ in columns), tuple(children))


_KIND_TABLES: dict[str, KindTable] = {}


def kind_tables() -> dict[str, KindTable]:
    """The table of every record kind, by kind (built when first asked for: a lab's own kind
    registers its record model when the analysed kinds are loaded, after this module may have
    been imported)."""
    for kind, model in KINDS.items():
        if kind not in _KIND_TABLES:
            _KIND_TABLES[kind] = _build(kind, model)
    return _KIND_TABLES
