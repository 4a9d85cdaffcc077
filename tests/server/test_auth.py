"""Sign-in, throttling, device tokens (expiry, revocation, binding) and the schema window."""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sync_server.core.db import write_session
from sync_server.org import accounts, admin, login_throttle
from tests.server.world import HEADERS, PASSWORD, World


def login(world: World, username: str, password: str = PASSWORD, device: uuid.UUID | None = None):
    return world.client.post(
        "/v1/auth/login",
        headers=HEADERS,
        json={"username": username, "password": password, "device_id": str(device or uuid.uuid4())},
    )


def me(world: World, token: str):
    return world.client.get("/v1/auth/me", headers={**HEADERS, "Authorization": f"Bearer {token}"})


def test_login_returns_a_token_that_identifies_the_user(world: World) -> None:
    r = login(world, "insp1")
    assert r.status_code == 200
    body = r.json()
    assert body["user"]["role"] == "inspector" and len(body["token"]) >= 40
    assert me(world, body["token"]).json()["username"] == "insp1"


def test_wrong_password_and_unknown_user_get_the_same_answer(world: World) -> None:
    a, b = login(world, "insp1", "wrong-pass"), login(world, "nobody", "wrong-pass")
    assert (
        (a.status_code, a.json()["code"])
        == (b.status_code, b.json()["code"])
        == (401, "auth.invalid_credentials")
    )


def test_a_username_no_account_can_have_is_refused_never_a_server_error(world: World) -> None:
    r = login(world, "insp1\x00", "wrong-pass")  # PostgreSQL refuses NUL in text
    assert (r.status_code, r.json()["code"]) == (422, "request.invalid")  # no text has NUL
    r = login(world, "i" * 65, "wrong-pass")  # longer than any account's name may be
    assert (r.status_code, r.json()["code"]) == (422, "request.invalid")


def refused_for(r) -> int:
    """Seconds a 429 auth.throttled asks to wait (its Retry-After, also in details)."""
    assert (r.status_code, r.json()["code"]) == (429, "auth.throttled"), r.text
    assert r.json()["details"]["retry_after"] == int(r.headers["Retry-After"])
    return int(r.headers["Retry-After"])


def test_five_failures_are_answered_then_each_attempt_waits_twice_as_long(world: World) -> None:
    for _ in range(5):
        assert login(world, "insp1", "wrong-pass").status_code == 401
    for delay in (1, 2, 4, 8):  # after the 5th, 6th, 7th, 8th consecutive failure
        assert refused_for(login(world, "insp1", "wrong-pass")) == delay
        world.clock.advance(seconds=delay - 0.5)
        assert refused_for(login(world, "insp1", "wrong-pass")) == 1  # the rest, rounded up
        world.clock.advance(seconds=0.5)
        assert login(world, "insp1", "wrong-pass").status_code == 401


def test_the_delay_stops_growing_at_five_minutes(world: World) -> None:
    waits = []
    for _ in range(5):
        login(world, "insp1", "wrong-pass")
    for _ in range(12):
        waits.append(refused_for(login(world, "insp1", "wrong-pass")))
        world.clock.advance(seconds=waits[-1])
        assert login(world, "insp1", "wrong-pass").status_code == 401
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]


def test_a_locked_out_user_gets_in_after_the_short_wait_and_starts_afresh(world: World) -> None:
    for _ in range(6):
        login(world, "insp1", "wrong-pass")
        world.clock.advance(seconds=1)
    r = login(world, "insp1")  # even the right password waits
    assert refused_for(r) == 1  # 2 s after the 6th failure, 1 s of it passed
    world.clock.advance(seconds=1)
    assert login(world, "insp1").status_code == 200
    for _ in range(5):  # the success ended the run of failures
        assert login(world, "insp1", "wrong-pass").status_code == 401


def test_failures_of_another_user_or_a_day_ago_do_not_delay(world: World) -> None:
    for _ in range(5):
        login(world, "insp2", "wrong-pass")
    assert login(world, "insp1").status_code == 200
    world.clock.advance(hours=24, seconds=1)
    assert login(world, "insp2").status_code == 200


def test_unknown_users_are_delayed_like_real_ones(world: World) -> None:
    for _ in range(5):
        assert login(world, "nobody", "wrong-pass").status_code == 401
    assert refused_for(login(world, "nobody", "wrong-pass")) == 1


