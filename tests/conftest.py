"""Shared test fixtures, and which tests run on PostgreSQL.

Every test of the central server (the fixtures of tests/serverkit.py) runs on SQLite. It
runs on PostgreSQL as well only where the dialect can change the outcome; such a module sets
`pytestmark = pytest.mark.postgres` (or one test carries the mark) when it exercises
- the merge of pushed mutations (row locks, upserts, conflict stamps) or pull ordering;
- writers running concurrently (locks, advisory locks, commit order);
- the migrations and the schema they build;
- SQL beyond plain reads and writes by key: aggregates and window functions, keyset paging
  (tuple comparison, where NULLs sort), date comparisons, `FOR UPDATE` sums;
- values at the edge of what a column type stores (NUL in text, integers past 2^31/2^63).
Access rules, HTTP shapes, validation done before any query, the phone side and files
do not depend on the dialect: SQLite only (in a module marked `postgres`, such a test is
marked `dialect_free`). MINGCHA_TEST_ALL_DIALECTS=1 runs every server test on both (the
whole suite twice, as before issue 12).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from sync_server.org import accounts
from tests import leaks, scheduling
from tests.s3kit import blob_backend, s3_server  # noqa: F401  (blob stores: local or S3)
from tests.serverkit import (  # noqa: F401  (fixtures shared by server, client and e2e tests)
    app,
    cheap_hasher,
    client,
    clock,
    database_url,
    engine,
    settings,
    sqlite_templates,
    world,
    world_ids,
)


def pytest_report_header() -> list[str]:
    return [f"sqlite {sqlite3.sqlite_version}"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The dialects a server test runs on (the rule: this module's docstring)."""
    if "central_dialect" not in metafunc.fixturenames:
        return
    marked = metafunc.definition.get_closest_marker("postgres")
    if marked and metafunc.definition.get_closest_marker("dialect_free"):
        marked = None  # in a module on both, a test that no dialect can change
    both = marked or os.environ.get("MINGCHA_TEST_ALL_DIALECTS")
    dialects = ["sqlite", "postgres"] if both else ["sqlite"]
    metafunc.parametrize("central_dialect", dialects, scope="session")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(scheduling.WorkerTimes(), "mingcha-worker-times")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist (make test) the browser tests come first, then the modules that drive
    processes (tests/scheduling.py), so the longest units start at once instead of ending
    the run. The workers collect (with dist set to no there), so this runs wherever
    PYTEST_XDIST_WORKER is set."""
    _one_dialect_for_the_object_store(config, items)
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return
    scheduling.heaviest_first(items)


def _one_dialect_for_the_object_store(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test on both blob backends (tests/s3kit.py) and both dialects runs the object store
    on SQLite only: where blobs live and which database holds the rows are independent, so
    PostgreSQL × S3 would repeat PostgreSQL × local. MINGCHA_TEST_ALL_DIALECTS=1 keeps it."""
    if os.environ.get("MINGCHA_TEST_ALL_DIALECTS"):
        return
    dropped = [
        item
        for item in items
        if (params := getattr(getattr(item, "callspec", None), "params", {}))
        and params.get("central_dialect") == "postgres"
        and params.get("blob_backend") == "s3"
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    return scheduling.make_scheduler(config, log)


@pytest.fixture(scope="session")
def seeded_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A server data dir with the demo organisation, seeded once per session and copied
    for every `mingcha serve` the e2e and fault tests start. Its passwords are hashed at
    the cheap cost those servers run at (tests/cheap_hashing.py): a production-cost hash
    is as slow to check as to make."""
    from sync_server.cli.common import write
    from sync_server.org import demo_data

    data = tmp_path_factory.mktemp("seeded") / "server"
    data.mkdir()
    with mock.patch.object(accounts, "_hasher", cheap_hasher()[0]):
        write(data, lambda s: demo_data.seed(s, datetime.now(UTC)))
    return data


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
    hasher, dummy = cheap_hasher()
    monkeypatch.setattr(accounts, "_hasher", hasher)
    monkeypatch.setattr(accounts, "DUMMY_HASH", dummy)
