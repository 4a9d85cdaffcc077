"""A console tab without a browser, for testing console screens' logic against a real
server: its services, the signed-in user, what it showed (failures, toasts), where it
went, and a page that counts its updates."""

from __future__ import annotations

from sqlmodel import Session, select

from fieldcore.problems import DomainError
from sync_server.console.services import ConsoleServices
from sync_server.tables import User
from tests.server.world import World


def services_and_user(world: World, username: str = "sup1") -> tuple[ConsoleServices, User]:
    services = ConsoleServices(world.state)
    with Session(world.engine) as s:
        return services, s.exec(select(User).where(User.username == username)).one()


class FakePage:
    def __init__(self) -> None:
        self.updates = 0

    def update(self) -> None:
        self.updates += 1


class FakeConsole:
    """What a screen uses of a console tab: services, the user, feedback, navigation."""

    def __init__(self, world: World, username: str = "sup1") -> None:
        self.services, self.user = services_and_user(world, username)
        self.page = FakePage()
        self.failures: list[DomainError] = []
        self.toasts: list[str] = []
        self.went: list[str] = []

    def fail(self, exc: DomainError) -> None:
        self.failures.append(exc)

    def toast(self, text: str, error: bool = False) -> None:
        self.toasts.append(text)

    async def go(self, route: str) -> None:
        self.went.append(route)
