"""`labledger serve`: browse and query the database in a web browser (Datasette, read-only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from labledger.cli.common import config_of


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free one).")] = 8001,
    report: Annotated[
        Path | None, typer.Option(help="Report folder to link to (default: results/report).")
    ] = None,
) -> None:
    """Browse and query the database in a web browser (Datasette, read-only): every table and
    view with its documentation, the saved queries, and links to the report pages.

    Example: labledger serve --port 8001
    """
    import tempfile

    from labledger.serve import run_datasette, serve_arguments

    config = config_of(ctx)
    report_dir = report or config.results_dir / "report"
    with tempfile.TemporaryDirectory(prefix="labledger-serve-") as tmp:
        metadata = Path(tmp) / "metadata.json"
        args = serve_arguments(config, host, port, metadata, report_dir)
        typer.echo(
            f"serving {config.database_url} read-only at http://{host}:{port}/ (Ctrl-C stops)"
        )
        run_datasette(config, args, report_dir, metadata)
