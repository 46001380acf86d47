"""Fuzz config.yaml through `load_config` and the CLI's --config.

Contract: a config file loads, or raises a `ConfigError` naming it (with line and field where
they apply); the CLI exits 0 or 1 with a message, never a traceback; a database URL that cannot
work (no such host, no driver, not a URL) is a clear one-line error that hides the password.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from fuzz.mutations import clear_error_or_result, fuzz_settings, mutated, time_limit
from labledger.config import Config, load_config
from labledger.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SEED = (REPO / "config.yaml").read_bytes() + (
    b"database_url: sqlite:///results/other.db\n"
    b"eis:\n  default_circuit: p(R1,CPE1)-CPE2\n"
    b"xrd:\n  candidates: [LLTO_tetragonal, rutile]\n  phases:\n    extra: phases/extra.cif\n"
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.text(max_size=40)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=8,
)
#: Odd but plausible folder names: empty, parent, NUL, longer than a file name may be. (Not
#: "/": `check` would rightly read every record file on the machine.)
FOLDERS = ["records", "lab/records", "", ".", "..", "\x00", "~", "${HOME}", "r" * 300]
URLS = [
    "sqlite:///other.db",
    "sqlite:///",
    "sqlite:///:memory:",
    "sqlite:///\x00.db",
    "postgresql+psycopg://nohost:1/x",
    "",
]
configs = st.fixed_dictionaries(
    {},
    optional={
        "records_dir": st.sampled_from(FOLDERS) | values,
        "results_dir": st.sampled_from(FOLDERS) | values,
        "database_url": st.sampled_from(URLS) | values,
        "eis": st.fixed_dictionaries({}, optional={"default_circuit": st.text(max_size=30)})
        | values,
        "xrd": st.fixed_dictionaries(
            {}, optional={"candidates": st.lists(st.text(max_size=12), max_size=3) | values}
        )
        | values,
        "unknown_key": values,
    },
)


def _load(path: Path) -> Config | ConfigError:
    got = clear_error_or_result(lambda: _resolved(load_config(path)), path)
    assert isinstance(got, Config | ConfigError), got
    return got


def _resolved(config: Config) -> Config:
    """Touch everything a command reads first (paths and the URL)."""
    assert config.database_url
    assert config.records_dir.is_absolute() and config.results_dir.is_absolute()
    return config


@fuzz_settings(examples=60)
@given(raw=mutated(SEED))
def test_mutated_config_file(tmp_path_factory, raw: bytes) -> None:
    path = tmp_path_factory.mktemp("cfg") / "config.yaml"
    path.write_bytes(raw)
    event("refused" if isinstance(_load(path), ConfigError) else "loaded")


@fuzz_settings(examples=30)
@given(fields=configs)
def test_config_values_through_the_cli(project, cli, fields: dict) -> None:
    try:
        text = yaml.safe_dump(fields, allow_unicode=True)
    except yaml.YAMLError:
        return
    path = project.root / "fuzz-config.yaml"
    path.write_text(text, encoding="utf-8")
    got = _load(path)
    event("refused" if isinstance(got, ConfigError) else "loaded")
    with time_limit():
        result = cli("--config", str(path), "check", "--quiet", cwd=project.root)
    assert result.code in (0, 1)
    assert "Traceback" not in result.out + result.err
    if isinstance(got, ConfigError):
        assert result.code == 1 and "fuzz-config.yaml" in result.err


#: config.yaml text -> what the error must mention.
CASES = {
    "garbage": ("\x00\x01\x02 not yaml: [", "config.yaml:1"),
    "list-at-top": ("- records_dir\n- results_dir\n", "config.yaml:1"),
    "wrong-type": ("records_dir: [a, b]\n", "records_dir"),
    "unknown-key": ("records_dir: records\nrecord_dir: records\n", "record_dir"),
    "nested-wrong-type": ("eis: 5\n", "eis"),
    "url-wrong-type": ("database_url: 42\n", "database_url"),
    "non-utf8": ("records_dir: r\xe9cords\n".encode("latin-1"), "config.yaml:1"),
    "nul-in-path": ('records_dir: "records\\0"\n', "config.yaml:1:1: records_dir"),
    "name-too-long": (f"results_dir: {'r' * 5000}\n", "config.yaml:1:1: results_dir"),
    "nul-in-sqlite-url": ('database_url: "sqlite:///a\\0.db"\n', "config.yaml:1:1: database_url"),
    "billion-laughs": (
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
        "config.yaml:",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_config_files(tmp_path, cli, case: str) -> None:
    text, mention = CASES[case]
    path = tmp_path / "config.yaml"
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    got = _load(path)
    assert isinstance(got, ConfigError) and mention in str(got), got
    result = cli("--config", str(path), "check", cwd=tmp_path)
    assert result.code == 1 and mention in result.err and "Traceback" not in result.err


def test_missing_config_file(tmp_path, cli) -> None:
    result = cli("--config", str(tmp_path / "nope.yaml"), "check", cwd=tmp_path)
    assert result.code == 1 and "nope.yaml" in result.err and "not found" in result.err


# ----------------------------------------------------------------------- database URLs

#: URLs that cannot work, each in a real `labledger` process (a hang would show as a timeout).
#: libpq's PGCONNECT_TIMEOUT keeps an unreachable server from holding the test for minutes.
BAD_SERVERS = ["postgresql+psycopg://lab:s3cret@127.0.0.1:1/x"]  # nothing listens there
#: URLs that fail fast (checked in-process).
BAD_URLS = [
    "postgresql+psycopg://lab:s3cret@nohost:1/x",  # no such host
    "postgresql://nohost:1/x",  # SQLAlchemy's default PostgreSQL driver is not installed
    "mysql://lab:s3cret@nohost/x",
    "not a url",
    "sqlite:///",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_unusable_database_url(project, cli, monkeypatch, url: str) -> None:
    # the URL under test, not the suite's own database
    monkeypatch.delenv("LABLEDGER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "5")
    config = project.root / "bad-url.yaml"
    config.write_text(f"records_dir: records\ndatabase_url: {url!r}\n", encoding="utf-8")
    with time_limit():
        result = cli("--config", str(config), "ingest", cwd=project.root)
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err and "s3cret" not in result.out + result.err
    lines = result.err.strip().splitlines()
    assert len(lines) <= 2 and lines[0].startswith("error:"), result.err


@pytest.mark.parametrize("url", BAD_SERVERS)
def test_unreachable_database_server(project, url: str) -> None:
    config = project.root / "bad-url.yaml"
    config.write_text(f"records_dir: records\ndatabase_url: {url!r}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "LABLEDGER_DATABASE_URL"}
    env["PGCONNECT_TIMEOUT"] = "5"
    done = subprocess.run(
        [sys.executable, "-m", "labledger.cli", "--config", str(config), "ingest"],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "s3cret" not in done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) <= 2 and lines[0].startswith("error:"), done.stderr
