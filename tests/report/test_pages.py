"""The report of the demo project: pages, links, escaping, history and the saved queries."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from labledger.analyses import analyze_record
from labledger.config import load_config
from labledger.db.ingest import ingest
from labledger.db.query import run_query
from labledger.errors import InputFileError
from labledger.report import build_report, run_saved_queries
from labledger.report.data import load_report_data
from labledger.report.history import changes_between
from labledger.report.quantities import fmt_utc
from labledger.report.svg import inline_svg
from support.databases import backend, rows


class TableRows(HTMLParser):
    """Rows of the index table: per row, the hrefs inside it and its cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self._in_body = False

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append({"hrefs": [], "cells": 0})
        elif self._in_body and tag == "td":
            self.rows[-1]["cells"] += 1
        elif self._in_body and tag == "a":
            self.rows[-1]["hrefs"].append(dict(attrs)["href"])

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "tbody":
            self._in_body = False


def test_index_has_one_linked_row_per_batch(lab: Path, report_dir: Path) -> None:
    batches = sorted(p.stem for p in (lab / "records" / "batches").glob("*.yaml"))
    parser = TableRows()
    parser.feed((report_dir / "index.html").read_text())
    assert len(parser.rows) == len(batches) == 8
    for row, batch in zip(parser.rows, batches, strict=True):
        assert row["hrefs"][0] == f"samples/{batch}.html"
        # every number links to a sample page: the batch's, or a cell's for cell figures
        assert all(re.fullmatch(r"samples/(B|C)-\d{3}\.html(#\w+)?", h) for h in row["hrefs"])
    b003 = parser.rows[batches.index("B-003")]
    assert "samples/C-004.html" in b003["hrefs"]  # best half-cell CE of B-003's electrodes
    assert "99.24" in (report_dir / "index.html").read_text()
    assert (report_dir / "index.html").read_text().count("<svg") == 3  # the summary plots


def test_sample_pages_for_every_batch_electrode_and_cell(lab: Path, report_dir: Path) -> None:
    ids = {
        p.stem
        for kind in ("batches", "electrodes", "cells")
        for p in (lab / "records" / kind).glob("*.yaml")
    }
    assert {p.stem for p in (report_dir / "samples").glob("*.html")} == ids
    cell = (report_dir / "samples" / "C-004.html").read_text()
    # lineage batch -> electrode -> cell, the analysis plot inline, provenance with hashes
    assert cell.index('href="B-003.html"') < cell.index('href="E-003.html"')
    assert "<svg" in cell and "<img" not in cell
    raw = lab / "records" / "raw" / "cells" / "C-004.csv"

    assert hashlib.sha256(raw.read_bytes()).hexdigest()[:12] in cell
    assert '<span class="ok">current</span>' in cell and "stale:" not in cell
    batch = (report_dir / "samples" / "B-003.html").read_text()
    assert 'id="XRD-003"' in batch and "Li2La2Ti3O10" in batch
    # a batch without analysed measurements says so
    assert "no data yet" in (report_dir / "samples" / "B-001.html").read_text()


def test_links_resolve_and_nothing_is_fetched(report_dir: Path, link_problems) -> None:  # type: ignore[no-untyped-def]
    assert link_problems(report_dir) == []
    for page in report_dir.rglob("*.html"):
        text = page.read_text()
        scripts = re.findall(r"<script\b", text)
        assert len(scripts) == (1 if page.name == "index.html" else 0), page


def test_link_checker_finds_a_broken_link(tmp_path: Path, link_problems) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.html").write_text(
        '<a href="b.html#x">b</a><a href="c.html">c</a><img src="https://cdn.example/x.png">'
    )
    (tmp_path / "b.html").write_text('<p id="y">b</p>')
    problems = link_problems(tmp_path)
    assert any("no #x" in p for p in problems)
    assert any("missing" in p and "c.html" in p for p in problems)
    assert any("external" in p for p in problems)


