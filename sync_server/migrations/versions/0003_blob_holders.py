"""blob holders: who proved possession of a blob's bytes; after-photos leave the visit

Revision ID: 0003_blob_holders
Revises: 0002_photo_clock_offset_bigint

Reading a photo's bytes used to follow knowledge of its sha256 (any photo row the caller
pushed with that hash). Now it follows proof of possession, recorded per user in
`blob_holder` when their upload of the bytes hashes right. Existing data is backfilled:
the users of completed uploads hold their bytes; a stored blob with no completed upload
(demo data, imports) is held by the author of its earliest photo row. Each photo row's
`blob_present` then means "its author holds the bytes and they are stored".

After-photos (rows with a rectification) belong to their rectification only: a visit id a
site manager's phone sent along is cleared, so they never show as the visit's evidence.
These row fixes are not announced in the change feed: a phone's copy may keep a stale
`blob_present` until the row changes again; reading is decided by the server.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sync_server.tables.base

revision = "0003_blob_holders"
down_revision = "0002_photo_clock_offset_bigint"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_holder",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("since", sync_server.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], deferrable=True, initially="DEFERRED"
        ),
        sa.PrimaryKeyConstraint("sha256", "user_id"),
    )
    op.execute(
        """
        INSERT INTO blob_holder (sha256, user_id, since)
        SELECT u.sha256, u.user_id, MIN(u.completed_at)
        FROM upload u JOIN blob b ON b.sha256 = u.sha256
        WHERE u.completed_at IS NOT NULL
        GROUP BY u.sha256, u.user_id
        """
    )
    op.execute(
        """
        INSERT INTO blob_holder (sha256, user_id, since)
        SELECT b.sha256, p.uploaded_by, b.stored_at
        FROM blob b JOIN photo p ON p.sha256 = b.sha256
        WHERE NOT EXISTS (SELECT 1 FROM blob_holder h WHERE h.sha256 = b.sha256)
          AND p.id = (
            SELECT p2.id FROM photo p2 WHERE p2.sha256 = b.sha256
            ORDER BY p2.received_at, p2.id LIMIT 1
          )
        """
    )
    op.execute(
        """
        UPDATE photo SET blob_present = EXISTS (
            SELECT 1 FROM blob_holder h JOIN blob b ON b.sha256 = h.sha256
            WHERE h.sha256 = photo.sha256 AND h.user_id = photo.uploaded_by
        )
        """
    )
    op.execute(
        "UPDATE photo SET visit_id = NULL, finding_id = NULL WHERE rectification_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("blob_holder")
