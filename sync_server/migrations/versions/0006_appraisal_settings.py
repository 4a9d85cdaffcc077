"""appraisal_setting: the organisation's appraisal (考核) formula settings as changed by
an admin (issue 14)

Revision ID: 0006_appraisal_settings
Revises: 0005_template_drafts

A new table only; nothing existing changes. No rows are written: a setting without a row
has its default (fieldcore.appraisal_settings, the seeds' values).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import sync_server.tables.base

revision = "0006_appraisal_settings"
down_revision = "0005_template_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appraisal_setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("updated_at", sync_server.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("appraisal_setting")
