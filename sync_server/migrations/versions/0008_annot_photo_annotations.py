"""photo: marked-up evidence (标注, issue 16 §2): a photo row may be a derived copy of
another photo with the marks drawn on it

Revision ID: 0008_annot_photo_annotations
Revises: 0007_covert_photo_source

Every existing photo is an original (`kind` "evidence", the server default fills it);
`annotates_id`, `annotates_sha256` and `marks` are null on it. No foreign key on
`annotates_id`: the link is checked when the row is pushed (sync/merge/photos.py), and an
original's row is never removed, only marked deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0008_annot_photo_annotations"
down_revision = "0007_covert_photo_source"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=12),
                nullable=False,
                server_default="evidence",
            )
        )
        batch_op.add_column(sa.Column("annotates_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "annotates_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )
        batch_op.add_column(sa.Column("marks", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_photo_annotates_id"), ["annotates_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photo_annotates_id"))
        batch_op.drop_column("marks")
        batch_op.drop_column("annotates_sha256")
        batch_op.drop_column("annotates_id")
        batch_op.drop_column("kind")
