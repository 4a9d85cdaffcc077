"""Server fixtures for every test that needs a central database or the API.

Dialects: every server test runs on SQLite, and also on real PostgreSQL when it is marked
`postgres` (the rule for which tests are: tests/conftest.py). The PostgreSQL run is skipped,
with the reason, when none answers. The schema comes from the Alembic migrations, so they
are tested too.

Isolation, per test, without migrating or seeding per test:
- SQLite: each test gets its own copy of a template file, migrated and seeded once per
  session (and, for a test that uses `world`, holding that World too).
- PostgreSQL: one schema per session, emptied (TRUNCATE) and re-seeded before each test.
  Copying a database (`CREATE DATABASE … TEMPLATE`) is not cheaper here: creating and
  dropping one took 0.2–6 s on this machine, the TRUNCATE about 0.25 s.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sync_server.core import dbinit
from sync_server.core.config import Settings
from sync_server.core.db import make_engine
from sync_server.main import create_app
from sync_server.org import accounts
from sync_server.tables import ServerModel
from tests.cheap_hashing import cheap_hasher as cheap_hasher  # tests import it from here
from tests.s3kit import blob_settings
from tests.server.world import World, build_world

PG_URL = os.environ.get(
    "MINGCHA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def _postgres_url() -> str:
    """A fresh schema in the test database, or a skip saying why there is none."""
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        schema = f"mingcha_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine.dispose()
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}")
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def database_url(central_dialect: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's migrated and seeded database of `central_dialect` (parametrized by
    tests/conftest.py): a template file to copy (SQLite), or a schema (PostgreSQL)."""
    if central_dialect == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('central') / 'central.db'}"
    else:
        url = _postgres_url()
    engine = sa.create_engine(url)
    dbinit.upgrade(engine)
    engine.dispose()
    yield url
    if central_dialect == "postgres":
        schema = url.rsplit("%3D", 1)[1]
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


class SqliteTemplates:
    """Template files copied per test: the migrated database as it is, and the same with
    the World of tests/server/world.py built in (made on first use, once per session)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.worlds: dict[str, tuple[Path, dict[str, uuid.UUID]]] = {}

    def copy(self, url: str, dest: Path, with_world: bool) -> dict[str, uuid.UUID] | None:
        source, ids = Path(sa.make_url(url).database or ""), None
        if with_world:
            source, ids = self.worlds.get(url) or self._world(url)
        shutil.copyfile(source, dest)
        return ids

    def _world(self, url: str) -> tuple[Path, dict[str, uuid.UUID]]:
        path = self.root / f"world-{len(self.worlds)}.db"
        shutil.copyfile(sa.make_url(url).database or "", path)
        settings = Settings(database_url=f"sqlite:///{path}", data_dir=self.root, console=False)
        engine = make_engine(settings)
        try:  # one cheap hash whatever the test that first needs it (real_password_hashing)
            with mock.patch.object(accounts, "_hasher", cheap_hasher()[0]):
                ids = build_world(engine, None, FakeClock()).ids  # type: ignore[arg-type]
        finally:
            engine.dispose()
        _single_file(path)
        self.worlds[url] = (path, ids)
        return path, ids


def _single_file(path: Path) -> None:
    """Everything in the main file (no -wal beside it), so a plain copy is the database."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


def _empty(engine: sa.Engine) -> None:
    tables = [t.name for t in reversed(ServerModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for name in tables:
                conn.exec_driver_sql(f"DELETE FROM {name}")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def world_ids() -> dict[str, uuid.UUID]:
    """Filled by `settings` when the test's SQLite copy already holds the World."""
    return {}


@pytest.fixture
def settings(
    request: pytest.FixtureRequest,
    database_url: str,
    sqlite_templates: SqliteTemplates,
    world_ids: dict[str, uuid.UUID],
    tmp_path: Path,
    blob_backend: str,
) -> Settings:
    url = database_url
    if url.startswith("sqlite:///"):
        own = tmp_path / "central.db"
        ids = sqlite_templates.copy(url, own, with_world="world" in request.fixturenames)
        world_ids.update(ids or {})
        url = f"sqlite:///{own}"
    blobs = blob_settings(request, blob_backend)
    return Settings(database_url=url, data_dir=tmp_path / "server", console=False, **blobs)


@pytest.fixture
def app(settings: Settings, clock: FakeClock):
    application = create_app(settings, clock=clock)
    if not settings.database_url.startswith("sqlite"):  # SQLite: a fresh copy already
        _empty(application.state.engine)
        dbinit.upgrade(application.state.engine)  # re-seeds the counter and epoch rows
    yield application
    application.state.engine.dispose()


@pytest.fixture
def engine(app) -> sa.Engine:
    return app.state.engine


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def world(
    engine: sa.Engine, client: TestClient, clock: FakeClock, world_ids: dict[str, uuid.UUID]
) -> World:
    if world_ids:  # built into the test's SQLite copy
        return World(client, engine, clock, dict(world_ids))
    return build_world(engine, client, clock)


@contextmanager
def scratch_table(engine: sa.Engine, name: str, columns: str) -> Iterator[sa.Engine]:
    """A table of one test's own, dropped after it (a PostgreSQL schema outlives the test)."""
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {name} ({columns})")
    try:
        yield engine
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {name}")


@contextmanager
def statements_sent(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL of every statement `engine` sends to the driver while inside."""
    seen: list[str] = []

    def on_exec(_c: object, _cur: object, statement: str, *_: object) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", on_exec)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_exec)
