"""The `labledger` command line. It parses options and formats results; the work is in the library.

Every error a user can cause is a LabledgerError: printed to stderr, exit status 1.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

# Analyses work on tall, thin matrices where BLAS threads cost more than they save (an XRD fit
# took 3.2 s with two OpenBLAS threads and 0.24 s with one on a 2-core machine); this must be set
# before numpy is first imported. A user's own setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import typer  # noqa: E402

from labledger.errors import LabledgerError, RecordsInvalid  # noqa: E402

app = typer.Typer(
    help="labledger: the lab's experiment records in git, validated, analysed and in SQL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="config.yaml to use (default: ./config.yaml, or $LABLEDGER_CONFIG).",
        show_default=False,
    ),
]


def _mount_analysis_apps() -> None:
    from labledger.cycling.cli import app as cycling_app
    from labledger.eis.cli import app as eis_app
    from labledger.report.cli import app as report_app
    from labledger.xrd.cli import app as xrd_app

    app.add_typer(xrd_app, name="xrd", help="XRD scans: phases and weight fractions.")
    app.add_typer(eis_app, name="eis", help="Impedance spectra: circuit fit, conductivity.")
    app.add_typer(cycling_app, name="cycling", help="Cycling files: CE, nucleation, retention.")
    app.add_typer(
        report_app, name="report", help="HTML report, saved queries, changes between ingests."
    )


def _mount_database_commands() -> None:
    from labledger.db.backup_cli import export_command, import_command
    from labledger.db.cli import app as db_app

    app.add_typer(db_app, name="db", help="Database schema: revision, history, upgrade.")
    app.command("export")(export_command)
    app.command("import")(import_command)


_mount_analysis_apps()
_mount_database_commands()


@app.callback()
def _root(ctx: typer.Context, config: ConfigOption = None) -> None:
    ctx.obj = config


def _config(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from labledger.config import load_config

    return load_config(ctx.obj)


def _echo_err(text: str) -> None:
    typer.echo(text, err=True)


@app.command()
def check(
    ctx: typer.Context,
    records: Annotated[
        Path | None, typer.Option(help="Records folder (default: from config.yaml).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
) -> None:
    """Validate every record file: schema, references, ids, raw files, plausibility.

    Prints one line per problem as `path:line:col: field: message` and exits with status 1
    when there is any error. Notes (e.g. a raw file still pending) do not fail the check.

    Example: labledger check
    """
    from labledger.records.store import check_store

    folder = records or _config(ctx).records_dir
    if not folder.is_dir():
        raise LabledgerError(f"{folder}: records folder not found")
    result = check_store(folder)
    for p in result.problems:
        if p.severity == "error" or not quiet:
            typer.echo(str(p))
    notes = len(result.problems) - len(result.errors)
    summary = f"checked {result.n_files} record files: {len(result.errors)} error(s)"
    typer.echo(summary + (f", {notes} note(s)" if notes else ""), err=bool(result.errors))
    if result.errors:
        raise typer.Exit(1)


@app.command()
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

    config = _config(ctx)
    summary = run_ingest(config, full=full)
    if summary.notes:
        typer.echo(f"{len(summary.notes)} note(s), e.g. raw files pending: see `labledger check`")
    where = display_url(config.database_url)
    typer.echo(f"ingest into {where}: {summary.describe()}")


@app.command()
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
    columns, rows = run_query(_config(ctx).database_url, statement)
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


@app.command("ls")
def list_command(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Argument(help="batch, electrode, xrd, eis or cell.")] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            "-w",
            metavar="FIELD=VALUE",
            help="Only records whose field has this value (repeat for several; a field inside a "
            "step or the protocol matches by its own name).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the records of the store (valid ones), optionally of one kind and by field values.

    Example: labledger ls electrode --where cnt_wt_pct=20
    """
    from labledger.records.listing import COLUMNS, Condition, list_records
    from labledger.textable import format_json, format_table

    conditions = [Condition.parse(w) for w in where or []]
    rows = list_records(_config(ctx).records_dir, kind, conditions)
    table = [[r[c] for c in COLUMNS] for r in rows]
    typer.echo(format_json(COLUMNS, table) if as_json else format_table(COLUMNS, table))


