"""Walk record models: nested models, reference fields and raw-file fields.

The validator, the database mapper and the JSON Schema all read the models through here, so a
field added to a model reaches all three.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from labledger.records.fields import RawFile, RefTo
from labledger.records.yamlfile import FieldPath


def unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip `Annotated` and `| None`: return (inner type, whether None is allowed)."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            if len(args) == 1:
                annotation = args[0]
            else:
                return annotation, optional
        else:
            return annotation, optional


def model_members(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation can hold: one model, a union of models, or none."""
    inner, _ = unwrap(annotation)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return [inner]
    if typing.get_origin(inner) in (typing.Union, types.UnionType):
        return [
            a for a in typing.get_args(inner) if isinstance(a, type) and issubclass(a, BaseModel)
        ]
    return []


def list_item(annotation: Any) -> Any | None:
    """The item type of a `list[...]` annotation, else None."""
    inner, _ = unwrap(annotation)
    if typing.get_origin(inner) is list:
        return typing.get_args(inner)[0]
    return None


def submodel_at(model: type[BaseModel], path: FieldPath, data: Any) -> type[BaseModel] | None:
    """The model class that describes the mapping at `path` in `data`."""
    node = data
    pending: list[type[BaseModel]] | None = None  # members of a list, chosen once indexed
    current: type[BaseModel] | None = model
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node) or not pending:
                return None
            node = node[part]
            current, pending = _pick(pending, node), None
            continue
        if current is None:
            return None
        info = current.model_fields.get(str(part))
        if info is None:
            return None
        node = node.get(part) if isinstance(node, dict) else None
        item = list_item(info.annotation)
        members = model_members(item if item is not None else info.annotation)
        if not members:
            return None
        if item is not None:
            pending, current = members, None
        else:
            current = _pick(members, node)
    return current


def _pick(candidates: list[type[BaseModel]], node: Any) -> type[BaseModel]:
    """Choose the union member whose `type` literal matches the data (discriminated unions)."""
    if len(candidates) > 1 and isinstance(node, dict):
        for cand in candidates:
            tag = cand.model_fields.get("type")
            if tag is not None and node.get("type") in typing.get_args(tag.annotation):
                return cand
    return candidates[0]


@functools.cache
def marked_fields(model: type[BaseModel], marker: type) -> tuple[tuple[FieldPath, FieldInfo], ...]:
    """Fields (at any depth, list items as index 0) carrying a marker such as RefTo or RawFile."""
    return tuple(_marked_fields(model, marker))


def _marked_fields(model: type[BaseModel], marker: type) -> Iterator[tuple[FieldPath, FieldInfo]]:
    for name, info in model.model_fields.items():
        if any(isinstance(m, marker) for m in info.metadata) or _annotated_marker(
            info.annotation, marker
        ):
            yield (name,), info
        item = list_item(info.annotation)
        for sub in model_members(item if item is not None else info.annotation):
            for path, subinfo in _marked_fields(sub, marker):
                yield ((name, 0, *path) if item is not None else (name, *path)), subinfo


def _annotated_marker(annotation: Any, marker: type) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return any(isinstance(m, marker) for m in typing.get_args(annotation)[1:])
    return False


def marker_of(info: FieldInfo, marker: type) -> Any:
    """The marker instance carried by a field (RefTo or RawFile), or None."""
    for m in info.metadata:
        if isinstance(m, marker):
            return m
    if typing.get_origin(info.annotation) is typing.Annotated:
        for m in typing.get_args(info.annotation)[1:]:
            if isinstance(m, marker):
                return m
    return None


def references(record: BaseModel) -> list[tuple[str, str, tuple[str, ...]]]:
    """(field path, target id, allowed kinds) for every reference a record makes."""
    out = []
    for path, info in marked_fields(type(record), RefTo):
        value = getattr(record, str(path[0]), None)
        if len(path) == 1 and value:
            out.append((str(path[0]), value, marker_of(info, RefTo).kinds))
    return out


def raw_files(record: BaseModel) -> list[tuple[str, str]]:
    """(field path, relative path) of every raw file a record names."""
    out = []
    for path, _info in marked_fields(type(record), RawFile):
        value = getattr(record, str(path[0]), None)
        if len(path) == 1 and value:
            out.append((str(path[0]), value))
    return out
