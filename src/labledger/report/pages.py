"""Render the report: Jinja2 templates (autoescaped) into self-contained HTML files.

Layout of `out_dir`: index.html, study.html, history.html, queries.html and samples/<ID>.html
(one per batch, electrode and cell). Pages inline their CSS, scripts and SVG plots and fetch
nothing, so the folder works from the file system, offline.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from labledger.atomic import write_text_atomic
from labledger.config import Config
from labledger.page_manifest import PageManifest, code_fingerprint, data_key
from labledger.records.yamlfile import flatten
from labledger.report.data import ReportData, Row, load_report_data
from labledger.report.history import changes_between, ingest_history
from labledger.report.plots import (
    ArrheniusPlot,
    ArrheniusSeries,
    LazyPlot,
    PlotFile,
    Point,
    scatter_svg,
)
from labledger.report.quantities import (
    fmt_number,
    fmt_quantity,
    fmt_tolerance,
    fmt_unit,
    fmt_value,
    quantity_text,
)
from labledger.report.queries import (
    default_queries_dir,
    execute_saved_queries,
    write_query_csvs,
)
from labledger.report.study import STUDY, STUDY_DOI, study_table

#: Folder (inside the report folder) of cleaned analysis plots, by sha256 of file and prefix.
PLOT_CACHE = ".plot-cache"

#: Manifest of the sample pages (in the report's samples/ folder): the key each was rendered from.
PAGE_MANIFEST = ".pages.json"

#: Rows per page of the index table (the script pages; print shows every row).
PAGE_SIZE = 50


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("labledger.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = fmt_number
    env.filters["qty"] = fmt_quantity
    env.filters["val"] = fmt_value
    env.filters["unit"] = fmt_unit
    env.filters["tol"] = fmt_tolerance
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


def build_report(config: Config, out_dir: Path, queries_out: Path | None = None) -> ReportBuild:
    """Write the report pages into `out_dir` from the configured database; with `queries_out`,
    also the saved queries' results as `<queries_out>/<name>.csv` (run once for both).

    The index, study, history and query pages are written every time; a sample page only when
    its view data (or the report's code) changed since the last build, so a change to one
    record rewrites a handful of pages. Pages for parts without data say "no data yet". Raises
    DatabaseError without a database.
    """
    data = load_report_data(config)
    env = _env()
    out_dir.mkdir(parents=True, exist_ok=True)
    build = ReportBuild([], [])
    common = {
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": _version(),
        "database": config.database_url.split("@")[-1],
    }
    ctx = _Context(config, data, out_dir)
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
            sample_ids=ctx.sample_ids,
            measurement_links=ctx.measurement_links(""),
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
            sample_ids=ctx.sample_ids,
            measurement_links=ctx.measurement_links(""),
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
        q.name: _rel(csv_dir / f"{q.name}.csv", out_dir)
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
    env: Environment, ctx: _Context, common: dict[str, Any], out_dir: Path, build: ReportBuild
) -> None:
    """Render the sample pages whose key changed; drop pages and cached plots nobody uses.

    The key leaves out the build time, so a page keeps the time it was generated at."""
    samples = out_dir / "samples"
    manifest = PageManifest(samples / PAGE_MANIFEST, code_fingerprint(Path(__file__).parent))
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


def _key_part(plots: list[LazyPlot]):  # type: ignore[no-untyped-def]
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


def _rel(target: Path, start: Path) -> str:
    return os.path.relpath(target, start).replace(os.sep, "/")


class _Context:
    """Views of the data for the templates: plain dicts and lists of strings and numbers."""

    def __init__(self, config: Config, data: ReportData, out_dir: Path) -> None:
        self.config, self.data, self.out_dir = config, data, out_dir
        self.electrodes = {e["id"]: e for e in data.electrodes}
        self.cells_by_batch: dict[str, list[Row]] = defaultdict(list)
        self.cells_by_electrode: dict[str, list[Row]] = defaultdict(list)
        for c in data.cells:
            if c["batch_id"]:
                self.cells_by_batch[c["batch_id"]].append(c)
            if c["electrode_id"]:
                self.cells_by_electrode[c["electrode_id"]].append(c)
        self.electrodes_by_batch: dict[str, list[Row]] = defaultdict(list)
        for e in data.electrodes:
            if e["batch"]:
                self.electrodes_by_batch[e["batch"]].append(e)
        self.xrd_by_sample: dict[str, list[Row]] = defaultdict(list)
        for x in data.xrd:
            self.xrd_by_sample[x["sample"]].append(x)
        self.phases_by_xrd: dict[str, list[Row]] = defaultdict(list)
        for p in data.xrd_phases:
            self.phases_by_xrd[p["xrd_id"]].append(p)
        self.eis_by_sample: dict[str, list[Row]] = defaultdict(list)
        for e in data.eis:
            self.eis_by_sample[e["sample"]].append(e)
        self.eis_by_id = {e["id"]: e for e in data.eis}
        self.measurement_sample = {m["measurement_id"]: m["sample"] for m in data.measurements}
        self.raw_by_measurement = {m["measurement_id"]: m["raw_file"] for m in data.measurements}
        self.arrhenius_by_sample: dict[str, list[Row]] = defaultdict(list)
        for a in data.arrhenius:
            self.arrhenius_by_sample[a["sample"]].append(a)
        self.sample_ids = (
            {b["batch_id"] for b in data.batches}
            | set(self.electrodes)
            | {c["cell_id"] for c in data.cells}
        )
        self.prov_dir = config.results_dir / "provenance" / "pages"
        # one listing instead of a stat and a relative path per link
        self.prov_pages = (
            {p.stem for p in self.prov_dir.glob("*.html")} if self.prov_dir.is_dir() else set()
        )
        self.prov_prefix = _rel(self.prov_dir, out_dir / "samples") + "/"
        self.summary_plots: set[Path] = set()

    # -- index -------------------------------------------------------------------------------
    def index(self) -> dict[str, Any]:
        rows = []
        for b in self.data.batches:
            cells = [c for c in self.cells_by_batch.get(b["batch_id"], []) if c["n_cycles"]]
            half = [c for c in cells if c["cell_type"] == "half" and c["mean_ce_pct"] is not None]
            full = [c for c in cells if c["cell_type"] == "full"]
            best_half = max(half, key=lambda c: c["mean_ce_pct"], default=None)
            best_full = max(full, key=lambda c: c["cycle_life"] or c["n_cycles"], default=None)
            rows.append({"b": b, "best_half": best_half, "best_full": best_full})
        batches = self.data.batches
        by_sinter: dict[str, list[Point]] = defaultdict(list)
        for b in batches:
            key = (
                f"sintered {quantity_text(b['sinter_temperature_c'], 'temperature')}"
                if b["sinter_temperature_c"] is not None
                else "commercial / no sinter step"
            )
            excess, phase = b["li2co3_excess_pct"], b["li2la2ti3o10_wt_pct"]
            by_sinter[key].append(
                (
                    b["batch_id"],
                    excess,
                    phase,
                    f"{b['batch_id']} ({key}): Li2CO3 excess {quantity_text(excess, 'excess_pct')},"
                    f" Li2La2Ti3O10 {quantity_text(phase, 'phase_wt_pct')}",
                )
            )
        plot_phase = self._scatter(
            sorted(by_sinter.items()),
            f"Li2CO3 excess ({fmt_unit('excess_pct')})",
            f"Li2La2Ti3O10 ({fmt_unit('phase_wt_pct')})",
            "sum-phase",
        )
        sigma_points: list[Point] = []
        for b in batches:
            phase, sigma = b["li2la2ti3o10_wt_pct"], b["sigma_total_rt_s_cm"]
            sigma_points.append(
                (
                    b["batch_id"],
                    phase,
                    sigma,
                    f"{b['batch_id']}: Li2La2Ti3O10 {quantity_text(phase, 'phase_wt_pct')},"
                    f" sigma_total {quantity_text(sigma, 'sigma')}",
                )
            )
        plot_sigma = self._scatter(
            [("batches", sigma_points)],
            f"Li2La2Ti3O10 ({fmt_unit('phase_wt_pct')})",
            f"sigma_total, RT ({fmt_unit('sigma')})",
            "sum-sigma",
            logy=True,
        )
        by_cond: dict[str, list[Point]] = defaultdict(list)
        for c in self.data.cells:
            if c["cell_type"] == "half" and c["mean_ce_pct"] is not None:
                key = (
                    f"{quantity_text(c['current_density_ma_cm2'], 'current_density')}, "
                    f"{quantity_text(c['areal_capacity_mah_cm2'], 'areal_capacity')}"
                )
                cnt = c["cnt_wt_pct"]
                on = (
                    f"{c['electrode_id']}, {c['anode']} with {quantity_text(cnt, 'content_wt_pct')}"
                    " CNT"
                    if cnt is not None
                    else f"bare {c['anode']}"
                )
                by_cond[key].append(
                    (
                        c["cell_id"],
                        cnt if cnt is not None else 0.0,
                        c["mean_ce_pct"],
                        f"{c['cell_id']} ({on}; {key}): mean CE"
                        f" {quantity_text(c['mean_ce_pct'], 'ce_pct')}",
                    )
                )
        plot_ce = self._scatter(
            sorted(by_cond.items()),
            f"CNT ({fmt_unit('content_wt_pct')}; bare substrate 0)",
            f"mean CE ({fmt_unit('ce_pct')})",
            "sum-ce",
        )
        return {
            "rows": rows,
            "page_size": PAGE_SIZE,
            "plots": [
                ("Li2La2Ti3O10 vs Li2CO3 excess", plot_phase),
                ("Total conductivity vs Li2La2Ti3O10", plot_sigma),
                ("Half-cell CE vs CNT ratio", plot_ce),
            ],
            "n_cells": len(self.data.cells),
            "n_electrodes": len(self.data.electrodes),
        }

    def _scatter(self, series, xlabel: str, ylabel: str, prefix: str, logy: bool = False):  # type: ignore[no-untyped-def]
        """A summary plot, drawn again only when its data changed (cached with the plots)."""
        return scatter_svg(
            series,
            xlabel,
            ylabel,
            prefix,
            logy=logy,
            cache=self.out_dir / PLOT_CACHE,
            used=self.summary_plots,
        )

    # -- sample pages ------------------------------------------------------------------------
    def sample_views(self):  # type: ignore[no-untyped-def]
        for b in self.data.batches:
            yield "batch", b["batch_id"], self._batch(b)
        for e in self.data.electrodes:
            yield "electrode", e["id"], self._electrode(e)
        for c in self.data.cells:
            yield "cell", c["cell_id"], self._cell(c)

    def _common(self, rid: str) -> dict[str, Any]:
        record = self.data.records.get(rid, {})
        record_file = self.config.records_dir / record["path"] if record.get("path") else None
        fields = []
        for k, v in flatten(self.data.contents.get(rid, {})).items():
            if v is None or v == []:
                continue
            href = None
            if k.split(".")[-1] == "raw_file" and isinstance(v, str) and record_file is not None:
                href = self._file_href(record_file.parent / v)  # relative to the record file
            fields.append((k, fmt_number(v, 6) if not isinstance(v, str) else v, href))
        return {
            "record": record,
            "record_href": self._file_href(record_file) if record_file else None,
            "fields": fields,
            "prov_link": self._prov_link(rid),
        }

    def _file_href(self, path: Path) -> str | None:
        """Link from a sample page to a file of the project (record, raw or result file), when
        it exists."""
        return _rel(path, self.out_dir / "samples") if path.is_file() else None

    def _root_file(self, path: str | None) -> dict[str, Any] | None:
        """A file named relative to the project root: its name and its link (None if gone)."""
        if not path:
            return None
        return {"name": path, "href": self._file_href(self.config.root / path)}

    def measurement_links(self, root: str) -> dict[str, str]:
        """Link from a page at `root` (e.g. "" or "../") to each measurement's section on its
        sample's page, by measurement id."""
        return {
            mid: f"{root}samples/{sample}.html#{mid}"
            for mid, sample in self.measurement_sample.items()
            if sample in self.sample_ids
        }

    def _prov_link(self, rid: str) -> str | None:
        """Link from a sample page to the record's provenance page, when that page exists."""
        return f"{self.prov_prefix}{rid}.html" if rid in self.prov_pages else None

    def _provenance(self, rid: str) -> dict[str, Any] | None:
        run = self.data.runs.get(rid)
        if run is None:
            return None
        return {
            "record_id": rid,
            "analysis": run["analysis"],
            "analysis_version": run["analysis_version"],
            "inputs": [
                ("record", self._root_file(run["record_path"]), run["record_sha256"]),
                *(
                    [("raw", self._root_file(run["raw_path"]), run["raw_sha256"])]
                    if run["raw_path"]
                    else []
                ),
            ],
            "result": (self._root_file(run["result_path"]), run["result_sha256"]),
            "code": f"labledger {run['labledger_version'] or '?'}",
            "git_commit": run["git_commit"] or "",
            "git_dirty": run["git_dirty"],
            "rule": run["rule"] or "",
            "computed": run["finished_at"] or "",
            "by": f"{run['user'] or '?'}@{run['host'] or '?'}",
            "stale": run["stale_reason"],
            "link": self._prov_link(rid),
        }

    def _plot(self, rid: str) -> Any:
        path = self.data.plot_path(rid)
        if path is None:
            return None
        return PlotFile(path, f"p-{rid}", self.out_dir / PLOT_CACHE)

    def _measurements(self, sample: str) -> tuple[list[dict], list[dict]]:
        xrd = [
            {
                "x": x,
                "phases": self.phases_by_xrd.get(x["id"], []),
                "plot": self._plot(x["id"]),
                "prov": self._provenance(x["id"]),
                "raw": self._raw_file(x["id"]),
            }
            for x in self.xrd_by_sample.get(sample, [])
        ]
        eis = [
            {
                "e": e,
                "plot": self._plot(e["id"]),
                "prov": self._provenance(e["id"]),
                "raw": self._raw_file(e["id"]),
            }
            for e in self.eis_by_sample.get(sample, [])
        ]
        return xrd, eis

    def _raw_file(self, mid: str) -> dict[str, Any] | None:
        """A measurement's raw file (the view names it relative to the records folder; shown
        relative to the project root, as the provenance shows it) and its link."""
        name = self.raw_by_measurement.get(mid)
        if not name:
            return None
        path = self.config.records_dir / name
        return {"name": _rel(path, self.config.root), "href": self._file_href(path)}

    def _arrhenius(self, sample: str) -> ArrheniusPlot | None:
        """The Arrhenius plot of a sample with conductivities at two or more temperatures."""
        series = []
        fits = self.arrhenius_by_sample.get(sample, [])
        for fit in sorted(fits, key=lambda f: f["quantity"] != "sigma_total"):  # total first
            quantity = fit["quantity"]  # sigma_total or sigma_bulk: eis_figures' columns
            column = f"{quantity}_s_cm"
            spectra = [self.eis_by_id.get(i) for i in fit["eis_ids"].split(",")]
            points = tuple(
                (
                    e["id"],
                    e["temperature_c"],
                    e[column],
                    f"{e['id']}: {quantity_text(e['temperature_c'], 'temperature')},"
                    f" {quantity} {quantity_text(e[column], 'sigma')}",
                )
                for e in spectra
                if e is not None and e["temperature_c"] is not None and e[column]
            )
            if len({p[1] for p in points}) < 2:
                continue
            ea = quantity_text(fit["ea_ev"], "ea")
            if fit["ea_stderr_ev"] is not None:
                ea = ea.replace(" eV", f" \u00b1 {fmt_value(fit['ea_stderr_ev'], 'ea')} eV")
            series.append(
                ArrheniusSeries(
                    quantity=quantity,
                    label=f"{quantity}, {len(points)} spectra",
                    fit_label=f"{quantity} fit: Ea = {ea}",
                    ea_ev=fit["ea_ev"],
                    points=points,
                )
            )
        if not series:
            return None
        return ArrheniusPlot(series, f"arr-{sample}", self.out_dir / PLOT_CACHE)

    def _link(self, rid: str | None) -> dict[str, Any] | None:
        if not rid:
            return None
        return {"id": rid, "href": f"{rid}.html" if rid in self.sample_ids else None}

    def _batch(self, b: Row) -> dict[str, Any]:
        rid = b["batch_id"]
        xrd, eis = self._measurements(rid)
        tree = [
            {
                "electrode": self._link(e["id"]),
                "material": e["material"],
                "cells": [
                    self._link(c["cell_id"]) for c in self.cells_by_electrode.get(e["id"], [])
                ],
            }
            for e in self.electrodes_by_batch.get(rid, [])
        ]
        steps = (self.data.contents.get(rid) or {}).get("steps") or []
        return {
            **self._common(rid),
            "summary": b,
            "milling": [s for s in steps if s.get("type") == "ball_mill"],
            "batch": self._link(rid),
            "tree": tree,
            "xrd": xrd,
            "eis": eis,
            "arrhenius": self._arrhenius(rid),
            "cells": self.cells_by_batch.get(rid, []),
            "cell": None,
            "protocol": {},
            "cell_plot": None,
            "cell_prov": None,
        }

    def _electrode(self, e: Row) -> dict[str, Any]:
        rid = e["id"]
        xrd, eis = self._measurements(rid)
        tree = [
            {
                "electrode": self._link(rid),
                "material": e["material"],
                "cells": [self._link(c["cell_id"]) for c in self.cells_by_electrode.get(rid, [])],
            }
        ]
        return {
            **self._common(rid),
            "summary": None,
            "milling": [],
            "batch": self._link(e["batch"]),
            "tree": tree,
            "xrd": xrd,
            "eis": eis,
            "arrhenius": self._arrhenius(rid),
            "cells": self.cells_by_electrode.get(rid, []),
            "cell": None,
            "protocol": {},
            "cell_plot": None,
            "cell_prov": None,
        }

    def _cell(self, c: Row) -> dict[str, Any]:
        rid = c["cell_id"]
        eid = c["electrode_id"]
        tree = [{"electrode": self._link(eid), "material": c["anode"], "cells": [self._link(rid)]}]
        return {
            **self._common(rid),
            "summary": None,
            "milling": [],
            "batch": self._link(c["batch_id"]),
            "tree": tree,
            "xrd": [],
            "eis": [],
            "arrhenius": None,
            "cells": [],
            "cell": c,
            "protocol": (self.data.contents.get(rid) or {}).get("protocol") or {},
            "cell_plot": self._plot(rid),
            "cell_prov": self._provenance(rid),
        }
