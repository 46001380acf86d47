"""Shared fixtures: a project folder with the demo records, and a CLI runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from labledger.cli import run
from labledger.config import CONFIG_VALUES_ENV, DATABASE_URL_ENV, Config, load_config
from support.databases import (
    backend,
    create_postgres_database,
    drop_postgres_database,
)

REPO = Path(__file__).resolve().parents[1]

# CI runs every property-based test on the same examples (a failure there can be reproduced);
# locally the examples vary from run to run.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@dataclass
class Project:
    """A throw-away labledger project: config.yaml, records/, results/."""

    root: Path

    @property
    def records(self) -> Path:
        return self.root / "records"

    @property
    def config_path(self) -> Path:
        return self.root / "config.yaml"

    @property
    def db_path(self) -> Path:
        """The SQLite file of the default URL (unused when the suite runs on PostgreSQL)."""
        return self.root / "results" / "labledger.db"

    @property
    def database_url(self) -> str:
        """The URL this project's commands use (the backend the suite runs on)."""
        return self.config().database_url

    def config(self) -> Config:
        return load_config(self.config_path)

    def write(self, relpath: str, text: str) -> Path:
        path = self.records / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


def make_project(root: Path, with_demo: bool = True) -> Project:
    """A project folder; with the demo records (and raw files) copied from the repository."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text("records_dir: records\nresults_dir: results\n")
    if with_demo:
        shutil.copytree(REPO / "records", root / "records")
    else:
        (root / "records").mkdir()
    return Project(root)


def pytest_report_header() -> str:
    return f"labledger database backend: {backend()}"


#: Test folders of the science packages and the record checks: their tests read files and run
#: analyses but open no database, so on PostgreSQL they get none (creating and dropping one costs
#: about a second on a loaded machine) and the PostgreSQL pass of `make test` leaves them out
#: (`-m "not no_database"`; they ran on SQLite). A test there that does ingest is marked
#: `database`. On SQLite, `_test_database` checks that such a test really made no database file.
NO_DATABASE_DIRS = tuple(REPO / "tests" / name for name in ("xrd", "eis", "cycling", "records"))


#: Tests `make test-fast` leaves out: real Snakemake runs, and the crash and concurrency tests
#: that start dozens of ingest processes. `make test` runs them.
SLOW_PATHS = (
    REPO / "tests" / "workflow",
    REPO / "tests" / "db" / "test_crash.py",
    REPO / "tests" / "db" / "test_concurrency.py",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "no_database: the test opens no database (none is created on PostgreSQL)"
    )
    config.addinivalue_line(
        "markers", "database: the test opens a database although its folder's tests do not"
    )
    config.addinivalue_line("markers", "slow: left out by `make test-fast`")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        in_science_dir = any(folder in item.path.parents for folder in NO_DATABASE_DIRS)
        if in_science_dir and item.get_closest_marker("database") is None:
            item.add_marker(pytest.mark.no_database)
        if any(item.path == path or path in item.path.parents for path in SLOW_PATHS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def saved_figures(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """matplotlib figures as they are saved (a spy on Figure.savefig): their artists' extents
    are those of the written file, so a test can look at what a plot function drew."""
    from matplotlib.figure import Figure

    saved: list[Any] = []
    savefig = Figure.savefig

    def spy(fig: Any, *args: Any, **kwargs: Any) -> Any:
        saved.append(fig)
        return savefig(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    return saved


@pytest.fixture(autouse=True)
def _test_database(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Each test gets its own database: a SQLite file in its project folder (the default) or,
    with LABLEDGER_TEST_BACKEND=postgresql, a fresh PostgreSQL database named by
    LABLEDGER_DATABASE_URL, dropped afterwards. A test may still set the URL itself."""
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    monkeypatch.delenv("LABLEDGER_CONFIG", raising=False)
    monkeypatch.delenv(CONFIG_VALUES_ENV, raising=False)
    no_database = request.node.get_closest_marker("no_database") is not None
    if backend() == "sqlite" or no_database:
        # asked for before the test, so that the folder outlives this fixture's check
        folder = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
        yield
        if no_database and folder is not None:
            made = sorted(folder.rglob("*.db"))
            assert not made, f"a test marked no_database made a database: {made[0]}"
        return
    url = create_postgres_database()
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    try:
        yield
    finally:
        drop_postgres_database(url)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A project holding the demo records."""
    return make_project(tmp_path / "lab")


@pytest.fixture
def empty_project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "lab", with_demo=False)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliResult]:
    """Run `labledger ARGS...` in a folder; returns exit code, stdout and stderr."""

    def invoke(*args: str, cwd: Path | None = None) -> CliResult:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke
