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
