"""Console review actions go through the phones' merge rules: approve raises the
rectifications, a return carries per-item comments to the inspector's phone, publish lifts
the covert embargo, void needs a reason; anything refused changes nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import finding_id
from sync_server.core.db import write_session
from sync_server.org import admin
from sync_server.supervision.actions import act
from sync_server.tables import Rectification, User, Visit
from tests.server.test_visit_workflow import complete_visit
from tests.server.world import World, live


def submitted(world: World, fails: dict[str, int], site: str = "S1") -> uuid.UUID:
    insp = world.phone("insp1")
    visit_id, muts = complete_visit(insp, world.site(site), fails)
    insp.push(*muts, insp.mutation("visit", visit_id, status="submitted"))
    return visit_id


def run_act(world: World, username: str, visit_id: uuid.UUID, action: str, **kw) -> None:
    with write_session(world.engine) as s:
        act(s, admin.get_user(s, username), visit_id, action, world.clock.now, **kw)


def status(world: World, visit_id: uuid.UUID) -> str:
    with Session(world.engine) as s:
        row = s.get(Visit, visit_id)
        assert row is not None
        return row.status


def test_return_with_item_comments_reaches_the_inspector_and_approve_raises_actions(
    world: World,
) -> None:
    visit_id = submitted(world, {"1.1": 2, "3.1": 1})
    run_act(world, "sup1", visit_id, "return", comment="请核实", item_comments={"1.1": "只见一次"})
    rows = world.phone("insp1").pull_all()
    assert live(rows[("visit", str(visit_id))])["status"] == "returned"
    assert live(rows[("visit", str(visit_id))])["return_comment"] == "请核实"
    assert live(rows[("finding", str(finding_id(visit_id, "1.1")))])["review_comment"] == "只见一次"
    insp = world.phone("insp1")
    insp.push(insp.mutation("visit", visit_id, status="resubmitted"))
    run_act(world, "sup1", visit_id, "approve")
    with Session(world.engine) as s:
        rects = s.exec(select(Rectification).where(Rectification.visit_id == visit_id)).all()
        assert sorted(r.item_code for r in rects) == ["1.1", "3.1"]
    run_act(world, "sup1", visit_id, "publish")
    assert status(world, visit_id) == "published"
    assert ("visit", str(visit_id)) in world.phone("mgr1").pull_all()  # now the shop sees it


@pytest.mark.parametrize(
    ("username", "action", "kw", "code"),
    [
        ("insp1", "approve", {}, ProblemCode.AUTH_FORBIDDEN),
        ("mgr1", "publish", {}, ProblemCode.AUTH_FORBIDDEN),
        ("sup1", "return", {"comment": "  "}, ProblemCode.REQUEST_INVALID),
        ("sup1", "void", {}, ProblemCode.REQUEST_INVALID),
        ("sup1", "delete", {}, ProblemCode.REQUEST_INVALID),
        ("sup1", "publish", {}, None),  # submitted → published skips approval: the rules say no
    ],
)
def test_refused_actions_change_nothing(world: World, username, action, kw, code) -> None:
    visit_id = submitted(world, {})
    with pytest.raises(DomainError) as refused:
        run_act(world, username, visit_id, action, **kw)
    if code is not None:
        assert refused.value.code == code
    assert status(world, visit_id) == "submitted"


def test_a_supervisor_of_another_region_cannot_act_and_learns_nothing(world: World) -> None:
    visit_id = submitted(world, {})
    with write_session(world.engine) as s:
        other = admin.add_user(s, "sup2", "supervisor", "pw-long-enough-1")
        admin.assign(s, other, ["R2"], [])
    with pytest.raises(DomainError) as refused:
        run_act(world, "sup2", visit_id, "approve")
    with pytest.raises(DomainError) as missing:
        run_act(world, "sup2", uuid.uuid4(), "approve")
    assert refused.value.code == missing.value.code == ProblemCode.SCOPE_DENIED
    assert status(world, visit_id) == "submitted"
    with Session(world.engine) as s:
        assert s.exec(select(User).where(User.username == "sup2")).one()
