"""push_result: a push's stored answers in one row instead of one row per mutation

Revision ID: 0009_push_compact_results
Revises: 0008_annot_photo_annotations

`mutation_result` (one row per device and seq) becomes `push_result` (one row per push:
device, first and last seq, the answers as a JSON list; see tables.PushResultRow and
sync/merge/results.py). Every stored answer is carried over, each old row as a push of
one, so a resend after the upgrade still gets exactly the answer it got before.
Downgrade expands the rows back.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import sync_server.tables.base

revision = "0009_push_compact_results"
down_revision = "0008_annot_photo_annotations"
branch_labels = None
depends_on = None

CHUNK = 1000
_WHEN = sync_server.tables.base.UTCDateTime(timezone=True)


def _old_table() -> list[sa.Column[Any]]:
    return [
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("entity_seq", sa.BigInteger(), nullable=True),
        sa.Column("applied_at", _WHEN, nullable=False),
    ]


def _new_table() -> list[sa.Column[Any]]:
    return [
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("applied_at", _WHEN, nullable=False),
    ]


def upgrade() -> None:
    new = op.create_table(
        "push_result", *_new_table(), sa.PrimaryKeyConstraint("device_id", "first_seq")
    )
    old = sa.table("mutation_result", *_old_table())
    conn = op.get_bind()
    batch: list[dict[str, Any]] = []
    for r in conn.execute(sa.select(old)).mappings():
        applied = r["status"] == "applied" and not (r["code"] or r["message"] or r["details"])
        stored = (
            r["entity_seq"]
            if applied
            else {k: r[k] for k in ("status", "code", "message", "details", "entity_seq")}
        )
        batch.append(
            {
                "device_id": r["device_id"],
                "first_seq": r["seq"],
                "last_seq": r["seq"],
                "results": [stored],
                "applied_at": r["applied_at"],
            }
        )
        if len(batch) == CHUNK:
            conn.execute(sa.insert(new), batch)
            batch = []
    if batch:
        conn.execute(sa.insert(new), batch)
    op.drop_table("mutation_result")


def downgrade() -> None:
    old = op.create_table(
        "mutation_result", *_old_table(), sa.PrimaryKeyConstraint("device_id", "seq")
    )
    new = sa.table("push_result", *_new_table())
    conn = op.get_bind()
    batch: list[dict[str, Any]] = []
    for r in conn.execute(sa.select(new)).mappings():
        for seq, stored in enumerate(r["results"], start=r["first_seq"]):
            whole = (
                {"status": "applied", "code": None, "message": None, "details": {}}
                | {"entity_seq": stored}
                if stored is None or isinstance(stored, int)
                else stored
            )
            batch.append(
                {"device_id": r["device_id"], "seq": seq, "applied_at": r["applied_at"], **whole}
            )
        if len(batch) >= CHUNK:
            conn.execute(sa.insert(old), batch)
            batch = []
    if batch:
        conn.execute(sa.insert(old), batch)
    op.drop_table("push_result")
