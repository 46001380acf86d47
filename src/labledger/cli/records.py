"""`labledger check`, `ls`, `show`, `new` and `schema`: the record files in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from labledger.cli.common import config_of
from labledger.errors import LabledgerError


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

    folder = records or config_of(ctx).records_dir
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
    rows = list_records(config_of(ctx).records_dir, kind, conditions)
    table = [[r[c] for c in COLUMNS] for r in rows]
    typer.echo(format_json(COLUMNS, table) if as_json else format_table(COLUMNS, table))


def show(ctx: typer.Context, record_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Print a record, the records it names and the records that name it.

    Example: labledger show B-003
    """
    from labledger.records.lookup import find_record, referenced_by, references_of
    from labledger.records.store import display_path

    config = config_of(ctx)
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

    config = config_of(ctx)
    source = find_record(config.records_dir, from_id) if from_id else None
    path = new_record(config.records_dir, kind, copy_from=source, record_id=record_id)
    typer.echo(f"wrote {display_path(path)}")


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

    folder = out or config_of(ctx).root / "schema"
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
