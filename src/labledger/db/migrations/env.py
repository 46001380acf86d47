"""Alembic environment of labledger: migrates the primary tables on a connection we pass in.

Alembic manages the tables whose content cannot be regenerated from the record and result
files: ledger_meta, ingest, record, record_revision, record_reference, raw_file and
analysis_run (see `labledger.db.schema.managed_tables`). The tables derived from record
content (one per record kind and its child tables), the result tables (figures of each record's
current result file) and the views are not migrated: `labledger ingest` drops and rebuilds them
whenever the models fingerprint (ledger_meta key models_sha256) changes, as before.

There is no alembic.ini: `labledger.db.schema` builds the Config in code and passes the open
connection (already inside the caller's write transaction) as `config.attributes["connection"]`.
SQLite runs in batch mode (it cannot ALTER a column, so a table is copied and renamed).

A new revision: change the models, then write `versions/NNNN_<what>.py` by hand (the template
is script.py.mako; `alembic.autogenerate.produce_migrations` against a database upgraded to the
previous head lists the operations). tests/db/test_migrations.py fails until the upgraded schema
equals the models.
"""

from __future__ import annotations

from alembic import context

from labledger.db.schema import include_in_migrations, managed_metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("labledger migrations run through labledger.db.schema, with a connection")

context.configure(
    connection=connection,
    target_metadata=managed_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=include_in_migrations,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