@app.command()
def show(ctx: typer.Context, record_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Print a record, the records it names and the records that name it.

    Example: labledger show B-003
    """
    from labledger.records.lookup import find_record, referenced_by, references_of
    from labledger.records.store import display_path

    config = _config(ctx)
    path = find_record(config.records_dir, record_id)
    typer.echo(f"# {display_path(path)}")
    typer.echo(path.read_text(encoding="utf-8").rstrip())
    refs = references_of(path)
    typer.echo("\nnames:" + ("" if refs else " (nothing)"))
    for field, target in refs:
        typer.echo(f"  {field}: {target}")
    back = referenced_by(config.records_dir, record_id)
    typer.echo("named by:" + ("" if back else " (nothing)"))
    for other, kind, field in back:
        typer.echo(f"  {other} ({kind}.{field})")


@app.command()
def new(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="batch, electrode, xrd, eis or cell.")],
    from_id: Annotated[
        str | None, typer.Option("--from", help="Copy this record instead of the template.")
    ] = None,
    record_id: Annotated[str | None, typer.Option("--id", help="Id (default: next free).")] = None,
) -> None:
    """Write a new record file from a template with the next free id and today's date.

    Example: labledger new batch --from B-003
    """
    from labledger.records.lookup import find_record
    from labledger.records.new_record import new_record
    from labledger.records.store import display_path

    config = _config(ctx)
    source = find_record(config.records_dir, from_id) if from_id else None
    path = new_record(config.records_dir, kind, copy_from=source, record_id=record_id)
    typer.echo(f"wrote {display_path(path)}")


@app.command()
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

    config = _config(ctx)
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


@app.command()
def schema(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option(help="Folder (default: schema/ beside config).")
    ] = None,
    check_only: Annotated[
        bool, typer.Option("--check", help="Only report files that differ; exit 1 if any.")
    ] = False,
) -> None:
    """Write the JSON Schemas of the record kinds and config.yaml, and the SQL views, to schema/.

    Example: labledger schema --check
    """
    from labledger.db.schema_export import schema_drift, write_schema

    folder = out or _config(ctx).root / "schema"
    if check_only:
        drift = schema_drift(folder)
        for name in drift:
            typer.echo(f"{folder / name}: differs from the models; run `labledger schema`")
        if drift:
            raise typer.Exit(1)
        typer.echo(f"{folder}: up to date")
        return
    for path in write_schema(folder):
        typer.echo(f"wrote {path}")


@app.command()
def analyze(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="An xrd, eis or cell record.")],
    out: Annotated[
        Path | None, typer.Option(help="Result JSON (default: results/<kind>/<ID>.json).")
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="Plot SVG (default: beside the JSON).")] = None,
    rule: Annotated[str, typer.Option(help="Name of the workflow rule, for provenance.")] = "cli",
) -> None:
    """Analyse one record's raw file with the record's parameters; write result JSON and plot.

    The JSON carries the result and its provenance: input files with sha256, parameters,
    labledger version and git commit, library versions, host, user, start and end times.

    Example: labledger analyze C-004
    """
    from labledger.analyses import analyze_record
    from labledger.records.store import display_path

    path = analyze_record(_config(ctx), record_id, out=out, plot=plot, rule=rule)
    typer.echo(f"wrote {display_path(path)}")


@app.command("analyze-shard")
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

    run_shard(_config(ctx), kind, shard, shards, manifest=manifest, rule=rule, echo=typer.echo)


@app.command()
def status(ctx: typer.Context) -> None:
    """What the database holds, which results are stale and what is still pending.

    Exits with status 1 when a result is stale or a raw file has no result yet.

    Example: labledger status
    """
    from labledger.db.status import database_status, format_status

    state = database_status(_config(ctx).database_url)
    typer.echo(format_status(state))
    if not state.clean:
        raise typer.Exit(1)


@app.command()
def provenance(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID")],
    history: Annotated[
        bool, typer.Option("--history", help="Include earlier runs, not only the current ones.")
    ] = False,
    full_hashes: Annotated[bool, typer.Option("--full-hashes", help="Print whole sha256.")] = False,
) -> None:
    """The chain behind a record's numbers: result <- analysis <- record and raw file <- lineage.

    For a batch, electrode or cell without an analysis of its own, the analyses of the
    measurements that name it. Hashes let anyone check the files are the ones used.

    Example: labledger provenance XRD-003
    """
    from labledger.db.provenance_query import provenance_of
    from labledger.provenance.page import provenance_chain_text

    config = _config(ctx)
    record, runs = provenance_of(
        config.database_url, record_id, config.root, config.records_dir, history=history
    )
    typer.echo(f"{record['id']} ({record['kind']}, {record['path']}, sha256 {record['sha256']})")
    if not runs:
        typer.echo("no analysis results from or about this record yet")
        return
    typer.echo(provenance_chain_text(runs, full_hashes=full_hashes))


@app.command("export-provenance")
def export_provenance(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option(help="Folder (default: <results_dir>/provenance).")
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
    OUT/runs/ingest-<ID>/ (listed in OUT/runs/index.json), and only the pages they change:
    this is what the workflow runs after every ingest.

    Example: labledger export-provenance --all --out provenance-2026-11
    """
    from labledger.provenance.publish import publish_all_provenance, publish_provenance

    config = _config(ctx)
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


@app.command()
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

    config = _config(ctx)
    report_dir = report or config.results_dir / "report"
    with tempfile.TemporaryDirectory(prefix="labledger-serve-") as tmp:
        metadata = Path(tmp) / "metadata.json"
        args = serve_arguments(config, host, port, metadata, report_dir)
        typer.echo(
            f"serving {config.database_url} read-only at http://{host}:{port}/ (Ctrl-C stops)"
        )
        run_datasette(config, args, report_dir, metadata)


@app.command()
def views() -> None:
    """List the SQL views with what each one answers.

    Example: labledger views
    """
    import textwrap

    from labledger.db.engine import view_descriptions

    for name, text in view_descriptions().items():
        typer.echo(textwrap.fill(f"{name}: {text}", width=96, subsequent_indent="    "))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI on `argv`; return the exit status (user errors become messages and 1)."""
    try:
        app(args=argv, prog_name="labledger")  # standalone: usage errors print and exit 2
    except SystemExit as err:
        return err.code if isinstance(err.code, int) else (0 if err.code is None else 1)
    except RecordsInvalid as err:
        _echo_err(str(err))
        return 1
    except LabledgerError as err:
        _echo_err(f"error: {err}")
        return 1
    except KeyboardInterrupt:
        _echo_err("interrupted")
        return 130
    return 0


def main() -> None:
    """Console entry point."""
    sys.exit(run())


if __name__ == "__main__":
    main()