def test_record_text_is_escaped(lab_copy: Path) -> None:
    path = lab_copy / "records" / "batches" / "B-001.yaml"
    text = path.read_text()
    text = re.sub(r"(?m)^notes:.*$", 'notes: "<script>alert(1)</script> & <b>bold</b>"', text)
    path.write_text(text)
    config = load_config(lab_copy / "config.yaml")
    ingest(config)
    out = lab_copy / "results" / "report"
    build_report(config, out)
    page = (out / "samples" / "B-001.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>alert" not in page and "<b>bold" not in page
    history = (out / "history.html").read_text()
    assert "<script>alert" not in history and "&lt;script&gt;alert(1)" in history
    # ingest times in UTC, to the second, saying so
    engine = create_engine(config.database_url)
    with engine.connect() as conn:
        finished = (
            conn.exec_driver_sql("SELECT finished_at FROM ingest ORDER BY id").scalars().all()
        )
    engine.dispose()
    assert finished
    for stamp in finished:
        shown = fmt_utc(stamp)
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", shown), shown
        assert f"<td>{shown}</td>" in history


def test_inline_svg_drops_scripts_and_prefixes_ids() -> None:
    svg = (
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" onload="alert(1)">'
        '<script>alert(2)</script><defs><clipPath id="c1"><rect width="1" height="1"/></clipPath>'
        '</defs><g clip-path="url(#c1)"><use xlink:href="#c1"/><a href="https://evil.example">'
        "<text>x</text></a></g><foreignObject><p>hi</p></foreignObject></svg>"
    )
    out = str(inline_svg(svg, "p1"))
    assert "script" not in out and "alert" not in out and "foreignObject" not in out
    assert 'id="p1-c1"' in out and "url(#p1-c1)" in out and 'href="#p1-c1"' in out
    assert "evil.example" not in out and "<?xml" not in out


def test_history_lists_edits_removals_and_moved_results(lab_copy: Path) -> None:
    config = load_config(lab_copy / "config.yaml")
    out = lab_copy / "results" / "report"
    build_report(config, out)
    assert (out / "samples" / "C-013.html").is_file()
    b2 = lab_copy / "records" / "batches" / "B-002.yaml"
    b2.write_text(re.sub(r"(?m)^operator:.*$", "operator: Q. Tester", b2.read_text()))
    (lab_copy / "records" / "cells" / "C-013.yaml").unlink()
    c4 = lab_copy / "records" / "cells" / "C-004.yaml"
    c4.write_text(c4.read_text().replace("separator: Celgard 2400", "separator: Celgard 2500"))
    analyze_record(config, "C-004", rule="test")
    c6 = lab_copy / "records" / "cells" / "C-006.yaml"  # a figure changes: per-area values
    c6.write_text(c6.read_text().replace("area_cm2: 1.13", "area_cm2: 2.0"))
    analyze_record(config, "C-006", rule="test")
    c3 = lab_copy / "records" / "cells" / "C-003.yaml"  # edited, not re-analysed: stale
    c3.write_text(c3.read_text().replace("separator: Celgard 2400", "separator: Celgard 2500"))
    ingest(config)
    data = load_report_data(config)
    first, last = data.ingests[0]["id"], data.ingests[-1]["id"]
    ch = changes_between(data, first, last)
    by_id = {r.record_id: r for r in ch.records}
    assert set(by_id) == {"B-002", "C-013", "C-004", "C-003", "C-006"}
    assert by_id["B-002"].change == "edited"
    assert any(f.startswith("operator:") and "Q. Tester" in f for f in by_id["B-002"].fields)
    assert by_id["C-013"].change == "removed"
    # C-004 was analysed again and computed the same figures (a new separator): only its times
    # and provenance are new, which is no change of its result
    assert [(m.record_id, m.change) for m in ch.results] == [("C-006", "changed")]
    # from the empty database everything is new
    assert changes_between(data, 0, first).count("added") == 50
    build_report(config, out)
    page = (out / "history.html").read_text()
    assert "Q. Tester" in page and "removed" in page and "Celgard 2500" in page
    assert "stale: record changed" in (out / "samples" / "C-003.html").read_text()
    assert not (out / "samples" / "C-013.html").exists()  # removed record: page pruned
    assert "stale:" not in (out / "samples" / "C-004.html").read_text()


def test_saved_queries_write_one_csv_each(lab: Path, tmp_path: Path) -> None:
    config = load_config(lab / "config.yaml")
    qdir = lab / "workflow" / "queries"
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "gone.csv").write_text("old\n")
    paths = run_saved_queries(config, qdir, tmp_path / "out")
    names = sorted(p.stem for p in qdir.glob("*.sql"))
    assert sorted(p.stem for p in paths) == names
    assert {
        "phase_fraction_vs_li2co3_excess",
        "conductivity_vs_phase_fraction",
        "ce_vs_cnt_ratio",
    } <= set(names)
    assert not (tmp_path / "out" / "gone.csv").exists()
    with (tmp_path / "out" / "phase_fraction_vs_li2co3_excess.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    _columns, expected = run_query(config.database_url, "SELECT id FROM batch")
    assert sorted(r["batch_id"] for r in rows) == sorted(r[0] for r in expected)
    b3 = next(r for r in rows if r["batch_id"] == "B-003")
    assert float(b3["li2la2ti3o10_wt_pct"]) > 0
    with (tmp_path / "out" / "ce_vs_cnt_ratio.csv").open() as fh:
        ce = {r["cell_id"]: r for r in csv.DictReader(fh)}
    assert float(ce["C-004"]["mean_ce_pct"]) == pytest.approx(99.24, abs=0.005)


def test_bad_saved_query_names_its_file(lab: Path, tmp_path: Path) -> None:
    config = load_config(lab / "config.yaml")
    (tmp_path / "broken.sql").write_text("-- Broken\nSELECT nope FROM nowhere;\n")
    with pytest.raises(InputFileError, match=r"broken\.sql: SQL error"):
        run_saved_queries(config, tmp_path, tmp_path / "out")
    (tmp_path / "broken.sql").write_text("-- only a comment\n")
    with pytest.raises(InputFileError, match=r"broken\.sql: saved query holds no SQL"):
        run_saved_queries(config, tmp_path, tmp_path / "out")


def test_queries_page_shows_each_query(report_dir: Path) -> None:
    page = (report_dir / "queries.html").read_text()
    for title in (
        "Li2La2Ti3O10 phase fraction vs Li2CO3 excess",
        "Coulombic efficiency vs CNT ratio",
    ):
        assert title in page
    assert 'href="../queries/ce_vs_cnt_ratio.csv"' in page


def test_a_query_without_rows_does_not_say_no_data_yet(lab: Path, report_dir: Path) -> None:
    """A saved query that finds nothing in a full database ("results to redo" when all is up
    to date) says "No rows.", not "no data yet", which reads as if nothing was ingested."""
    page = (report_dir / "queries.html").read_text()
    sections = re.split(r"<h2 id=", page)[1:]
    empty = [s for s in sections if "<table>" not in s]
    assert empty  # the demo has a query without rows
    for section in empty:
        assert '<p class="none">No rows.</p>' in section
    assert "no data yet" not in page


def test_plot_cache_is_reused_and_pruned(lab_copy: Path) -> None:
    config = load_config(lab_copy / "config.yaml")
    out = lab_copy / "results" / "report"
    build_report(config, out)
    cache = out / ".plot-cache"
    plots = sorted((lab_copy / "results").glob("*/*.svg"))
    assert len(list(cache.glob("[0-9a-f]*.svg"))) == len(plots) == 21
    assert len(list(cache.glob("summary-*.svg"))) == 3  # the index's summary plots
    assert len(list(cache.glob("plot-arrhenius-*.svg"))) == 1  # B-003's
    before = {p: p.stat().st_mtime_ns for p in cache.glob("*.svg")}
    plots[0].unlink()  # e.g. a result plot deleted
    build_report(config, out)
    after = {p: p.stat().st_mtime_ns for p in cache.glob("*.svg")}
    assert len(after) == len(plots) - 1 + 3 + 1
    assert all(before[p] == t for p, t in after.items())  # reused, not rewritten
    page = (out / "samples" / "C-001.html").read_text()
    assert plots[0].stem == "C-001" and "no plot yet" in page


def test_cli_build_and_queries(lab_copy: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from labledger.report.cli import app

    runner = CliRunner()
    config = lab_copy / "config.yaml"
    out, queries = tmp_path / "r", tmp_path / "q"
    result = runner.invoke(
        app, ["build", "--out", str(out), "--queries-out", str(queries)], obj=config
    )
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file() and "wrote" in result.output
    # the workflow's report job writes the saved queries' results too, and links them
    names = sorted(p.stem for p in (lab_copy / "workflow" / "queries").glob("*.sql"))
    assert sorted(p.stem for p in queries.glob("*.csv")) == names
    assert 'href="../q/ce_vs_cnt_ratio.csv"' in (out / "queries.html").read_text()
    again = runner.invoke(app, ["build", "--out", str(out)], obj=config)
    assert "wrote 4 pages" in again.output and "others unchanged" in again.output
    result = runner.invoke(app, ["queries", "--json"], obj=config)
    assert result.exit_code == 0, result.output
    assert (lab_copy / "results" / "queries" / "ce_vs_cnt_ratio.csv").is_file()
    if backend() == "sqlite":
        (lab_copy / "results" / "labledger.db").unlink()
    else:  # empty the test's own PostgreSQL database
        engine = create_engine(load_config(config).database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    result = runner.invoke(app, ["build"], obj=config)
    assert result.exit_code == 1 and "no labledger database" in result.output


def test_cli_changes_between_commits(lab_copy: Path) -> None:
    from typer.testing import CliRunner

    from labledger.report.cli import app

    config = load_config(lab_copy / "config.yaml")
    b5 = lab_copy / "records" / "batches" / "B-005.yaml"
    b5.write_text(re.sub(r"(?m)^operator:.*$", "operator: Z. Other", b5.read_text()))
    ingest(config)
    runner = CliRunner()
    cfg = lab_copy / "config.yaml"
    result = runner.invoke(app, ["changes", "1"], obj=cfg)
    assert result.exit_code == 0, result.output
    assert "edited   B-005" in result.output and "Z. Other" in result.output
    result = runner.invoke(app, ["changes", "0", "1", "--json"], obj=cfg)
    assert '"change": "added"' in result.output and "Z. Other" not in result.output
    result = runner.invoke(app, ["changes", "deadbeef"], obj=cfg)
    assert (
        result.exit_code == 1 and "no ingest of a commit starting with 'deadbeef'" in result.output
    )


def test_commit_resolves_to_its_last_ingest(lab: Path) -> None:
    from labledger.errors import LabledgerError
    from labledger.report.history import resolve_ingest

    data = load_report_data(load_config(lab / "config.yaml"))
    data.ingests = [
        {"id": 1, "git_commit": "839f680b26"},
        {"id": 2, "git_commit": "f4b841cdbf"},
        {"id": 3, "git_commit": "f4b841cdbf"},
    ]
    assert resolve_ingest(data, "f4b841c") == 3
    assert resolve_ingest(data, "839f") == 1
    assert resolve_ingest(data, "2") == 2 and resolve_ingest(data, "0") == 0
    with pytest.raises(LabledgerError, match="no ingest 9"):
        resolve_ingest(data, "9")


def test_empty_database_pages_say_no_data_yet(tmp_path: Path, link_problems) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "empty"
    (root / "records").mkdir(parents=True)
    (root / "config.yaml").write_text("records_dir: records\nresults_dir: results\n")
    config = load_config(root / "config.yaml")
    ingest(config)
    out = root / "results" / "report"
    build_report(config, out)
    assert "No batches yet (no data yet)" in (out / "index.html").read_text()
    assert (out / "study.html").read_text().count("no data yet") == 15
    assert "No saved queries yet" in (out / "queries.html").read_text()
    assert link_problems(out) == []


BARE_UNIT = re.compile(r"(?<![\d.])\s(S/cm|mA/cm2|mAh/cm2|wt %|eV|mV|rpm|ohm)(?=[\s,;)/]|$)")


def _fact_texts(page: str) -> list[str]:
    """The texts of a page's facts (<dd>) and section headings (<h3>), tags removed."""
    parts = re.findall(r"<(?:dd|h3)[^>]*>(.*?)</(?:dd|h3)>", page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", p)).strip() for p in parts]


def test_no_unit_is_printed_without_its_value(lab_copy: Path) -> None:
    """A batch with no measurement at all says what is missing instead of "S/cm" or "wt %"."""
    b1 = lab_copy / "records" / "batches" / "B-001.yaml"
    bare = lab_copy / "records" / "batches" / "B-100.yaml"
    text = re.sub(r"(?m)^id: B-001$", "id: B-100", b1.read_text())
    bare.write_text(re.sub(r"(?ms)^- type: ball_mill\n.*?^  solvent: ethanol\n", "", text))
    config = load_config(lab_copy / "config.yaml")
    ingest(config)
    out = lab_copy / "results" / "report"
    build_report(config, out)
    for page in sorted((out / "samples").glob("*.html")):
        for fact in _fact_texts(page.read_text()):
            assert not BARE_UNIT.search(" " + fact), f"{page.name}: {fact!r}"
    facts = _fact_texts((out / "samples" / "B-100.html").read_text())
    assert "no XRD scan yet" in facts
    assert "not measured" in facts  # sigma_total
    assert "no milling step recorded" in facts  # no milling step


class Tables(HTMLParser):
    """Every table of a page (headings, and rows of cell texts) and every <dt>: <dd> fact."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.facts: dict[str, str] = {}
        self._text: list[str] | None = None
        self._tag = ""
        self._dt = ""
        self._in_head = False

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag == "table":
            self.tables.append({"head": [], "rows": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self.tables and not self._in_head:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th", "dt", "dd"):
            self._text, self._tag = [], tag

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "thead":
            self._in_head = False
        if tag != self._tag or self._text is None:
            return
        text = re.sub(r"\s+", " ", "".join(self._text)).strip()
        self._text = None
        if tag == "dt":
            self._dt = text
        elif tag == "dd":
            self.facts.setdefault(self._dt, text)
        elif self._in_head:
            self.tables[-1]["head"].append(text)
        elif self.tables and self.tables[-1]["rows"]:
            self.tables[-1]["rows"][-1].append(text)


def page_tables(path: Path) -> Tables:
    """The tables and facts of one page."""
    parser = Tables()
    parser.feed(path.read_text())
    return parser


def column(tables: Tables, heading: str) -> dict[str, str]:
    """First column's text -> the text under `heading`, over every table that has it."""
    out = {}
    for t in tables.tables:
        if heading in t["head"]:
            i = t["head"].index(heading)
            out.update({r[0]: r[i] for r in t["rows"] if len(r) > i})
    return out


def test_one_quantity_is_printed_one_way_on_every_page(report_dir: Path) -> None:
    """A cell's mean CE reads the same, to 0.01 %, wherever it is shown; so do phase fractions
    (0.1 wt %) and lattice parameters (1e-4 A)."""
    seen: dict[str, set[str]] = defaultdict(set)  # cell -> every text of its mean CE
    for page in sorted((report_dir / "samples").glob("*.html")):
        tables = page_tables(page)
        for cell, shown in column(tables, "Mean CE (%)").items():
            if shown:
                seen[cell].add(shown)
        fact = tables.facts.get("Mean CE", "")
        if page.stem.startswith("C-") and fact[:1].isdigit():
            seen[page.stem].add(fact.split(" %")[0])
    index = page_tables(report_dir / "index.html")
    for shown in column(index, "Best half-cell CE (%)").values():
        if shown != "-":
            value, cell_id = re.fullmatch(r"(\S+) \((C-\d+)\)", shown).groups()
            seen[cell_id].add(value)
    study = page_tables(report_dir / "study.html")
    ce_rows = [r for r in study.tables[0]["rows"] if r[1].startswith("mean CE, cycles")]
    assert len(ce_rows) == 3
    for row in ce_rows:
        seen[row[7]].add(row[3].removesuffix(" %"))
    assert len(seen) >= 10 and len(seen["C-004"]) >= 1
    texts = {cell: sorted(t) for cell, t in seen.items()}
    assert all(len(t) == 1 and re.fullmatch(r"\d+\.\d\d", t[0]) for t in texts.values()), texts
    assert texts["C-004"] == ["99.24"]

    batch = page_tables(report_dir / "samples" / "B-003.html")
    wt = column(batch, "Weight fraction (wt %)")
    assert set(wt) == {"LLTO_tetragonal", "Li2La2Ti3O10"}
    assert all(re.fullmatch(r"\d+\.\d", v) for v in wt.values()), wt
    llto, li2 = column(index, "LLTO (wt %)")["B-003"], column(index, "Li2La2Ti3O10 (wt %)")["B-003"]
    assert (llto, li2) == (wt["LLTO_tetragonal"], wt["Li2La2Ti3O10"])
    assert batch.facts["LLTO / Li2La2Ti3O10"].startswith(f"{llto} wt % / {li2} wt %")
    for heading in ("a (\u00c5)", "c (\u00c5)"):
        assert all(re.fullmatch(r"\d+\.\d{4}", v) for v in column(batch, heading).values())
    # the conductivity and Ea of the index are those of the batch page
    sigma = column(index, "sigma_total RT (S/cm)")["B-003"]
    assert re.fullmatch(r"\d\.\d\de-\d\d", sigma)
    assert batch.facts["sigma_total, RT"] == f"{sigma} S/cm"
    ea = column(index, "Ea (eV)")["B-003"]
    assert re.fullmatch(r"\d\.\d{3}", ea) and batch.facts["Ea (total)"].startswith(f"{ea} eV")


def test_a_censored_cycle_life_is_shown_as_more_than(report_dir: Path) -> None:
    """A full cell still above 80 % at its last cycle: "> N" on its electrode's page, as on the
    index (the cell table left it empty)."""
    index = page_tables(report_dir / "index.html")
    life = column(index, "Longest full-cell life (cycles)")["B-003"]
    value, cell = re.fullmatch(r"(> \d+) \((C-\d+)\)", life).groups()
    electrode = page_tables(report_dir / "samples" / "E-003.html")
    assert column(electrode, "Cycle life, 80 % (cycles)")[cell] == value


SUMMARY_POINT = re.compile(
    r'<g id="(sum-[a-z]+)-pt\d+"[^>]*><title>([^<]*)</title>'
    r'\s*<(?:use|path) [^>]*style="fill: (#[0-9a-f]{6})',
    re.S,
)


def summary_points(index: Path) -> dict[str, dict[str, str]]:
    """Per summary plot: the sample each point's tooltip names -> the point's fill colour."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for plot, title, fill in SUMMARY_POINT.findall(index.read_text()):
        sample = re.match(r"[\w-]+", title).group()
        assert sample not in out[plot], f"{plot}: two points of {sample}"
        out[plot][sample] = fill
    return out


def test_summary_points_name_their_sample_and_keep_their_colour(lab_copy: Path) -> None:
    config = load_config(lab_copy / "config.yaml")
    out = lab_copy / "results" / "report"
    build_report(config, out)
    before = summary_points(out / "index.html")
    data = load_report_data(config, history=False)
    # every point of every summary plot names its sample in a tooltip
    with_phase = {b["batch_id"] for b in data.batches if b["li2la2ti3o10_wt_pct"] is not None}
    half = {c["cell_id"] for c in data.cells if c["cell_type"] == "half" and c["mean_ce_pct"]}
    assert set(before["sum-phase"]) == with_phase == {"B-003"}
    assert set(before["sum-sigma"]) == {"B-003"}
    assert set(before["sum-ce"]) == half and len(half) == 8
    # a sample has one colour in every plot; different samples differ
    assert before["sum-phase"]["B-003"] == before["sum-sigma"]["B-003"]
    assert len(set(before["sum-ce"].values())) == len(half)

    # a batch that sorts first, with its own sinter temperature and an analysed scan
    b3 = (lab_copy / "records" / "batches" / "B-003.yaml").read_text()
    b0 = b3.replace("id: B-003", "id: B-000").replace("temperature_C: 1150", "temperature_C: 1000")
    assert b0.count("B-000") == 1 and "1000" in b0
    (lab_copy / "records" / "batches" / "B-000.yaml").write_text(b0)
    x3 = (lab_copy / "records" / "xrd" / "XRD-003.yaml").read_text()
    x0 = x3.replace("id: XRD-003", "id: XRD-000").replace("sample: B-003", "sample: B-000")
    (lab_copy / "records" / "xrd" / "XRD-000.yaml").write_text(x0)
    # and a half cell on a new electrode of it, sorting first too
    e3 = (lab_copy / "records" / "electrodes" / "E-003.yaml").read_text()
    e0 = e3.replace("id: E-003", "id: E-000").replace("batch: B-003", "batch: B-000")
    (lab_copy / "records" / "electrodes" / "E-000.yaml").write_text(e0)
    c4 = (lab_copy / "records" / "cells" / "C-004.yaml").read_text()
    c0 = c4.replace("id: C-004", "id: C-000").replace(
        "working_electrode: E-003", "working_electrode: E-000"
    )
    (lab_copy / "records" / "cells" / "C-000.yaml").write_text(c0)
    for rid in ("XRD-000", "C-000"):
        analyze_record(config, rid, rule="test")
    ingest(config)
    build_report(config, out)
    after = summary_points(out / "index.html")
    assert set(after["sum-phase"]) == {"B-000", "B-003"}
    assert set(after["sum-ce"]) == half | {"C-000"}
    for plot, colours in before.items():
        assert {s: after[plot][s] for s in colours} == colours, plot


def test_measurements_and_files_are_linked(lab_copy: Path, link_problems) -> None:  # type: ignore[no-untyped-def]
    """Measurement ids link to their section, raw, record and result files to the file (the one
    whose sha256 the page shows), and provenance pages back to the measurement's section."""
    import yaml

    from labledger.provenance.publish import publish_all_provenance

    config = load_config(lab_copy / "config.yaml")
    publish_all_provenance(config, config.results_dir / "provenance")
    out = config.results_dir / "report"
    build_report(config, out)
    samples = out / "samples"
    measured = {}
    for kind in ("xrd", "eis"):
        for path in (lab_copy / "records" / kind).glob("*.yaml"):
            record = yaml.safe_load(path.read_text())
            measured[record["id"]] = (
                record["sample"],
                (path.parent / record["raw_file"]).resolve(),
            )
    assert len(measured) == 23
    for mid, (sample, raw) in measured.items():
        page = (samples / f"{sample}.html").read_text()
        section = page.split(f'<h3 id="{mid}">', 1)[1].split("<h3", 1)[0]
        assert section.startswith(f'<a href="#{mid}">{mid}</a>'), mid
        href = re.search(r'<p>Raw file <a href="([^"]+)">', section).group(1)
        assert (samples / href).resolve() == raw, mid
    # every linked input and result of a provenance panel is the file whose sha256 it shows
    shown = re.compile(
        r'<dt>(Input: \w+|Result)</dt><dd><a href="([^"]+)"><code>[^<]*</code></a>'
        r' sha256 <code title="sha256 ([0-9a-f]{64})">'
    )
    n_checked = 0
    for page in sorted(samples.glob("*.html")):
        for role, href, sha in shown.findall(page.read_text()):
            assert hashlib.sha256((samples / href).read_bytes()).hexdigest() == sha, (page, role)
            n_checked += 1
    # record, raw file and result of each of the 21 analysed records, and the Arrhenius fit of
    # each sample with one: its record, its spectra's result files and its result
    fits = rows(config.database_url, "SELECT sample, eis_ids FROM arrhenius_fit")
    spectra = {s: set() for s, _ in fits}
    for sample, ids in fits:
        spectra[sample] |= set(ids.split(","))
    assert n_checked == 3 * 21 + sum(2 + len(ids) for ids in spectra.values())
    assert "Input: eis_result" in (samples / "B-003.html").read_text()
    cell = (samples / "C-004.html").read_text()
    assert '<th>raw_file</th><td><a href="../../../records/raw/cells/C-004.csv">' in cell
    assert '<a href="../../../records/cells/C-004.yaml"><code>cells/C-004.yaml</code></a>' in cell
    # measurement ids elsewhere: the study's spectra, the history, the provenance pages
    study = (out / "study.html").read_text()
    assert '<a href="samples/E-003.html#EIS-014">EIS-014</a>' in study
    assert '<a href="samples/B-003.html#XRD-003">XRD-003</a>' in (out / "history.html").read_text()
    prov = config.results_dir / "provenance" / "pages"
    assert 'href="../../report/samples/B-003.html#XRD-003"' in (prov / "XRD-003.html").read_text()
    assert link_problems(out) == []
    assert link_problems(prov) == []


def test_cell_pages_say_how_each_cell_was_cycled(lab: Path, report_dir: Path) -> None:
    """The protocol a cell's record gives, not "not recorded": current density and capacity for
    a half cell, C-rates and voltage window for a full or anode-free cell; and what it was
    cycled against."""
    import yaml

    n_full = 0
    for path in sorted((lab / "records" / "cells").glob("*.yaml")):
        record = yaml.safe_load(path.read_text())
        facts = page_tables(report_dir / "samples" / f"{record['id']}.html").facts
        if "Protocol" not in facts:  # not analysed
            continue
        protocol, shown = record["protocol"], facts["Protocol"]
        against = (record.get("cathode") or {}).get("material") or record["counter_electrode"]
        assert facts["Type"].endswith(f" vs {against}"), record["id"]
        if record["cell_type"] == "half":
            assert shown.startswith(f"{protocol['current_density_mA_cm2']:g} mA/cm2, ")
        else:
            n_full += 1
            assert "not recorded" not in shown, record["id"]
            charge, discharge = protocol["charge_C_rate"], protocol["discharge_C_rate"]
            rates = f"charge {charge:g}C, discharge {discharge:g}C"
            window = f"{protocol['voltage_min_V']:.1f}-{protocol['voltage_max_V']:.1f} V"
            assert shown.startswith(f"{rates}, {window}"), (record["id"], shown)
    assert n_full == 4


def test_batch_page_lists_every_milling_step(lab: Path, report_dir: Path, lab_copy: Path) -> None:
    """The "Ball milling" fact names each ball_mill step of the record, in order, with its
    speed, duration, media and solvent (it showed the first step only)."""
    import yaml

    for path in sorted((lab / "records" / "batches").glob("*.yaml")):
        record = yaml.safe_load(path.read_text())
        mills = [s for s in record.get("steps") or [] if s["type"] == "ball_mill"]
        shown = page_tables(report_dir / "samples" / f"{record['id']}.html").facts["Ball milling"]
        if not mills:
            assert shown == "no milling step recorded", record["id"]
            continue
        parts = [
            ", ".join(
                [f"{s['speed_rpm']:g} rpm", f"{s['duration_h']:g} h"]
                + [s[k] for k in ("media", "solvent") if s.get(k)]
            )
            for s in mills
        ]
        expected = (
            "; ".join(parts) if len(parts) == 1 else f"{len(parts)} steps: " + "; ".join(parts)
        )
        assert shown == expected, record["id"]

    # the index has room for one step: its headings say which
    headings = page_tables(report_dir / "index.html").tables[0]["head"]
    assert "1st milling (rpm)" in headings[3] and "1st milling (h)" in headings[4]

    b3 = lab_copy / "records" / "batches" / "B-003.yaml"
    text = b3.read_text().replace(
        "speed_rpm: 300\n  duration_h: 12\n", "speed_rpm: 300\n  duration_h: 4\n"
    )
    text = text.replace(
        "speed_rpm: 300\n  duration_h: 6\n  media: ZrO2",
        "speed_rpm: 500\n  duration_h: 2\n  media: WC",
    )
    b3.write_text(text)
    config = load_config(lab_copy / "config.yaml")
    ingest(config)
    out = lab_copy / "results" / "report"
    build_report(config, out)
    shown = page_tables(out / "samples" / "B-003.html").facts["Ball milling"]
    assert shown == "2 steps: 300 rpm, 4 h, ZrO2, ethanol; 500 rpm, 2 h, WC, ethanol"
