"""The record store: the folder of YAML files, read, validated and cross-checked as a whole.

`check_store` is what `labledger check` runs. The ingest reuses the same pieces but parses only
files whose content hash changed (see labledger.db.ingest).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from labledger.errors import Problem
from labledger.hashing import sha256_file
from labledger.records.base import RecordBase
from labledger.records.introspect import raw_files, references
from labledger.records.kinds import KINDS
from labledger.records.paths import discover, relative_path
from labledger.records.raw_format import raw_format_problem
from labledger.records.validate import validate_document
from labledger.records.yamlfile import YamlDocument, YamlProblems, read_yaml


@dataclass
class RecordFile:
    """One record file on disk with its bytes and their sha256."""

    path: Path
    display: str
    raw: bytes
    sha256: str

    @property
    def stem(self) -> str:
        return self.path.stem


@dataclass
class Entry:
    """What the cross-file checks need to know of one record, parsed or taken from the database."""

    id: str
    kind: str
    display: str
    path: Path
    refs: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    raw: list[tuple[str, str]] = field(default_factory=list)
    has_raw_field: bool = False


@dataclass
class Loaded:
    """A record file that parsed and validated."""

    file: RecordFile
    doc: YamlDocument
    record: RecordBase

    def entry(self) -> Entry:
        return Entry(
            id=self.record.id,
            kind=self.record.kind,
            display=self.file.display,
            path=self.file.path,
            refs=references(self.record),
            raw=raw_files(self.record),
            has_raw_field="raw_file" in type(self.record).model_fields,
        )


def display_path(path: Path) -> str:
    """A path as a person would type it from the current directory."""
    try:
        rel = relative_path(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("../../") else str(path)


def read_file(path: Path) -> RecordFile | Problem:
    """Read a record file's bytes and hash them."""
    display = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        return Problem(display, 1, 1, "", f"cannot read file: {err.strerror}")
    return RecordFile(path, display, raw, hashlib.sha256(raw).hexdigest())


def load(file: RecordFile) -> Loaded | list[Problem]:
    """Parse and validate one record file."""
    try:
        doc = read_yaml(file.path, display=file.display, raw=file.raw, keep_value_problems=True)
    except YamlProblems as err:
        return err.problems
    record, problems = validate_document(doc)
    if doc.value_problems:
        # every problem of the file at once; a value already reported is not reported again
        # by the validation (an impossible date is also "not a date")
        reported = {q.field for q in doc.value_problems}
        return doc.value_problems + [q for q in problems if q.field not in reported]
    if record is None:
        return problems
    return Loaded(file, doc, record)


def placeholder(file: RecordFile) -> Entry:
    """An entry for a file that failed validation, so records naming it get no follow-on errors.

    Its kind is read from the `kind:` line when there is one, else left unknown (matches any).
    """
    match = re.search(rb"(?m)^kind:[ \t]*([A-Za-z_]+)[ \t]*$", file.raw)
    kind = match.group(1).decode() if match else "?"
    return Entry(id=file.stem, kind=kind, display=file.display, path=file.path)


