"""Pull: pages in seq order, each role sees exactly its audience, resets, no internal columns."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sync_server.core.changeset import ChangeSet
from sync_server.core.db import write_session
from sync_server.org import admin
from sync_server.tables import Site, User
from sync_server.templates.catalog import checklist_dir
from tests.server.world import PASSWORD, Phone, World, live

pytestmark = (
    pytest.mark.postgres
)  # the dialect matters: pull ordering and each role's audience query


def entities(rows: dict, kind: str) -> set[str]:
    return {i for (e, i) in rows if e == kind}


def add_user(world: World, name: str, role: str, regions=(), sites=()) -> Phone:
    with write_session(world.engine) as s:
        admin.assign(s, admin.add_user(s, name, role, PASSWORD), regions, sites)
    return world.phone(name)


def add_task(world: World, site: str, assignee: str, mode: str) -> str:
    with write_session(world.engine) as s:
        changes = ChangeSet(s)
        task = admin.add_task(
            s,
            changes,
            s.get_one(Site, world.ids[site]),
            "store-patrol",
            mode,
            s.get_one(User, world.ids[assignee]),
            world.clock.now,
            world.clock.now + timedelta(days=7),
        )
        changes.assign_seqs()
        return str(task.id)


def test_pages_deliver_every_change_once_in_seq_order(world: World) -> None:
    phone = world.phone("insp1")
    for _ in range(7):
        phone.push(phone.new_visit(world.site("S1"))[1])
    seqs, pages = [], 0
    while True:
        page = phone.pull(limit=3)
        pages += 1
        seqs += [c["seq"] for c in page["changes"]]
        if not page["has_more"]:
            break
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    assert pages == -(-len(seqs) // 3)
    assert phone.pull()["changes"] == []  # nothing new after the last cursor


def test_an_inspector_sees_only_their_own_visits(world: World) -> None:
    insp1, insp2 = world.phone("insp1"), world.phone("insp2")
    colleague = add_user(world, "insp1b", "inspector", regions=["R1"])
    own, m1 = insp1.new_visit(world.site("S1"))
    _theirs, m2 = colleague.new_visit(world.site("S2"))
    insp1.push(m1)
    colleague.push(m2)
    rows = world.phone("insp1").pull_all()  # insp1's other phone: the first one has m1
    assert entities(rows, "visit") == {str(own)}
    assert entities(rows, "site") == {world.site("S1"), world.site("S2")}  # D1 is under R1
    assert entities(insp2.pull_all(), "site") == {world.site("S3")}
    assert len(entities(rows, "template")) == len(list(checklist_dir().glob("*.json")))


def test_a_supervisor_sees_every_visit_of_their_regions_and_departments(world: World) -> None:
    sup = world.phone("sup1")
    insp1, insp2 = world.phone("insp1"), world.phone("insp2")
    colleague = add_user(world, "insp1b", "inspector", regions=["D1"])
    a, m1 = insp1.new_visit(world.site("S1"))
    b, m2 = colleague.new_visit(world.site("S2"))
    _c, m3 = insp2.new_visit(world.site("S3"))
    insp1.push(m1), colleague.push(m2), insp2.push(m3)
    assert entities(sup.pull_all(), "visit") == {str(a), str(b)}


def test_a_site_manager_never_sees_covert_tasks_or_unpublished_results(world: World) -> None:
    mgr, insp = world.phone("mgr1"), world.phone("insp1")
    overt = add_task(world, "S1", "insp1", "overt")
    covert = add_task(world, "S1", "insp1", "covert")
    insp.push(insp.new_visit(world.site("S1"), "store-patrol.v1", "covert", task_id=covert)[1])
    rows = mgr.pull_all()
    assert entities(rows, "visit_task") == {overt}
    assert entities(rows, "visit") == set()
    assert entities(insp.pull_all(), "visit_task") == {overt, covert}


def test_a_changed_scope_or_a_foreign_epoch_answers_with_a_reset(world: World) -> None:
    insp = world.phone("insp1")
    insp.pull_all()
    assert insp.pull()["reset"] is False
    with write_session(world.engine) as s:
        admin.assign(s, admin.get_user(s, "insp1"), regions=["R2"])
    page = insp.pull()
    assert page["reset"] is True  # the feed starts again from the beginning:
    assert {c["entity"] for c in page["changes"]} >= {"template", "site"}
    assert world.site("S3") in {c["id"] for c in page["changes"] if c["entity"] == "site"}
    insp.epoch = "some-other-server.inspector.1"
    assert insp.pull()["reset"] is True


def test_pulled_rows_carry_no_internal_columns(world: World) -> None:
    insp = world.phone("insp1")
    visit_id, create = insp.new_visit(world.site("S1"))
    insp.push(create, insp.answer(visit_id, "1.1", "pass"))
    rows = world.phone("insp1").pull_all()  # another phone of insp1's: it lacks the visit
    for data in rows.values():
        assert data is not None
        assert not {"field_by", "password_hash", "token_hash", "owner_id"} & set(data)
    assert "field_seq" in live(rows[("visit", str(visit_id))])


def test_the_first_page_of_a_fresh_device_is_not_a_reset(world: World) -> None:
    page = world.phone("insp1").pull()
    assert page["reset"] is False and page["changes"]
