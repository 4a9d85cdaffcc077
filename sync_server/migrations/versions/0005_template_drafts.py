"""template drafts: the console editor's server-side working copies of checklist versions

Revision ID: 0005_template_drafts
Revises: 0004_visit_subject_results

A new table only; nothing existing changes. A draft keeps the template JSON being edited,
its revision (each save names the one it was based on) and who changed which fields.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import sync_server.tables.base

revision = "0005_template_drafts"
down_revision = "0004_visit_subject_results"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "template_draft",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("base_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sync_server.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("updated_at", sync_server.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column(
            "published_at", sync_server.tables.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("template_draft", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_template_draft_template_id"), ["template_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("template_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_template_draft_template_id"))
    op.drop_table("template_draft")
