"""A demo project analysed and ingested once per session, and a headless browser to read pages.

The project copies the repository's demo records, analyses the cells and spectra the study table
needs plus one XRD scan, and ingests everything (about 15 s on a 2-core machine). Tests that
change records work on a copy (`lab_copy`). On PostgreSQL the shared project's database is a
session database that tests using `lab` read, and `lab_copy` clones it into the test's own.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from labledger.analyses import analyze_record
from labledger.analyses.arrhenius import analyze_arrhenius
from labledger.config import DATABASE_URL_ENV, Config, load_config
from labledger.db.ingest import ingest
from support.databases import (
    backend,
    create_postgres_database,
    drop_postgres_database,
    postgres_admin_url,
)

REPO = Path(__file__).resolve().parents[2]

#: Records analysed for the report tests: every cell of the study table, the electrode spectra
#: with charge-transfer resistances, B-003's pellet spectra at six temperatures (-20 to 100 C:
#: its activation energy) and one XRD scan.
ANALYSED = (
    *(f"C-{i:03d}" for i in range(1, 13)),
    "EIS-003",
    *(f"EIS-{i:03d}" for i in range(9, 14)),
    "EIS-014",
    "EIS-015",
    "XRD-003",
)


def make_lab(root: Path) -> Config:
    """A project folder with the demo records and the saved queries."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text("records_dir: records\nresults_dir: results\n")
    shutil.copytree(REPO / "records", root / "records")
    shutil.copytree(REPO / "workflow" / "queries", root / "workflow" / "queries")
    return load_config(root / "config.yaml")


@pytest.fixture(scope="session")
def lab_database() -> Iterator[str | None]:
    """The shared project's PostgreSQL database (None on SQLite: the file in its results/)."""
    if backend() == "sqlite":
        yield None
        return
    url = create_postgres_database("lab")
    try:
        yield url
    finally:
        drop_postgres_database(url)


def _use_lab_database(mp: pytest.MonkeyPatch, url: str | None) -> None:
    if url is None:
        mp.delenv(DATABASE_URL_ENV, raising=False)
    else:
        mp.setenv(DATABASE_URL_ENV, url)


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory, lab_database: str | None) -> Path:
    """The analysed and ingested demo project (shared: do not modify; see `lab_copy`)."""
    with pytest.MonkeyPatch.context() as mp:
        _use_lab_database(mp, lab_database)
        mp.delenv("LABLEDGER_CONFIG", raising=False)
        root = tmp_path_factory.mktemp("report") / "lab"
        config = make_lab(root)
        for rid in ANALYSED:
            analyze_record(config, rid, rule="test")
        analyze_arrhenius(config, rule="test")
        ingest(config)
    return root


@pytest.fixture(autouse=True)
def _lab_database_env(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, _test_database: None
) -> None:
    """On PostgreSQL, a test reading `lab` reads the session database (not its own empty one)."""
    names = request.fixturenames
    if backend() != "sqlite" and "lab" in names and "lab_copy" not in names:
        monkeypatch.setenv(DATABASE_URL_ENV, request.getfixturevalue("lab_database"))


def clone_postgres_database(source: str, target: str) -> None:
    """Make `target` a copy of `source` (CREATE DATABASE ... TEMPLATE), replacing it."""
    admin = postgres_admin_url()
    assert admin is not None
    src, dst = make_url(source).database, make_url(target).database
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dst}"'))
            for attempt in range(20):  # the source's last connection may still be closing
                try:
                    conn.execute(text(f'CREATE DATABASE "{dst}" TEMPLATE "{src}"'))
                    return
                except OperationalError:
                    if attempt == 19:
                        raise
                    time.sleep(0.25)
    finally:
        engine.dispose()


@pytest.fixture
def lab_copy(lab: Path, lab_database: str | None, tmp_path: Path) -> Path:
    """A private copy of the ingested project, free to edit (on PostgreSQL with a copy of its
    database as the test's own)."""
    root = tmp_path / "lab"
    shutil.copytree(lab, root)
    if lab_database is not None:
        clone_postgres_database(lab_database, os.environ[DATABASE_URL_ENV])
    return root


