"""analysis_run.result_content_sha256: a hash of what a run computed.

A rerun with the same inputs writes a result file with new times and provenance, so its file
hash changes although no figure did; the history listed such results as changed. Existing runs
get NULL (their result files are overwritten by later runs), and are compared by file hash.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analysis_run") as batch:
        batch.add_column(sa.Column("result_content_sha256", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analysis_run") as batch:
        batch.drop_column("result_content_sha256")
