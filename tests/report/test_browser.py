"""The report in a real headless browser: no console errors, links resolve, the table works."""

from __future__ import annotations

import os
import re
from pathlib import Path


def test_console_error_detection_works(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "bad.html"
    page.write_text('<p>x</p><img src="missing.png"><script>console.error("boom")</script>')
    errors = browser.open(page.as_uri())
    assert any("boom" in e for e in errors)
    assert any("ERR_FILE_NOT_FOUND" in e or "Failed to load" in e for e in errors)


def test_pages_open_without_errors(
    browser, report_dir: Path, lab: Path, link_problems, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    pages = sorted(report_dir.rglob("*.html"))
    assert len(pages) > 4
    for page in pages:
        assert browser.open(page.as_uri()) == [], page.name
    assert link_problems(report_dir) == []

    browser.open((report_dir / "index.html").as_uri())
    n_batches = len(list((lab / "records" / "batches").glob("*.yaml")))
    assert browser.evaluate("document.querySelectorAll('#batches tbody tr').length") == n_batches
    # sorting: a click on the Li2CO3 excess heading orders rows by it (blanks last)
    order = browser.evaluate(
        "(function(){var th=document.querySelectorAll('#batches th')[2]; th.click();"
        " return Array.from(document.querySelectorAll('#batches tbody tr'))"
        ".map(function(r){return r.cells[2].getAttribute('data-v')});})()"
    )
    values = [float(v) for v in order if v]
    assert values == sorted(values) and order[-1] == ""
    shots = Path(os.environ.get("LABLEDGER_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    shot = browser.screenshot(shots / "report-index.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_script_in_notes_is_shown_as_text(browser, lab_copy: Path) -> None:  # type: ignore[no-untyped-def]
    import re

    from labledger.config import load_config
    from labledger.db.ingest import ingest
    from labledger.report import build_report

    path = lab_copy / "records" / "batches" / "B-002.yaml"
    path.write_text(
        re.sub(r"(?m)^notes:.*$", 'notes: "<script>alert(1)</script>"', path.read_text())
    )
    config = load_config(lab_copy / "config.yaml")
    ingest(config)
    out = lab_copy / "results" / "report"
    build_report(config, out)
    assert browser.open((out / "samples" / "B-002.html").as_uri()) == []
    assert browser.evaluate("document.querySelectorAll('main script').length") == 0
    assert "<script>alert(1)</script>" in browser.evaluate("document.body.innerText")


def test_index_paginates_many_rows(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = 120
    from labledger.report.build import _env
    from labledger.report.context import PAGE_SIZE

    html = (
        _env()
        .get_template("index.html.j2")
        .render(
            root="",
            page="index",
            generated="now",
            version="test",
            database="none",
            rows=[
                {
                    "b": {
                        "batch_id": f"B-{i:04d}",
                        "source": "synthesis",
                        "supplier": None,
                        **dict.fromkeys(
                            (
                                "li2co3_excess_pct",
                                "mill_speed_rpm",
                                "mill_duration_h",
                                "calcine_temperature_c",
                                "sinter_temperature_c",
                                "sinter_dwell_h",
                                "llto_wt_pct",
                                "li2la2ti3o10_wt_pct",
                                "sigma_total_rt_s_cm",
                                "ea_total_ev",
                            ),
                            float(i),
                        ),
                    },
                    "best_half": None,
                    "best_full": None,
                }
                for i in range(rows)
            ],
            page_size=PAGE_SIZE,
            plots=[],
            n_cells=0,
            n_electrodes=0,
        )
    )
    (tmp_path / "samples").mkdir()
    (tmp_path / "index.html").write_text(html)
    assert browser.open((tmp_path / "index.html").as_uri()) == []
    visible = (
        "Array.from(document.querySelectorAll('#batches tbody tr')).filter(r => !r.hidden).length"
    )
    assert browser.evaluate(visible) == PAGE_SIZE
    browser.evaluate(
        "Array.from(document.querySelectorAll('#pager button'))"
        ".find(b => b.textContent === 'last').click()"
    )
    assert browser.evaluate(visible) == rows - PAGE_SIZE * ((rows - 1) // PAGE_SIZE)


#: Every plot of the open page as rendered: its width (CSS px), the font size of its smallest
#: text (CSS px, None without text) and its id. Text is what matplotlib draws as a Text artist
#: (a group with id "text_N"): a <text> element (font size times the scale of its transform) or
#: glyphs drawn as paths (<use>, glyph outlines at matplotlib's FONT_SCALE of 100 units per
#: point, so the font size is 100 times the scale of the glyph's transform).
PLOT_SIZES_JS = """
Array.from(document.querySelectorAll('svg:not(svg svg), img')).map(function (plot) {
  var sizes = [];
  Array.from(plot.querySelectorAll('[id]')).forEach(function (g) {
    if (!/(^|-)text_[0-9]+$/.test(g.id)) { return; }
    var size = 0;
    g.querySelectorAll('text').forEach(function (t) {
      var m = t.getScreenCTM();
      size = Math.max(size, parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b));
    });
    g.querySelectorAll('use').forEach(function (u) {
      var m = u.getScreenCTM();
      size = Math.max(size, 100 * Math.hypot(m.a, m.b));
    });
    if (size > 0) { sizes.push(size); }
  });
  return {
    id: plot.id || (plot.querySelector('[id]') || {}).id || plot.tagName,
    width: plot.getBoundingClientRect().width,
    text: sizes.length ? Math.min.apply(null, sizes) : null
  };
})
"""

#: Narrowest plot and smallest plot text a reader gets at a 1280 px wide window (CSS px).
MIN_PLOT_WIDTH_PX = 500
MIN_TEXT_PX = 10


def plot_problems(browser, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Plots of the open page narrower than MIN_PLOT_WIDTH_PX or with text below MIN_TEXT_PX."""
    problems = []
    for plot in browser.evaluate(PLOT_SIZES_JS):
        if plot["width"] < MIN_PLOT_WIDTH_PX:
            problems.append(f"{name}: {plot['id']} is {plot['width']:.0f} px wide")
        if plot["text"] is not None and plot["text"] < MIN_TEXT_PX:
            problems.append(f"{name}: {plot['id']} has {plot['text']:.1f} px text")
    return problems


def test_plots_are_wide_and_legible_at_1280_px(browser, report_dir: Path) -> None:  # type: ignore[no-untyped-def]
    pages = ["index.html", "samples/B-003.html", "samples/C-004.html", "samples/E-003.html"]
    problems, n_plots = [], 0
    with browser.viewport(1280, 900):
        for name in pages:
            assert browser.open((report_dir / name).as_uri()) == [], name
            plots = browser.evaluate(PLOT_SIZES_JS)
            assert plots, f"{name}: no plot"
            # text is measured: every plot here is matplotlib's, with labelled axes
            assert all(p["text"] is not None for p in plots), name
            n_plots += len(plots)
            problems += plot_problems(browser, name)
    assert n_plots >= 3 + 2 + 1 + 2
    assert problems == []


#: The Arrhenius plot of the open page: its axis labels, legend texts, and per total-conductivity
#: point its tooltip and its distance (CSS px) to the drawn fit line, sampled every 0.5 px.
ARRHENIUS_JS = """
(function () {
  var svg = document.querySelector('#arrhenius svg');
  if (!svg) { return null; }
  var path = svg.querySelector('[id$="-fit-sigma_total"] path');
  var m = path.getScreenCTM(), n = Math.ceil(path.getTotalLength() * 2), line = [];
  for (var i = 0; i <= n; i++) {
    var p = path.getPointAtLength(path.getTotalLength() * i / n);
    line.push([m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f]);
  }
  var points = Array.from(svg.querySelectorAll('g[id*="-pt"]')).map(function (g) {
    var r = g.querySelector('use').getBoundingClientRect();
    var x = r.left + r.width / 2, y = r.top + r.height / 2;
    var d = Math.min.apply(null, line.map(function (q) { return Math.hypot(q[0] - x, q[1] - y); }));
    return {title: g.querySelector('title').textContent, distance: d};
  });
  return {
    texts: Array.from(svg.querySelectorAll('text')).map(function (t) { return t.textContent; }),
    points: points
  };
})()
"""


def test_batch_pages_with_two_temperatures_have_an_arrhenius_plot(
    browser, report_dir: Path, lab: Path
) -> None:  # type: ignore[no-untyped-def]
    from labledger.config import load_config
    from labledger.report.data import load_report_data

    data = load_report_data(load_config(lab / "config.yaml"), history=False)
    temperatures: dict[str, set[float]] = {b["batch_id"]: set() for b in data.batches}
    for e in data.eis:
        if e["sample"] in temperatures and e["sigma_total_s_cm"] is not None:
            temperatures[e["sample"]].add(e["temperature_c"])
    with_fit = {b for b, t in temperatures.items() if len(t) >= 2}
    assert with_fit == {"B-003"}
    for batch in temperatures:
        page = (report_dir / "samples" / f"{batch}.html").read_text()
        assert ('id="arrhenius"' in page) == (batch in with_fit), batch

    with browser.viewport(1280, 900):
        assert browser.open((report_dir / "samples" / "B-003.html").as_uri()) == []
        plot = browser.evaluate(ARRHENIUS_JS)
    assert {"1000/T (1/K)", "conductivity (S/cm)", "T (\u00b0C)"} <= set(plot["texts"])
    total = [p for p in plot["points"] if "sigma_total" in p["title"]]
    spectra = {p["title"].split(":")[0] for p in total}
    assert spectra == {e["id"] for e in data.eis if e["sample"] == "B-003"}
    assert len(total) == 6
    # the line drawn from Ea passes through every measured point
    assert max(p["distance"] for p in total) < 3, total
    # the legend's Ea is the page's
    ea = page_fact(report_dir / "samples" / "B-003.html", "Ea (total)").split(" eV")[0]
    assert any(t.startswith(f"sigma_total fit: Ea = {ea} ") for t in plot["texts"])


def page_fact(page: Path, name: str) -> str:
    """The text of the <dd> after the <dt> `name` on a page, tags removed."""
    import re

    match = re.search(rf"<dt>{re.escape(name)}</dt><dd>(.*?)</dd>", page.read_text(), re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


#: Every table of the open page with a heading row: its headings, and per body cell its text
#: and whether it is a quantity cell (class "n", the report's numeric cells).
TABLES_JS = """
Array.from(document.querySelectorAll('table')).filter(function (t) { return t.tHead; })
  .map(function (t) {
    return {
      head: Array.from(t.tHead.rows[0].cells).map(function (c) { return c.innerText.trim(); }),
      rows: Array.from(t.tBodies).flatMap(function (b) { return Array.from(b.rows); })
        .map(function (r) {
          return Array.from(r.cells).map(function (c) {
            return {text: c.innerText.replace(/\\s+/g, ' ').trim(), n: c.classList.contains('n')};
          });
        })
    };
  })
"""

#: A number as the pages print it: 12, -0.446, +0.00, 6.50e-05; not the digits inside an id,
#: a date, a formula or a version (C-004, 2025-01-20, Li2CO3, 3.11.2).
NUMBER = re.compile(r"(?<![\w.\-/@])[+\-\u2212\u00b1]?\d+(?:\.\d+)?(?:e[+\-]?\d+)?(?![\w.\-/])")


#: The units a reader expects beside a number on these pages (longest first: "% points"
#: before "%"); a count of cycles has "cycles" as its unit.
UNITS = (
    "% points",
    "mAh/cm2",
    "mA/cm2",
    "cycles",
    "S/cm",
    "wt %",
    "\u00b0C",
    "rpm",
    "eV",
    "mV",
    "\u03a9",
    "\u00c5",
    "%",
    "h",
)


def heading_unit(heading: str) -> str | None:
    """The unit a column heading gives: "Mean CE (%)" -> "%", "Cycles" -> "cycles"."""
    known = UNITS
    match = re.search(r"\(([^()]+)\)$", heading)
    if match and match.group(1) in known:
        return match.group(1)
    last = heading.split()[-1].lower() if heading.split() else ""
    return last if last in known else None


def unit_problems(tables: list[dict], name: str, report_page: bool) -> list[str]:
    """Numbers in quantity cells with no unit in the cell or the heading; on a report page also
    a cell holding a bare number that is not marked as a quantity cell."""
    after = re.compile(r"\s*(" + "|".join(re.escape(u) for u in UNITS) + r")(?![\w/])")
    problems = []
    for table in tables:
        for row in table["rows"]:
            for i, cell in enumerate(row):
                heading = table["head"][i] if i < len(table["head"]) else ""
                where = f"{name}: {heading!r} {cell['text']!r}"
                if report_page and not cell["n"] and NUMBER.fullmatch(cell["text"]):
                    problems.append(f"{where}: a number outside a quantity cell")
                if not cell["n"] or heading_unit(heading):
                    continue
                for m in NUMBER.finditer(cell["text"]):
                    if not after.match(cell["text"], m.end()):
                        problems.append(f"{where}: {m.group()} has no unit")
    return problems


def test_report_pages_as_a_reader_sees_them(
    browser, lab_copy: Path, tmp_path: Path, link_problems
) -> None:  # type: ignore[no-untyped-def]
    """Index, a batch, a cell, the study and a provenance page at 1280 px: screenshots of the
    whole page, every plot at least 500 px wide with legible text, every number in a quantity
    cell with its unit, summary points with tooltips, links that resolve."""
    from labledger.config import load_config
    from labledger.provenance.publish import publish_all_provenance
    from labledger.report import build_report

    config = load_config(lab_copy / "config.yaml")
    prov = config.results_dir / "provenance"
    publish_all_provenance(config, prov)
    out = config.results_dir / "report"
    build_report(config, out)
    pages = {
        "index": (out / "index.html", True),
        "batch-B-003": (out / "samples" / "B-003.html", True),
        "cell-C-004": (out / "samples" / "C-004.html", True),
        "study": (out / "study.html", True),
        "provenance-C-004": (prov / "pages" / "C-004.html", False),
    }
    shots = Path(os.environ.get("LABLEDGER_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    problems, n_plots, n_quantity_cells, tips = [], 0, 0, []
    with browser.viewport(1280, 900):
        for name, (page, report_page) in pages.items():
            assert browser.open(page.as_uri()) == [], name
            shot = browser.screenshot(shots / f"page-{name}.png", full_page=True)
            png = shot.read_bytes()
            assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000, name
            assert int.from_bytes(png[16:20], "big") == 1280, name  # IHDR width
            plots = browser.evaluate(PLOT_SIZES_JS)
            n_plots += len(plots)
            problems += plot_problems(browser, name)
            tables = browser.evaluate(TABLES_JS)
            n_quantity_cells += sum(c["n"] for t in tables for r in t["rows"] for c in r)
            problems += unit_problems(tables, name, report_page)
            if name == "batch-B-003":  # the panel's status and its link are apart
                panel = browser.evaluate("document.querySelector('section.prov').innerText")
                assert re.search(r"current\s\u00b7 full provenance page", panel), panel
            if name == "index":
                tips = browser.evaluate(
                    "Array.from(document.querySelectorAll('svg g[id*=\"-pt\"]'))"
                    ".map(g => (g.querySelector(':scope > title') || {}).textContent || '')"
                )
    assert n_plots >= 3 + 1 + 7 + 1  # summary; B-003's XRD, spectra, Arrhenius; C-004's
    assert n_quantity_cells > 100
    assert problems == []
    # each summary point names its sample: 1 + 1 batch points, 8 half cells
    assert len(tips) == 10 and all(re.match(r"[BC]-\d{3}\b", t) for t in tips), tips
    assert link_problems(out) == [] and link_problems(prov / "pages") == []
