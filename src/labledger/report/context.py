"""What each page shows, assembled from the report's data for the templates.

`PageContext(config, data, out_dir)` groups the rows once (cells by batch and electrode,
measurements by sample, ...); `index()` is the index page's view (table rows and summary plots),
`sample_views()` yields the view of every batch, electrode and cell page. Views are plain dicts
and lists of strings and numbers, and the plots they hold are drawn only when a page is rendered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from labledger.config import Config
from labledger.records.yamlfile import flatten
from labledger.report.data import ReportData, Row
from labledger.report.links import Links
from labledger.report.plots import PLOT_CACHE, PlotFile
from labledger.report.quantities import fmt_number, fmt_unit, quantity_text
from labledger.report.sections import Section, report_sections, section_template_name
from labledger.report.summary_plots import Point, scatter_svg

#: Rows per page of the index table (the script pages; print shows every row).
PAGE_SIZE = 50


class PageContext:
    """Views of the data for the templates: plain dicts and lists of strings and numbers."""

    def __init__(
        self,
        config: Config,
        data: ReportData,
        out_dir: Path,
        sections: Sequence[Section] | None = None,
    ) -> None:
        self.config, self.data, self.out_dir = config, data, out_dir
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
        self.links = Links(config, data, out_dir)
        self.summary_plots: set[Path] = set()
        self.sections = list(report_sections() if sections is None else sections)
        self._groups: dict[tuple[int, str], dict[str, list[Row]]] = {}

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

    def _scatter(
        self,
        series: Sequence[tuple[str, Sequence[Point]]],
        xlabel: str,
        ylabel: str,
        prefix: str,
        logy: bool = False,
    ) -> Markup:
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
    def sample_views(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(kind, record id, view) of every batch, electrode and cell page."""
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
                href = self.links.file_href(record_file.parent / v)  # relative to the record file
            fields.append((k, fmt_number(v, 6) if not isinstance(v, str) else v, href))
        return {
            "record": record,
            "record_href": self.links.file_href(record_file) if record_file else None,
            "fields": fields,
            "prov_link": self.links.provenance_page(rid),
        }

    def provenance(self, rid: str) -> dict[str, Any] | None:
        """The provenance box of a record's current analysis run, or None."""
        run = self.data.runs.get(rid)
        if run is None:
            return None
        return {
            "record_id": rid,
            "analysis": run["analysis"],
            "analysis_version": run["analysis_version"],
            "inputs": [
                ("record", self.links.root_file(run["record_path"]), run["record_sha256"]),
                *(
                    [("raw", self.links.root_file(run["raw_path"]), run["raw_sha256"])]
                    if run["raw_path"]
                    else []
                ),
                *(  # an Arrhenius fit's spectra: their result files
                    (i["role"], self.links.root_file(i["path"]), i.get("sha256"))
                    for i in run["inputs"]
                    if i.get("role") not in ("record", "raw") and i.get("path")
                ),
            ],
            "result": (self.links.root_file(run["result_path"]), run["result_sha256"]),
            "code": f"labledger {run['labledger_version'] or '?'}",
            "git_commit": run["git_commit"] or "",
            "git_dirty": run["git_dirty"],
            "rule": run["rule"] or "",
            "computed": run["finished_at"] or "",
            "by": f"{run['user'] or '?'}@{run['host'] or '?'}",
            "stale": run["stale_reason"],
            "link": self.links.provenance_page(rid),
        }

    def plot(self, rid: str) -> Any:
        """The analysis plot of a record (drawn when its page is rendered), or None."""
        path = self.data.plot_path(rid)
        if path is None:
            return None
        return PlotFile(path, f"p-{rid}", self.out_dir / PLOT_CACHE)

    def grouped(self, rows: list[Row], column: str) -> dict[str, list[Row]]:
        """`rows` grouped by the value of `column`, computed once per build."""
        key = (id(rows), column)
        if key not in self._groups:
            groups: dict[str, list[Row]] = defaultdict(list)
            for row in rows:
                groups[row[column]].append(row)
            self._groups[key] = groups
        return self._groups[key]

    def section_rows(self, name: str) -> list[Row]:
        """The rows of the section query `name`."""
        return self.data.section_rows.get(name, [])

    def _sections(self, page: str, rid: str) -> list[dict[str, Any]]:
        """The analysed kinds' sections on the page of `rid` (a "batch", "electrode" or "cell"
        page), each with its view; a section whose view is None is left out."""
        out = []
        for section in self.sections:
            if page not in section.pages:
                continue
            view = section.view(self, rid)
            if view is not None:
                out.append(
                    {
                        "anchor": section.anchor,
                        "title": section.title,
                        "template": section_template_name(section),
                        "view": view,
                    }
                )
        return out

    def _batch(self, b: Row) -> dict[str, Any]:
        rid = b["batch_id"]
        tree = [
            {
                "electrode": self.links.sample(e["id"]),
                "material": e["material"],
                "cells": [
                    self.links.sample(c["cell_id"])
                    for c in self.cells_by_electrode.get(e["id"], [])
                ],
            }
            for e in self.electrodes_by_batch.get(rid, [])
        ]
        steps = (self.data.contents.get(rid) or {}).get("steps") or []
        return {
            **self._common(rid),
            "summary": b,
            "milling": [s for s in steps if s.get("type") == "ball_mill"],
            "batch": self.links.sample(rid),
            "tree": tree,
            "sections": self._sections("batch", rid),
            "cells": self.cells_by_batch.get(rid, []),
        }

    def _electrode(self, e: Row) -> dict[str, Any]:
        rid = e["id"]
        tree = [
            {
                "electrode": self.links.sample(rid),
                "material": e["material"],
                "cells": [
                    self.links.sample(c["cell_id"]) for c in self.cells_by_electrode.get(rid, [])
                ],
            }
        ]
        return {
            **self._common(rid),
            "summary": None,
            "milling": [],
            "batch": self.links.sample(e["batch"]),
            "tree": tree,
            "sections": self._sections("electrode", rid),
            "cells": self.cells_by_electrode.get(rid, []),
        }

    def _cell(self, c: Row) -> dict[str, Any]:
        rid = c["cell_id"]
        eid = c["electrode_id"]
        tree = [
            {
                "electrode": self.links.sample(eid),
                "material": c["anode"],
                "cells": [self.links.sample(rid)],
            }
        ]
        return {
            **self._common(rid),
            "summary": None,
            "milling": [],
            "batch": self.links.sample(c["batch_id"]),
            "tree": tree,
            "sections": self._sections("cell", rid),
            "cells": [],
        }
