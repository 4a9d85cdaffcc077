"""visit_subject_result: each subject's (post's) score, grade and pass in a visit of a
per-subject template (scoring.per_subject, issue 13), so dashboards and reports can count
and average per post in SQL

Revision ID: 0004_visit_subject_results
Revises: 0003_blob_holders

No backfill: until this revision no template declared per_subject, so no stored visit has
per-subject results; sync.effects.score_visit writes the rows whenever such a visit is
scored (submitted, resubmitted, approved).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0004_visit_subject_results"
down_revision = "0003_blob_holders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit_subject_result",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("subject_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("score", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("max", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("percent", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("grade", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("veto", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("visit_id", "subject_code"),
    )
    with op.batch_alter_table("visit_subject_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visit_subject_result_subject_code"), ["subject_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("visit_subject_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_subject_result_subject_code"))
    op.drop_table("visit_subject_result")
