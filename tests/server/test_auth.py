"""Sign-in, throttling, device tokens (expiry, revocation, binding) and the schema window."""

from __future__ import annotations

import uuid

from sync_server import admin, auth
from sync_server.db import write_session
from tests.server.world import HEADERS, PASSWORD, World


def login(world: World, username: str, password: str = PASSWORD, device: uuid.UUID | None = None):  # type: ignore[no-untyped-def]
    return world.client.post(
        "/v1/auth/login",
        headers=HEADERS,
        json={"username": username, "password": password, "device_id": str(device or uuid.uuid4())},
    )


def me(world: World, token: str):  # type: ignore[no-untyped-def]
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


def test_repeated_failures_are_throttled_until_the_window_passes(world: World) -> None:
    for _ in range(5):
        assert login(world, "insp1", "wrong-pass").status_code == 401
    r = login(world, "insp1")  # even the right password waits
    assert (r.status_code, r.json()["code"]) == (429, "auth.throttled")
    assert int(r.headers["Retry-After"]) > 0
    world.clock.advance(seconds=901)
    assert login(world, "insp1").status_code == 200


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
        assert auth.revoke_devices(s, admin.get_user(s, "insp1"), world.clock.now) == 1
    r = me(world, phone.token)
    assert (r.status_code, r.json()["code"]) == (401, "auth.token_revoked")
    assert me(world, phone.login().token).status_code == 200


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
