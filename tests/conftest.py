"""Shared test fixtures."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from functools import cache

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from sync_server.org import accounts
from tests import leaks
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
def _nothing_left_open() -> Iterator[None]:
    """Fail a test that leaves a child process or a Chromium page/context open.

    Autouse and function-scoped, so it is set up after the module- and session-scoped
    fixtures (whose servers and browser belong to them, not to the test) and before the
    test's own function-scoped fixtures, and torn down after those: what a test or its
    fixtures open, they must close. What leaked is closed here, then the test fails."""
    before = leaks.snapshot()
    yield
    left = leaks.leaked_since(before)
    if left:
        what = left.describe()  # before closing: a closed process has no command line
        leaks.close(left)
        pytest.fail(f"the test left open: {what}", pytrace=False)


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
    monkeypatch.setattr(accounts, "_hasher", hasher)
    monkeypatch.setattr(accounts, "DUMMY_HASH", dummy)
