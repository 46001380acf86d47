"""Load the record files into the database: incremental by content hash, all or nothing.

1. Read every record file and hash its bytes (sha256).
2. In one write transaction (so two ingests never interleave), read what the database holds.
   Files whose hash matches the current revision are unchanged and are not parsed again; the
   others are parsed and validated.
3. Cross-check the whole store (ids, references, raw files), taking unchanged records' references
   from the database.
4. Any error: roll back and raise `RecordsInvalid` with every problem; the database is as before.
5. Otherwise write a new revision for each added, edited, removed or restored record, replace
   their rows in the kind tables, and record the ingest (git commit, user, host). With nothing
   changed, nothing is written.

The plan (steps 2-3) is `ingest_plan`, the writes (step 5) `ingest_write`; this module holds the
transaction around them.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from labledger.config import Config
from labledger.db.engine import database_exists, display_url, make_engine, views_sql
from labledger.db.ingest_plan import IngestPlan, plan_ingest, read_state
from labledger.db.ingest_write import IngestSummary, write_ingest
from labledger.db.results import result_tables
from labledger.db.schema import prepare_for_write
from labledger.db.tables import Meta
from labledger.errors import DatabaseError, Problem, RecordsInvalid
from labledger.records.kinds import KINDS
from labledger.records.store import RecordFile, discover, read_file

__all__ = ["IngestSummary", "ingest", "models_fingerprint"]


def models_fingerprint() -> str:
    """Hash of the record models, result tables and views: a change rebuilds derived tables."""
    schemas = {k: m.model_json_schema() for k, m in KINDS.items()}
    tables = [repr(t.columns.items()) for t in result_tables()]
    blob = json.dumps(schemas, sort_keys=True) + "".join(tables) + views_sql()
    return hashlib.sha256(blob.encode()).hexdigest()


def ingest(config: Config, *, full: bool = False) -> IngestSummary:
    """Bring the database in line with the record files; see the module docstring."""
    records_dir = config.records_dir
    if not records_dir.is_dir():
        raise RecordsInvalid([Problem(str(records_dir), 1, 1, "", "records folder not found")])
    files: list[RecordFile] = []
    problems: list[Problem] = []
    for path in discover(records_dir):
        item = read_file(path)
        (problems.append if isinstance(item, Problem) else files.append)(item)  # type: ignore[arg-type]

    url = config.database_url
    existed = database_exists(url)
    first_plan = None
    if not existed:
        # Validate before creating anything, so invalid records leave no database behind.
        first_plan = plan_ingest(files, problems, {}, {}, {}, records_dir, full=True)
    engine = make_engine(url, write=True)
    try:
        return _ingest_in_transaction(engine, files, problems, first_plan, config, full, existed)
    except SQLAlchemyError as err:
        detail = getattr(err, "orig", None) or err
        raise DatabaseError(f"database {display_url(url)}: {detail}; nothing was written") from None
    finally:
        engine.dispose()


def _ingest_in_transaction(
    engine: Engine,
    files: list[RecordFile],
    problems: list[Problem],
    first_plan: IngestPlan | None,
    config: Config,
    full: bool,
    existed: bool,
) -> IngestSummary:
    records_dir = config.records_dir
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            prepare_for_write(conn)
            stored, refs, raws = read_state(conn)
            fingerprint = models_fingerprint()
            rebuild = full or _meta(conn, "models_sha256") != fingerprint
            if first_plan is not None and not stored:
                plan = first_plan
            else:
                plan = plan_ingest(files, problems, stored, refs, raws, records_dir, full=rebuild)
            summary = write_ingest(conn, plan, stored, config, rebuild, fingerprint)
        except BaseException:
            transaction.rollback()
            raise
        if summary.wrote or not existed:
            transaction.commit()
        else:
            transaction.rollback()
    return summary


def _meta(conn: Connection, key: str) -> str | None:
    table = Meta.__table__
    return conn.execute(select(table.c.value).where(table.c.key == key)).scalar_one_or_none()
