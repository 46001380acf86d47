"""`labledger export` / `labledger import`: the whole database to one file and back, exactly."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from labledger.analyses import analyze_record
from labledger.cli.backup import export_command, import_command
from labledger.config import DATABASE_URL_ENV, load_config
from labledger.db import backup
from labledger.db.backup import dump, export_database, import_database
from labledger.db.engine import make_engine, sqlite_path
from labledger.db.ingest import ingest
from labledger.db.result_tables import AnalysisRun
from labledger.db.schema import head_revision
from labledger.errors import DatabaseError, InputFileError, LabledgerError
from support.databases import (
    backend,
    postgres_database,
    postgres_url_or_skip,
    rows,
    snapshot,
)

REPO = Path(__file__).resolve().parents[2]
#: Records analysed once per module so that analysis_run and every result table hold rows.
ANALYSED = ("C-012", "EIS-003", "XRD-003")


@pytest.fixture(scope="module")
def result_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """results/ of the demo records with a cell, a spectrum and a scan analysed."""
    root = tmp_path_factory.mktemp("analysed")
    shutil.copytree(REPO / "records", root / "records")
    (root / "config.yaml").write_text("records_dir: records\nresults_dir: results\n")
    config = load_config(root / "config.yaml")
    for rid in ANALYSED:
        analyze_record(config, rid, rule="test")
    return root / "results"


@pytest.fixture
def ledger(project, result_files):  # type: ignore[no-untyped-def]
    """The demo project ingested twice (a record edited in between), with results loaded."""
    shutil.copytree(result_files, project.root / "results", dirs_exist_ok=True)
    config = project.config()
    ingest(config)
    path = project.records / "batches" / "B-003.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("dwell_h: 6", "dwell_h: 7"))
    assert ingest(config).modified == ["B-003"]
    return project


@contextmanager
def fresh_database(tmp_path: Path, name: str, kind: str | None = None) -> Iterator[str]:
    """An empty database on the active backend (or `kind`), dropped afterwards."""
    if (kind or backend()) == "postgresql":
        with postgres_database("bk") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / name}.db"


def lines(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def without_time(path: Path) -> list[str]:
    """The file's lines with the header's exported_at blanked."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        out = f.read().split("\n")
    header = json.loads(out[0])
    header["exported_at"] = None
    return [json.dumps(header), *out[1:]]


