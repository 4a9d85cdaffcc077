"""整改: the site manager answers with a note and an after-photo; the supervisor verifies."""

from __future__ import annotations

import uuid

from tests.server.test_visit_workflow import complete_visit, statuses
from tests.server.world import Phone, World, live


def published_rectification(world: World) -> tuple[Phone, Phone, str]:
    insp, sup = world.phone("insp1"), world.phone("sup1")
    visit_id, muts = complete_visit(insp, world.site("S1"), {"1.1": 1})
    insp.push(*muts, insp.mutation("visit", visit_id, status="submitted"))
    sup.push(sup.mutation("visit", visit_id, status="approved"))
    sup.push(sup.mutation("visit", visit_id, status="published"))
    rect = next(i for (e, i) in sup.pull_all() if e == "rectification")
    return sup, world.phone("mgr1"), rect


def after_photo(mgr: Phone, rect: str) -> dict:
    return mgr.mutation(
        "photo",
        uuid.uuid4(),
        rectification_id=rect,
        sha256="c" * 64,
        byte_size=2000,
        mime="image/jpeg",
    )


def test_the_site_manager_answers_and_the_supervisor_verifies(world: World) -> None:
    sup, mgr, rect = published_rectification(world)
    results = mgr.push(
        mgr.mutation("rectification", rect, response_note="已清理积水"),
        after_photo(mgr, rect),
        mgr.mutation("rectification", rect, status="submitted"),
    )
    assert statuses(results) == ["applied", "applied", "applied"]
    assert statuses(
        sup.push(sup.mutation("rectification", rect, status="verified", verify_comment="复查合格"))
    ) == ["applied"]
    row = live(mgr.pull_all()[("rectification", rect)])
    assert (row["status"], row["verify_comment"]) == ("verified", "复查合格")
    assert row["responded_at"] and row["verified_at"]


def test_an_answer_needs_a_note_and_an_after_photo(world: World) -> None:
    _, mgr, rect = published_rectification(world)
    results = mgr.push(mgr.mutation("rectification", rect, status="submitted"))
    assert statuses(results) == ["workflow.incomplete"]
    assert results[0]["details"]["missing"] == ["response_note", "after_photo"]


def test_a_reopened_action_goes_back_to_the_manager(world: World) -> None:
    sup, mgr, rect = published_rectification(world)
    mgr.push(
        mgr.mutation("rectification", rect, response_note="已处理"),
        after_photo(mgr, rect),
        mgr.mutation("rectification", rect, status="submitted"),
    )
    assert statuses(mgr.push(mgr.mutation("rectification", rect, response_note="改"))) == [
        "workflow.locked"
    ]
    sup.push(sup.mutation("rectification", rect, status="reopened", verify_comment="仍有积水"))
    assert statuses(
        mgr.push(
            mgr.mutation("rectification", rect, response_note="再次处理"),
            mgr.mutation("rectification", rect, status="submitted"),
        )
    ) == ["applied", "applied"]


def test_managers_cannot_verify_or_touch_other_sites(world: World) -> None:
    _, mgr, rect = published_rectification(world)
    other = world.phone("mgr3")
    assert statuses(mgr.push(mgr.mutation("rectification", rect, due_date="2027-01-01"))) == [
        "sync.field_not_owned"
    ]
    assert statuses(other.push(other.mutation("rectification", rect, response_note="x"))) == [
        "scope.denied"
    ]
    mgr.push(
        mgr.mutation("rectification", rect, response_note="已处理"),
        after_photo(mgr, rect),
        mgr.mutation("rectification", rect, status="submitted"),
    )
    assert statuses(mgr.push(mgr.mutation("rectification", rect, status="verified"))) == [
        "workflow.transition_not_allowed"
    ]
