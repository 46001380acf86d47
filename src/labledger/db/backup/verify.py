"""Reading an export file: its lines with their numbers (damage becomes InputFileError naming
the line) and its header, checked against this labledger's schema before anything is loaded."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labledger.db.backup.format import (
    DECODERS,
    FORMAT,
    FORMAT_VERSION,
    known_revisions,
    owned_order,
)
from labledger.errors import InputFileError
from labledger.version import labledger_version


class ExportReader:
    """Lines of an export file with their numbers; damage becomes InputFileError."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line = 0
        try:
            # closed by close(): the reader outlives the call that opens it
            self._file = gzip.open(path, "rt", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as err:
            raise InputFileError(path, f"cannot open: {err.strerror or err}") from None

    def close(self) -> None:
        self._file.close()

    def error(self, message: str, line: int | None = None) -> InputFileError:
        return InputFileError(self.path, message, self.line if line is None else line)

    def __iter__(self) -> Iterator[Any]:
        while True:
            try:
                text_line = self._file.readline()
            except gzip.BadGzipFile:
                raise InputFileError(
                    self.path, "not a gzip file; is it a labledger export?"
                ) from None
            except (EOFError, zlib.error, OSError) as err:
                raise self.error(f"file is damaged or cut short ({err})", self.line + 1) from None
            except UnicodeDecodeError:
                raise self.error("not UTF-8 text", self.line + 1) from None
            if not text_line:
                return
            self.line += 1
            if not text_line.endswith("\n"):
                raise self.error("last line is incomplete: the file was cut short")
            try:
                yield json.loads(text_line)
            except json.JSONDecodeError as err:
                raise self.error(f"not valid JSON: {err.msg} at character {err.pos + 1}") from None


@dataclass
class ExportPlan:
    """What the header announces, checked against this labledger's schema."""

    tables: dict[str, list[tuple[str, str]]]
    rows: dict[str, int]
    revision: str


def check_header(reader: ExportReader, header: Any) -> ExportPlan:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise reader.error("not a labledger export (the first line has no labledger header)")
    version = header.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise reader.error(
            f"export format version {version!r} is newer than this labledger reads "
            f"({FORMAT_VERSION}); upgrade labledger (the file was written by labledger "
            f"{header.get('labledger_version')})"
        )
    revision = header.get("schema_revision")
    known = known_revisions()
    if not isinstance(revision, str) or revision not in known:
        raise reader.error(
            f"export has schema revision {revision!r}, which this labledger "
            f"({labledger_version()}) does not know; upgrade labledger to import it"
        )
    tables, rows = header.get("tables"), header.get("rows")
    if not isinstance(tables, dict) or not isinstance(rows, dict):
        raise reader.error("header lacks its tables or rows")
    owned = set(owned_order())
    plan = ExportPlan({}, {}, revision)
    for name, columns in tables.items():
        if name not in owned:
            raise reader.error(f"unknown table {name!r}: not one of labledger's tables")
        count = rows.get(name)
        if not isinstance(count, int) or not isinstance(columns, list):
            raise reader.error(f"header entry of table {name} is malformed")
        pairs = []
        for item in columns:
            if (
                not isinstance(item, list)
                or len(item) != 2
                or not all(isinstance(x, str) for x in item)
                or item[1] not in DECODERS
            ):
                raise reader.error(f"table {name}: malformed column entry {item!r}")
            pairs.append((item[0], item[1]))
        plan.tables[name], plan.rows[name] = pairs, count
    return plan
