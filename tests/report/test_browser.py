"""The report in a real headless browser: no console errors, links resolve, the table works."""

from __future__ import annotations

import os
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
    from labledger.report.pages import PAGE_SIZE, _env

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
