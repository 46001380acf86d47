"""Shared fixtures: a project folder with the demo records, and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from labledger.cli import run
from labledger.config import DATABASE_URL_ENV, Config, load_config
from support.databases import (
    backend,
    create_postgres_database,
    drop_postgres_database,
)

REPO = Path(__file__).resolve().parents[1]


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "no_database: the test opens no database (none is created on PostgreSQL)"
    )


@pytest.fixture(autouse=True)
def _test_database(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Each test gets its own database: a SQLite file in its project folder (the default) or,
    with LABLEDGER_TEST_BACKEND=postgresql, a fresh PostgreSQL database named by
    LABLEDGER_DATABASE_URL, dropped afterwards. A test may still set the URL itself."""
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    monkeypatch.delenv("LABLEDGER_CONFIG", raising=False)
    if backend() == "sqlite" or request.node.get_closest_marker("no_database"):
        yield
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
