"""A failed login must not hold up other devices' sync (issue 11 §5), and a real `mingcha
serve` believes X-Forwarded-For only from the proxy it is told to trust.

Argon2 takes a few hundred milliseconds on purpose; when it ran under the single SQLite
writer lock, every push queued behind it (9 ms → 1,185 ms in the probe). Asserted here
without a clock: pushes complete while a password check is held open. What a storm of
failed logins still costs a push (CPU the hashing takes) is measured by `mingcha bench
storm` (sync_server/bench/storm.py), not asserted: on a 2-CPU machine it is load, not a lock.
"""

from __future__ import annotations

import http.client
import json
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from sync_server.bench.storm import BOUND_SECONDS, address_of, start_server
from sync_server.org import accounts
from tests import cheap_hashing
from tests.server.world import HEADERS, PASSWORD, World


@pytest.mark.postgres
@pytest.mark.parametrize("correct", [False, True], ids=["wrong", "right"])
def test_pushes_complete_while_a_password_check_is_held_open(
    world: World, monkeypatch: pytest.MonkeyPatch, correct: bool
) -> None:
    """The check is held open until the pushes are done: had it run inside a write (on
    SQLite, holding the one writer), they would wait for it and the check would end by its
    wait bound first."""
    phone = world.phone("insp1")
    checking, release, checked = threading.Event(), threading.Event(), threading.Event()
    real_check = accounts.verify_password

    def held_check(password: str, password_hash: str) -> tuple[bool, str | None]:
        checking.set()
        release.wait(BOUND_SECONDS)
        checked.set()
        return real_check(password, password_hash)

    monkeypatch.setattr(accounts, "verify_password", held_check)
    answer: list[Any] = []

    def sign_in() -> None:
        body = {
            "username": "insp2",
            "password": PASSWORD if correct else "wrong-password",
            "device_id": str(uuid.uuid4()),
        }
        answer.append(world.client.post("/v1/auth/login", headers=HEADERS, json=body))

    login = threading.Thread(target=sign_in)
    login.start()
    try:
        assert checking.wait(BOUND_SECONDS), "the sign-in reached its password check"
        visit_id, visit = phone.new_visit(world.site("S1"))
        results = phone.push(visit, phone.answer(visit_id, "1.1"))
        assert [r["status"] for r in results] == ["applied", "applied"]
        assert not checked.is_set(), "the pushes finished while the password was being checked"
    finally:
        release.set()
        login.join()
    assert answer[0].status_code == (200 if correct else 401), answer[0].text


def failed_login(address: str, source: str, username: str, forwarded: str) -> int:
    host, port = address.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60, source_address=(source, 0))
    body = json.dumps(
        {"username": username, "password": "wrong-password", "device_id": str(uuid.uuid4())}
    )
    headers = {**HEADERS, "Content-Type": "application/json", "X-Forwarded-For": forwarded}
    try:
        conn.request("POST", "/v1/auth/login", body, headers)
        return conn.getresponse().status
    finally:
        conn.close()


def test_mingcha_serve_believes_x_forwarded_for_only_from_the_trusted_proxy(
    tmp_path: Path,
) -> None:
    """MINGCHA_FORWARDED_ALLOW_IPS reaches the workers of a real `mingcha serve`, and uvicorn
    itself trusts nobody (by default it would believe 127.0.0.1)."""
    with cheap_hashing.subprocesses():  # what is tested is whom it believes, not argon2
        proc = start_server(
            tmp_path,
            MINGCHA_FORWARDED_ALLOW_IPS="127.0.0.2",
            MINGCHA_LOGIN_ADDRESS_MAX_FAILURES="2",
        )
    address = address_of(proc)
    try:
        # through the proxy: three clients, two failures each, none of them refused
        statuses = [
            failed_login(address, "127.0.0.2", f"u{n}{c}", f"203.0.113.{c}")
            for c in range(3)
            for n in range(2)
        ]
        assert statuses == [401] * 6
        # from any other peer the header is ignored: its own address has two failures
        for source in ("127.0.0.3", "127.0.0.1"):
            assert [
                failed_login(address, source, f"v{n}", f"198.51.100.{n}") for n in range(3)
            ] == [
                401,
                401,
                429,
            ]
    finally:
        proc.stop()
