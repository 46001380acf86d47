"""The schema of labledger 0.1.0 (commit f867ab6): the primary tables as its ingest created them.

A database made before labledger used Alembic (it has a `record` table and no `alembic_version`)
is this revision.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("git_commit", sa.String(), nullable=True),
        sa.Column("git_dirty", sa.Boolean(), nullable=True),
        sa.Column("user", sa.String(), nullable=True),
        sa.Column("host", sa.String(), nullable=True),
        sa.Column("labledger_version", sa.String(), nullable=False),
        sa.Column("records_dir", sa.String(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("modified", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "ledger_meta",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "raw_file",
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("mtime_ns", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", "field"),
    )
    op.create_table(
        "record_reference",
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("target_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", "field"),
    )
    op.create_index(
        "ix_record_reference_target_id", "record_reference", ["target_id"], unique=False
    )
    op.create_table(
        "analysis_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("analysis", sa.String(), nullable=False),
        sa.Column("analysis_version", sa.String(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("result_path", sa.String(), nullable=False),
        sa.Column("result_sha256", sa.String(), nullable=False),
        sa.Column("record_path", sa.String(), nullable=False),
        sa.Column("record_sha256", sa.String(), nullable=False),
        sa.Column("raw_path", sa.String(), nullable=True),
        sa.Column("raw_sha256", sa.String(), nullable=True),
        sa.Column("params_json", sa.Text(), nullable=False),
        sa.Column("labledger_version", sa.String(), nullable=True),
        sa.Column("git_commit", sa.String(), nullable=True),
        sa.Column("git_dirty", sa.Boolean(), nullable=True),
        sa.Column("libraries_json", sa.Text(), nullable=True),
        sa.Column("rule", sa.String(), nullable=True),
        sa.Column("host", sa.String(), nullable=True),
        sa.Column("user", sa.String(), nullable=True),
        sa.Column("started_at", sa.String(), nullable=True),
        sa.Column("finished_at", sa.String(), nullable=True),
        sa.Column("ingest_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ingest_id"], ["ingest.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_analysis_run_record_id", "analysis_run", ["record_id"], unique=False)
    op.create_table(
        "record",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("updated_ingest_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["updated_ingest_id"], ["ingest.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_record_kind", "record", ["kind"], unique=False)
    op.create_table(
        "record_revision",
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("change", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.Column("content_yaml", sa.Text(), nullable=True),
        sa.Column("content_json", sa.Text(), nullable=True),
        sa.Column("ingest_id", sa.Integer(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(), nullable=False),
        sa.Column("git_commit", sa.String(), nullable=True),
        sa.Column("git_dirty", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["ingest_id"], ["ingest.id"]),
        sa.PrimaryKeyConstraint("record_id", "revision"),
    )
    op.create_index("ix_record_revision_ingest_id", "record_revision", ["ingest_id"], unique=False)


def downgrade() -> None:
    for index, table in (
        ("ix_record_revision_ingest_id", "record_revision"),
        ("ix_record_kind", "record"),
        ("ix_analysis_run_record_id", "analysis_run"),
        ("ix_record_reference_target_id", "record_reference"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "record_revision",
        "record",
        "analysis_run",
        "record_reference",
        "raw_file",
        "ledger_meta",
        "ingest",
    ):
        op.drop_table(table)
