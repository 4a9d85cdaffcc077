"""change_log.device_id: the device whose pushes alone changed a row, so that pull does not
send a device its own writes back (issue 15 §5)

Revision ID: 0010_cold_change_log_device
Revises: 0009_push_compact_results

A new nullable column; the rows already there get NULL ("changed by something else"), so
every device still pulls them, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_cold_change_log_device"
down_revision = "0009_push_compact_results"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("change_log") as batch_op:
        batch_op.add_column(sa.Column("device_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("change_log") as batch_op:
        batch_op.drop_column("device_id")
