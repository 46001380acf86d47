"""Backup benchmark: `export` and `import` of the demo database and of N generated records.

For each database: the ingest that built it (the baseline, measured in the same run), export,
import into a fresh SQLite database, and, when LABLEDGER_TEST_POSTGRES_URL names a server
(a role with CREATEDB), import into and export from a fresh PostgreSQL database. Prints rows,
file size, times, rows per second and the ratios to the ingest.

    python benchmarks/bench_backup.py [N_RECORDS]      (default 2000)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench_ingest import generate
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from labledger.config import DATABASE_URL_ENV, load_config
from labledger.db.backup import export_database, import_database
from labledger.db.ingest import ingest

REPO = Path(__file__).resolve().parents[1]
POSTGRES_ENV = "LABLEDGER_TEST_POSTGRES_URL"


def _admin(sql: str) -> None:
    engine = create_engine(os.environ[POSTGRES_ENV], isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _line(label: str, seconds: float, rows: int, baseline: float) -> None:
    print(
        f"  {label + ':':28s} {seconds:7.3f} s  {rows / seconds:9.0f} rows/s  "
        f"{seconds / baseline:5.2f}x ingest"
    )


def measure(name: str, root: Path) -> None:
    """Ingest the records under root/records, then export and import the database."""
    os.environ.pop(DATABASE_URL_ENV, None)
    (root / "config.yaml").write_text("records_dir: records\nresults_dir: results\n")
    config = load_config(root / "config.yaml")
    t_ingest, _ = _timed(lambda: ingest(config))
    file = root / "export.jsonl.gz"
    t_export, done = _timed(lambda: export_database(config.database_url, file))
    rows = done.rows
    print(f"{name}: {rows} rows in {len(done.tables)} tables, export file {done.size_bytes} B")
    print(f"  {'ingest (baseline):':28s} {t_ingest:7.3f} s")
    _line("export (SQLite)", t_export, rows, t_ingest)
    target = f"sqlite:///{root / 'imported.db'}"
    t_import, _ = _timed(lambda: import_database(target, file))
    _line("import (SQLite)", t_import, rows, t_ingest)
    if not os.environ.get(POSTGRES_ENV):
        print(f"  PostgreSQL skipped: set {POSTGRES_ENV} (a role with CREATEDB) to include it")
        return
    db = f"bench_backup_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{db}"')
    try:
        pg = make_url(os.environ[POSTGRES_ENV]).set(database=db).render_as_string(False)
        t_pg_import, _ = _timed(lambda: import_database(pg, file))
        _line("import (PostgreSQL)", t_pg_import, rows, t_ingest)
        t_pg_export, _ = _timed(lambda: export_database(pg, root / "pg.jsonl.gz"))
        _line("export (PostgreSQL)", t_pg_export, rows, t_ingest)
        print(
            f"  PostgreSQL/SQLite: import {t_pg_import / t_import:.2f}x, "
            f"export {t_pg_export / t_export:.2f}x"
        )
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(REPO / "records", demo / "records")
        measure("demo records", demo)
        generated = Path(tmp) / "generated"
        generate(generated / "records", n)
        measure(f"{n} generated records", generated)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
