"""Pending edits rebased over pulled server values (store/outbox.py): when the server
refuses an edit, the phone shows the server's latest value — even one pulled while the
edit was pending, which the pull cursor has already passed and will never bring again.

Each scenario: phone b edits while phone a (the same inspector) changes the row and
submits; b pulls before it pushes, then its edits come back `workflow.locked` (or
`sync.row_deleted`). b must end exactly where the server is.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlmodel import Session

from fieldapp.store.tables import FindingRow, VisitRow
from fieldapp.sync import engine as sync_engine
from fieldapp.sync.engine import SyncProgress, SyncReport, run_sync
from fieldcore.workflow import finding_id
from sync_server.tables import Finding
from tests.client.conftest import PhoneApp
from tests.server.world import World

TEMPLATE = "mall-property.v1"
MALL = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]


def pull(app: PhoneApp) -> None:
    """Only the pull half of a sync (a sync started while the user was still typing)."""
    report = SyncReport()
    sync_engine._pull(app.store, app.client, report, SyncProgress(), lambda _: None)
    assert report.ok, report.errors


def local_finding(app: PhoneApp, fid: uuid.UUID) -> FindingRow:
    with Session(app.store.engine) as s:
        row = s.get(FindingRow, fid)
        assert row is not None
        return row


def server_finding(world: World, fid: uuid.UUID) -> Finding:
    with Session(world.engine) as s:
        row = s.get(Finding, fid)
        assert row is not None
        return row


def _two_phones(phone: Callable[..., PhoneApp]) -> tuple[PhoneApp, PhoneApp]:
    a, b = phone("insp1", "a"), phone("insp1", "b")
    run_sync(a.store, a.client)
    run_sync(b.store, b.client)
    return a, b


def test_two_rejected_edits_of_one_field_fall_back_to_the_pulled_value(
    world: World, phone: Callable[..., PhoneApp]
) -> None:
    a, b = _two_phones(phone)
    visit = a.store.start_visit(uuid.UUID(world.site("S1")), TEMPLATE, "overt")
    for code in MALL:
        a.store.record_answer(visit.id, code, "pass", note="原始")
    run_sync(a.store, a.client)
    run_sync(b.store, b.client)
    b.store.record_answer(visit.id, "1.5", note="门口堆物")  # two pending edits, one field
    b.store.record_answer(visit.id, "1.5", note="地面湿滑")
    a.store.record_answer(visit.id, "1.5", note="ok")
    a.store.submit_visit(visit.id)
    run_sync(a.store, a.client)
    pull(b)
    fid = finding_id(visit.id, "1.5")
    assert local_finding(b, fid).note == "地面湿滑"  # the user's edit is not overwritten
    report = run_sync(b.store, b.client)
    assert report.rejected == 2
    row = local_finding(b, fid)
    assert row.note == server_finding(world, fid).note == "ok"
    assert row.sync_error  # the reason stays visible to the inspector


def test_a_rejected_answer_to_an_item_the_server_has_shows_the_servers_answer(
    world: World, phone: Callable[..., PhoneApp]
) -> None:
    """b creates the finding (it never saw a's): the derived id makes it a's row."""
    a, b = _two_phones(phone)
    visit = a.store.start_visit(uuid.UUID(world.site("S1")), TEMPLATE, "overt")
    run_sync(a.store, a.client)
    run_sync(b.store, b.client)
    b.store.record_answer(visit.id, "1.5", "fail", count=2, note="门口堆物")
    for code in MALL:
        a.store.record_answer(visit.id, code, "pass", note="a")
    a.store.submit_visit(visit.id)
    run_sync(a.store, a.client)
    pull(b)
    assert run_sync(b.store, b.client).rejected == 1
    fid = finding_id(visit.id, "1.5")
    mine, theirs = local_finding(b, fid), server_finding(world, fid)
    assert (mine.result, mine.count, mine.note) == (theirs.result, theirs.count, theirs.note)
    assert (mine.result, mine.note) == ("pass", "a")
    assert mine.sync_error


def test_an_edit_refused_because_the_row_was_deleted_leaves_it_deleted(
    world: World, phone: Callable[..., PhoneApp]
) -> None:
    a, b = _two_phones(phone)
    visit = a.store.start_visit(uuid.UUID(world.site("S1")), TEMPLATE, "overt")
    run_sync(a.store, a.client)
    run_sync(b.store, b.client)
    b.store.set_visit_fields(visit.id, note="b 的备注")
    a.store.delete_draft(visit.id)
    run_sync(a.store, a.client)
    pull(b)  # the tombstone meets b's pending edit: the row stays until the server answers
    with Session(b.store.engine) as s:
        assert not s.get_one(VisitRow, visit.id).deleted
    assert run_sync(b.store, b.client).rejected == 1
    with Session(b.store.engine) as s:
        row = s.get(VisitRow, visit.id)
        assert row is not None and row.deleted and row.sync_error
