"""The `labledger` command: the root app and every command and command group, in help order.

Each command lives in the module of its group (`records`, `database`, `analysis`, `provenance`,
`serve`, `backup`; `xrd`, `eis`, `cycling`, `db` and `labledger.report.cli` are sub-apps); this
module only puts them together and turns user errors into messages.
"""

from __future__ import annotations

import sys

import typer

from labledger.cli import analysis, backup, database, provenance, publish, records, serve
from labledger.cli.common import ConfigOption, echo_err
from labledger.errors import LabledgerError, RecordsInvalid

app = typer.Typer(
    help="labledger: the lab's experiment records in git, validated, analysed and in SQL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _mount_analysis_apps() -> None:
    from labledger.cli.cycling import app as cycling_app
    from labledger.cli.eis import app as eis_app
    from labledger.cli.xrd import app as xrd_app
    from labledger.report.cli import app as report_app

    app.add_typer(xrd_app, name="xrd", help="XRD scans: phases and weight fractions.")
    app.add_typer(eis_app, name="eis", help="Impedance spectra: circuit fit, conductivity.")
    app.add_typer(cycling_app, name="cycling", help="Cycling files: CE, nucleation, retention.")
    app.add_typer(
        report_app, name="report", help="HTML report, saved queries, changes between ingests."
    )


def _mount_database_commands() -> None:
    from labledger.cli.db import app as db_app

    app.add_typer(db_app, name="db", help="Database schema: revision, history, upgrade.")
    app.command("export")(backup.export_command)
    app.command("import")(backup.import_command)


def _mount_commands() -> None:
    app.command()(records.check)
    app.command()(database.ingest)
    app.command()(database.sql)
    app.command("ls")(records.list_command)
    app.command()(records.show)
    app.command()(records.new)
    app.command()(database.history)
    app.command()(records.schema)
    app.command()(analysis.analyze)
    app.command("analyze-shard")(analysis.analyze_shard)
    app.command("analyze-arrhenius")(analysis.analyze_arrhenius)
    app.command()(database.status)
    app.command()(provenance.provenance)
    app.command("export-provenance")(provenance.export_provenance)
    app.command()(publish.publish)
    app.command()(serve.serve)
    app.command()(database.views)


_mount_analysis_apps()
_mount_database_commands()
_mount_commands()


@app.callback()
def _root(ctx: typer.Context, config: ConfigOption = None) -> None:
    from labledger.kinds import analysed_kinds

    analysed_kinds()  # a lab's own kinds ($LABLEDGER_KINDS) join the record kinds
    ctx.obj = config


def run(argv: list[str] | None = None) -> int:
    """Run the CLI on `argv`; return the exit status (user errors become messages and 1)."""
    try:
        app(args=argv, prog_name="labledger")  # standalone: usage errors print and exit 2
    except SystemExit as err:
        return err.code if isinstance(err.code, int) else (0 if err.code is None else 1)
    except RecordsInvalid as err:
        echo_err(str(err))
        return 1
    except LabledgerError as err:
        echo_err(f"error: {err}")
        return 1
    except KeyboardInterrupt:
        echo_err("interrupted")
        return 130
    return 0


def main() -> None:
    """Console entry point."""
    sys.exit(run())