def find_browser() -> str | None:
    """A Chromium-family executable on PATH, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (standard library only).

    Chromium reads commands from fd 3 and writes replies and events to fd 4, each message a
    JSON text ended by a NUL byte (`--remote-debugging-pipe`).
    """

    TIMEOUT_S = 30.0

    def __init__(self, executable: str, profile: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire() -> None:  # runs in the child before exec
            # move both ends above fd 10 first: a pipe end may itself be fd 3 or 4
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)  # dup2 clears close-on-exec on the target
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "--window-size=1400,1000",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=wire,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("no reply from the browser")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("the browser closed the pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, *, session: bool = False) -> dict:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.TIMEOUT_S
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def open(self, url: str) -> list[str]:
        """Load `url`, wait for its load event; return the console errors it produced."""
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        deadline = time.monotonic() + self.TIMEOUT_S
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self._read_message(deadline))
        self.evaluate("1")  # a round trip: events raised during load have arrived
        return self.console_errors()

    def console_errors(self) -> list[str]:
        errors = []
        for e in self.events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(
                    " ".join(str(a.get("value", a.get("description"))) for a in p["args"])
                )
            elif method == "Runtime.exceptionThrown":
                errors.append(p["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
                errors.append(p["entry"].get("text", "log error"))
        return errors

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        """A PNG of the viewport, or with `full_page` of the whole page (at most 16,000 px)."""
        import base64

        params: dict[str, Any] = {"format": "png"}
        if full_page:
            width, height = self.evaluate(
                "[window.innerWidth, document.documentElement.scrollHeight]"
            )
            params["captureBeyondViewport"] = True
            params["clip"] = {"x": 0, "y": 0, "width": width, "height": min(height, 16_000)}
            params["clip"]["scale"] = 1
        data = self.call("Page.captureScreenshot", params, session=True)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    @contextlib.contextmanager
    def viewport(self, width: int, height: int) -> Iterator[None]:
        """Lay pages out at `width` x `height` CSS px (device scale 1) inside the block."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )
        try:
            yield
        finally:
            self.call("Emulation.clearDeviceMetricsOverride", session=True)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A headless Chromium; the test is skipped when none is installed."""
    executable = find_browser()
    if executable is None:
        pytest.skip("no headless browser installed: `apt-get install -y chromium` to run this test")
    b = Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield b
    finally:
        b.close()


def local_link_problems(out_dir: Path) -> list[str]:
    """Broken local links (missing file or missing #anchor) and any external fetch or link."""
    import re
    from html.parser import HTMLParser
    from urllib.parse import unquote, urlsplit

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.links: list[tuple[str, str]] = []
            self.ids: set[str] = set()

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for key, value in attrs:
                if key == "id" and value:
                    self.ids.add(value)
                if key in ("href", "src", "xlink:href") and value is not None:
                    self.links.append((tag, value))

    parsed: dict[Path, Links] = {}

    def parse(path: Path) -> Links:
        if path not in parsed:
            p = Links()
            p.feed(path.read_text(encoding="utf-8"))
            parsed[path] = p
        return parsed[path]

    problems = []
    for page in sorted(out_dir.rglob("*.html")):
        for tag, link in parse(page).links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "ftp") or link.startswith("//"):
                problems.append(f"{page.name}: external {tag} {link}")
                continue
            if parts.scheme == "data" or (tag == "link" and link.startswith("data:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.exists():
                problems.append(f"{page.name}: {link} -> missing {target}")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and parts.fragment not in parse(target).ids
            ):
                problems.append(f"{page.name}: {link} -> no #{parts.fragment}")
        if re.search(r"<(script|link|img)[^>]+(src|href)=\"https?:", page.read_text()):
            problems.append(f"{page.name}: fetches from the network")
    return problems


@pytest.fixture
def link_problems():  # type: ignore[no-untyped-def]
    """The link checker (`local_link_problems`) for tests."""
    return local_link_problems


@pytest.fixture(scope="session")
def report_dir(lab: Path, request: pytest.FixtureRequest) -> Path:
    """The report of the shared demo project, built once."""
    from labledger.report import build_report, run_saved_queries

    with pytest.MonkeyPatch.context() as mp:
        _use_lab_database(mp, request.getfixturevalue("lab_database"))
        config = load_config(lab / "config.yaml")
        run_saved_queries(config, lab / "workflow" / "queries", config.results_dir / "queries")
        build_report(config, config.results_dir / "report")
    return lab / "results" / "report"
