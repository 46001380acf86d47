"""`labledger serve`: browse and query the database in a web browser, read-only (Datasette).

Datasette shows every table and view with its documentation (the comment blocks of views.sql),
offers the saved queries of workflow/queries/ as canned queries, and runs any SELECT a person
types. It only reads: custom SQL runs on a read-only connection, and no plugin that writes is
loaded. Ids of records that have a page in the HTML report link to it (the report folder is
served beside the database under /report/).

Datasette reads SQLite files only. On PostgreSQL, `serve` says so and how to get a copy.
"""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

from labledger.config import Config
from labledger.db.engine import display_url, sqlite_path, view_descriptions
from labledger.db.schema import require_database
from labledger.errors import LabledgerError

#: URL path the report folder is served under.
REPORT_MOUNT = "report"


def datasette_metadata(config: Config, report_dir: Path | None) -> dict[str, Any]:
    """Datasette metadata: title, view descriptions and the saved queries as canned queries."""
    from labledger.report.queries import default_queries_dir, read_saved_query

    db_path = _database_file(config)
    queries = {}
    for path in sorted(default_queries_dir(config).glob("*.sql")):
        query = read_saved_query(path)
        queries[query.name] = {
            "sql": query.sql,
            "title": query.title,
            "description": query.description,
        }
    tables = {name: {"description": text} for name, text in view_descriptions().items()}
    about = "Records in git, validated, analysed and loaded by labledger; read-only."
    if report_dir is not None:
        about += " Record ids link to their pages in the HTML report."
    return {
        "title": "labledger",
        "description": about,
        "databases": {db_path.stem: {"tables": tables, "queries": queries}},
    }


def report_pages(report_dir: Path | None) -> set[str]:
    """Record ids with a page under `report_dir`/samples/."""
    if report_dir is None or not (report_dir / "samples").is_dir():
        return set()
    return {p.stem for p in (report_dir / "samples").glob("*.html")}


def serve_arguments(
    config: Config, host: str, port: int, metadata: Path, report_dir: Path | None
) -> list[str]:
    """The `datasette serve` arguments for this project's database."""
    args = [
        "serve",
        str(_database_file(config)),
        "--host",
        host,
        "--port",
        str(port),
        "--metadata",
        str(metadata),
        "--setting",
        "sql_time_limit_ms",
        "5000",
    ]
    if report_dir is not None and report_dir.is_dir():
        args += ["--static", f"{REPORT_MOUNT}:{report_dir}"]
    return args


def run_datasette(config: Config, args: list[str], report_dir: Path | None, out: Path) -> int:
    """Write the metadata to `out`, register the report-link plugin and run Datasette."""
    out.write_text(json.dumps(datasette_metadata(config, report_dir), indent=1), "utf-8")
    import importlib

    import click
    from datasette.cli import cli
    from datasette.plugins import pm

    # Datasette prints every error, also a mistyped query (a 400), as a full rich traceback
    # with local variables in the terminal; the browser shows the message already. Server
    # errors (500) still print their traceback. (Imported after datasette.plugins, which
    # registers this module as its default error handler: imported first, it would register
    # half-initialised.)
    handle_exception: Any = importlib.import_module("datasette.handle_exception")
    handle_exception.rich = None
    plugin = _report_links(report_pages(report_dir))
    pm.register(plugin, name="labledger-report-links")
    try:
        cli.main(args=args, prog_name="labledger serve", standalone_mode=False)
    except click.ClickException as err:
        raise LabledgerError(f"datasette: {err.format_message()}") from None
    except OSError as err:  # e.g. the port is taken
        raise LabledgerError(f"datasette cannot serve: {err}") from None
    finally:
        pm.unregister(plugin)
    return 0


def _database_file(config: Config) -> Path:
    url = config.database_url
    path = sqlite_path(url)
    if path is None:
        raise LabledgerError(
            f"labledger serve runs Datasette, which reads SQLite files only; this database is "
            f"{display_url(url)}. Browse it with psql or a PostgreSQL client, or serve a copy: "
            "`labledger export lab.jsonl.gz`, then `LABLEDGER_DATABASE_URL=sqlite:///lab.db "
            "labledger import lab.jsonl.gz` and `LABLEDGER_DATABASE_URL=sqlite:///lab.db "
            "labledger serve`"
        )
    require_database(url)
    return path


def _report_links(pages: set[str]) -> types.ModuleType:
    """A Datasette plugin (a module, as Datasette expects): a cell holding a record id with a
    report page links to that page. Built here because Datasette is imported only by `serve`."""
    from datasette import hookimpl
    from markupsafe import Markup, escape

    plugin = types.ModuleType("labledger_report_links")

    @hookimpl
    def render_cell(value: Any) -> Any:
        if not isinstance(value, str) or value not in pages:
            return None
        href = f"/{REPORT_MOUNT}/samples/{escape(value)}.html"
        return Markup(f'<a href="{href}" title="its report page">{escape(value)}</a>')

    plugin.render_cell = render_cell  # type: ignore[attr-defined]
    return plugin
