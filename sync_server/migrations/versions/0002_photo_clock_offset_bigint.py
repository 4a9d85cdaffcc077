"""photo.clock_offset_ms as BIGINT: ±10 years in milliseconds (the wire bound) overflowed
PostgreSQL's 32-bit INTEGER (±24.8 days), so a phone whose clock was off by a month could
not push its photo rows

Revision ID: 0002_photo_clock_offset_bigint
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_photo_clock_offset_bigint"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photo") as batch_op:
        batch_op.alter_column("clock_offset_ms", existing_type=sa.Integer(), type_=sa.BigInteger())


def downgrade() -> None:
    with op.batch_alter_table("photo") as batch_op:
        batch_op.alter_column("clock_offset_ms", existing_type=sa.BigInteger(), type_=sa.Integer())
