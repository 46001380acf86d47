"""analysis_run.inputs_json: every input of a run, as its result file lists them.

A record's analysis reads its record and raw file (`record_path`, `raw_path`); the Arrhenius
fit of a sample reads the sample's record and the result files of its spectra, which only this
column holds. Runs loaded before this revision get NULL (their record and raw file are in the
columns they always were).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analysis_run") as batch:
        batch.add_column(sa.Column("inputs_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analysis_run") as batch:
        batch.drop_column("inputs_json")
