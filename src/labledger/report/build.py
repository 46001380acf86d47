"""Render the report: Jinja2 templates (autoescaped) into self-contained HTML files.

Layout of `out_dir`: index.html, study.html, history.html, queries.html and samples/<ID>.html
(one per batch, electrode and cell). Pages inline their CSS, scripts and SVG plots and fetch
nothing, so the folder works from the file system, offline.

What each page shows comes from `report.context` (index and sample pages), `report.study`,
`report.history` and `report.queries`; this module renders the templates and writes the pages,
a sample page only when its view changed (`samples/.pages.json`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, DictLoader, Environment

from labledger.atomic import write_text_atomic
from labledger.config import Config
from labledger.page_manifest import PageManifest, code_fingerprint, data_key
from labledger.report.context import PageContext
from labledger.report.data import load_report_data
from labledger.report.history import changes_between, ingest_history
from labledger.report.links import rel
from labledger.report.plots import PLOT_CACHE, LazyPlot
from labledger.report.quantities import (
    fmt_number,
    fmt_quantity,
    fmt_tolerance,
    fmt_unit,
    fmt_utc,
    fmt_value,
)
from labledger.report.queries import (
    default_queries_dir,
    execute_saved_queries,
    write_query_csvs,
)
from labledger.report.sections import Section, report_sections, section_template_name
from labledger.report.study import STUDY, STUDY_DOI, study_table
from labledger.templating import template_environment

#: Manifest of the sample pages (in the report's samples/ folder): the key each was rendered from.
PAGE_MANIFEST = ".pages.json"


def _env(sections: Sequence[Section] = ()) -> Environment:
    """The report's environment; the analysed kinds' section templates are known by
    `section_template_name`."""
    env = template_environment("labledger.report")
    own = DictLoader({section_template_name(s): s.template for s in sections})
    env.loader = ChoiceLoader([own, env.loader] if env.loader else [own])
    env.filters["num"] = fmt_number
    env.filters["qty"] = fmt_quantity
    env.filters["val"] = fmt_value
    env.filters["unit"] = fmt_unit
    env.filters["tol"] = fmt_tolerance
    env.filters["utc"] = fmt_utc
    env.filters["short"] = lambda s, n=12: (s or "-")[:n]
    return env


def _version() -> str:
    from labledger import __version__

    return __version__


def _write(path: Path, text: str, build: ReportBuild, listed: bool = False) -> None:
    """Write one page; it joins `build.rendered` (and `build.pages` unless already `listed`)."""
    write_text_atomic(path, text)  # a page the manifest lists is trusted: never a torn one
    build.rendered.append(path)
    if not listed:
        build.pages.append(path)


@dataclass
class ReportBuild:
    """What a build left in the report folder: every page, and those it (re)wrote."""

    pages: list[Path]
    rendered: list[Path]

    def describe(self, out_dir: Path) -> str:
        """One line: how many pages were written to `out_dir`, and where to open it."""
        kept = len(self.pages) - len(self.rendered)
        return (
            f"wrote {len(self.rendered)} pages to {out_dir}"
            + (f" ({kept} others unchanged)" if kept else "")
            + f" (open {out_dir / 'index.html'})"
        )


def build_report(config: Config, out_dir: Path, queries_out: Path | None = None) -> ReportBuild:
    """Write the report pages into `out_dir` from the configured database; with `queries_out`,
    also the saved queries' results as `<queries_out>/<name>.csv` (run once for both).

    The index, study, history and query pages are written every time; a sample page only when
    its view data (or the report's code) changed since the last build, so a change to one
    record rewrites a handful of pages. Pages for parts without data say "no data yet". Raises
    DatabaseError without a database.
    """
    sections = report_sections()
    section_queries = {name: sql for s in sections for name, sql in s.queries.items()}
    data = load_report_data(config, queries=section_queries)
    env = _env(sections)
    out_dir.mkdir(parents=True, exist_ok=True)
    build = ReportBuild([], [])
    common = {
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": _version(),
        "database": config.database_url.split("@")[-1],
    }
    ctx = PageContext(config, data, out_dir, sections)
    _write(
        out_dir / "index.html",
        env.get_template("index.html.j2").render(root="", page="index", **common, **ctx.index()),
        build,
    )
    _write_sample_pages(env, ctx, common, out_dir, build)
    rows = study_table(config, data)
    used = sorted({c for r in rows for c in r.cells})
    synthetic = [c for c in used if (data.contents.get(c) or {}).get("synthetic")]
    _write(
        out_dir / "study.html",
        env.get_template("study.html.j2").render(
            root="",
            page="study",
            rows=rows,
            synthetic=synthetic,
            n_used=len(used),
            study=STUDY,
            doi=STUDY_DOI,
            sample_ids=ctx.links.sample_ids,
            measurement_links=ctx.links.measurement_links(""),
            **common,
        ),
        build,
    )
    history = ingest_history(data)
    span = (
        changes_between(data, data.ingests[0]["id"], data.ingests[-1]["id"])
        if data.ingests
        else None
    )
    _write(
        out_dir / "history.html",
        env.get_template("history.html.j2").render(
            root="",
            page="history",
            history=history,
            ingests=data.ingests,
            span=span,
            sample_ids=ctx.links.sample_ids,
            measurement_links=ctx.links.measurement_links(""),
            **common,
        ),
        build,
    )
    qdir = default_queries_dir(config)
    queries = execute_saved_queries(config, qdir) if qdir.is_dir() else []
    if queries_out is not None:
        write_query_csvs(queries, queries_out)
    csv_dir = queries_out or config.results_dir / "queries"
    csv_links = {
        q.name: rel(csv_dir / f"{q.name}.csv", out_dir)
        for q in queries
        if (csv_dir / f"{q.name}.csv").is_file()
    }
    _write(
        out_dir / "queries.html",
        env.get_template("queries.html.j2").render(
            root="",
            page="queries",
            queries=queries,
            csv_links=csv_links,
            has_data=bool(data.records),
            **common,
        ),
        build,
    )
    return build


def _write_sample_pages(
    env: Environment, ctx: PageContext, common: dict[str, Any], out_dir: Path, build: ReportBuild
) -> None:
    """Render the sample pages whose key changed; drop pages and cached plots nobody uses.

    The key leaves out the build time, so a page keeps the time it was generated at."""
    samples = out_dir / "samples"
    # the sections' templates may live outside the report package (a lab's own kinds)
    code = [code_fingerprint(Path(__file__).parent), [s.template for s in ctx.sections]]
    manifest = PageManifest(samples / PAGE_MANIFEST, data_key(code))
    constant = {k: v for k, v in common.items() if k != "generated"}
    template = env.get_template("sample.html.j2")
    for kind, rid, view in ctx.sample_views():
        page = samples / f"{rid}.html"
        plots: list[LazyPlot] = []
        key = data_key([kind, rid, view, constant], default=_key_part(plots))
        build.pages.append(page)
        if manifest.is_current(rid, key, page):
            continue
        html = template.render(root="../", page="sample", kind=kind, rid=rid, **view, **common)
        _write(page, html, build, listed=True)
        manifest.rendered(rid, key, uses=[u.name for p in plots for u in p.used])
    manifest.save()
    current = set(build.pages)
    for stale in samples.glob("*.html"):  # pages of records no longer in the database
        if stale not in current:
            stale.unlink()
    used = {out_dir / PLOT_CACHE / u for u in manifest.uses()} | ctx.summary_plots
    prune_plot_cache(out_dir / PLOT_CACHE, used)


def _key_part(plots: list[LazyPlot]) -> Callable[[Any], Any]:
    """JSON stand-in for values of a view that are not plain data (collects the plots)."""

    def default(value: Any) -> Any:
        if isinstance(value, LazyPlot):
            plots.append(value)
            return value.key()
        return str(value)

    return default


def prune_plot_cache(cache: Path, used: set[Path]) -> None:
    """Drop the cached plots this build did not use."""
    if not cache.is_dir():
        return
    for path in cache.glob("*.svg"):
        if path not in used:
            path.unlink()
