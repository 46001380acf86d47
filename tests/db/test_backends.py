"""SQLite and PostgreSQL give the same answers; no message shows a database password."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from labledger.analyses import analyze_record
from labledger.config import DATABASE_URL_ENV
from labledger.db.engine import database_exists, display_url, view_statements
from labledger.db.ingest import ingest
from labledger.errors import DatabaseError
from labledger.report.queries import execute_saved_queries
from support.databases import postgres_database, rows

REPO = Path(__file__).resolve().parents[2]

#: Measurements analysed so that every view has rows: a half cell and an anode-free cell, an
#: XRD scan, pellet spectra of B-003 at two temperatures (an Arrhenius fit) and an electrode's.
ANALYSED = ("C-004", "C-012", "XRD-003", "EIS-003", "EIS-011", "EIS-014")


def comparable(value: object) -> tuple[str, object]:
    """A value with its Python type, as both backends must return it; dates (a date type on
    PostgreSQL, ISO text on SQLite) as ISO text, floats to 12 significant digits (sums may
    add in another order)."""
    if isinstance(value, dt.date):
        return "str", value.isoformat()
    if isinstance(value, float):
        return "float", float(f"{value:.12g}")
    return type(value).__name__, value


def answers(url: str, project) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every view's rows (sorted) and every saved query's rows (in their ORDER BY order)."""
    out = {}
    for name, _ in view_statements():
        got = [tuple(map(comparable, r)) for r in rows(url, f"SELECT * FROM {name}")]
        out[name] = sorted(got, key=repr)
    for query in execute_saved_queries(project.config(), REPO / "workflow" / "queries"):
        out[f"{query.name}.sql"] = [query.columns, *(tuple(map(comparable, r)) for r in query.rows)]
    return out


def test_views_and_saved_queries_give_the_same_rows_on_both_backends(
    project, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project.config()
    for rid in ANALYSED:
        analyze_record(config, rid, rule="test")
    # a record edited after its analysis: stale_results has a row
    path = project.records / "cells" / "C-004.yaml"
    path.write_text(path.read_text().replace("Celgard 2400", "Celgard 2500"))
    sqlite_url = f"sqlite:///{project.root / 'results' / 'compare.db'}"
    with postgres_database("cmp") as pg_url:
        got = {}
        for url in (sqlite_url, pg_url):
            monkeypatch.setenv(DATABASE_URL_ENV, url)
            ingest(project.config())
            got[url] = answers(url, project)
    sqlite, pg = got[sqlite_url], got[pg_url]
    assert all(sqlite[name] for name in ("batch_synthesis", "cell_figures", "stale_results"))
    assert sqlite["eis_figures"] and sqlite["xrd_figures"]
    for name in sqlite:
        assert pg[name] == sqlite[name], name


def test_raw_file_times_in_nanoseconds_fit(project) -> None:
    """mtime_ns (~1.8e18) is beyond a 32-bit INTEGER: PostgreSQL needs BIGINT."""
    ingest(project.config())
    [(path, mtime_ns, size)] = rows(
        project.database_url,
        "SELECT path, mtime_ns, size_bytes FROM raw_file WHERE record_id = 'XRD-003'",
    )
    st = (project.records / path).stat()
    assert (mtime_ns, size) == (st.st_mtime_ns, st.st_size) and mtime_ns > 2**31


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://lab:s3cret@db.example.org:5432/lab", "lab:***@db.example.org"),
        ("postgresql://lab:p@ss/w:rd@db/lab", "postgresql://lab:***@db/lab"),
        ("postgresql://db/lab?sslmode=require&password=s3cret", "password=***"),
        ("postgresql://lab@db/lab", "postgresql://lab@db/lab"),
        ("sqlite:////data/lab:1@x.db", "sqlite:////data/lab:1@x.db"),
    ],
)
def test_display_url_hides_only_the_password(url: str, shown: str) -> None:
    out = display_url(url)
    assert shown in out
    assert "s3cret" not in out and "p@ss" not in out and "rd@db" not in out.replace("***@db", "")


def test_unreachable_server_error_names_the_url_without_password() -> None:
    url = "postgresql+psycopg://lab:s3cret@127.0.0.1:1/lab"  # nothing listens on port 1
    with pytest.raises(DatabaseError) as err:
        database_exists(url)
    assert "postgresql+psycopg://lab:***@127.0.0.1:1/lab" in str(err.value)
    assert "s3cret" not in str(err.value)


def test_bad_url_error_hides_the_password() -> None:
    from labledger.db.engine import make_engine

    with pytest.raises(DatabaseError) as err:
        make_engine("nosuchdriver+x://lab:s3cret@db/lab")
    assert "s3cret" not in str(err.value) and "lab:***@db" in str(err.value)
