"""View-test fixtures: the real app (`make_main`) on a temporary data directory, talking to
the in-process sync server of tests/serverkit.

The app builds its `SyncClient`s itself (sign-in screen, `Services.make_client`) with no
seam for an HTTP client, so the tests route those two names to the in-process server. The
automatic background sync loop is switched off so counts on screen are deterministic;
syncs happen when a test taps "sync now".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from fieldapp.config import AppConfig, find_assets
from fieldapp.store import Store
from fieldapp.sync.engine import run_sync
from fieldapp.sync.runner import SyncRunner
from fieldapp.ui import app as app_module
from fieldapp.ui.app import make_main
from fieldapp.ui.screens import login as login_screen
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
def server(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    """The app's sign-in and sync reach the in-process server."""
    monkeypatch.setattr(login_screen, "SyncClient", lambda url: InProcessClient(world, url))
    monkeypatch.setattr(
        app_module, "SyncClient", lambda url, token="": InProcessClient(world, url, token)
    )
    return world


@pytest.fixture
def stores(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Store]]:
    """No background sync loop; every Store the app opens is closed after the test."""
    opened: list[Store] = []

    def store(path: Path) -> Store:
        opened.append(Store(path))
        return opened[-1]

    async def no_loop(self: SyncRunner) -> None:
        return None

    monkeypatch.setattr(app_module, "Store", store)
    monkeypatch.setattr(SyncRunner, "run_forever", no_loop)
    yield opened
    for s in opened:
        s.close()


@pytest.fixture
def open_app(config: AppConfig, stores: list[Store]) -> OpenApp:
    async def start(route: str = "/", on_invoke: Invoke = default_invoke) -> AppHarness:
        return await AppHarness(on_invoke).start(make_main(config), route)

    return start


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
