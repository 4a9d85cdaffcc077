"""Behind a reverse proxy (MINGCHA_FORWARDED_ALLOW_IPS): the sign-in throttle counts the real
client's address when, and only when, the request comes from a trusted proxy."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pydantic
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sync_server.api.proxies import TrustedProxies
from sync_server.core.config import Settings
from sync_server.main import create_app
from sync_server.org import login_throttle
from tests.server.world import HEADERS, PASSWORD, World

PROXY = "10.9.0.5"


LIMIT = 3  # failures per address (20 by default: a smaller one keeps argon2's bill small)


@pytest.fixture
def servers(world: World, settings: Settings) -> Iterator[dict[str, FastAPI]]:
    """The same server (same database, same clock) trusting the proxies in 10.9.0.0/16, and
    trusting none (the default)."""
    apps = {
        name: create_app(
            settings.model_copy(
                update={"forwarded_allow_ips": trusted, "login_address_max_failures": LIMIT}
            ),
            clock=world.clock,
        )
        for name, trusted in (("proxied", "10.9.0.0/16"), ("direct", ""))
    }
    yield apps
    for app in apps.values():
        app.state.engine.dispose()


@pytest.fixture
def proxied(servers: dict[str, FastAPI]) -> FastAPI:
    return servers["proxied"]


def login(app: FastAPI, peer: str, username: str, forwarded: str | None, password: str):
    headers = {**HEADERS, **({"X-Forwarded-For": forwarded} if forwarded else {})}
    with TestClient(app, client=(peer, 40000)) as client:
        return client.post(
            "/v1/auth/login",
            headers=headers,
            json={"username": username, "password": password, "device_id": str(uuid.uuid4())},
        )


def test_clients_behind_a_trusted_proxy_each_have_their_own_budget(proxied: FastAPI) -> None:
    for n in range(LIMIT + 2):  # more than one address may fail, each from its own client
        r = login(proxied, PROXY, f"guess{n}", f"203.0.113.{n}", "wrong-pass")
        assert r.status_code == 401
    for n in range(LIMIT):
        login(proxied, PROXY, f"again{n}", "203.0.113.200", "wrong-pass")
    r = login(proxied, PROXY, "insp1", "203.0.113.200", PASSWORD)
    assert r.status_code == 429  # the one client that failed 20 times
    assert login(proxied, PROXY, "insp1", "203.0.113.201", PASSWORD).status_code == 200


def test_a_chain_of_trusted_proxies_names_the_client_before_them(proxied: FastAPI) -> None:
    for n in range(LIMIT):  # the client wrote its own header; the proxies appended the truth
        forwarded = f"192.0.2.{n}, 203.0.113.9, 10.9.0.7"
        assert login(proxied, PROXY, f"guess{n}", forwarded, "wrong-pass").status_code == 401
    r = login(proxied, PROXY, "insp1", "192.0.2.99, 203.0.113.9, 10.9.0.7", PASSWORD)
    assert r.status_code == 429


@pytest.mark.parametrize("server", ["proxied", "direct"])
def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    servers: dict[str, FastAPI], server: str
) -> None:
    app = servers[server]
    for n in range(LIMIT):  # an attacker cannot escape the limit by writing the header
        r = login(app, "198.51.100.7", f"guess{n}", f"203.0.113.{n}", "wrong-pass")
        assert r.status_code == 401
    assert login(app, "198.51.100.7", "insp1", "203.0.113.250", PASSWORD).status_code == 429


def test_the_setting_takes_addresses_and_networks_only() -> None:
    settings = Settings(forwarded_allow_ips=" 127.0.0.1, 10.0.0.0/8,::1 ")
    assert settings.forwarded_allow_ips == "127.0.0.1,10.0.0.0/8,::1"
    assert Settings(forwarded_allow_ips="*").forwarded_allow_ips == "*"
    with pytest.raises(pydantic.ValidationError, match=r"proxy\.example"):
        Settings(forwarded_allow_ips="127.0.0.1,proxy.example")


async def _echo_client(scope: dict, receive: Any, send: Any) -> None:
    """A WebSocket endpoint that answers with the client address it was given."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": scope["client"][0]})
    await send({"type": "websocket.close", "code": 1000})


@pytest.mark.parametrize(
    ("peer", "seen"), [(PROXY, "203.0.113.4"), ("198.51.100.7", "198.51.100.7")]
)
def test_the_consoles_websocket_sees_the_same_client_address(peer: str, seen: str) -> None:
    """Flet takes the console's client address from its WebSocket: the same rule applies."""
    app = TrustedProxies(_echo_client, Settings(forwarded_allow_ips="10.9.0.0/16"))
    client = TestClient(app, client=(peer, 40000))
    with client.websocket_connect("/console/ws", headers={"X-Forwarded-For": "203.0.113.4"}) as ws:
        assert ws.receive_text() == seen


def test_a_burst_from_one_address_is_counted_one_by_one(
    servers: dict[str, FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = servers["direct"]
    for n in range(LIMIT - 1):
        login(app, "198.51.100.9", f"first{n}", None, "wrong-pass")
    check = login_throttle.check

    def slow_check(*args: Any) -> None:
        check(*args)
        time.sleep(0.2)  # widens the race between counting and recording the attempt

    monkeypatch.setattr(login_throttle, "check", slow_check)
    with ThreadPoolExecutor(6) as pool:  # six usernames at once: only one may be checked
        answers = list(
            pool.map(lambda n: login(app, "198.51.100.9", f"burst{n}", None, "wrong"), range(6))
        )
    assert sorted(r.status_code for r in answers) == [401] + [429] * 5
