"""Read a YAML record file into plain data, remembering where every value stands.

PyYAML's C composer builds the node tree (fast: thousands of files per second); we construct the
values ourselves so that each field path maps to its line and column, and so that duplicate keys,
tabs in indentation and non-UTF-8 bytes become precise problems instead of silent overwrites or
tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from labledger.errors import Problem

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

#: A field path: keys and list indices from the top of the document.
FieldPath = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """A parsed record file: its data and the (line, col) of each key or list item (1-based)."""

    path: str
    text: str
    data: Any
    positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    #: Problems of single values found while reading (duplicate keys, unreadable dates), kept
    #: with `read_yaml(..., keep_value_problems=True)` so that validation can report the rest
    #: of the file too; the values stand in the data as written (a duplicate's first value).
    value_problems: list[Problem] = field(default_factory=list)

    def position(self, path: FieldPath) -> tuple[int, int]:
        """Line and column of `path`, or of its nearest ancestor that exists in the file."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))


class YamlProblems(Exception):
    """Raised by `read_yaml` with every problem that stops a file from being parsed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def format_path(path: FieldPath) -> str:
    """`('steps', 1, 'temperature_C')` -> `steps[1].temperature_C`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_yaml(
    path: Path,
    display: str | None = None,
    raw: bytes | None = None,
    *,
    keep_value_problems: bool = False,
) -> YamlDocument:
    """Parse one YAML file; raise `YamlProblems` naming line and column of each problem.

    With `keep_value_problems`, problems of single values (a duplicate key, an impossible
    date) do not raise: they are in `doc.value_problems` and the rest of the file is read.
    """
    name = display or str(path)
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise YamlProblems(
                [Problem(name, 1, 1, "", f"cannot read file: {err.strerror}")]
            ) from err
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        msg = f"not UTF-8 text (byte 0x{raw[err.start]:02x}); save the file as UTF-8"
        raise YamlProblems([Problem(name, line, col, "", msg)]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise YamlProblems(
            [Problem(name, 1, 1, "", "file is empty; expected `field: value` lines")]
        )

    tabs = [
        Problem(name, i, ln.index("\t") + 1, "", "tab in indentation; indent with spaces")
        for i, ln in enumerate(text.splitlines(), start=1)
        if "\t" in ln[: len(ln) - len(ln.lstrip(" \t"))]
    ]
    if tabs:
        raise YamlProblems(tabs)

    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = " ".join(x for x in (err.context, err.problem) if x)
        if err.context_mark is not None and "quoted scalar" in (err.context or ""):
            # an unclosed quote runs on to the end of the file, where PyYAML notices it: name
            # the line where it opened instead
            mark = err.context_mark
            quote = text.splitlines()[mark.line][mark.column : mark.column + 1] or "quote"
            what = f"the {quote} opened here is never closed; close it or drop it"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlProblems([Problem(name, line, col, "", f"YAML syntax: {what}")]) from None
    except yaml.reader.ReaderError as err:  # a control character such as NUL
        # libyaml counts the position in UTF-8 bytes
        before = text.encode("utf-8")[: err.position].decode("utf-8", "replace")
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        char = err.character if isinstance(err.character, int) else ord(err.character[:1] or "?")
        msg = f"control character #x{char:04x} is not allowed in YAML; remove it"
        raise YamlProblems([Problem(name, line, col, "", msg)]) from None
    except yaml.YAMLError as err:
        raise YamlProblems([Problem(name, 1, 1, "", f"YAML syntax: {_one_line(err)}")]) from None
    finally:
        loader.dispose()

    if node is None:  # e.g. only a second byte-order mark
        raise YamlProblems(
            [Problem(name, 1, 1, "", "file is empty; expected `field: value` lines")]
        )
    doc = YamlDocument(path=name, text=text, data=None)
    problems: list[Problem] = []
    doc.data = _construct(node, (), doc, loader, problems, set())
    if not isinstance(doc.data, dict):
        found = type(doc.data).__name__ if doc.data is not None else "nothing"
        raise YamlProblems(
            [
                *problems,
                Problem(name, 1, 1, "", f"expected `field: value` lines at the top, found {found}"),
            ]
        )
    if problems and not keep_value_problems:
        raise YamlProblems(problems)
    doc.value_problems = problems
    return doc


#: Deepest nesting of lists and mappings accepted. Records are a few levels deep; the limit keeps
#: the recursive construction far from Python's recursion limit (libyaml allows 1000 levels).
MAX_DEPTH = 32
_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _construct(
    node: yaml.Node,
    path: FieldPath,
    doc: YamlDocument,
    loader: Any,
    problems: list[Problem],
    seen: set[int],
) -> Any:
    if isinstance(node, yaml.CollectionNode):
        if len(path) >= MAX_DEPTH:
            problems.append(_at(doc, node, path, f"nested deeper than {MAX_DEPTH} levels"))
            return None
        if id(node) in seen:
            # an alias (*name) of a list or mapping: expanding aliases of aliases grows
            # exponentially ("billion laughs"), and records never need them
            msg = "YAML aliases (*name) of lists or mappings are not supported; write it out"
            problems.append(_at(doc, node, path, msg))
            return None
        seen.add(id(node))
        if node.tag not in _COLLECTION_TAGS:
            problems.append(_at(doc, node, path, f"YAML tag {node.tag!r} is not supported"))
            return None
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(_at(doc, key_node, path, "a key must be a plain name"))
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(_at(doc, key_node, path, "merge keys (<<) are not supported"))
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in first_seen:
                problems.append(
                    _at(
                        doc,
                        key_node,
                        (*path, key),
                        f"duplicate key (first at line {first_seen[key]})",
                    )
                )
                continue
            first_seen[key] = line
            child = (*path, key)
            doc.positions[child] = (line, key_node.start_mark.column + 1)
            out[key] = _construct(value_node, child, doc, loader, problems, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            child = (*path, i)
            doc.positions[child] = (item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(_construct(item, child, doc, loader, problems, seen))
        return items
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as err:  # e.g. an impossible date such as 2025-02-30
        msg = f"cannot read value {short_repr(node.value)}: {_one_line(err)}"
        problems.append(_at(doc, node, path, msg))
        return node.value
    except ValueError as err:
        problems.append(_at(doc, node, path, f"cannot read value {short_repr(node.value)}: {err}"))
        return node.value


def _one_line(err: yaml.YAMLError) -> str:
    """The message of a YAML error without PyYAML's `in "<unicode string>", line ...` lines."""
    if isinstance(err, yaml.MarkedYAMLError):
        return " ".join(x for x in (err.context, err.problem) if x) or "unreadable"
    return str(err).splitlines()[0] if str(err) else type(err).__name__


def short_repr(value: object, limit: int = 60) -> str:
    """`repr(value)` for a message, cut to about `limit` characters (a value may be megabytes)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _at(doc: YamlDocument, node: yaml.Node, path: FieldPath, message: str) -> Problem:
    mark = node.start_mark
    return Problem(doc.path, mark.line + 1, mark.column + 1, format_path(path), message)


def flatten(data: Any, path: tuple[str | int, ...] = ()) -> dict[str, Any]:
    """Nested data as {'steps[1].temperature_C': 1150, ...}."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(flatten(v, (*path, k)))
        return out
    if isinstance(data, list) and data:
        out = {}
        for i, v in enumerate(data):
            out.update(flatten(v, (*path, i)))
        return out
    return {format_path(path): data}
