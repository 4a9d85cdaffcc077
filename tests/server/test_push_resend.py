"""A resend is answered byte for byte as the first time, whatever the push path stores
(issue 15: results are kept one row per push, applied ones as their entity seq only)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from sync_server.tables import Finding
from tests.server.world import Phone, World

pytestmark = pytest.mark.postgres  # the stored JSON goes through each dialect's JSON type


def results_bytes(response: Any) -> bytes:
    """The `results` array exactly as the server sent it (server_time differs per answer)."""
    body: bytes = response.content
    return body[body.index(b'"results":') : body.index(b',"server_time"')]


def _mixed_batch(world: World) -> tuple[Phone, list[dict[str, Any]]]:
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(world.site("S1"), note="首次 first")
    return phone, [
        create,
        phone.answer(visit_id, "1.1", "fail", count=2, note="漏水 leak"),
        phone.answer(visit_id, "no.such", "pass"),  # rejected: answers.unknown_item
        phone.answer(visit_id, "1.2", "pass", count="two"),  # rejected: sync.invalid_value
        phone.mutation("visit", uuid.uuid4(), op="delete"),  # applied, changes nothing
        phone.answer(visit_id, "1.1", "fail", count=3),  # the same row again in one push
        phone.mutation("visit", visit_id, bogus="x"),  # rejected: sync.unknown_field
    ]


def test_a_resend_is_answered_byte_for_byte_as_the_first_time(world: World) -> None:
    phone, batch = _mixed_batch(world)
    first = phone.push_raw(batch)
    again = phone.push_raw(batch)
    assert first.status_code == again.status_code == 200, first.text
    statuses = [r["status"] for r in first.json()["results"]]
    assert statuses == [
        "applied",
        "applied",
        "rejected",
        "rejected",
        "applied",
        "applied",
        "rejected",
    ]
    entity_seqs = [r["entity_seq"] for r in first.json()["results"]]
    assert entity_seqs[4] is None and all(entity_seqs[i] for i in (0, 1, 5))
    assert results_bytes(again) == results_bytes(first)
    assert again.json()["last_mutation_seq"] == first.json()["last_mutation_seq"] == len(batch)


def test_an_overlapping_resend_answers_the_old_part_as_before(world: World) -> None:
    phone, batch = _mixed_batch(world)
    first = phone.push_raw(batch[:4]).json()["results"]
    second = phone.push_raw(batch[2:]).json()["results"]  # 3..4 again, 5..7 new
    whole = phone.push_raw(batch).json()["results"]  # all of it again, from two stored pushes
    assert [json.dumps(r) for r in second[:2]] == [json.dumps(r) for r in first[2:]]
    assert [json.dumps(r) for r in whole] == [json.dumps(r) for r in first + second[2:]]


@pytest.mark.parametrize("rejecting", [False, True], ids=["bulk", "isolated"])
def test_a_resend_of_visits_with_findings_answers_as_before_and_rows_keep_their_own_seqs(
    world: World, engine: sa.Engine, rejecting: bool
) -> None:
    """The bench's shape — new visits, each with its findings — through the optimistic
    bulk path, or (one rejection) mutation by mutation: new rows of one shape share one
    writer map, and each row's JSON is converted apart from the others' (core/bulk.py,
    core/jsontext.py); the answers are stored as one row and given back byte for byte."""
    phone = world.phone("insp1")
    batch: list[dict[str, Any]] = []
    for n in range(2):
        visit_id, create = phone.new_visit(world.site("S1"), note=f"巡检 {n}")
        batch += [create] + [phone.answer(visit_id, c, "pass", note="") for c in ITEMS]
        if rejecting and n == 0:
            batch.append(phone.answer(visit_id, "no.such", "pass"))
    first = phone.push_raw(batch)
    again = phone.push_raw(batch)
    assert first.status_code == again.status_code == 200, first.text
    assert results_bytes(again) == results_bytes(first)
    answered = {m["id"]: r for m, r in zip(batch, first.json()["results"], strict=True)}
    assert [r["status"] for r in answered.values()].count("rejected") == int(rejecting)
    with Session(engine) as s:
        findings = s.exec(select(Finding)).all()
    assert len(findings) == 2 * len(ITEMS)
    for f in findings:
        seq = answered[str(f.id)]["entity_seq"]
        assert f.seq == seq
        # the fields sent, and any the server cleared (clear_stale_detail), all at its seq
        assert set(f.field_seq) >= {"visit_id", "item_code", "note", "result"}
        assert f.field_seq == dict.fromkeys(f.field_seq, seq)
        assert f.field_by == dict.fromkeys(f.field_seq, str(phone.device_id))
    assert len({f.seq for f in findings}) == len(findings)


ITEMS = ("1.1", "1.2", "1.3")
