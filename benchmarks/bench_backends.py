"""Backend benchmark: the same generated records ingested and queried on SQLite and PostgreSQL.

For each backend: first ingest, no-change re-ingest, one-record edit, and typical queries
(the batch_synthesis view, the lineage of one cell, one record's revision history, the
stale_results view; median of 5 runs on one open connection). Prints the times and the
PostgreSQL/SQLite ratios measured in this run. PostgreSQL is skipped, with a message, when
LABLEDGER_TEST_POSTGRES_URL (a role allowed to CREATE DATABASE) is unset; the database made for
the run is dropped afterwards.

    python benchmarks/bench_backends.py [N_RECORDS]       # default 10,000; 2000 for a quick run
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_ingest import generate, timed
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from labledger.config import DATABASE_URL_ENV, load_config
from labledger.db.engine import display_url, make_engine
from labledger.db.history import record_history
from labledger.db.ingest import ingest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.databases import (
    POSTGRES_ENV,
    create_postgres_database,
    drop_postgres_database,
)

#: Repeats of each query; the median is reported.
REPEATS = 5
EDITED = "B-00007"

QUERIES: dict[str, str] = {
    "batch_synthesis (all rows)": "SELECT * FROM batch_synthesis ORDER BY batch_id",
    "lineage of one cell": "SELECT * FROM lineage WHERE cell_id = 'C-00007'",
    "revisions of one record": (
        "SELECT revision, change, ingested_at, git_commit, content_json FROM record_revision "
        f"WHERE record_id = '{EDITED}' ORDER BY revision"
    ),
    "stale_results": "SELECT * FROM stale_results ORDER BY record_id",
}


def drop_database(url: str) -> None:
    """Drop the benchmark's database, retrying while an autovacuum worker still holds it."""
    for attempt in range(10):
        try:
            drop_postgres_database(url)
            return
        except DBAPIError:
            if attempt == 9:
                raise
            time.sleep(1)


def median_time(fn: Callable[[], object]) -> float:
    return statistics.median(timed(fn)[0] for _ in range(REPEATS))


def run_backend(root: Path, url: str) -> dict[str, float]:
    """Ingest the records in `root` into `url` three times and time the queries; seconds."""
    os.environ[DATABASE_URL_ENV] = url
    config = load_config(root / "config.yaml")
    path = root / "records" / "batches" / f"{EDITED}.yaml"
    original = path.read_text()
    times: dict[str, float] = {}
    try:
        times["first ingest"], first = timed(lambda: ingest(config))
        times["no-change re-ingest"], noop = timed(lambda: ingest(config))
        path.write_text(original.replace("dwell_h: 6", "dwell_h: 7"))
        times["one-record edit ingest"], edit = timed(lambda: ingest(config))
        assert first.added and not noop.wrote and edit.modified == [EDITED]
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                for label, sql in QUERIES.items():
                    times[label] = median_time(lambda sql=sql: conn.execute(text(sql)).all())
        finally:
            engine.dispose()
        times["record_history() API"] = median_time(lambda: record_history(url, EDITED))
    finally:
        path.write_text(original)
        del os.environ[DATABASE_URL_ENV]
    return times


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "config.yaml").write_text("records_dir: records\nresults_dir: results\n")
        generate(root / "records", n)
        n_files = sum(1 for _ in (root / "records").rglob("*.yaml"))
        print(f"records: {n_files}")
        sqlite = run_backend(root, f"sqlite:///{root / 'results' / 'bench.db'}")
        pg: dict[str, float] | None = None
        if os.environ.get(POSTGRES_ENV):
            url = create_postgres_database("bench")
            try:
                print(f"PostgreSQL: {display_url(url)}")
                pg = run_backend(root, url)
            finally:
                drop_database(url)
        else:
            print(
                f"PostgreSQL skipped: set {POSTGRES_ENV}=postgresql+psycopg://USER:PASSWORD@HOST/DB"
                " (a role allowed to CREATE DATABASE) to compare"
            )
    print(f"{'':32s} {'SQLite':>11s} {'PostgreSQL':>13s} {'PG/SQLite':>10s}")
    for label, t_sqlite in sqlite.items():
        line = f"{label + ':':32s} {t_sqlite * 1000:9.2f}ms"
        if pg is not None:
            line += f" {pg[label] * 1000:11.2f}ms {pg[label] / t_sqlite:9.2f}x"
        print(line)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
