"""整改 from the console: the supervisor's list (scoped, overdue flagged), one action with its
before and after photos, verify / reopen through the phones' merge rules, and a
re-inspection task; refusals change nothing and another region learns nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.db import write_session
from sync_server.org import admin
from sync_server.supervision import rectify
from sync_server.supervision.rectifications import (
    rectification_detail,
    rectification_list,
    rectification_totals,
)
from sync_server.tables import Rectification, VisitTask
from tests.server.test_rectification import after_photo, published_rectification
from tests.server.test_visit_workflow import SHA, complete_visit, statuses
from tests.server.world import PASSWORD, World


def run(world: World, username: str, work: Any) -> Any:
    with write_session(world.engine) as s:
        return work(s, admin.get_user(s, username))


def answer(world: World) -> str:
    """A published action the site manager S1 answered with a note and an after-photo."""
    _, mgr, rect = published_rectification(world)
    assert (
        statuses(
            mgr.push(
                mgr.mutation("rectification", rect, response_note="已清理积水"),
                after_photo(mgr, rect),
                mgr.mutation("rectification", rect, status="submitted"),
            )
        )
        == ["applied"] * 3
    )
    return rect


def row(world: World, rect: str) -> Rectification:
    with Session(world.engine) as s:
        found = s.get(Rectification, uuid.UUID(rect))
        assert found is not None
        return found


def sup2(world: World) -> None:
    with write_session(world.engine) as s:
        admin.assign(s, admin.add_user(s, "sup2", "supervisor", PASSWORD), ["R2"], [])


def expect(code: ProblemCode, world: World, username: str, work: Any) -> None:
    with pytest.raises(DomainError) as refused:
        run(world, username, work)
    assert refused.value.code == code


@pytest.mark.postgres  # the dialect matters: date comparisons
def test_the_list_is_scoped_and_flags_overdue_actions(world: World) -> None:
    _, _, rect = published_rectification(world)
    sup2(world)
    now = world.clock()
    rows = run(world, "sup1", lambda s, u: rectification_list(s, u, now).rows)
    assert [(str(r.id), r.site_code, r.item_code, r.status, r.overdue) for r in rows] == [
        (rect, "S1", "1.1", "open", False)
    ]
    assert rows[0].item_text and rows[0].due_date > now.date()
    assert run(world, "sup2", lambda s, u: rectification_list(s, u, now).rows) == []
    assert len(run(world, "admin", lambda s, u: rectification_list(s, u, now).rows)) == 1
    late = datetime.combine(rows[0].due_date + timedelta(days=1), time(9), tzinfo=UTC)
    due_day = datetime.combine(rows[0].due_date, time(23), tzinfo=UTC)
    assert not run(world, "sup1", lambda s, u: rectification_list(s, u, due_day)).rows[0].overdue
    overdue = run(world, "sup1", lambda s, u: rectification_list(s, u, late, None, True).rows)
    assert [(str(r.id), r.overdue) for r in overdue] == [(rect, True)]
    assert (
        run(
            world,
            "sup1",
            lambda s, u: rectification_list(s, u, now, None, True).rows,
        )
        == []
    )
    assert (
        run(
            world,
            "sup1",
            lambda s, u: rectification_list(s, u, late, "verified").rows,
        )
        == []
    )
    expect(
        ProblemCode.REQUEST_INVALID,
        world,
        "sup1",
        lambda s, u: rectification_list(s, u, now, "closed"),
    )
    expect(
        ProblemCode.AUTH_FORBIDDEN,
        world,
        "mgr1",
        lambda s, u: rectification_list(s, u, now),
    )


def test_verify_after_the_site_manager_answered_with_an_after_photo(world: World) -> None:
    rect = answer(world)
    rid, now = uuid.UUID(rect), world.clock()
    detail = run(world, "sup1", lambda s, u: rectification_detail(s, u, rid, now))
    assert (detail.before, detail.after) == ([SHA], ["c" * 64])
    assert (detail.response_note, detail.row.status, detail.mode) == (
        "已清理积水",
        "submitted",
        "overt",
    )
    late = now + timedelta(days=400)  # an answered action is not overdue
    assert not run(world, "sup1", lambda s, u: rectification_list(s, u, late)).rows[0].overdue
    run(world, "sup1", lambda s, u: rectify.verify(s, u, rid, now, "复查合格"))
    pulled = world.phone("mgr1").pull_all()[("rectification", rect)]
    assert pulled is not None
    assert (pulled["status"], pulled["verify_comment"]) == ("verified", "复查合格")
    assert pulled["verified_at"]
    # verified is final: neither verified again nor reopened, and nothing moves
    for work in (
        lambda s, u: rectify.verify(s, u, rid, now),
        lambda s, u: rectify.reopen(s, u, rid, "再看看", now),
    ):
        expect(ProblemCode.WORKFLOW_TRANSITION_NOT_ALLOWED, world, "sup1", work)
    assert (row(world, rect).status, row(world, rect).verify_comment) == ("verified", "复查合格")


def test_an_unanswered_action_cannot_be_verified(world: World) -> None:
    _, _, rect = published_rectification(world)
    rid, now = uuid.UUID(rect), world.clock()
    expect(
        ProblemCode.WORKFLOW_TRANSITION_NOT_ALLOWED,
        world,
        "sup1",
        lambda s, u: rectify.verify(s, u, rid, now),
    )
    assert row(world, rect).status == "open"


def test_reopen_needs_a_reason_and_the_manager_pulls_it(world: World) -> None:
    rect = answer(world)
    rid, now = uuid.UUID(rect), world.clock()
    expect(
        ProblemCode.REQUEST_INVALID,
        world,
        "sup1",
        lambda s, u: rectify.reopen(s, u, rid, "  ", now),
    )
    assert (row(world, rect).status, row(world, rect).verify_comment) == ("submitted", "")
    mgr = world.phone("mgr1")
    mgr.pull_all()
    run(world, "sup1", lambda s, u: rectify.reopen(s, u, rid, "仍有积水", now))
    pulled = mgr.pull_all()[("rectification", rect)]
    assert pulled is not None
    assert (pulled["status"], pulled["verify_comment"]) == ("reopened", "仍有积水")
    assert statuses(
        mgr.push(
            mgr.mutation("rectification", rect, response_note="再次处理"),
            mgr.mutation("rectification", rect, status="submitted"),
        )
    ) == ["applied", "applied"]


def test_reinspect_creates_a_task_the_inspector_pulls(world: World) -> None:
    _, _, rect = published_rectification(world)
    rid, now = uuid.UUID(rect), world.clock()
    for code, assignee, days in (
        (ProblemCode.REQUEST_INVALID, "insp2", 7),  # does not cover S1
        (ProblemCode.REQUEST_INVALID, "insp1", 0),
        (ProblemCode.USER_NOT_FOUND, "nobody", 7),
    ):
        expect(
            code,
            world,
            "sup1",
            lambda s, u, a=assignee, d=days: rectify.reinspect(s, u, rid, a, d, now),
        )
    with Session(world.engine) as s:
        assert s.exec(select(VisitTask)).all() == []
    task = run(world, "sup1", lambda s, u: rectify.reinspect(s, u, rid, "insp1", 7, now).id)
    pulled = world.phone("insp1").pull_all()[("visit_task", str(task))]
    assert pulled is not None
    assert (pulled["site_id"], pulled["template_id"], pulled["mode"], pulled["kind"]) == (
        world.site("S1"),
        "mall-property",
        "overt",
        "followup",
    )
    assert "1.1" in pulled["note"]


def test_another_regions_supervisor_gets_scope_denied_like_an_unknown_id(world: World) -> None:
    rect = answer(world)
    sup2(world)
    rid, now = uuid.UUID(rect), world.clock()
    calls = [
        lambda s, u, i: rectification_detail(s, u, i, now),
        lambda s, u, i: rectify.verify(s, u, i, now),
        lambda s, u, i: rectify.reopen(s, u, i, "理由", now),
        lambda s, u, i: rectify.reinspect(s, u, i, "insp2", 7, now),
    ]
    for call in calls:
        for target in (rid, uuid.uuid4()):
            expect(
                ProblemCode.SCOPE_DENIED, world, "sup2", lambda s, u, c=call, t=target: c(s, u, t)
            )
        expect(ProblemCode.AUTH_FORBIDDEN, world, "mgr1", lambda s, u, c=call: c(s, u, rid))
    assert (row(world, rect).status, row(world, rect).verify_comment) == ("submitted", "")
    with Session(world.engine) as s:
        assert s.exec(select(VisitTask)).all() == []


def approved_visit(world: World, fails: list[str]) -> uuid.UUID:
    """A visit at S1 with these items failed, approved: one action per failed item."""
    insp, sup = world.phone("insp1"), world.phone("sup1")
    visit_id, muts = complete_visit(insp, world.site("S1"), dict.fromkeys(fails, 1))
    assert statuses(insp.push(*muts, insp.mutation("visit", visit_id, status="submitted")))[-1] == (
        "applied"
    )
    assert statuses(sup.push(sup.mutation("visit", visit_id, status="approved"))) == ["applied"]
    return visit_id


def all_pages(world: World, now: datetime, limit: int, **kw: Any) -> list[list[Any]]:
    pages, cursor = [], None
    while True:
        page = run(
            world,
            "sup1",
            lambda s, u, c=cursor: rectification_list(s, u, now, cursor=c, limit=limit, **kw),
        )
        pages.append(page.rows)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.mark.postgres  # the dialect matters: keyset paging
def test_pages_follow_due_date_then_id_and_lose_or_repeat_no_row(world: World) -> None:
    approved_visit(world, ["1.1", "1.2", "1.3"])  # three actions due the same day
    world.clock.advance(days=1)
    approved_visit(world, ["1.4", "2.1"])  # due a day later
    now = world.clock()
    whole = all_pages(world, now, limit=500)
    assert len(whole) == 1 and len(whole[0]) == 5
    expected = sorted(whole[0], key=lambda r: (r.due_date, r.id))
    assert whole[0] == expected
    for limit in (1, 2, 3, 4):
        pages = all_pages(world, now, limit=limit)
        assert [len(p) for p in pages[:-1]] == [limit] * (len(pages) - 1)
        assert [r.id for p in pages for r in p] == [r.id for r in expected]  # ties split too
    late = now + timedelta(days=400)
    assert [r.id for p in all_pages(world, late, limit=2, overdue_only=True) for r in p] == [
        r.id for r in expected
    ]
    assert run(world, "sup1", lambda s, u: rectification_totals(s, u, late, None, False)) == (
        5,
        5,
    )
    assert run(world, "sup1", lambda s, u: rectification_totals(s, u, now, None, False)) == (
        5,
        0,
    )
    for bad in ("not-a-cursor", "W10="):  # garbage, and valid base64 of "[]"
        expect(
            ProblemCode.REQUEST_INVALID,
            world,
            "sup1",
            lambda s, u, b=bad: rectification_list(s, u, now, cursor=b),
        )
    expect(
        ProblemCode.REQUEST_INVALID,
        world,
        "sup1",
        lambda s, u: rectification_list(s, u, now, limit=501),
    )


def test_actions_of_a_voided_visit_are_not_open_work_nor_overdue(world: World) -> None:
    kept = approved_visit(world, ["1.1"])
    voided = approved_visit(world, ["1.2", "1.3"])
    sup = world.phone("sup1")
    late = world.clock() + timedelta(days=400)  # every action long past its due date
    rows = run(world, "sup1", lambda s, u: rectification_list(s, u, late).rows)
    assert sorted(r.item_code for r in rows) == ["1.1", "1.2", "1.3"]
    void = sup.mutation("visit", voided, status="voided", void_reason="检查门店有误")
    assert statuses(sup.push(void)) == ["applied"]
    for overdue_only in (False, True):
        rows = run(
            world,
            "sup1",
            lambda s, u, o=overdue_only: rectification_list(s, u, late, None, o),
        ).rows
        assert [(r.visit_id, r.item_code, r.overdue) for r in rows] == [(kept, "1.1", True)]
    totals = run(world, "sup1", lambda s, u: rectification_totals(s, u, late, None, False))
    assert totals == (1, 1)
    with Session(world.engine) as s:  # its own page still opens and says why nothing is owed
        gone = s.exec(select(Rectification).where(Rectification.visit_id == voided)).first()
        assert gone is not None
    detail = run(world, "sup1", lambda s, u: rectification_detail(s, u, gone.id, late))
    assert (detail.row.voided, detail.row.overdue, detail.row.status) == (True, False, "open")
