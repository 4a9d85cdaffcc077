from __future__ import annotations

from tests.server.world import World, live


def test_inspector_creates_a_visit_and_pulls_it_back(world: World) -> None:
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(world.site("S1"))
    results = phone.push(create, phone.answer(visit_id, "1.1", "fail", count=2))
    assert [r["status"] for r in results] == ["applied", "applied"], results
    rows = world.phone("insp1").pull_all()  # on the inspector's other phone
    assert live(rows[("visit", str(visit_id))])["status"] == "draft"
