"""A value that passes the wire schema but that the server cannot store is that mutation's
rejection (`sync.invalid_value` with the field), consumed like any other: the push never
answers 500, so the phone's outbox never blocks on it (issue 11 §3)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest

from tests.server.world import Phone, World

pytestmark = pytest.mark.postgres  # the dialect matters: values a column type cannot store

SHA = hashlib.sha256(b"photo").hexdigest()


def rejected_field(result: dict[str, Any]) -> str:
    assert (result["status"], result["code"]) == ("rejected", "sync.invalid_value"), result
    return result["details"]["field"]


def push_then_a_good_one(phone: Phone, world: World, poison: dict[str, Any]) -> list[dict]:
    """The poison mutation, then a valid visit: both consumed, the second applied."""
    good = phone.new_visit(world.site("S1"))[1]
    body = json.dumps({"mutations": [poison, good]})  # ASCII: lone surrogates as \u escapes
    headers = {**phone.headers, "Content-Type": "application/json"}
    r = world.client.post("/v1/sync/push", headers=headers, content=body)
    assert r.status_code == 200, r.text
    assert r.json()["last_mutation_seq"] == good["seq"]
    assert r.json()["results"][1]["status"] == "applied"
    return r.json()["results"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("started_at", "0001-01-01T00:00:00+08:00"),  # OverflowError on the way to UTC
        ("started_at", "9999-12-31T23:59:59-08:00"),
        ("finished_at", "1969-12-31T23:59:59Z"),
        ("ack_at", "1970-01-01T07:59:59+08:00"),
        ("ack_at", "2101-01-01T00:00:00Z"),
    ],
)
def test_a_time_out_of_range_is_that_mutations_rejection(
    world: World, field: str, value: str
) -> None:
    phone = world.phone("insp1")
    _, poison = phone.new_visit(world.site("S1"), **{field: value})
    assert rejected_field(push_then_a_good_one(phone, world, poison)[0]) == field


def test_the_first_instant_of_the_range_is_stored_in_utc(world: World) -> None:
    phone = world.phone("insp1")
    visit_id, m = phone.new_visit(world.site("S1"), started_at="1970-01-01T08:00:00+08:00")
    assert phone.push(m)[0]["status"] == "applied"
    row = world.phone("insp1").pull_all()[("visit", str(visit_id))]  # the same instant, in UTC
    assert row is not None and row["started_at"].startswith("1970-01-01T00:00:00")


@pytest.mark.parametrize("size", [2**31, 2**63, 2**64])
def test_a_photo_size_beyond_the_database_is_that_mutations_rejection(
    world: World, size: int
) -> None:
    phone = world.phone("insp1")
    visit_id, visit = phone.new_visit(world.site("S1"))
    assert phone.push(visit)[0]["status"] == "applied"
    poison = phone.mutation(
        "photo", uuid.uuid4(), visit_id=visit_id, sha256=SHA, byte_size=size, mime="image/jpeg"
    )
    assert rejected_field(push_then_a_good_one(phone, world, poison)[0]) == "byte_size"


@pytest.mark.parametrize(
    "text", ["before\x00after", "lone \ud800 surrogate", "\udfff", "x" * 1_000_000]
)
def test_text_no_database_can_store_is_that_mutations_rejection(world: World, text: str) -> None:
    phone = world.phone("insp1")
    _, poison = phone.new_visit(world.site("S1"), note=text)
    assert rejected_field(push_then_a_good_one(phone, world, poison)[0]) == "note"


def test_an_unknown_field_with_an_unstorable_name_is_rejected_and_consumed(
    world: World,
) -> None:
    phone = world.phone("insp1")
    for name in ("\ud800", "x" * 100_000, "a\x00b"):
        _, poison = phone.new_visit(world.site("S1"))
        poison["fields"][name] = 1
        result = push_then_a_good_one(phone, world, poison)[0]
        assert (result["status"], result["code"]) == ("rejected", "sync.unknown_field")


def test_a_base_seq_beyond_the_database_is_that_mutations_rejection(world: World) -> None:
    phone = world.phone("insp1")
    visit_id, visit = phone.new_visit(world.site("S1"))
    assert phone.push(visit)[0]["status"] == "applied"
    poison = phone.mutation("visit", visit_id, base_seq={"note": 2**63}, note="again")
    assert rejected_field(push_then_a_good_one(phone, world, poison)[0]) == "base_seq.note"


def test_a_value_the_database_refuses_behind_the_schema_is_still_a_rejection(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: were a bound missing from the schema, the database's refusal of
    one mutation's value is that mutation's rejection, and the others are applied."""
    from fieldcore.records import checked_values as checked
    from sync_server.sync.merge import fields

    def unchecked(entity: str, raw: dict[str, Any]) -> dict[str, Any]:
        values = checked(entity, {k: v for k, v in raw.items() if k != "byte_size"})
        return {**values, "byte_size": raw.get("byte_size", 1)}  # as if unbounded

    phone = world.phone("insp1")
    visit_id, visit = phone.new_visit(world.site("S1"))
    assert phone.push(visit)[0]["status"] == "applied"
    monkeypatch.setattr(fields, "checked_values", unchecked)
    poison = phone.mutation(
        "photo", uuid.uuid4(), visit_id=visit_id, sha256=SHA, byte_size=2**63, mime="image/jpeg"
    )
    results = push_then_a_good_one(phone, world, poison)
    assert rejected_field(results[0]) == "byte_size"
    assert phone.push(phone.new_visit(world.site("S1"))[1])[0]["status"] == "applied"


