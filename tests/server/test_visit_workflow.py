"""A visit's life through sync: draft → submitted → returned → resubmitted → approved →
published, with the score computed by the server and rectifications raised on approval."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from fieldcore.workflow import finding_id
from tests.server.world import Phone, World, live

pytestmark = pytest.mark.postgres  # the dialect matters: the merge of a visit's status transitions

MALL_ITEMS = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]
SHA = "a" * 64


def complete_visit(phone: Phone, site: str, fails: dict[str, int]) -> tuple[uuid.UUID, list]:
    """A mall-property visit answering every item; `fails` item → count, each with a photo."""
    visit_id, create = phone.new_visit(site)
    muts: list[dict[str, Any]] = [create]
    for code in MALL_ITEMS:
        if code in fails:
            muts.append(phone.answer(visit_id, code, "fail", count=fails[code]))
            muts.append(
                phone.mutation(
                    "photo",
                    uuid.uuid4(),
                    visit_id=visit_id,
                    finding_id=finding_id(visit_id, code),
                    sha256=SHA,
                    byte_size=1000,
                    mime="image/jpeg",
                )
            )
        else:
            muts.append(phone.answer(visit_id, code, "pass"))
    return visit_id, muts


def statuses(results: list[dict]) -> list[str]:
    return [r["status"] if r["status"] == "applied" else r["code"] for r in results]


def test_submit_scores_the_visit_with_the_engine(world: World) -> None:
    insp = world.phone("insp1")
    visit_id, muts = complete_visit(insp, world.site("S1"), {"1.1": 3, "3.1": 1})
    assert set(statuses(insp.push(*muts))) == {"applied"}
    assert statuses(insp.push(insp.mutation("visit", visit_id, status="submitted"))) == ["applied"]
    visit = live(insp.pull_all()[("visit", str(visit_id))])
    assert visit["status"] == "submitted"
    assert (visit["score"]["total"], visit["score"]["grade"]) == (96, "优秀")
    assert visit["submitted_at"] is not None


def test_submit_is_refused_while_items_are_unanswered_or_photos_missing(world: World) -> None:
    insp = world.phone("insp1")
    visit_id, create = insp.new_visit(world.site("S1"))
    results = insp.push(
        create,
        insp.answer(visit_id, "1.1", "fail", count=1),
        insp.mutation("visit", visit_id, status="submitted"),
    )
    assert statuses(results) == ["applied", "applied", "workflow.incomplete"]
    details = results[2]["details"]
    assert details["missing_photos"] == ["1.1"]
    assert len(details["unanswered"]) == len(MALL_ITEMS) - 1
    assert live(insp.pull_all()[("visit", str(visit_id))])["status"] == "draft"


def test_inspector_cannot_edit_a_submitted_visit(world: World) -> None:
    insp = world.phone("insp1")
    visit_id, muts = complete_visit(insp, world.site("S1"), {})
    insp.push(*muts, insp.mutation("visit", visit_id, status="submitted"))
    results = insp.push(
        insp.answer(visit_id, "1.1", "fail", count=2),
        insp.mutation("visit", visit_id, note="late note"),
    )
    assert statuses(results) == ["workflow.locked", "workflow.locked"]


def test_return_reopens_the_visit_for_the_inspector_who_resubmits(world: World) -> None:
    insp, sup = world.phone("insp1"), world.phone("sup1")
    visit_id, muts = complete_visit(insp, world.site("S1"), {"2.1": 1})
    insp.push(*muts, insp.mutation("visit", visit_id, status="submitted"))
    fid = finding_id(visit_id, "2.1")
    results = sup.push(
        sup.mutation("finding", fid, review_comment="请补拍全景"),
        sup.mutation("visit", visit_id, status="returned", return_comment="2.1 证据不足"),
    )
    assert statuses(results) == ["applied", "applied"]
    rows = insp.pull_all()
    assert live(rows[("visit", str(visit_id))])["status"] == "returned"
    assert live(rows[("finding", str(fid))])["review_comment"] == "请补拍全景"
    results = insp.push(
        insp.answer(visit_id, "2.1", "fail", count=2),
        insp.mutation("visit", visit_id, status="resubmitted"),
    )
    assert statuses(results) == ["applied", "applied"]
    assert live(insp.pull_all()[("visit", str(visit_id))])["score"]["total"] == 98


def test_approval_raises_a_rectification_per_deducted_item(world: World) -> None:
    insp, sup = world.phone("insp1"), world.phone("sup1")
    visit_id, muts = complete_visit(insp, world.site("S1"), {"1.1": 2, "3.1": 1})
    insp.push(*muts, insp.mutation("visit", visit_id, status="submitted"))
    assert statuses(sup.push(sup.mutation("visit", visit_id, status="approved"))) == ["applied"]
    rows = sup.pull_all()
    rects = [live(r) for (e, _), r in rows.items() if e == "rectification"]
    assert sorted(r["item_code"] for r in rects) == ["1.1", "3.1"]
    assert all(r["status"] == "open" and r["site_id"] == world.site("S1") for r in rects)


def test_inspector_cannot_approve_and_supervisor_cannot_skip_review(world: World) -> None:
    insp, sup = world.phone("insp1"), world.phone("sup1")
    visit_id, muts = complete_visit(insp, world.site("S1"), {})
    insp.push(*muts)
    assert statuses(sup.push(sup.mutation("visit", visit_id, status="published"))) == [
        "workflow.transition_not_allowed"
    ]
    insp.push(insp.mutation("visit", visit_id, status="submitted"))
    assert statuses(insp.push(insp.mutation("visit", visit_id, status="approved"))) == [
        "workflow.transition_not_allowed"
    ]


def test_publish_lets_the_site_manager_see_result_and_rectifications(world: World) -> None:
    insp, sup, mgr = world.phone("insp1"), world.phone("sup1"), world.phone("mgr1")
    visit_id, muts = complete_visit(
        insp,
        world.site("S1"),
        {"1.1": 1},
    )
    insp.push(*muts, insp.mutation("visit", visit_id, status="submitted"))
    sup.push(sup.mutation("visit", visit_id, status="approved"))
    before = mgr.pull_all()
    assert not [k for k in before if k[0] in ("visit", "finding", "photo", "rectification")]
    sup.push(sup.mutation("visit", visit_id, status="published"))
    after = mgr.pull_all()
    kinds = sorted(k[0] for k in after if k[0] in ("visit", "finding", "photo", "rectification"))
    assert kinds.count("visit") == 1 and kinds.count("rectification") == 1
    assert kinds.count("finding") == len(MALL_ITEMS) and kinds.count("photo") == 1


def test_void_needs_a_reason(world: World) -> None:
    insp, sup = world.phone("insp1"), world.phone("sup1")
    visit_id, muts = complete_visit(insp, world.site("S1"), {})
    insp.push(*muts, insp.mutation("visit", visit_id, status="submitted"))
    assert statuses(sup.push(sup.mutation("visit", visit_id, status="voided"))) == [
        "sync.missing_field"
    ]
    assert statuses(
        sup.push(sup.mutation("visit", visit_id, status="voided", void_reason="重复检查"))
    ) == ["applied"]
