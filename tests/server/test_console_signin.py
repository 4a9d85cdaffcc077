"""The console's sign-in follows the phones' throttle rule (sync_server/org/login_throttle.py):
the same progressive delay per user, whichever door the failures came through, and its own
budget per browser address."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from fieldcore.problems import DomainError, ProblemCode
from sync_server.console.services import ConsoleServices
from tests.server.world import HEADERS, PASSWORD, World


def services(world: World, **settings: Any) -> ConsoleServices:
    state = world.state
    if settings:
        state = SimpleNamespace(
            engine=state.engine,
            settings=state.settings.model_copy(update=settings),
            clock=state.clock,
            photos=state.photos,
        )
    return ConsoleServices(state)


def sign_in(console: ConsoleServices, username: str, password: str, ip: str = "192.0.2.1") -> Any:
    return asyncio.run(console.sign_in(username, password, ip=ip))


def refused(
    console: ConsoleServices, username: str, password: str, ip: str = "192.0.2.1"
) -> DomainError:
    with pytest.raises(DomainError) as caught:
        sign_in(console, username, password, ip)
    return caught.value


def test_a_supervisor_locked_out_gets_in_after_a_short_wait(world: World) -> None:
    console = services(world)
    for _ in range(5):
        assert refused(console, "sup1", "wrong-pass").code == ProblemCode.AUTH_INVALID_CREDENTIALS
    throttled = refused(console, "sup1", PASSWORD)
    assert (throttled.code, throttled.details["retry_after"]) == (ProblemCode.AUTH_THROTTLED, 1)
    world.clock.advance(seconds=1)
    assert sign_in(console, "sup1", PASSWORD).username == "sup1"


def test_failed_phone_logins_delay_the_console_too(world: World) -> None:
    for _ in range(5):
        world.client.post(
            "/v1/auth/login",
            headers=HEADERS,
            json={"username": "sup1", "password": "wrong", "device_id": str(uuid.uuid4())},
        )
    throttled = refused(services(world), "sup1", PASSWORD)
    assert (throttled.code, throttled.details["retry_after"]) == (ProblemCode.AUTH_THROTTLED, 1)


def test_each_browser_address_has_its_own_budget(world: World) -> None:
    console = services(world, login_address_max_failures=3)
    for n in range(3):
        refused(console, f"guess{n}", "wrong-pass", ip="192.0.2.1")
    assert refused(console, "sup1", PASSWORD, ip="192.0.2.1").code == ProblemCode.AUTH_THROTTLED
    assert sign_in(console, "sup1", PASSWORD, ip="192.0.2.2").username == "sup1"


def test_only_reviewers_may_sign_in(world: World) -> None:
    assert refused(services(world), "insp1", PASSWORD).code == ProblemCode.AUTH_FORBIDDEN


def test_a_username_no_account_can_have_is_refused_like_a_wrong_password(world: World) -> None:
    for name in ("sup1\x00", "s" * 65):  # the console's field has no schema in front of it
        assert refused(services(world), name, PASSWORD).code == ProblemCode.AUTH_INVALID_CREDENTIALS
