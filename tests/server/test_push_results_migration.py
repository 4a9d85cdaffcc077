"""Migration 0009_push_compact_results on a database written by the previous server: every
stored answer (one row per mutation before) is carried into the one-row-per-push table and
answered the same way, and a downgrade gives the old rows back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

from fieldcore.protocol import MutationResult
from sync_server.core import dbinit
from sync_server.sync.merge.results import all_stored_results, stored_results
from tests.server.test_blob_holder_migration import old_database  # the empty old schema

pytestmark = pytest.mark.postgres

DEVICE = uuid.uuid4()
AT = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
OLD_ROWS: list[dict[str, Any]] = [
    {"seq": 1, "status": "applied", "code": None, "message": None, "details": {}, "entity_seq": 7},
    {
        "seq": 2,
        "status": "applied",
        "code": None,
        "message": None,
        "details": {},
        "entity_seq": None,
    },
    {
        "seq": 3,
        "status": "rejected",
        "code": "answers.unknown_item",
        "message": "no item 'no.such' 未知",
        "details": {"item": "no.such", "problems": [{"field": "x", "message": "y"}]},
        "entity_seq": None,
    },
]


def _old_table() -> sa.TableClause:
    return sa.table(
        "mutation_result",
        sa.column("device_id", sa.Uuid()),
        sa.column("seq", sa.BigInteger()),
        sa.column("status", sa.String()),
        sa.column("code", sa.String()),
        sa.column("message", sa.String()),
        sa.column("details", sa.JSON()),
        sa.column("entity_seq", sa.BigInteger()),
        sa.column("applied_at", sa.DateTime(timezone=True)),
    )


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_stored_answers_survive_the_upgrade_and_the_downgrade(dialect: str, tmp_path: Path) -> None:
    with old_database(dialect, tmp_path) as engine:
        dbinit.upgrade(engine, "0008_annot_photo_annotations")
        with engine.begin() as conn:
            conn.execute(
                sa.insert(_old_table()),
                [{"device_id": DEVICE, "applied_at": AT, **r} for r in OLD_ROWS],
            )

        dbinit.upgrade(engine)
        expected = {r["seq"]: MutationResult(**r) for r in OLD_ROWS}
        with Session(engine) as s:
            assert stored_results(s, DEVICE, 1, 3) == expected
            assert stored_results(s, DEVICE, 2, 2) == {2: expected[2]}
            assert set(all_stored_results(s)) == {(DEVICE, 1), (DEVICE, 2), (DEVICE, 3)}
            assert stored_results(s, DEVICE, 1, 3)[3].model_dump_json() == (
                expected[3].model_dump_json()
            )

        with engine.begin() as conn:
            command.downgrade(dbinit.alembic_config(conn), "0008_annot_photo_annotations")
        with engine.connect() as conn:
            back = conn.execute(sa.select(_old_table()).order_by(sa.column("seq"))).mappings().all()
        assert [{k: r[k] for k in OLD_ROWS[0]} for r in back] == OLD_ROWS
        assert {r["device_id"] for r in back} == {DEVICE}