def _raw_file_line(path: Path) -> tuple[int, int] | None:
    """Line and column of the `raw_file:` line of a record file, also when it is commented out
    (`# raw_file: ...`, as the templates leave it while the file is pending); None without."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(text.splitlines(), 1):
        if _RAW_FILE_LINE.match(line):
            return number, len(line) - len(line.lstrip(" #")) + 1
    return None


_RAW_FILE_LINE = re.compile(r"^#?\s*raw_file\s*:")


def cross_check(
    entries: Iterable[Entry], locate: Callable[[Entry, str], tuple[int, int]]
) -> list[Problem]:
    """Problems between files: duplicate ids, dangling or wrong-kind references, raw files.

    `locate(entry, field)` gives the line and column of a field in that entry's file.
    """
    problems: list[Problem] = []
    by_id: dict[str, Entry] = {}
    entries = list(entries)
    for e in entries:
        if e.id in by_id:
            line, col = locate(e, "id")
            problems.append(
                Problem(
                    e.display,
                    line,
                    col,
                    "id",
                    f"duplicate id {e.id!r}; also in {by_id[e.id].display}",
                )
            )
        else:
            by_id[e.id] = e
    for e in entries:
        for field_name, target, kinds in e.refs:
            found = by_id.get(target)
            if found is None:
                line, col = locate(e, field_name)
                problems.append(
                    Problem(e.display, line, col, field_name, f"no record with id {target!r}")
                )
            elif found.kind not in kinds and found.kind in KINDS:
                line, col = locate(e, field_name)
                want = " or ".join(kinds)
                problems.append(
                    Problem(
                        e.display,
                        line,
                        col,
                        field_name,
                        f"{target!r} is a record of kind {found.kind}; expected kind {want}",
                    )
                )
        for field_name, rel in e.raw:
            raw_path = e.path.parent / rel
            if not raw_path.is_file():
                line, col = locate(e, field_name)
                problems.append(
                    Problem(
                        e.display,
                        line,
                        col,
                        field_name,
                        f"raw file not found: {display_path(raw_path)}",
                    )
                )
            elif not os.access(raw_path, os.R_OK):
                line, col = locate(e, field_name)
                problems.append(
                    Problem(
                        e.display,
                        line,
                        col,
                        field_name,
                        f"raw file not readable: {display_path(raw_path)}",
                    )
                )
            elif why := raw_format_problem(e.kind, raw_path):
                line, col = locate(e, field_name)
                problems.append(
                    Problem(e.display, line, col, field_name, f"{why}: {display_path(raw_path)}")
                )
        if e.has_raw_field and not e.raw:
            line, col = _raw_file_line(e.path) or locate(e, "raw_file")
            problems.append(
                Problem(
                    e.display,
                    line,
                    col,
                    "raw_file",
                    "no raw file yet (pending); its analysis waits",
                    "note",
                )
            )
    return problems


@dataclass
class CheckResult:
    """Everything `check_store` learned: valid records by id and all problems and notes."""

    loaded: dict[str, Loaded]
    problems: list[Problem]
    n_files: int

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def check_store(records_dir: Path) -> CheckResult:
    """Read, validate and cross-check every record file under `records_dir`."""
    problems: list[Problem] = []
    loaded: dict[str, Loaded] = {}
    entries: list[Entry] = []
    docs: dict[Path, YamlDocument] = {}
    paths = discover(records_dir)
    for path in paths:
        file = read_file(path)
        if isinstance(file, Problem):
            problems.append(file)
            continue
        result = load(file)
        if isinstance(result, list):
            problems.extend(result)
            entries.append(placeholder(file))
            continue
        entries.append(result.entry())
        docs[path] = result.doc
        loaded.setdefault(result.record.id, result)

    def locate(entry: Entry, field_name: str) -> tuple[int, int]:
        doc = docs.get(entry.path)
        return doc.position((field_name,)) if doc else (1, 1)

    problems.extend(cross_check(entries, locate))
    problems.extend(shared_raw_files(entries, locate))
    return CheckResult(loaded, sorted(set(problems)), len(paths))


def shared_raw_files(
    entries: Iterable[Entry], locate: Callable[[Entry, str], tuple[int, int]]
) -> list[Problem]:
    """A note on each record whose raw file has the same bytes as another record's: usually a
    file copied under a second name by mistake, which would count one measurement twice.

    Only files of equal size are hashed, so a store of thousands of files reads few of them.
    """
    by_size: dict[int, list[tuple[Entry, str, Path]]] = {}
    for e in entries:
        for field_name, rel in e.raw:
            target = (e.path.parent / rel).resolve()
            try:
                by_size.setdefault(target.stat().st_size, []).append((e, field_name, target))
            except OSError:
                continue  # cross_check reports it
    notes = []
    for group in by_size.values():
        if len({t for _, _, t in group}) < 2:
            continue
        by_hash: dict[str, list[tuple[Entry, str, Path]]] = {}
        for item in group:
            by_hash.setdefault(sha256_file(item[2]), []).append(item)
        for same in by_hash.values():
            if len({t for _, _, t in same}) < 2:
                continue
            for e, field_name, target in same:
                others = sorted(o.id for o, _, t in same if t != target)
                line, col = locate(e, field_name)
                notes.append(
                    Problem(
                        e.display,
                        line,
                        col,
                        field_name,
                        f"raw file {display_path(target)} has the same bytes as that of "
                        f"{', '.join(others)}; is one of them copied by mistake?",
                        "note",
                    )
                )
    return notes
