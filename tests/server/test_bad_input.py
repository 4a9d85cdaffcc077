"""Bad input gets a clear problem code and changes nothing (requests that are not the
protocol: too large, not JSON, wrong types, unknown entities or fields)."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, select

from sync_server.sync.merge.results import all_stored_results
from sync_server.tables import Visit
from tests.server.world import World


def nothing_written(world: World) -> bool:
    with Session(world.engine) as s:
        return not s.exec(select(Visit)).all() and not all_stored_results(s)


def test_a_body_over_the_limit_is_refused_before_parsing(world: World) -> None:
    phone = world.phone("insp1")
    world.state.settings.max_json_body = 2048
    big = [phone.new_visit(world.site("S1"), note="很长的备注" * 50)[1] for _ in range(10)]
    r = phone.push_raw(big)
    assert (r.status_code, r.json()["code"]) == (413, "request.too_large")
    assert nothing_written(world)


def test_a_streamed_body_without_length_cannot_slip_past_the_limit(world: World) -> None:
    phone = world.phone("insp1")
    world.state.settings.max_json_body = 2048

    def chunks():
        yield b'{"mutations": ['
        for _ in range(200):
            yield b'{"seq": 1, "entity": "visit", "id": "' + str(uuid.uuid4()).encode() + b'"},'
        yield b"]}"

    r = world.client.post("/v1/sync/push", headers=phone.headers, content=chunks())
    assert (r.status_code, r.json()["code"]) == (413, "request.too_large")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "request.malformed_json"),
        (b'{"mutations": "all of them"}', "request.invalid"),
        (b'{"mutations": [{"seq": "one", "entity": "visit", "id": "x"}]}', "request.invalid"),
        (
            b'{"mutations": [{"seq": 1, "entity": "user", "id": "' + b"0" * 32 + b'"}]}',
            "request.invalid",
        ),
        (b'{"mutations": [], "admin": true}', "request.invalid"),
        (
            b'{"mutations": [{"seq": 1, "entity": "visit", "id": "'
            + b"0" * 32
            + b'", "op": "truncate"}]}',
            "request.invalid",
        ),
    ],
)
def test_malformed_requests_get_a_problem_and_change_nothing(
    world: World, body: bytes, code: str
) -> None:
    phone = world.phone("insp1")
    r = world.client.post(
        "/v1/sync/push", headers={**phone.headers, "Content-Type": "application/json"}, content=body
    )
    assert r.json()["code"] == code
    assert r.status_code in (400, 422)
    assert set(r.json()) == {"code", "message", "details"}
    assert nothing_written(world)


def test_pull_parameters_are_validated(world: World) -> None:
    phone = world.phone("insp1")
    for params in ({"cursor": -1}, {"limit": 0}, {"cursor": "abc"}, {"epoch": "x" * 500}):
        r = world.client.get("/v1/sync/pull", headers=phone.headers, params=params)
        assert (r.status_code, r.json()["code"]) == (422, "request.invalid"), params


def test_unknown_routes_and_methods_answer_in_the_problem_shape(world: World) -> None:
    r = world.client.get("/v1/nothing-here")
    assert (r.status_code, r.json()["code"]) == (404, "request.not_found")
    r = world.client.delete("/v1/sync/push", headers={"Mingcha-Schema": "1"})
    assert (r.status_code, r.json()["code"]) == (405, "request.method_not_allowed")


def test_an_unexpected_server_error_hides_its_stack_trace(world: World, monkeypatch) -> None:
    from sync_server.api import sync

    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(sync, "read_pull", boom)
    phone = world.phone("insp1")
    from fastapi.testclient import TestClient

    with TestClient(world.client.app, raise_server_exceptions=False) as client:
        r = client.get("/v1/sync/pull", headers=phone.headers)
    assert (r.status_code, r.json()["code"]) == (500, "server.error")
    assert "secret" not in r.text and "Traceback" not in r.text
