"""Report benchmark: the HTML report of 1,000 generated batches (plus an electrode and a cell
made from each) next to the report of the demo records alone.

Prints wall times of the database reads and of the whole build (reads, three summary plots, every
page), the time per page, a second build of the same folder (incremental: nothing changed), and
as baselines measured in the same run: the demo report (8 batches) and the database reads alone.
The generated records are synthetic copies of demo records.

    python benchmarks/bench_report.py [N_BATCHES]
"""

from __future__ import annotations

import copy
import shutil
import sys
import tempfile
import time
from pathlib import Path

from labledger.config import load_config
from labledger.db.ingest import ingest
from labledger.demo.records import demo_records, render
from labledger.records.kinds import KINDS
from labledger.report import build_report
from labledger.report.context import PAGE_SIZE
from labledger.report.data import load_report_data
from labledger.report.svg import inline_svg_file

REPO = Path(__file__).resolve().parents[1]


def generate(records_dir: Path, n: int) -> None:
    """n batches, each with one electrode and one half cell (synthetic copies of demo records)."""
    templates = {r["kind"]: r for r in demo_records() if r["id"] in ("B-003", "E-003", "C-004")}
    for i in range(n):
        batch = copy.deepcopy(templates["batch"])
        batch.update(id=f"B-{i + 1000:05d}", li2co3_excess_pct=(i % 21))
        electrode = copy.deepcopy(templates["electrode"])
        electrode.update(id=f"E-{i + 1000:05d}", batch=batch["id"], cnt_wt_pct=10 + i % 20)
        cell = copy.deepcopy(templates["cell"])
        cell.update(id=f"C-{i + 1000:05d}", working_electrode=electrode["id"])
        for rec in (batch, electrode, cell):
            folder = records_dir / KINDS[rec["kind"]].kind_folder
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{rec['id']}.yaml").write_text(render(rec))


def project(root: Path, n: int):  # type: ignore[no-untyped-def]
    root.mkdir(parents=True)
    (root / "config.yaml").write_text("records_dir: records\nresults_dir: results\n")
    shutil.copytree(REPO / "records", root / "records")
    shutil.copytree(REPO / "workflow" / "queries", root / "workflow" / "queries")
    if n:
        generate(root / "records", n)
    config = load_config(root / "config.yaml")
    ingest(config)
    return config


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        demo = project(Path(tmp) / "demo", 0)
        t_ingest, big = timed(lambda: project(Path(tmp) / "big", n))
        # warm-up (imports of matplotlib and jinja2) so both builds are measured alike
        build_report(demo, Path(tmp) / "warm")
        t_demo, demo_pages = timed(lambda: build_report(demo, Path(tmp) / "demo-report"))
        t_read, data = timed(lambda: load_report_data(big))
        t_big, big_pages = timed(lambda: build_report(big, Path(tmp) / "big-report"))
        t_again, again = timed(lambda: build_report(big, Path(tmp) / "big-report"))
        index = Path(tmp) / "big-report" / "index.html"
        print(
            f"records: demo + {n} generated batches, {n} electrodes, {n} cells "
            f"(ingest {t_ingest:.1f} s)"
        )
        print(f"demo report      : {len(demo_pages.pages):5d} pages in {t_demo:6.2f} s")
        print(f"database reads   : {len(data.batches):5d} batches in {t_read:6.2f} s")
        print(
            f"{n}-batch report : {len(big_pages.pages):5d} pages in {t_big:6.2f} s "
            f"({1000 * t_big / len(big_pages.pages):.1f} ms/page; target < 10 s)"
        )
        print(
            f"same, rebuilt    : {len(again.rendered):5d} pages written in {t_again:6.2f} s "
            f"(nothing changed; {t_again / t_big:.2f}x the full build)"
        )
        print(
            f"index.html       : {index.stat().st_size / 1e6:.2f} MB, "
            f"{len(data.batches)} rows shown {PAGE_SIZE} per page"
        )
        plots = [
            p
            for kind, rid in (("xrd", "XRD-003"), ("eis", "EIS-003"), ("cells", "C-004"))
            if (p := REPO / "results" / kind / f"{rid}.svg").is_file()
        ]
        if plots:
            cache = Path(tmp) / "plot-cache"

            def inline_all() -> list:
                return [inline_svg_file(p, f"p{i}", cache) for i in range(n) for p in plots]

            t_cold, _ = timed(inline_all)
            t_warm, _ = timed(inline_all)
            print(
                f"inline plots     : {n} x {len(plots)} analysis SVGs: {t_cold:6.2f} s cleaned, "
                f"{t_warm:6.2f} s from the plot cache (extra cost when every batch has them)"
            )
        print(
            f"ratio big/demo   : {t_big / t_demo:.1f}x time for "
            f"{len(big_pages.pages) / len(demo_pages.pages):.1f}x pages; reads are "
            f"{100 * t_read / t_big:.0f} % of the build"
        )


if __name__ == "__main__":
    main()
