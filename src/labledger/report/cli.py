"""`labledger report ...`: build the HTML report and run the saved queries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from labledger.errors import LabledgerError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def _fail(err: LabledgerError) -> None:
    typer.echo(f"error: {err}", err=True)
    raise typer.Exit(1)


@app.command("build")
def report_command(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder (default: `<results_dir>/report`)."),
    ] = None,
    queries_out: Annotated[
        Path | None,
        typer.Option(
            "--queries-out",
            help="Also write the saved queries' results here as `<name>.csv`"
            " (as `report queries`).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the written paths as JSON.")
    ] = False,
) -> None:
    """Write the static HTML report (index, sample, study, history and query pages).

    Example: labledger report build --out results/report --queries-out results/queries
    """
    from labledger.config import load_config
    from labledger.report.build import build_report

    try:
        config = load_config(ctx.obj)
        folder = out or config.results_dir / "report"
        build = build_report(config, folder, queries_out)
    except LabledgerError as err:
        _fail(err)
        return
    if as_json:
        payload = {
            "out": str(folder),
            "pages": [str(p) for p in build.pages],
            "rendered": [str(p) for p in build.rendered],
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        typer.echo(build.describe(folder))


@app.command("queries")
def queries_command(
    ctx: typer.Context,
    queries_dir: Annotated[
        Path | None,
        typer.Option("--queries", help="Folder of *.sql files (default: workflow/queries)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder (default: `<results_dir>/queries`)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the written paths as JSON.")
    ] = False,
) -> None:
    """Run every saved query (*.sql) against the database into `<out>/<name>.csv`.

    Example: labledger report queries --queries workflow/queries --out results/queries
    """
    from labledger.config import load_config
    from labledger.report.queries import default_queries_dir, run_saved_queries

    try:
        config = load_config(ctx.obj)
        qdir = queries_dir or default_queries_dir(config)
        if not qdir.is_dir():
            raise LabledgerError(f"{qdir}: folder of saved queries not found")
        folder = out or config.results_dir / "queries"
        paths = run_saved_queries(config, qdir, folder)
    except LabledgerError as err:
        _fail(err)
        return
    if as_json:
        typer.echo(json.dumps([str(p) for p in paths], indent=2))
    else:
        typer.echo(f"wrote {len(paths)} query results to {folder}")


@app.command("changes")
def changes_command(
    ctx: typer.Context,
    since: Annotated[str, typer.Argument(help="Ingest number or git commit (0: empty database).")],
    until: Annotated[
        str | None, typer.Argument(help="Ingest number or git commit (default: the last ingest).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
) -> None:
    """What changed after one ingest (or commit) up to another: records and moved results.

    Example: labledger report changes 839f680 f4b841c
    """
    from labledger.config import load_config
    from labledger.report.data import load_report_data
    from labledger.report.history import changes_between, resolve_ingest

    try:
        config = load_config(ctx.obj)
        data = load_report_data(config)
        if not data.ingests:
            raise LabledgerError("no ingest in the database yet")
        records_dir = config.records_dir
        first = resolve_ingest(data, since, records_dir)
        last = resolve_ingest(data, until, records_dir) if until else data.ingests[-1]["id"]
        changes = changes_between(data, first, last)
    except LabledgerError as err:
        _fail(err)
        return
    if as_json:
        typer.echo(json.dumps(changes.to_dict(), indent=2, ensure_ascii=False))
        return
    typer.echo(f"after ingest {first} up to ingest {last}:")
    for r in changes.records:
        typer.echo(f"  {r.change:8s} {r.record_id} ({r.kind})")
        for line in r.fields:
            typer.echo(f"           {line}")
    for m in changes.results:
        typer.echo(f"  result {m.change}: {m.record_id} ({m.analysis})")
    if not changes.records and not changes.results:
        typer.echo("  nothing changed")
