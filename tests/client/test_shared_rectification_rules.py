"""The rules on rectifications (整改) that the site manager's phone and the server's merge
share (fieldcore) give the same answer: what an answer needs, when after-photos may still
change, when an owed action is overdue. Each case runs on a published visit's action, on
the manager's phone and as pushed mutations."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from fieldapp.store.capture import CapturedPhoto
from fieldapp.sync.engine import run_sync
from fieldcore.problems import DomainError, ProblemCode
from sync_server.supervision.rectifications import rectification_list
from sync_server.tables import User
from tests.client.conftest import PhoneApp
from tests.client.test_evidence_download import published_visit_with_evidence
from tests.server.world import World

TAKEN = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


# A site manager submits their answer to a rectification: (note, with an after-photo) →
# what is missing, or None when the answer is accepted
RECT_ANSWER_CASES: list[tuple[str, bool, list[str] | None]] = [
    ("已重新张贴价签", True, None),
    ("已重新张贴价签", False, ["after_photo"]),
    ("  ", True, ["response_note"]),
    ("", False, ["response_note", "after_photo"]),
]
AFTER = "ab" * 32


def _phone_rect_answer(
    app: PhoneApp, rect_id: uuid.UUID, note: str, photo: bool
) -> list[str] | None:
    run_sync(app.store, app.client)
    if photo:
        shot = CapturedPhoto(AFTER, "after.jpg", "after.t.jpg", 1000, 800, 600, TAKEN, 0)
        app.store.attach_photo(shot, rectification_id=rect_id)
    try:
        app.store.answer_rectification(rect_id, note, True)
    except DomainError as exc:
        assert exc.code == ProblemCode.WORKFLOW_INCOMPLETE
        return exc.details["missing"]
    return None


def _server_rect_answer(
    world: World, rect_id: uuid.UUID, note: str, photo: bool
) -> list[str] | None:
    mgr = world.phone("mgr1").login()
    if photo:
        row: dict[str, Any] = {"sha256": AFTER, "byte_size": 1000, "mime": "image/jpeg"}
        (result,) = mgr.push(mgr.mutation("photo", uuid.uuid4(), rectification_id=rect_id, **row))
        assert result["status"] == "applied", result
    answer = mgr.mutation("rectification", rect_id, response_note=note, status="submitted")
    (result,) = mgr.push(answer)
    if result["status"] == "applied":
        return None
    assert result["code"] == "workflow.incomplete", result
    return result["details"]["missing"]


@pytest.mark.parametrize(("note", "photo", "missing"), RECT_ANSWER_CASES)
def test_a_rectification_answer_is_judged_alike_on_phone_and_server(
    world: World,
    phone: Callable[[str], PhoneApp],
    note: str,
    photo: bool,
    missing: list[str] | None,
) -> None:
    _, rect_id = published_visit_with_evidence(world, phone("insp1"))
    on_phone = _phone_rect_answer(phone("mgr1"), rect_id, note, photo)
    on_server = _server_rect_answer(world, rect_id, note, photo)
    assert on_phone == on_server == missing


def test_an_answered_rectification_takes_no_more_photos_on_phone_or_server(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    _, rect_id = published_visit_with_evidence(world, phone("insp1"))
    mgr = phone("mgr1")
    assert _phone_rect_answer(mgr, rect_id, "已重新张贴价签", True) is None
    run_sync(mgr.store, mgr.client)  # submitted on the server too
    shot = CapturedPhoto("cd" * 32, "late.jpg", "late.t.jpg", 1000, 800, 600, TAKEN, 0)
    try:
        mgr.store.attach_photo(shot, rectification_id=rect_id)
        on_phone: tuple[str, dict[str, Any]] = ("applied", {})
    except DomainError as exc:
        on_phone = (str(exc.code), exc.details)
    server = world.phone("mgr1").login()
    row: dict[str, Any] = {"sha256": "cd" * 32, "byte_size": 1000, "mime": "image/jpeg"}
    (result,) = server.push(server.mutation("photo", uuid.uuid4(), rectification_id=rect_id, **row))
    on_server = (result["code"] or result["status"], result["details"])
    assert on_phone == on_server == ("workflow.locked", {"status": "submitted"})


@pytest.mark.parametrize(("days_after_due", "overdue"), [(0, False), (1, True)])
def test_an_owed_rectification_turns_overdue_alike_on_phone_and_server(
    world: World, phone: Callable[[str], PhoneApp], days_after_due: int, overdue: bool
) -> None:
    _, rect_id = published_visit_with_evidence(world, phone("insp1"))
    mgr = phone("mgr1")
    run_sync(mgr.store, mgr.client)
    (owed,) = mgr.store.home().rectifications
    assert (owed.id, owed.overdue) == (rect_id, False)
    due = datetime.combine(date.fromisoformat(owed.due_date), time(23, 59), tzinfo=UTC)
    world.clock.now = due + timedelta(days=days_after_due)  # the phone's clock too
    with Session(world.engine) as s:
        sup = s.exec(select(User).where(User.username == "sup1")).one()
        (listed,) = rectification_list(s, sup, world.clock.now).rows
    assert mgr.store.home().rectifications[0].overdue == listed.overdue == overdue
