"""`labledger export FILE` and `labledger import FILE`: the whole database to one file and back.

Two typer command functions; the CLI registers them as top-level commands. The database is the
configured one (config.yaml, or `LABLEDGER_DATABASE_URL`), so a move from SQLite to a PostgreSQL
server is `labledger export lab.jsonl.gz` then
`LABLEDGER_DATABASE_URL=postgresql+psycopg://host/lab labledger import lab.jsonl.gz`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from labledger.errors import LabledgerError

FileArgument = Annotated[
    Path, typer.Argument(metavar="FILE", help="The export file (gzip-compressed JSON Lines).")
]


def _fail(err: LabledgerError) -> None:
    typer.echo(f"error: {err}", err=True)
    raise typer.Exit(1)


def _url(ctx: typer.Context) -> str:
    from labledger.config import load_config

    return load_config(ctx.obj).database_url


def _size(n_bytes: int) -> str:
    for unit in ("B", "kB", "MB"):
        if n_bytes < 1000:
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000  # type: ignore[assignment]
    return f"{n_bytes:.1f} GB"


def export_command(
    ctx: typer.Context,
    file: FileArgument,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Overwrite FILE if it exists.")
    ] = False,
) -> None:
    """Export the whole database (records, revisions, ingests, results, analysis runs) to FILE.

    One consistent snapshot, written to FILE.tmp and renamed, so a failed export leaves no
    partial file. `labledger import FILE` rebuilds the database from it, on SQLite or
    PostgreSQL.

    Example: labledger export backups/lab-2026-11-26.jsonl.gz
    """
    from labledger.db.backup import export_database
    from labledger.db.engine import display_url

    try:
        if file.exists() and not force:
            raise LabledgerError(f"{file} exists; pass --force to overwrite it")
        url = _url(ctx)
        done = export_database(url, file)
    except LabledgerError as err:
        _fail(err)
        return
    typer.echo(
        f"exported {len(done.tables)} tables, {done.rows} rows (schema revision "
        f"{done.schema_revision}) from {display_url(url)} to {file}: {_size(done.size_bytes)} "
        f"in {done.seconds:.2f} s"
    )
    if done.skipped:
        typer.echo(f"left out tables that are not labledger's: {', '.join(done.skipped)}")


def import_command(
    ctx: typer.Context,
    file: FileArgument,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Drop the database's labledger tables first (same transaction)."
        ),
    ] = False,
) -> None:
    """Rebuild the database from an export FILE, all or nothing.

    The database must be empty (no labledger tables) unless --replace is given. An export of
    an older schema revision is upgraded after loading; a damaged file or one from a newer
    labledger is refused with nothing written.

    Example: labledger import backups/lab-2026-11-26.jsonl.gz
    """
    from labledger.db.backup import import_database
    from labledger.db.engine import display_url

    try:
        url = _url(ctx)
        done = import_database(url, file, replace=replace)
    except LabledgerError as err:
        _fail(err)
        return
    typer.echo(
        f"imported {len(done.tables)} tables, {done.rows} rows (schema revision "
        f"{done.schema_revision}) from {file} ({_size(file.stat().st_size)}) into "
        f"{display_url(url)}{', replacing its contents' if replace else ''} "
        f"in {done.seconds:.2f} s"
    )
