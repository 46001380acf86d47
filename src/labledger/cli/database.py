"""`labledger ingest`, `sql`, `history`, `status`, `views`: the database of the records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from labledger.cli.common import config_of
from labledger.errors import LabledgerError


def ingest(
    ctx: typer.Context,
    full: Annotated[
        bool, typer.Option("--full", help="Re-validate and rewrite every record, not only changes.")
    ] = False,
) -> None:
    """Load all records into the database in one transaction, incrementally by content hash.

    Unchanged files are not rewritten; edited ones get a new revision; a deleted file is marked
    removed. When any record is invalid nothing is written and every problem is printed.

    Example: labledger ingest
    """
    from labledger.db.engine import display_url
    from labledger.db.ingest import ingest as run_ingest

    config = config_of(ctx)
    summary = run_ingest(config, full=full)
    hint = summary.notes_hint()
    if hint:
        typer.echo(hint)
    where = display_url(config.database_url)
    typer.echo(f"ingest into {where}: {summary.describe()}")


def sql(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="The SQL statement.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the SQL from a file.")
    ] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (a list of objects).")
    ] = False,
) -> None:
    """Run a SQL query on the database and print the result (read-only: rolled back).

    Example: labledger sql "SELECT batch_id, li2co3_excess_pct FROM batch_synthesis"
    """
    from labledger.db.query import run_query
    from labledger.textable import format_csv, format_json, format_table

    if (query is None) == (file is None):
        raise LabledgerError("give the SQL as an argument or with --file, not both")
    statement = query if query is not None else _read_text(file)  # type: ignore[arg-type]
    columns, rows = run_query(config_of(ctx).database_url, statement)
    if as_csv:
        typer.echo(format_csv(columns, rows), nl=False)
    elif as_json:
        typer.echo(format_json(columns, rows))
    else:
        typer.echo(format_table(columns, rows))


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise LabledgerError(f"{path}: {err.strerror}") from None


def history(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID")],
    at: Annotated[
        str | None,
        typer.Option(
            "--at", metavar="COMMIT", help="Print the revision this git commit holds instead."
        ),
    ] = None,
) -> None:
    """Every revision of a record in the database, with what changed between them.

    Example: labledger history B-003 --at HEAD~2
    """
    from labledger.db.history import record_history, revision_at

    config = config_of(ctx)
    if at is not None:
        found = revision_at(config.database_url, config.records_dir, record_id, at)
        typer.echo(
            f"# {record_id} at commit {found.commit[:10]}: revision {found.number} "
            f"({found.change}, ingested {found.ingested_at})"
        )
        typer.echo(found.content_yaml.rstrip())
        return
    for rev in record_history(config.database_url, record_id):
        commit = (rev.git_commit or "no git")[:10] + (" (dirty)" if rev.git_dirty else "")
        typer.echo(f"revision {rev.number}  {rev.change:<8}  {rev.ingested_at}  {commit}")
        for line in rev.differences:
            typer.echo(f"    {line}")
        if rev.change == "modified" and not rev.differences:
            typer.echo("    (no field changed: only the file's layout, comments or line endings)")


def status(ctx: typer.Context) -> None:
    """What the database holds, which results are stale and what is still pending.

    Exits with status 1 when a result is stale or a raw file has no result yet.

    Example: labledger status
    """
    from labledger.db.status import database_status, format_status

    state = database_status(config_of(ctx).database_url)
    typer.echo(format_status(state))
    if not state.clean:
        raise typer.Exit(1)


def views() -> None:
    """List the SQL views with what each one answers.

    Example: labledger views
    """
    import textwrap

    from labledger.db.engine import view_descriptions

    for name, text in view_descriptions().items():
        typer.echo(textwrap.fill(f"{name}: {text}", width=96, subsequent_indent="    "))
