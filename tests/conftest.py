"""Shared test fixtures."""

from __future__ import annotations

import sqlite3
from functools import cache

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from sync_server import auth
from tests.serverkit import (  # noqa: F401  (fixtures shared by server, client and e2e tests)
    app,
    client,
    clock,
    database_url,
    engine,
    settings,
    world,
)


def pytest_report_header() -> list[str]:
    return [f"sqlite {sqlite3.sqlite_version}"]


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a developer's MINGCHA_* settings."""
    import os

    for name in list(os.environ):
        if name.startswith("MINGCHA_"):
            monkeypatch.delenv(name)


@cache
def _cheap_hasher() -> tuple[PasswordHash, str]:
    hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    return hasher, hasher.hash("timing-equaliser")


@pytest.fixture(autouse=True)
def _cheap_password_hashing(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Argon2id at its lowest cost for in-process servers: at production cost every sign-in
    costs a few hundred milliseconds of CPU, and the suite signs in hundreds of times.
    Servers started as processes (e2e, faults, benches) keep the real cost, and so does a
    test marked `real_password_hashing` (tests/server/test_auth.py checks those parameters)."""
    if request.node.get_closest_marker("real_password_hashing"):
        return
    hasher, dummy = _cheap_hasher()
    monkeypatch.setattr(auth, "_hasher", hasher)
    monkeypatch.setattr(auth, "DUMMY_HASH", dummy)
