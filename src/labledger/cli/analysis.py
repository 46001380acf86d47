"""`labledger analyze` and `analyze-shard`: run the analysis of a record or of a shard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from labledger.cli.common import config_of


def analyze(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="An xrd, eis or cell record.")],
    out: Annotated[
        Path | None, typer.Option(help="Result JSON (default: `results/<kind>/<ID>.json`).")
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="Plot SVG (default: beside the JSON).")] = None,
    rule: Annotated[str, typer.Option(help="Name of the workflow rule, for provenance.")] = "cli",
    record: Annotated[
        Path | None,
        typer.Option(help="The record's file (default: found by ID in the records folder)."),
    ] = None,
) -> None:
    """Analyse one record's raw file with the record's parameters; write result JSON and plot.

    The JSON carries the result and its provenance: input files with sha256, parameters,
    labledger version and git commit, library versions, host, user, start and end times.

    Example: labledger analyze C-004
    """
    from labledger.analyses import analyze_record
    from labledger.records.store import display_path

    path = analyze_record(config_of(ctx), record_id, out=out, plot=plot, rule=rule, path=record)
    typer.echo(f"wrote {display_path(path)}")


def analyze_shard(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="xrd, eis or cell.")],
    shard: Annotated[int, typer.Option(help="Which shard, 0 to SHARDS-1.")],
    shards: Annotated[int, typer.Option(help="How many shards the kind is split into.")],
    manifest: Annotated[
        Path | None,
        typer.Option(help="Manifest to write (default: results/shards/KIND/SHARDS/SHARD.json)."),
    ] = None,
    rule: Annotated[str, typer.Option(help="Name of the workflow rule, for provenance.")] = "cli",
) -> None:
    """Analyse the records of one shard (crc32(id) % SHARDS == SHARD) in one process.

    A record whose result names the same record and raw file (sha256), parameters and
    analysis version is kept; the others are analysed as `labledger analyze ID` does. Prints
    one line per record; exits with status 1, naming them, when any analysis failed.

    Example: labledger analyze-shard xrd --shard 3 --shards 64
    """
    from labledger.analyses.shards import analyze_shard as run_shard

    run_shard(config_of(ctx), kind, shard, shards, manifest=manifest, rule=rule, echo=typer.echo)


def analyze_arrhenius(
    ctx: typer.Context,
    rule: Annotated[str, typer.Option(help="Name of the workflow rule, for provenance.")] = "cli",
) -> None:
    """Fit the activation energy of every sample with spectra at two or more temperatures.

    Reads the current EIS result files (results/eis/) and writes results/arrhenius/SAMPLE.json
    (the fits with their provenance: the sample's record and each EIS result used, with
    sha256); a file whose inputs are unchanged is kept. `labledger publish` (the workflow)
    runs this before the ingest, which loads the files into `arrhenius_fit`.

    Example: labledger analyze-arrhenius && labledger ingest
    """
    from labledger.analyses.arrhenius import analyze_arrhenius as run_arrhenius

    run = run_arrhenius(config_of(ctx), rule=rule)
    typer.echo(run.describe())
