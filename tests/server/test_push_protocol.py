"""Push: exactly once, no gaps, rejections that never block, ownership, scope, conflicts."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from fieldcore.workflow import finding_id
from sync_server.sync.merge.results import all_stored_results
from sync_server.tables import ConflictLog, Finding, Visit
from tests.server.world import World, live

pytestmark = (
    pytest.mark.postgres
)  # the dialect matters: the merge: row locks, upserts, conflict stamps


def codes(results: list[dict]) -> list[str]:
    return [r["status"] if r["status"] == "applied" else r["code"] for r in results]


def count(engine: sa.Engine, model: type) -> int:
    with Session(engine) as s:
        return len(s.exec(select(model)).all())


def test_a_resent_batch_returns_the_stored_results_and_applies_nothing_twice(world: World) -> None:
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(world.site("S1"))
    batch = [
        create,
        phone.answer(visit_id, "1.1", "fail", count=2),
        phone.answer(visit_id, "no.such", "pass"),
    ]
    first = phone.push_raw(batch).json()
    again = phone.push_raw(batch).json()  # the response was lost: the phone sends it again
    assert codes(first["results"]) == ["applied", "applied", "answers.unknown_item"]
    assert again["results"] == first["results"]
    assert again["last_mutation_seq"] == first["last_mutation_seq"] == 3
    assert count(world.engine, Visit) == 1 and count(world.engine, Finding) == 1
    with Session(world.engine) as s:
        assert len(all_stored_results(s)) == 3


def test_an_overlapping_resend_applies_only_the_new_mutations(world: World) -> None:
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(world.site("S1"))
    m1, m2 = create, phone.answer(visit_id, "1.1", "pass")
    phone.push(m1, m2)
    m3 = phone.mutation("visit", visit_id, note="门口有积水")
    results = phone.push(m1, m2, m3)
    assert codes(results) == ["applied", "applied", "applied"]
    with Session(world.engine) as s:
        assert s.get_one(Visit, visit_id).note == "门口有积水"


def test_a_gap_is_refused_and_nothing_is_applied(world: World) -> None:
    phone = world.phone("insp1")
    _visit_id, create = phone.new_visit(world.site("S1"))
    create["seq"] = 5  # mutations 1..4 never arrived
    r = phone.push_raw([create])
    assert r.status_code == 409
    assert r.json()["code"] == "sync.mutation_gap"
    assert r.json()["details"]["expected"] == 1
    assert count(world.engine, Visit) == 0


def test_a_batch_with_holes_inside_is_refused(world: World) -> None:
    phone = world.phone("insp1")
    _, a = phone.new_visit(world.site("S1"))
    _, b = phone.new_visit(world.site("S1"))
    b["seq"] = 3
    r = phone.push_raw([a, b])
    assert (r.status_code, r.json()["code"]) == (400, "sync.batch_not_contiguous")
    assert count(world.engine, Visit) == 0


def test_a_poison_mutation_is_consumed_and_the_queue_moves_on(world: World) -> None:
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(world.site("S1"))
    poison = phone.mutation(
        "visit", uuid.uuid4(), site_id=world.site("S1"), template_key="no-such.v1", mode="overt"
    )
    after = phone.answer(visit_id, "2.1", "pass")
    results = phone.push(create, poison, after)
    assert codes(results) == ["applied", "template.not_found", "applied"]
    assert phone.push_raw([]).json()["last_mutation_seq"] == 3


def test_every_field_rule_is_enforced_per_mutation(world: World) -> None:
    insp, sup = world.phone("insp1"), world.phone("sup1")
    visit_id, create = insp.new_visit(world.site("S1"))
    insp.push(create, insp.answer(visit_id, "1.1", "pass"))
    fid = finding_id(visit_id, "1.1")
    results = insp.push(
        insp.mutation("finding", fid, review_comment="self-approved"),  # supervisor's field
        insp.mutation("visit", visit_id, score={"total": 100}),  # server-set
        insp.mutation("visit", visit_id, colour="red"),
        insp.mutation("visit", visit_id, mode="covert"),  # fixed once created
        insp.mutation("visit", visit_id, lat=123.0),
        insp.mutation("finding", fid, count=0),
        insp.mutation("visit", uuid.uuid4(), site_id=world.site("S1")),  # no template, mode
    )
    assert codes(results) == [
        "sync.field_not_owned",
        "sync.field_not_owned",
        "sync.unknown_field",
        "sync.field_immutable",
        "sync.invalid_value",
        "sync.invalid_value",
        "sync.missing_field",
    ]
    assert codes(sup.push(sup.mutation("finding", fid, result="fail"))) == ["sync.field_not_owned"]


def test_answers_are_validated_against_the_template_item(world: World) -> None:
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(world.site("S1"), "store-patrol.v1", "covert")
    results = phone.push(
        create,
        phone.answer(visit_id, "1.2", "fail", count=2),  # a fixed item takes no count
        phone.answer(visit_id, "1.4", "fail"),  # a records item: not checked covertly
        phone.answer(visit_id, "9.9", "pass"),
    )
    assert codes(results) == [
        "applied",
        "answers.invalid_count",
        "answers.item_not_in_mode",
        "answers.unknown_item",
    ]


def test_a_finding_id_must_be_derived_from_visit_and_item(world: World) -> None:
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(world.site("S1"))
    wrong = phone.mutation(
        "finding", uuid.uuid4(), visit_id=visit_id, item_code="1.1", result="pass"
    )
    assert codes(phone.push(create, wrong)) == ["applied", "sync.id_mismatch"]


def test_two_devices_answering_the_same_item_write_one_finding(world: World) -> None:
    a, b = world.phone("insp1"), world.phone("insp1")
    visit_id, create = a.new_visit(world.site("S1"))
    a.push(create)
    a.push(a.answer(visit_id, "1.1", "fail", count=1, note="A"))
    b.push(b.answer(visit_id, "1.1", "fail", count=3, note="B"))
    with Session(world.engine) as s:
        findings = s.exec(select(Finding).where(Finding.visit_id == visit_id)).all()
        assert [(f.count, f.note) for f in findings] == [(3, "B")]


def test_an_overwritten_concurrent_edit_is_kept_in_the_conflict_log(world: World) -> None:
    a, b = world.phone("insp1"), world.phone("insp1")
    visit_id, create = a.new_visit(world.site("S1"))
    a.push(create, a.mutation("visit", visit_id, note="v1"))
    seen = live(b.pull_all()[("visit", str(visit_id))])["field_seq"]["note"]
    a.push(a.mutation("visit", visit_id, note="A edits again", base_seq={"note": seen}))
    a.push(a.mutation("visit", visit_id, note="A once more", base_seq={"note": seen}))  # own: fine
    b.push(b.mutation("visit", visit_id, note="B never saw A", base_seq={"note": seen}))
    with Session(world.engine) as s:
        logs = s.exec(select(ConflictLog)).all()
        assert [(c.field, c.overwritten_value, c.winning_value) for c in logs] == [
            ("note", "A once more", "B never saw A")
        ]
        assert s.get_one(Visit, visit_id).note == "B never saw A"


def test_supervisor_and_inspector_fields_of_one_row_never_overwrite_each_other(
    world: World,
) -> None:
    insp, sup = world.phone("insp1"), world.phone("sup1")
    visit_id, create = insp.new_visit(world.site("S1"))
    insp.push(create, insp.answer(visit_id, "1.1", "fail", count=1, note="积水"))
    fid = finding_id(visit_id, "1.1")
    sup.push(sup.mutation("finding", fid, review_comment="请补充位置"))
    insp.push(insp.mutation("finding", fid, note="积水,入口左侧"))
    with Session(world.engine) as s:
        f = s.get_one(Finding, fid)
        assert (f.note, f.review_comment) == ("积水,入口左侧", "请补充位置")
        assert s.exec(select(ConflictLog)).all() == []


def test_rows_and_parents_outside_the_callers_scope_are_denied(world: World) -> None:
    insp1, insp2 = world.phone("insp1"), world.phone("insp2")
    visit_id, create = insp1.new_visit(world.site("S1"))
    insp1.push(create)
    _, foreign_site = insp1.new_visit(world.site("S3"))  # S3 is in 华南, not insp1's region
    results = insp2.push(
        insp2.answer(visit_id, "1.1", "fail"),  # insp1's visit
        insp2.mutation("visit", visit_id, note="hijack"),
        insp2.mutation(
            "photo",
            uuid.uuid4(),
            visit_id=visit_id,
            sha256="b" * 64,
            byte_size=10,
            mime="image/jpeg",
        ),
    )
    assert codes(results) == ["scope.denied"] * 3
    assert codes(insp1.push(foreign_site)) == ["scope.denied"]
    assert all("hijack" not in r.get("message", "") for r in results)


def test_deleting_a_finding_sends_a_tombstone_and_answering_again_revives_it(world: World) -> None:
    phone, other = world.phone("insp1"), world.phone("insp1")
    visit_id, create = phone.new_visit(world.site("S1"))
    fid = finding_id(visit_id, "1.1")
    phone.push(create, phone.answer(visit_id, "1.1", "fail", count=1))
    assert live(other.pull_all()[("finding", str(fid))])["result"] == "fail"
    phone.push(phone.mutation("finding", fid, op="delete"))
    assert other.pull_all()[("finding", str(fid))] is None
    phone.push(phone.answer(visit_id, "1.1", "pass"))
    assert live(other.pull_all()[("finding", str(fid))])["result"] == "pass"


def test_only_draft_visits_are_deleted_and_their_children_go_with_them(world: World) -> None:
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(world.site("S1"))
    phone.push(create, phone.answer(visit_id, "1.1", "pass"))
    assert codes(phone.push(phone.mutation("visit", visit_id, op="delete"))) == ["applied"]
    rows = phone.pull_all()
    assert rows[("visit", str(visit_id))] is None
    assert rows[("finding", str(finding_id(visit_id, "1.1")))] is None
    assert codes(phone.push(phone.answer(visit_id, "1.2", "pass"))) == ["sync.row_deleted"]


def test_a_push_cannot_name_another_device(world: World) -> None:
    phone = world.phone("insp1")
    r = phone.client.post(
        "/v1/sync/push",
        headers=phone.headers,
        json={"device_id": str(uuid.uuid4()), "mutations": []},
    )
    assert (r.status_code, r.json()["code"]) == (422, "request.invalid")


def test_too_many_mutations_in_one_push_is_refused(world: World, settings) -> None:
    phone = world.phone("insp1")
    world.state.settings.max_mutations = 3
    muts = [phone.new_visit(world.site("S1"))[1] for _ in range(4)]
    r = phone.push_raw(muts)
    assert (r.status_code, r.json()["code"]) == (413, "sync.too_many_mutations")
