"""`labledger publish`: ingest, provenance export, report and saved queries in one process."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from labledger.cli.common import config_of


def publish(
    ctx: typer.Context,
    provenance_out: Annotated[
        Path | None,
        typer.Option(help="Provenance folder (default: `<results_dir>/provenance`)."),
    ] = None,
    report_out: Annotated[
        Path | None, typer.Option(help="Report folder (default: `<results_dir>/report`).")
    ] = None,
    queries_out: Annotated[
        Path | None,
        typer.Option(help="Also write the saved queries' results here as `<name>.csv`."),
    ] = None,
) -> None:
    """What the workflow does after the analyses: `ingest`, then `export-provenance` of the
    new runs, then `report build`, in one process (each step as its own command does it).

    Example: labledger publish --queries-out results/queries
    """
    from labledger.publish import publish as run_publish

    run_publish(config_of(ctx), provenance_out, report_out, queries_out, echo=typer.echo)