def write_lines(path: Path, objs: list[Any]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for obj in objs:
            f.write((obj if isinstance(obj, str) else json.dumps(obj)) + "\n")
    return path


def execute(url: str, *statements: str, **params: Any) -> None:
    engine = make_engine(url, write=True)
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(text(sql), params)
    finally:
        engine.dispose()


def test_round_trip_is_exact(ledger, tmp_path: Path) -> None:
    source = ledger.database_url
    first = export_database(source, tmp_path / "a.jsonl.gz")
    assert first.tables["record_revision"] > first.tables["record"] > 40
    assert first.tables["ingest"] == 2 and first.tables["analysis_run"] == len(ANALYSED)
    assert first.tables["cell_cycle"] > 0 and first.tables["xrd_phase"] > 0
    assert first.schema_revision == head_revision()
    with fresh_database(tmp_path, "target") as target:
        loaded = import_database(target, first.path)
        assert loaded.tables == first.tables
        second = export_database(target, tmp_path / "b.jsonl.gz")
        assert snapshot(target) == snapshot(source)
    assert without_time(first.path) == without_time(second.path)
    assert lines(first.path)[0]["exported_at"] != "" and first.rows == sum(first.tables.values())


def test_two_exports_of_one_database_differ_only_in_the_time(ledger, tmp_path: Path) -> None:
    execute(ledger.database_url, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    a = export_database(ledger.database_url, tmp_path / "a.jsonl.gz")
    b = export_database(ledger.database_url, tmp_path / "b.jsonl.gz")
    assert without_time(a.path) == without_time(b.path)
    assert a.skipped == ["notes"]  # not labledger's: left out, and said so
    order = list(lines(a.path)[0]["tables"])
    assert "notes" not in order
    # rows of a table come after the rows they reference (ingest before record, ...)
    assert order.index("ingest") < order.index("record") < order.index("alembic_version")
    assert order.index("analysis_run") < order.index("cell_result")


def test_sqlite_to_postgresql_and_back(ledger, tmp_path: Path) -> None:
    postgres_url_or_skip()
    a = export_database(ledger.database_url, tmp_path / "a.jsonl.gz")
    with (
        fresh_database(tmp_path, "s1", "sqlite") as s1,
        fresh_database(tmp_path, "pg", "postgresql") as pg,
        fresh_database(tmp_path, "s2", "sqlite") as s2,
    ):
        import_database(s1, a.path)
        b = export_database(s1, tmp_path / "b.jsonl.gz")
        import_database(pg, b.path)
        c = export_database(pg, tmp_path / "c.jsonl.gz")
        import_database(s2, c.path)
        d = export_database(s2, tmp_path / "d.jsonl.gz")
        assert snapshot(s1) == snapshot(s2)
    assert without_time(a.path) == without_time(b.path) == without_time(c.path)
    assert without_time(c.path) == without_time(d.path)


#: Floats that a decimal round trip through text could get wrong.
AWKWARD_FLOATS = [1e-300, 0.1 + 0.2, 5e-324, 1.7976931348623157e308, 1 / 3, -2.5e-17, math.inf]
AWKWARD_TEXT = (
    'Å ångström · 10⁻³ S/cm · 𝜎 🧪 e\u0301 "quoted" \\ tab\tnew\nline\r\n line\u2028separator'
)


def test_awkward_values_round_trip_exactly(ledger, tmp_path: Path) -> None:
    source = ledger.database_url
    cycles = rows(source, "SELECT cycle FROM cell_cycle WHERE cell_id = 'C-012' ORDER BY cycle")
    floats = [*AWKWARD_FLOATS, -math.inf]
    if backend() == "postgresql":  # SQLite itself stores -0.0 as 0.0 and NaN as NULL
        floats += [-0.0, math.nan]
    for (cycle,), value in zip(cycles, floats, strict=False):
        execute(
            source,
            "UPDATE cell_cycle SET ce_pct = :v WHERE cell_id = 'C-012' AND cycle = :c",
            v=value,
            c=cycle,
        )
    execute(
        source,
        "UPDATE record_revision SET content_yaml = :t WHERE record_id = 'B-003'",
        t=AWKWARD_TEXT,
    )
    execute(
        source, "UPDATE ingest SET started_at = :when", when=dt.datetime(2024, 2, 29, 23, 59, 59, 1)
    )
    exported = export_database(source, tmp_path / "a.jsonl.gz")
    with fresh_database(tmp_path, "target") as target:
        import_database(target, exported.path)
        query = "SELECT ce_pct FROM cell_cycle WHERE cell_id = 'C-012' ORDER BY cycle"
        got = [r[0] for r in rows(target, query)][: len(floats)]
        for want, have in zip(floats, got, strict=True):
            if math.isnan(want):
                assert math.isnan(have)
            else:
                assert have == want and math.copysign(1, have) == math.copysign(1, want)
        texts = rows(target, "SELECT content_yaml FROM record_revision WHERE record_id = 'B-003'")
        assert {t for (t,) in texts} == {AWKWARD_TEXT}
        when = rows(target, "SELECT started_at FROM ingest")
        assert {str(w) for (w,) in when} == {"2024-02-29 23:59:59.000001"}
        assert snapshot(target) == snapshot(source)


def test_import_refuses_a_database_that_holds_labledger_tables(ledger, tmp_path: Path) -> None:
    url = ledger.database_url
    exported = export_database(url, tmp_path / "a.jsonl.gz")
    before = snapshot(url)
    with pytest.raises(DatabaseError, match="--replace") as err:
        import_database(url, exported.path)
    if backend() == "postgresql":
        assert ":***@" in str(err.value) and "labledger:labledger@" not in str(err.value)
    assert snapshot(url) == before


def test_replace_overwrites_a_database_with_other_contents(ledger, tmp_path: Path) -> None:
    url = ledger.database_url
    exported = export_database(url, tmp_path / "a.jsonl.gz")
    before = snapshot(url)
    path = ledger.records / "batches" / "B-003.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("dwell_h: 7", "dwell_h: 8"))
    ingest(ledger.config())
    assert snapshot(url) != before
    done = import_database(url, exported.path, replace=True)
    assert done.replaced and snapshot(url) == before


def _damage(header: dict, body: list[dict]) -> dict[str, tuple[list[Any], str]]:
    """Damaged variants of an export: (lines, what the error says)."""
    newer = dict(header, format_version=backup.FORMAT_VERSION + 1)
    unknown_rev = dict(header, schema_revision="9999")
    cols = dict(header["tables"], ghost_table=[["id", "integer"]])
    ghost = dict(header, tables=cols, rows=dict(header["rows"], ghost_table=0))
    first_ingest = next(i for i, r in enumerate(body) if r["t"] == "ingest")
    wrong_type = [dict(r) for r in body]
    wrong_type[first_ingest] = {"t": "ingest", "r": ["one", *body[first_ingest]["r"][1:]]}
    renamed = dict(header["tables"])
    renamed["ingest"] = [["ident", "integer"], *header["tables"]["ingest"][1:]]
    return {
        "bad json": (
            [header, *body[:5], '{"t": "record", "r": [', *body[5:]],
            ":7: not valid JSON",
        ),
        "newer format": ([newer, *body], "newer than this labledger reads"),
        "unknown revision": ([unknown_rev, *body], "does not know; upgrade labledger"),
        "unknown table": ([ghost, *body], "unknown table 'ghost_table'"),
        "unknown column": ([dict(header, tables=renamed), *body], "unknown column 'ident'"),
        "wrong type": ([header, *wrong_type], "'one' is not a valid integer"),
        "row missing": ([header, *body[:-1]], "the file is incomplete"),
        "unlisted table": ([header, {"t": "nope", "r": []}, *body], "header does not list"),
        "not an export": ([{"hello": 1}, *body], "not a labledger export"),
    }


def test_damaged_files_are_refused_and_leave_the_database_as_it_was(ledger, tmp_path: Path) -> None:
    url = ledger.database_url
    exported = export_database(url, tmp_path / "a.jsonl.gz")
    header, *body = lines(exported.path)
    before = snapshot(url)
    for name, (content, message) in _damage(header, body).items():
        path = write_lines(tmp_path / f"{name.replace(' ', '_')}.jsonl.gz", content)
        with pytest.raises(InputFileError) as err:
            import_database(url, path, replace=True)
        assert str(err.value).startswith(f"{path}:"), name
        assert message in str(err.value), (name, str(err.value))
        assert snapshot(url) == before, name


def test_cut_or_foreign_files_are_refused(ledger, tmp_path: Path) -> None:
    exported = export_database(ledger.database_url, tmp_path / "a.jsonl.gz")
    data = exported.path.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    plain = tmp_path / "plain.jsonl"
    plain.write_bytes(gzip.decompress(data))
    with fresh_database(tmp_path, "target") as target:
        for path, message in [(cut, "cut short"), (plain, "not a gzip file")]:
            with pytest.raises(InputFileError, match=message):
                import_database(target, path)
            file = sqlite_path(target)
            assert not file.exists() if file else snapshot(target) == {}


def test_nan_is_refused_by_sqlite_rather_than_turned_into_null(ledger, tmp_path: Path) -> None:
    exported = export_database(ledger.database_url, tmp_path / "a.jsonl.gz")
    header, *body = lines(exported.path)
    i = next(i for i, r in enumerate(body) if r["t"] == "cell_cycle")
    ce = [c for c, _ in header["tables"]["cell_cycle"]].index("ce_pct")
    body[i]["r"][ce] = "NaN"
    path = write_lines(tmp_path / "nan.jsonl.gz", [header, *body])
    with fresh_database(tmp_path, "target", "sqlite") as target:
        with pytest.raises(InputFileError, match="SQLite cannot store NaN") as err:
            import_database(target, path)
        assert err.value.line == i + 2


def test_older_schema_revision_is_upgraded_on_import(ledger, tmp_path: Path) -> None:
    """An export of a revision-0001 database (made before Alembic: no alembic_version)."""
    source = ledger.database_url
    exported = export_database(source, tmp_path / "a.jsonl.gz")
    header, *body = lines(exported.path)
    header["schema_revision"] = "0001"
    del header["tables"]["alembic_version"], header["rows"]["alembic_version"]
    # columns that came after 0001: record_revision.git_blob (0003, computed by the upgrade
    # from the stored text), analysis_run.result_content_sha256 (0004) and inputs_json (0005)
    for table, column in (
        ("record_revision", "git_blob"),
        ("analysis_run", "result_content_sha256"),
        ("analysis_run", "inputs_json"),
    ):
        columns = header["tables"][table]
        at = [name for name, _type in columns].index(column)
        del columns[at]
        for row in body:
            if row["t"] == table:
                del row["r"][at]
    old = write_lines(
        tmp_path / "old.jsonl.gz", [header, *(r for r in body if r["t"] != "alembic_version")]
    )
    with fresh_database(tmp_path, "target") as target:
        done = import_database(target, old)
        assert done.schema_revision == "0001"
        # now at head, rows intact; runs exported before 0004 have no content hash, before
        # 0005 no list of inputs
        expected = snapshot(source)
        names = [c.name for c in AnalysisRun.__table__.columns]
        gone = {names.index("result_content_sha256"), names.index("inputs_json")}
        expected["analysis_run"] = sorted(
            tuple(repr(None) if i in gone else v for i, v in enumerate(r))
            for r in expected["analysis_run"]
        )
        assert snapshot(target) == expected
        if backend() == "postgresql":
            kind = rows(
                target,
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'raw_file' AND column_name = 'mtime_ns'",
            )
            assert kind == [("bigint",)]


def test_ingest_after_import_writes_nothing_and_then_continues(
    ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = export_database(ledger.database_url, tmp_path / "a.jsonl.gz")
    with fresh_database(tmp_path, "target") as target:
        import_database(target, exported.path)
        monkeypatch.setenv(DATABASE_URL_ENV, target)
        before = snapshot(target)
        summary = ingest(ledger.config())
        assert not summary.wrote and summary.results_loaded == []
        assert snapshot(target) == before
        path = ledger.records / "cells" / "C-004.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n")
        summary = ingest(ledger.config())
        assert summary.modified == ["C-004"] and summary.ingest_id == 3  # after the two loaded
        assert rows(target, "SELECT COUNT(*) FROM ingest") == [(3,)]


def test_failed_export_leaves_the_earlier_file_and_no_partial_one(
    ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(b"earlier backup")

    def broken(conn, dump, stream):  # type: ignore[no-untyped-def]
        yield from ()
        raise DatabaseError("disk on fire")

    monkeypatch.setattr(dump, "_rows", broken)
    with pytest.raises(DatabaseError, match="disk on fire"):
        export_database(ledger.database_url, path)
    assert path.read_bytes() == b"earlier backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl.gz", "lab"]
    (tmp_path / "not-a-folder").write_text("")
    with pytest.raises(LabledgerError, match="cannot write"):
        export_database(ledger.database_url, tmp_path / "not-a-folder" / "a.jsonl.gz")


def test_export_refuses_no_database_and_a_newer_schema(ledger, tmp_path: Path) -> None:
    empty = fresh_database(tmp_path, "empty")
    with empty as url, pytest.raises(DatabaseError, match="no labledger database"):
        export_database(url, tmp_path / "a.jsonl.gz")
    execute(ledger.database_url, "UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(DatabaseError, match="revision 9999, made by a newer labledger"):
        export_database(ledger.database_url, tmp_path / "a.jsonl.gz")
    assert list(tmp_path.glob("a.jsonl.gz*")) == []


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """`labledger export|import ...` as the CLI registers them (top-level commands)."""
    app = typer.Typer()

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = None

    app.command("export")(export_command)
    app.command("import")(import_command)

    def invoke(cwd: Path, *args: str):  # type: ignore[no-untyped-def]
        monkeypatch.chdir(cwd)
        return CliRunner().invoke(app, list(args))

    return invoke


def test_cli_export_and_import(ledger, tmp_path: Path, run_cli, monkeypatch) -> None:
    source = ledger.database_url
    out = tmp_path / "lab.jsonl.gz"
    done = run_cli(ledger.root, "export", str(out))
    assert done.exit_code == 0, done.output
    assert done.output.startswith("exported 22 tables, ") and f"to {out}: " in done.output
    again = run_cli(ledger.root, "export", str(out))
    assert again.exit_code == 1 and "pass --force" in again.output
    assert run_cli(ledger.root, "export", "--force", str(out)).exit_code == 0
    refused = run_cli(ledger.root, "import", str(out))
    assert refused.exit_code == 1 and "error: " in refused.output and "--replace" in refused.output
    with fresh_database(tmp_path, "target") as target:
        monkeypatch.setenv(DATABASE_URL_ENV, target)
        loaded = run_cli(ledger.root, "import", str(out))
        assert loaded.exit_code == 0, loaded.output
        assert loaded.output.startswith("imported 22 tables, ")
        assert snapshot(target) == snapshot(source)


def test_export_into_a_new_folder_as_the_readme_does(ledger, run_cli, tmp_path: Path) -> None:
    """`labledger export backups/lab-2026-11-26.jsonl.gz` in a project without a backups/
    folder writes the file there (it failed: "cannot write the export: No such file")."""
    assert not (ledger.root / "backups").exists()
    done = run_cli(ledger.root, "export", "backups/lab-2026-11-26.jsonl.gz")
    assert done.exit_code == 0, done.output
    path = ledger.root / "backups" / "lab-2026-11-26.jsonl.gz"
    assert lines(path)[0]["tables"]
    with fresh_database(tmp_path, "target") as target:
        import_database(target, path)
        assert snapshot(target) == snapshot(ledger.database_url)


def test_cli_export_in_a_fresh_process_holds_every_table(ledger, tmp_path: Path) -> None:
    # In-process tests import every module; the real command starts with only what it imports.
    target = tmp_path / "lab.jsonl.gz"
    done = subprocess.run(
        [sys.executable, "-m", "labledger", "export", str(target)],
        cwd=ledger.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "left out" not in done.stdout + done.stderr
    tables = set(lines(target)[0]["tables"])
    assert {"record_revision", "analysis_run", "cell_result", "batch", "xrd"} <= tables
