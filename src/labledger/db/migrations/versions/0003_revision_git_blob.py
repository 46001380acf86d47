"""record_revision.git_blob: git's id of each revision's content.

A revision is ingested before the `git commit` that holds it (edit, `snakemake`, then commit),
so `git_commit` (HEAD at ingest) cannot find it by its commit; the blob id can
(`git rev-parse COMMIT:PATH`). Existing revisions get it from their stored text where that text
is the file byte for byte (its sha256 equals the revision's); the others stay NULL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_INDEX = "ix_record_revision_git_blob"


def upgrade() -> None:
    with op.batch_alter_table("record_revision") as batch:
        batch.add_column(sa.Column("git_blob", sa.String(), nullable=True))
    op.create_index(_INDEX, "record_revision", ["git_blob"], unique=False)
    conn = op.get_bind()
    table = sa.table(
        "record_revision",
        sa.column("record_id", sa.String()),
        sa.column("revision", sa.Integer()),
        sa.column("sha256", sa.String()),
        sa.column("content_yaml", sa.Text()),
        sa.column("git_blob", sa.String()),
    )
    rows = conn.execute(
        sa.select(table.c.record_id, table.c.revision, table.c.sha256, table.c.content_yaml).where(
            table.c.content_yaml.is_not(None)
        )
    ).all()
    for record_id, number, sha256, text in rows:
        data = text.encode("utf-8")
        if hashlib.sha256(data).hexdigest() != sha256:
            continue  # the stored text is not the file's exact bytes
        # as labledger.gitinfo.git_blob_id (a migration keeps its own frozen copy)
        blob = hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
        conn.execute(
            sa.update(table)
            .where(table.c.record_id == record_id, table.c.revision == number)
            .values(git_blob=blob)
        )


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="record_revision")
    with op.batch_alter_table("record_revision") as batch:
        batch.drop_column("git_blob")
