"""Conflict log within one push: a device that edits a field twice in one batch overwrites
its own value the second time — one conflict (the other device's value), not two.

Found by the convergence state machine (tests/faults/test_convergence.py): field writers
are stamped when the push ends, so the second edit still saw the other device as writer.
"""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, col, select

from sync_server.tables import ConflictLog, Visit
from tests.server.world import Phone, World, live

pytestmark = pytest.mark.postgres  # the dialect matters: the merge's conflict stamps


def logged(world: World) -> list[tuple[str, str, str, str]]:
    with Session(world.engine) as s:
        rows = s.exec(select(ConflictLog).order_by(col(ConflictLog.id))).all()
        return [(c.field, c.overwritten_value, c.winning_value, str(c.device_id)) for c in rows]


def note_of(world: World, visit_id: uuid.UUID) -> str:
    with Session(world.engine) as s:
        visit = s.get(Visit, visit_id)
        assert visit is not None
        return visit.note


def _b_wrote_the_note(world: World) -> tuple[Phone, uuid.UUID]:
    """a creates a visit; b (another device of insp1) writes its note after seeing it."""
    a, b = world.phone("insp1"), world.phone("insp1")
    visit_id, create = a.new_visit(world.site("S1"))
    a.push(create, a.mutation("visit", visit_id, note="a1"))
    seen = live(b.pull_all()[("visit", str(visit_id))])["field_seq"]["note"]
    b.push(b.mutation("visit", visit_id, note="b1", base_seq={"note": seen}))
    return a, visit_id


def test_two_edits_of_one_field_in_one_push_log_one_conflict(world: World) -> None:
    a, visit_id = _b_wrote_the_note(world)
    stale = {"note": 0}  # a never saw b's note: both edits are based on the same old seq
    results = a.push(
        a.mutation("visit", visit_id, note="地面湿滑", base_seq=stale),
        a.mutation("visit", visit_id, note="门口堆物", base_seq=stale),
        a.mutation("visit", visit_id, note="地面湿滑", base_seq=stale),
    )
    assert [r["status"] for r in results] == ["applied"] * 3
    assert note_of(world, visit_id) == "地面湿滑"
    assert logged(world) == [("note", "b1", "地面湿滑", str(a.device_id))]


def test_a_rejection_in_the_batch_does_not_change_who_wrote_a_field(world: World) -> None:
    """The batch runs again mutation by mutation (savepoints) after a rejection: an edit
    that was rolled back must not count as the device's own earlier write."""
    a, visit_id = _b_wrote_the_note(world)
    stale = {"note": 0}
    results = a.push(
        a.mutation("visit", visit_id, note="门口堆物", no_such_field=1, base_seq=stale),
        a.mutation("visit", visit_id, note="地面湿滑", base_seq=stale),
        a.mutation("visit", visit_id, note="ok", base_seq=stale),
    )
    assert [r["status"] for r in results] == ["rejected", "applied", "applied"]
    assert results[0]["code"] == "sync.unknown_field"
    assert note_of(world, visit_id) == "ok"
    # the rejected edit changed nothing, so the first applied one overwrote b's value
    assert logged(world) == [("note", "b1", "地面湿滑", str(a.device_id))]
