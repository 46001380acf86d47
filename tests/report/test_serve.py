"""`labledger serve`: Datasette over the database, read-only, documented, linked to the report."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from labledger.config import load_config
from labledger.db.engine import view_descriptions
from labledger.serve import datasette_metadata
from support.databases import backend

needs_sqlite = pytest.mark.skipif(
    backend() != "sqlite", reason="Datasette reads SQLite files; the PostgreSQL case is tested"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


@pytest.fixture
def server(lab: Path, report_dir: Path):  # type: ignore[no-untyped-def]
    """`labledger serve` on a free local port, started as a person would, in the project."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "LABLEDGER_CONFIG"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "labledger", "serve", "--port", str(port)],
        cwd=lab,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if proc.poll() is not None:
                pytest.fail(f"labledger serve stopped: {proc.stdout.read()}")  # type: ignore[union-attr]
            try:
                if get(f"{base}/-/versions.json")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("labledger serve did not answer within 20 s")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@needs_sqlite
def test_metadata_documents_every_view_and_offers_the_saved_queries(lab: Path) -> None:
    config = load_config(lab / "config.yaml")
    meta = datasette_metadata(config, lab / "results" / "report")
    [database] = meta["databases"].values()
    described = {name: t["description"] for name, t in database["tables"].items()}
    assert described == view_descriptions() and len(described) >= 7
    assert all(len(text) > 30 for text in described.values())
    saved = sorted(p.stem for p in (lab / "workflow" / "queries").glob("*.sql"))
    assert sorted(database["queries"]) == saved
    assert database["queries"]["ce_vs_cnt_ratio"]["title"] == "Coulombic efficiency vs CNT ratio"


@needs_sqlite
def test_serve_documents_links_and_only_reads(server: str, lab: Path) -> None:
    status, page = get(f"{server}/labledger/batch_synthesis")
    assert status == 200 and "one row per batch" in page
    assert '<a href="/report/samples/B-003.html"' in page
    status, report_page = get(f"{server}/report/samples/B-003.html")
    assert status == 200 and "B-003" in report_page
    status, canned = get(f"{server}/labledger/ce_vs_cnt_ratio.json?_shape=array")
    assert status == 200 and {row["cell_id"] for row in json.loads(canned)} >= {"C-001"}
    # a statement that writes is refused, and the data stay
    status, answer = get(f"{server}/labledger.json?sql=DELETE+FROM+batch")
    assert status == 400 and "SELECT" in json.loads(answer)["error"]
    status, count = get(f"{server}/labledger.json?sql=SELECT+COUNT(*)+AS+n+FROM+batch&_shape=array")
    assert json.loads(count) == [{"n": 8}]


@needs_sqlite
def test_serve_in_the_browser(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert browser.open(f"{server}/labledger/cell_figures") == []
    links = browser.evaluate(
        "Array.from(document.querySelectorAll('td a[href^=\"/report/samples/\"]'))"
        ".map(function(a){return a.getAttribute('href')})"
    )
    assert "/report/samples/C-001.html" in links
    assert browser.open(server + links[0]) == []
    assert browser.evaluate("document.title").startswith(links[0].split("/")[-1][:-5])
    shots = Path(os.environ.get("LABLEDGER_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    browser.open(f"{server}/labledger/batch_synthesis")
    assert browser.screenshot(shots / "serve-batch-synthesis.png").stat().st_size > 10_000


def test_serve_on_postgresql_says_what_to_use(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.yaml").write_text(
        "records_dir: records\nresults_dir: results\n"
        "database_url: postgresql+psycopg://lab:secret@labserver/labledger\n"
    )
    (tmp_path / "records").mkdir()
    monkeypatch.delenv("LABLEDGER_DATABASE_URL", raising=False)
    result = cli("serve", cwd=tmp_path)
    assert result.code == 1
    assert "reads SQLite files only" in result.err and "labledger export" in result.err
    assert "secret" not in result.err and "Traceback" not in result.err
