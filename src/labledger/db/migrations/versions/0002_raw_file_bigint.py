"""raw_file.size_bytes and raw_file.mtime_ns become 64-bit (BIGINT).

PostgreSQL's INTEGER is 32-bit: a modification time in ns since 1970 (~1.8e18) or a file over
2 GiB did not fit. On SQLite every INTEGER is already 64-bit; batch mode copies the table once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = ("size_bytes", "mtime_ns")


def upgrade() -> None:
    with op.batch_alter_table("raw_file") as batch:
        for name in _COLUMNS:
            batch.alter_column(
                name, existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False
            )


def downgrade() -> None:
    with op.batch_alter_table("raw_file") as batch:
        for name in _COLUMNS:
            batch.alter_column(
                name, existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False
            )
