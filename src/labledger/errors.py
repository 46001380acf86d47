"""Errors labledger reports to a person.

Every error a user can cause is a `LabledgerError`; its `str()` is the whole message, naming the
file (and line, where known) and what was expected. The CLI prints it and exits with status 1;
anything else escaping is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class LabledgerError(Exception):
    """Base of every error meant for the user; `str(err)` is the full message."""


class ConfigError(LabledgerError):
    """config.yaml (or an environment variable) is missing, malformed or inconsistent."""


class InputFileError(LabledgerError):
    """An instrument or data file cannot be read: unsupported, damaged or inconsistent.

    The message reads `path:line: message` (or `path: message` without a line).
    """

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, order=True)
class Problem:
    """One problem with one record file: `path:line:col: field: message`."""

    path: str
    line: int
    col: int
    field: str
    message: str
    severity: str = "error"  # "error" stops check and ingest; "note" is only reported

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        prefix = "" if self.severity == "error" else f" {self.severity}:"
        return f"{self.path}:{self.line}:{self.col}:{prefix}{field} {self.message}"


class RecordsInvalid(LabledgerError):
    """One or more record files are invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [str(p) for p in self.problems]
        lines.append(f"{len(errors)} problem(s) found; nothing was written to the database.")
        super().__init__("\n".join(lines))


class DatabaseError(LabledgerError):
    """The database cannot be reached, is locked, or has an unexpected schema."""
