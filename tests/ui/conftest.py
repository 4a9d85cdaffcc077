"""View-test fixtures: the real app (`make_main`) on a temporary data directory, talking to
the in-process sync server of tests/serverkit.

Every `open_app` is a process start: its own `AppServices`, closed after the test. Its
clients come from the `connect` fixture: the in-process server when the test asks for
`server`, else the real SyncClient. The automatic background sync loop is off so counts on
screen are deterministic; syncs happen when a test taps "sync now".
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
import sqlalchemy as sa

from fieldapp.config import AppConfig, find_assets
from fieldapp.store import Store
from fieldapp.sync.client import SyncClient
from fieldapp.sync.engine import run_sync
from fieldapp.ui.app import make_main
from fieldapp.ui.services import AppServices, ClientFactory
from sync_server.core import dbinit
from tests.server.world import PASSWORD, World
from tests.ui.harness import AppHarness, Invoke, default_invoke
from tests.ui.support import SERVER, InProcessClient, OpenApp


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Views do not depend on the server's database engine: SQLite only."""
    url = f"sqlite:///{tmp_path_factory.mktemp('ui-central') / 'central.db'}"
    engine = sa.create_engine(url)
    dbinit.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def config(tmp_path: Path) -> AppConfig:
    data = tmp_path / "phone"
    return AppConfig(data, data / "cache", find_assets(), server_url=SERVER, lang="zh")


@pytest.fixture
def server(world: World) -> World:
    """The app's sign-in and sync reach the in-process server (see `connect`)."""
    return world


@pytest.fixture
def connect(request: pytest.FixtureRequest) -> ClientFactory:
    if "server" in request.fixturenames:
        world: World = request.getfixturevalue("server")
        return lambda url, token: InProcessClient(world, url, token)
    return SyncClient


@pytest.fixture
def started() -> list[AppServices]:
    """The services of every app the test opened, the latest last."""
    return []


@pytest_asyncio.fixture
async def open_app(
    config: AppConfig, connect: ClientFactory, started: list[AppServices]
) -> AsyncIterator[OpenApp]:
    async def start(
        route: str = "/", on_invoke: Invoke = default_invoke, web: bool = True
    ) -> AppHarness:
        started.append(AppServices(config, connect, auto_sync=False))
        return await AppHarness(on_invoke).start(make_main(config, started[-1]), route, web)

    yield start
    for services in started:
        await services.close()


@pytest.fixture
def signed_in(server: World, config: AppConfig) -> Iterator[Callable[..., Store]]:
    """A phone already signed in as insp1 and synced once, the way tests/client does it."""
    made: list[Store] = []

    def sign_in(username: str = "insp1") -> Store:
        store = Store(config.db_path)
        made.append(store)
        client = InProcessClient(server, SERVER)
        store.enroll(SERVER, client.login(username, PASSWORD, store.device_id()))
        run_sync(store, client)
        return store

    yield sign_in
    for s in made:
        s.close()
