"""Phone-side fixtures: a real local store on tmp_path, signed in to the in-process server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fieldapp.store import Store
from fieldapp.sync.client import SyncClient
from tests.server.world import PASSWORD, World
from tests.serverkit import FakeClock


class PhoneApp:
    """A phone: its store and a sync client speaking to the test server."""

    def __init__(self, world: World, path: Path, clock: FakeClock) -> None:
        self.world = world
        self.store = Store(path, clock=clock)
        self.client = SyncClient("http://testserver", http=world.client)  # type: ignore[arg-type]

    def sign_in(self, username: str) -> PhoneApp:
        login = self.client.login(username, PASSWORD, self.store.device_id())
        self.store.enroll("http://testserver", login)
        return self


@pytest.fixture
def phone(world: World, tmp_path: Path, clock: FakeClock) -> Iterator[Callable[..., PhoneApp]]:
    made: list[PhoneApp] = []

    def make(username: str, name: str = "") -> PhoneApp:
        app = PhoneApp(world, tmp_path / f"{username}{name}{len(made)}" / "app.db", clock)
        made.append(app.sign_in(username))
        return app

    yield make
    for app in made:
        app.store.close()