def test_unknown_users_get_their_password_checked_like_real_ones(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    verify = accounts.verify_password

    def counting(password: str, password_hash: str) -> tuple[bool, str | None]:
        checked.append(password)
        return verify(password, password_hash)

    monkeypatch.setattr(accounts, "verify_password", counting)
    login(world, "insp1", "wrong-1")
    login(world, "nobody", "wrong-2")
    assert checked == ["wrong-1", "wrong-2"]  # so both take the same time


def from_address(world: World, address: str, username: str, password: str = "wrong-pass"):
    with TestClient(world.client.app, client=(address, 40000)) as client:
        return client.post(
            "/v1/auth/login",
            headers=HEADERS,
            json={"username": username, "password": password, "device_id": str(uuid.uuid4())},
        )


def test_one_address_gets_twenty_failures_in_fifteen_minutes(world: World) -> None:
    for n in range(20):  # a different username each time: no user is delayed
        assert from_address(world, "198.51.100.7", f"guess{n}").status_code == 401
        world.clock.advance(seconds=10)
    # even the right password, for a user with no failures: 10 s until the first ages out
    assert refused_for(from_address(world, "198.51.100.7", "insp1", PASSWORD)) == 900 - 200
    assert from_address(world, "198.51.100.8", "insp1", PASSWORD).status_code == 200
    world.clock.advance(seconds=700)
    assert from_address(world, "198.51.100.7", "insp1", PASSWORD).status_code == 200


def test_tokens_expire_and_a_new_login_keeps_the_device_counter(world: World) -> None:
    phone = world.phone("insp1")
    phone.push(phone.new_visit(world.site("S1"))[1])
    world.clock.advance(days=31)
    r = me(world, phone.token)
    assert (r.status_code, r.json()["code"]) == (401, "auth.token_expired")
    assert phone.login().seq == 1  # the outbox resumes after mutation 1


def test_revoked_devices_are_refused_until_they_sign_in_again(world: World) -> None:
    phone = world.phone("insp1")
    with write_session(world.engine) as s:
        assert accounts.revoke_devices(s, admin.get_user(s, "insp1"), world.clock.now) == 1
    r = me(world, phone.token)
    assert (r.status_code, r.json()["code"]) == (401, "auth.token_revoked")
    assert me(world, phone.login().token).status_code == 200


def test_a_disabled_users_token_is_refused_at_its_next_push(world: World) -> None:
    """Device and user are read in one query per request: neither is remembered between
    requests, so disabling the account refuses its very next push."""
    phone = world.phone("insp1")
    _, create = phone.new_visit(world.site("S1"))
    assert phone.push(create)[0]["status"] == "applied"
    with write_session(world.engine) as s:
        admin.get_user(s, "insp1").active = False
    r = phone.push_raw([phone.new_visit(world.site("S1"))[1]])
    assert (r.status_code, r.json()["code"]) == (401, "auth.token_revoked")


def test_a_device_enrolled_by_one_user_cannot_be_taken_by_another(world: World) -> None:
    device = uuid.uuid4()
    assert login(world, "insp1", device=device).status_code == 200
    r = login(world, "insp2", device=device)
    assert (r.status_code, r.json()["code"]) == (409, "auth.device_taken")


def test_missing_or_forged_tokens_are_refused(world: World) -> None:
    r = world.client.get("/v1/auth/me", headers=HEADERS)
    assert (r.status_code, r.json()["code"]) == (401, "auth.token_missing")
    assert me(world, "forged-token").json()["code"] == "auth.token_invalid"


def test_a_schema_version_outside_the_window_is_refused_with_426(world: World) -> None:
    for headers in ({}, {"Mingcha-Schema": "0"}, {"Mingcha-Schema": "99"}, {"Mingcha-Schema": "x"}):
        r = world.client.post("/v1/auth/login", headers=headers, json={})
        assert (r.status_code, r.json()["code"]) == (426, "sync.schema_unsupported")
        assert r.json()["details"]["max"] == 1


def test_logout_revokes_only_this_device(world: World) -> None:
    a, b = world.phone("insp1"), world.phone("insp1")
    assert world.client.post("/v1/auth/logout", headers=a.headers).status_code == 204
    assert me(world, a.token).status_code == 401
    assert me(world, b.token).status_code == 200


@pytest.mark.postgres  # the dialect matters: an advisory lock on PostgreSQL
def test_parallel_guesses_are_counted_before_any_is_checked(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(4):
        login(world, "insp1", "wrong-pass")
    check = login_throttle.check

    def slow_check(*args: Any) -> None:
        check(*args)
        time.sleep(0.2)  # widens the race between counting and recording the attempt

    monkeypatch.setattr(login_throttle, "check", slow_check)
    with ThreadPoolExecutor(8) as pool:  # a burst: only one may still be checked
        answers = list(pool.map(lambda _: login(world, "insp1", "wrong-pass"), range(8)))
    assert sorted(r.status_code for r in answers) == [401] + [429] * 7


def test_the_servers_upkeep_forgets_attempts_too_old_to_count_and_keeps_the_rest(
    world: World,
) -> None:
    from sqlmodel import Session, select

    from sync_server import upkeep
    from sync_server.tables import LoginAttempt

    settings = world.state.settings
    for _ in range(3):
        assert login(world, "insp2", "wrong-pass").status_code == 401  # a day ago
    world.clock.advance(seconds=settings.login_streak_seconds + 1)
    for _ in range(5):
        assert login(world, "insp1", "wrong-pass").status_code == 401  # now: still counting
    store = world.state.photos
    asyncio.run(upkeep.purge_once(world.engine, store, settings, world.clock()))
    with Session(world.engine) as session:
        left = session.exec(select(LoginAttempt.username)).all()
    assert sorted(set(left)) == ["insp1"] and len(left) == 5
    assert login(world, "insp1", "wrong-pass").status_code == 429  # the recent run still holds


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_argon2id_at_its_recommended_cost(world: World) -> None:
    """Everywhere but here the tests hash cheaply (tests/conftest.py); the server does not."""
    from argon2 import extract_parameters

    stored = accounts.hash_password("long-password")
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert (params.time_cost, params.memory_cost) >= (2, 19 * 1024)  # OWASP's floor
    assert accounts.verify_password("long-password", stored) == (True, None)
    assert accounts.verify_password("wrong-password", stored)[0] is False
    assert extract_parameters(accounts.DUMMY_HASH) == params  # unknown users cost the same
