"""Migration 0010_cold_change_log_device on a database written by the previous server: the
change log's rows stay and name no device (so every device still pulls them), and the
column comes and goes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from sync_server.core import dbinit
from tests.server.test_blob_holder_migration import old_database  # the empty old schema

pytestmark = pytest.mark.postgres


def _columns(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("change_log")}


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_old_log_rows_name_no_device_and_the_column_comes_and_goes(
    dialect: str, tmp_path: Path
) -> None:
    with old_database(dialect, tmp_path) as engine:
        dbinit.upgrade(engine, "0009_push_compact_results")
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO change_log (entity, entity_id, seq, published, covert, deleted)"
                    " VALUES ('visit', 'v1', 7, false, false, false)"
                )
            )
        assert "device_id" not in _columns(engine)

        dbinit.upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT entity_id, seq, device_id FROM change_log")).all()
        assert [tuple(r) for r in rows] == [("v1", 7, None)]

        with engine.begin() as conn:
            command.downgrade(dbinit.alembic_config(conn), "0009_push_compact_results")
        assert "device_id" not in _columns(engine)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT seq FROM change_log")).scalar_one() == 7
