"""`labledger db ...`: the database schema's revision and its upgrade."""

from __future__ import annotations

import typer

from labledger.errors import LabledgerError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def _fail(err: LabledgerError) -> None:
    typer.echo(f"error: {err}", err=True)
    raise typer.Exit(1)


def _url(ctx: typer.Context) -> str:
    from labledger.config import load_config

    return load_config(ctx.obj).database_url


@app.command("upgrade")
def upgrade_command(ctx: typer.Context) -> None:
    """Upgrade the database's schema to this labledger's, in place and in one transaction;
    records, revisions, ingests and analysis runs are kept.

    Example: labledger db upgrade
    """
    from labledger.db.engine import display_url
    from labledger.db.schema import upgrade

    try:
        url = _url(ctx)
        done = upgrade(url)
    except LabledgerError as err:
        _fail(err)
        return
    if done.changed:
        typer.echo(f"upgraded {display_url(url)} from revision {done.before} to {done.after}")
    else:
        typer.echo(f"{display_url(url)} is already at head (revision {done.after})")


@app.command("current")
def current_command(ctx: typer.Context) -> None:
    """Print the database's schema revision and whether it needs `labledger db upgrade`.

    Example: labledger db current
    """
    from labledger.db.engine import display_url
    from labledger.db.schema import current_revision, head_revision, history

    try:
        url = _url(ctx)
        rev = current_revision(url)
    except LabledgerError as err:
        _fail(err)
        return
    head = head_revision()
    shown = display_url(url)
    if rev is None:
        typer.echo(f"{shown}: no labledger database yet (`labledger ingest` creates one)")
    elif rev == head:
        typer.echo(f"{shown}: revision {rev} (head)")
    elif rev in {r.revision for r in history()}:
        typer.echo(f"{shown}: revision {rev}, head is {head}: run `labledger db upgrade`")
    else:
        typer.echo(f"{shown}: revision {rev}, unknown to this labledger (head {head}): upgrade it")


@app.command("history")
def history_command() -> None:
    """List the schema revisions, oldest first, with what each one changes.

    Example: labledger db history
    """
    from labledger.db.schema import head_revision, history

    head = head_revision()
    for rev in history():
        mark = " (head)" if rev.revision == head else ""
        typer.echo(f"{rev.revision}{mark}: {rev.doc}")
