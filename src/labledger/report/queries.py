"""Saved queries: every `*.sql` file in a folder is a named question the lab asks again.

The file name (without .sql) is the query's name; the leading `--` comment lines are its title
(first line) and description (the rest). Each is run read-only against the database and written
to `<out_dir>/<name>.csv`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labledger.config import Config
from labledger.db.query import read_only_session
from labledger.errors import DatabaseError, InputFileError


@dataclass(frozen=True)
class SavedQuery:
    """One saved query: name, title and description from its comments, the SQL, its result."""

    name: str
    path: Path
    title: str
    description: str
    sql: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path),
            "title": self.title,
            "description": self.description,
            "columns": list(self.columns),
            "n_rows": len(self.rows),
        }


def read_saved_query(path: Path) -> SavedQuery:
    """Parse one .sql file: leading comments are the title and description."""
    try:
        sql = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputFileError(path, f"cannot read saved query: {err}") from None
    comments = []
    for line in sql.splitlines():
        if line.startswith("--"):
            comments.append(line[2:].strip())
        elif line.strip():
            break
    if not sql.strip() or all(ln.strip().startswith("--") for ln in sql.splitlines() if ln.strip()):
        raise InputFileError(path, "saved query holds no SQL statement")
    title = comments[0] if comments else path.stem.replace("_", " ")
    return SavedQuery(path.stem, path, title, " ".join(c for c in comments[1:] if c), sql)


def default_queries_dir(config: Config) -> Path:
    """workflow/queries/ next to config.yaml."""
    return config.root / "workflow" / "queries"


def execute_saved_queries(config: Config, queries_dir: Path) -> list[SavedQuery]:
    """Every *.sql of `queries_dir` (sorted by name), run against the configured database."""
    paths = sorted(queries_dir.glob("*.sql"))
    if not paths:
        return []
    out: list[SavedQuery] = []
    path = paths[0]  # a database that cannot be read is reported against the first query
    try:
        with read_only_session(config.database_url) as run:
            for path in paths:
                query = read_saved_query(path)
                columns, rows = run(query.sql, None)
                out.append(
                    SavedQuery(
                        query.name,
                        path,
                        query.title,
                        query.description,
                        query.sql,
                        tuple(columns),
                        tuple(rows),
                    )
                )
    except DatabaseError as err:
        raise InputFileError(path, str(err)) from None
    return out


def run_saved_queries(config: Config, queries_dir: Path, out_dir: Path) -> list[Path]:
    """Run every saved query of `queries_dir` and write `<out_dir>/<name>.csv`; returns paths.

    CSV files of queries that no longer exist are removed, so the folder mirrors the queries.
    """
    return write_query_csvs(execute_saved_queries(config, queries_dir), out_dir)


def write_query_csvs(queries: list[SavedQuery], out_dir: Path) -> list[Path]:
    """`<out_dir>/<name>.csv` for each executed query; other CSV files there are removed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for q in queries:
        path = out_dir / f"{q.name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(q.columns)
            writer.writerows(q.rows)
        written.append(path)
    for old in out_dir.glob("*.csv"):
        if old not in written:
            old.unlink()
    return written
