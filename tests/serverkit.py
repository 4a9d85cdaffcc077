"""Server fixtures for every test that needs a central database or the API.

Server tests run twice: on SQLite and on real PostgreSQL (skipped, with the reason, when
none answers). The schema comes from the Alembic migrations, so they are tested too."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sync_server.core import dbinit
from sync_server.core.config import Settings
from sync_server.main import create_app
from sync_server.tables import ServerModel
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


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('central') / 'central.db'}"
    else:
        url = _postgres_url()
    engine = sa.create_engine(url)
    dbinit.upgrade(engine)
    engine.dispose()
    yield url
    if request.param == "postgres":
        schema = url.rsplit("%3D", 1)[1]
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


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
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path / "server", console=False)


@pytest.fixture
def app(settings: Settings, clock: FakeClock):  # type: ignore[no-untyped-def]
    application = create_app(settings, clock=clock)
    _empty(application.state.engine)
    dbinit.upgrade(application.state.engine)  # re-seeds the counter and epoch rows
    yield application
    application.state.engine.dispose()


@pytest.fixture
def engine(app) -> sa.Engine:  # type: ignore[no-untyped-def]
    return app.state.engine  # type: ignore[no-any-return]


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def world(engine: sa.Engine, client: TestClient, clock: FakeClock) -> World:
    return build_world(engine, client, clock)