def test_a_database_failure_is_not_consumed_as_a_rejection(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server failure is 503 server.unavailable and consumes nothing: resent, it applies."""
    import sqlalchemy as sa
    from fastapi.testclient import TestClient

    from sync_server.sync import merge

    phone = world.phone("insp1")
    _, visit = phone.new_visit(world.site("S1"))

    def down(ctx: Any, m: Any) -> None:
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    handlers = dict(merge.HANDLERS)
    monkeypatch.setitem(merge.HANDLERS, "visit", down)
    # raise_server_exceptions (the default): an error the app answered and then re-raised
    # (a traceback in the server log) would surface here
    with TestClient(world.client.app) as client:
        r = client.post("/v1/sync/push", headers=phone.headers, json={"mutations": [visit]})
    assert (r.status_code, r.json()["code"]) == (503, "server.unavailable")
    assert "closed the connection" not in r.text
    monkeypatch.setitem(merge.HANDLERS, "visit", handlers["visit"])
    r = phone.push_raw([visit])
    assert r.json()["results"][0]["status"] == "applied"
    assert r.json()["last_mutation_seq"] == visit["seq"]


def test_every_value_at_the_edge_of_its_bounds_is_stored(world: World) -> None:
    """What validates is storable: the largest and earliest values on both databases."""
    phone = world.phone("insp1")
    edge = "2100-12-31T23:59:59.999999+00:00"
    visit_id, visit = phone.new_visit(
        world.site("S1"),
        started_at="1970-01-01T00:00:00Z",
        finished_at=edge,
        note="检" * 4000,
        ack_name="名" * 120,
    )
    ten_years_ms = 10 * 365 * 86_400_000
    photos = [
        phone.mutation(
            "photo",
            uuid.uuid4(),
            visit_id=visit_id,
            sha256=SHA,
            byte_size=2**31 - 1,
            mime="image/jpeg",
            width=20_000,
            height=20_000,
            captured_at=edge,
            clock_offset_ms=offset,
            caption="照" * 500,
        )
        for offset in (ten_years_ms, -ten_years_ms)
    ]
    results = phone.push(visit, *photos)
    assert [r["status"] for r in results] == ["applied"] * 3, results
