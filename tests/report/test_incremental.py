"""Incremental report builds: a sample page is rewritten only when what it shows changed, and
the folder always equals a build from scratch (apart from when each page was generated)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from labledger.analyses import analyze_record
from labledger.config import load_config
from labledger.db.ingest import ingest
from labledger.report import build_report
from labledger.report.build import PAGE_MANIFEST
from labledger.report.plots import PLOT_CACHE

FOOTER_TIME = re.compile(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC")


def _samples(paths: list[Path]) -> set[str]:
    return {p.stem for p in paths if p.parent.name == "samples"}


def _pages(out: Path) -> dict[str, str]:
    """Every page of a report folder, the build time masked."""
    return {
        p.relative_to(out).as_posix(): FOOTER_TIME.sub("Generated (time)", p.read_text())
        for p in sorted(out.rglob("*.html"))
    }


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


def test_unchanged_data_rewrites_no_sample_page(lab_copy: Path) -> None:
    config = load_config(lab_copy / "config.yaml")
    out = lab_copy / "results" / "report"
    shutil.rmtree(out, ignore_errors=True)  # the copied demo project may hold a report
    first = build_report(config, out)
    assert _samples(first.rendered) == _samples(first.pages) and len(_samples(first.pages)) > 20
    mtimes = {p: p.stat().st_mtime_ns for p in first.pages}
    again = build_report(config, out)
    assert _samples(again.rendered) == set()
    assert sorted(again.pages) == sorted(first.pages)
    assert {p.name for p in again.rendered} == {
        "index.html",
        "study.html",
        "history.html",
        "queries.html",
    }
    assert all(p.stat().st_mtime_ns == mtimes[p] for p in again.pages if p.parent.name == "samples")


def test_a_change_rewrites_exactly_the_pages_that_show_it(lab_copy: Path) -> None:
    config = load_config(lab_copy / "config.yaml")
    out = lab_copy / "results" / "report"
    shutil.rmtree(out, ignore_errors=True)  # the copied demo project may hold a report
    build_report(config, out)

    # an edited cell record: its own page (fields, stale result) and nothing else
    _edit(lab_copy / "records/cells/C-004.yaml", "separator: Celgard 2400", "separator: X")
    ingest(config)
    assert _samples(build_report(config, out).rendered) == {"C-004"}

    # re-analysed: its figures appear on the pages of its electrode and batch as well
    analyze_record(config, "C-004", rule="test")
    ingest(config)
    electrode = re.search(
        r"(?m)^working_electrode: (\S+)", (lab_copy / "records/cells/C-004.yaml").read_text()
    )
    assert electrode is not None
    shown = _samples(build_report(config, out).rendered)
    assert "C-004" in shown and shown <= {"C-004", electrode.group(1), "B-003"}

    # a plot file replaced (same record, new figure) rewrites the page that inlines it
    plot = lab_copy / "results" / "xrd" / "XRD-003.svg"
    plot.write_text(plot.read_text().replace("</svg>", "<!-- redrawn --><g/></svg>"))
    assert "B-003" in _samples(build_report(config, out).rendered)

    # a removed record: its page goes, and the pages that linked to it are rewritten
    (lab_copy / "records/cells/C-013.yaml").unlink()
    ingest(config)
    build = build_report(config, out)
    assert not (out / "samples" / "C-013.html").exists()
    assert "C-013" not in _samples(build.pages) and _samples(build.rendered)

    # the folder equals a build from scratch
    fresh = lab_copy / "results" / "fresh"
    build_report(config, fresh)
    assert _pages(out) == _pages(fresh)
    assert sorted(p.name for p in (out / PLOT_CACHE).iterdir()) == sorted(
        p.name for p in (fresh / PLOT_CACHE).iterdir()
    )


def test_deleted_page_or_other_code_renders_again(lab_copy: Path) -> None:
    config = load_config(lab_copy / "config.yaml")
    out = lab_copy / "results" / "report"
    shutil.rmtree(out, ignore_errors=True)  # the copied demo project may hold a report
    first = build_report(config, out)
    (out / "samples" / "B-002.html").unlink()
    assert _samples(build_report(config, out).rendered) == {"B-002"}

    manifest = out / "samples" / PAGE_MANIFEST
    stored = json.loads(manifest.read_text())
    stored["fingerprint"] = "an older labledger"
    manifest.write_text(json.dumps(stored))
    assert _samples(build_report(config, out).rendered) == _samples(first.pages)

    manifest.write_text("{not json")  # a damaged manifest is a full build, not an error
    assert _samples(build_report(config, out).rendered) == _samples(first.pages)


def test_cached_plots_of_skipped_pages_are_kept(lab_copy: Path) -> None:
    config = load_config(lab_copy / "config.yaml")
    out = lab_copy / "results" / "report"
    shutil.rmtree(out, ignore_errors=True)  # the copied demo project may hold a report
    build_report(config, out)
    cache = sorted((out / PLOT_CACHE).iterdir())
    assert cache
    build_report(config, out)  # renders no sample page, so uses no plot in this build
    assert sorted((out / PLOT_CACHE).iterdir()) == cache
    shutil.rmtree(out / PLOT_CACHE)
    (out / "samples" / "C-001.html").unlink()
    build_report(config, out)
    assert [p.name for p in (out / PLOT_CACHE).iterdir()] != []  # C-001's plot cached again
