"""Phone schema migrations: the frozen SQL equals the models, runs once, and a failing
upgrade rolls back whole, keeping every unsynced row (nothing is ever dropped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from fieldapp.store.db import open_db
from fieldapp.store.migrations import MIGRATIONS, migrate
from fieldapp.store.tables import LocalModel


def shape(engine: sa.Engine) -> dict[str, Any]:
    """Tables, columns (type, not-null, default, pk) and indexes (columns, unique)."""
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        tables = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '\\_%' "
                "ESCAPE '\\' AND name NOT LIKE 'sqlite%'"
            )
        ]
        for table in sorted(tables):
            cols = [tuple(r[1:]) for r in conn.exec_driver_sql(f"PRAGMA table_info('{table}')")]
            indexes: dict[str, list[tuple[int, list[str]]]] = {}
            for _, name, unique, *_ in conn.exec_driver_sql(f"PRAGMA index_list('{table}')"):
                info = conn.exec_driver_sql(f"PRAGMA index_info('{name}')")
                key = name if not name.startswith("sqlite_autoindex") else "auto"
                indexes.setdefault(key, []).append((unique, [r[2] for r in info]))
            out[table] = {"columns": cols, "indexes": sorted(map(str, indexes.items()))}
    return out


def test_frozen_migrations_build_exactly_the_schema_the_models_describe(tmp_path: Path) -> None:
    migrated = open_db(tmp_path / "phone.db")
    modelled = sa.create_engine(f"sqlite:///{tmp_path / 'models.db'}")
    LocalModel.metadata.create_all(modelled)
    assert shape(migrated) == shape(modelled), "models changed: add a migration"
    assert shape(migrated)  # not two empty schemas


def test_migrations_run_once_and_are_recorded(tmp_path: Path) -> None:
    engine = open_db(tmp_path / "phone.db")
    assert migrate(engine) == []  # open_db already applied them
    with engine.connect() as conn:
        names = [r[0] for r in conn.exec_driver_sql("SELECT name FROM _migrations")]
    assert names == [name for name, _ in MIGRATIONS]


def test_failing_upgrade_rolls_back_whole_and_keeps_unsynced_rows(tmp_path: Path) -> None:
    engine = open_db(tmp_path / "phone.db")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO outbox (seq, entity, entity_id, op, fields, base_seq, prev, state, "
            "code, message, created_at) VALUES (1, 'visit', 'ab', 'upsert', '{}', '{}', '{}', "
            "'pending', '', '', '2026-12-01 00:00:00')"
        )

    def broken(conn: sa.Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE outbox ADD COLUMN half_done TEXT")
        conn.exec_driver_sql("DELETE FROM outbox")
        raise RuntimeError("disk full in the middle of an upgrade")

    with pytest.raises(RuntimeError):
        migrate(engine, [*MIGRATIONS, ("0002_broken", broken)])
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM outbox").scalar() == 1
        cols = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info('outbox')")]
        assert "half_done" not in cols
        assert "0002_broken" not in {
            r[0] for r in conn.exec_driver_sql("SELECT name FROM _migrations")
        }

    def fixed(conn: sa.Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE outbox ADD COLUMN half_done TEXT")

    assert migrate(engine, [*MIGRATIONS, ("0002_broken", fixed)]) == ["0002_broken"]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT entity_id FROM outbox").scalar() == "ab"
