"""A visit returned by the supervisor, as the inspector sees it: listed under 退回, the
supervisor's words on the visit and on the item, editable again, resubmitted."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from fieldapp.store import Store
from fieldcore.workflow import finding_id
from tests.server.world import World
from tests.ui.support import OpenApp

MALL = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]


@pytest.mark.asyncio
async def test_returned_visit_shows_the_comments_and_can_be_fixed_and_resubmitted(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    store = signed_in()
    visit = store.start_visit(uuid.UUID(server.site("S1")), "mall-property.v1", "overt")
    for code in MALL:
        store.record_answer(visit.id, code, "pass")
    store.submit_visit(visit.id)
    h = await open_app()
    await h.fire(h.button("立即同步"))
    sup = server.phone("sup1")
    sup.push(
        sup.mutation("finding", finding_id(visit.id, "1.5"), review_comment="顾客投诉未记录"),
        sup.mutation("visit", visit.id, status="returned", return_comment="请核实 1.5"),
    )
    await h.fire(h.button("立即同步"))
    home = h.strings()
    assert "被退回,待修改" in home, home  # its own section
    assert any("请核实 1.5" in x for x in home)  # the reason, on the home screen already

    checklist = await open_app(f"/visit/{visit.id}")
    words = checklist.strings()
    assert any("请核实 1.5" in x for x in words)
    assert any("顾客投诉未记录" in x for x in words)  # the per-item comment at its item
    await checklist.select("item-1.5", "fail")  # editable again
    await checklist.fire("finish")
    await checklist.fire("submit")
    assert store.visit_view(visit.id).visit.status == "resubmitted"
