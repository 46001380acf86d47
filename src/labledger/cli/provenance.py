"""`labledger provenance` and `export-provenance`: the chain behind a record's numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from labledger.cli.common import config_of


def provenance(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID")],
    history: Annotated[
        bool, typer.Option("--history", help="Include earlier runs, not only the current ones.")
    ] = False,
    full_hashes: Annotated[bool, typer.Option("--full-hashes", help="Print whole sha256.")] = False,
) -> None:
    """The chain behind a record's numbers: result <- analysis <- record and raw file <- lineage.

    A record's own analysis (a measurement's, a sample's Arrhenius fit) and the analyses of
    the measurements that name it. Hashes let anyone check the files are the ones used.

    Example: labledger provenance XRD-003
    """
    from labledger.db.provenance_query import provenance_of
    from labledger.provenance.page import provenance_chain_text

    config = config_of(ctx)
    record, runs = provenance_of(
        config.database_url, record_id, config.root, config.records_dir, history=history
    )
    typer.echo(f"{record['id']} ({record['kind']}, {record['path']}, sha256 {record['sha256']})")
    if not runs:
        typer.echo("no analysis results from or about this record yet")
        return
    typer.echo(provenance_chain_text(runs, full_hashes=full_hashes))


def export_provenance(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option(help="Folder (default: `<results_dir>/provenance`).")
    ] = None,
    all_runs: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Every current result at once: OUT/prov.json, prov.provn and crate/ "
            "(costs time in proportion to the whole database).",
        ),
    ] = False,
) -> None:
    """Export provenance as W3C PROV (JSON and PROV-N), an RO-Crate with the files, and one
    HTML page per record.

    By default only the runs of the ingests since the previous export, into
    `OUT/runs/ingest-<ID>/` (listed in OUT/runs/index.json), and only the pages they change:
    this is what the workflow runs after every ingest.

    Example: labledger export-provenance --all --out provenance-2026-11
    """
    from labledger.provenance.publish import publish_all_provenance, publish_provenance

    config = config_of(ctx)
    publish = publish_all_provenance if all_runs else publish_provenance
    done = publish(config, out or config.results_dir / "provenance")
    if done.crate is None:
        typer.echo("no new runs since the previous export")
    else:
        typer.echo(f"{done.n_runs} runs: {done.prov_json}, {done.prov_n}, {done.crate}/")
    typer.echo(f"{len(done.rendered)} page(s) rendered, {len(done.pages)} checked")
    if done.skipped:
        typer.echo(
            f"left out {len(done.skipped)} stale run(s) whose files are gone: "
            + ", ".join(done.skipped[:10])
        )
