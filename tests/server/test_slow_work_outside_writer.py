"""Slow work never holds SQLite's one writer (issue 11 §5 and its siblings): while a
photo's bytes are hashed, another writer (the next push) can start at once.

Passwords: tests/server/test_login_storm.py (measured) and, for `mingcha user add`,
tests/cli/test_ops_commands.py."""

from __future__ import annotations

import sqlite3

import pytest

from sync_server import photostore
from tests.server.images import jpeg, sha
from tests.server.test_photo_uploads import patch, photo_row, start
from tests.server.world import World


def writable(world: World) -> bool:
    """Could another connection begin a write transaction right now, without waiting?"""
    if world.engine.dialect.name != "sqlite":
        return True  # PostgreSQL has no database-wide writer; row locks order writes
    probe = sqlite3.connect(world.engine.url.database or "", timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # database is locked
        return False
    finally:
        probe.close()


@pytest.mark.parametrize("method", ["digest", "intact"])
def test_the_database_stays_writable_while_a_photo_is_hashed(
    world: World, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    phone = world.phone("insp1")
    data = jpeg()
    photo_row(phone, world, data)
    seen: list[bool] = []
    hash_bytes = getattr(photostore.PhotoStore, method)

    def probing(store: photostore.PhotoStore, key: object) -> object:
        seen.append(writable(world))
        return hash_bytes(store, key)

    monkeypatch.setattr(photostore.PhotoStore, method, probing)
    r = start(phone, sha(data), len(data))
    r = patch(phone, r.json()["id"], 0, data)
    assert r.status_code == 204, r.text
    assert seen and all(seen)
