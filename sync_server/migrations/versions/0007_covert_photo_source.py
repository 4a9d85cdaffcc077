"""photo.source (camera | gallery) and photo.exif_taken_at (the camera's DateTimeOriginal):
where an evidence photo came from and when it was really taken (issue 16 §4)

Revision ID: 0007_covert_photo_source
Revises: 0006_appraisal_settings

Two nullable columns; rows pushed before have neither (their source is unknown).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import sync_server.tables.base

revision = "0007_covert_photo_source"
down_revision = "0006_appraisal_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photo") as batch_op:
        batch_op.add_column(
            sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "exif_taken_at", sync_server.tables.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("photo") as batch_op:
        batch_op.drop_column("exif_taken_at")
        batch_op.drop_column("source")
