"""The rules the phone's store and the server's merge share (fieldcore) give the same answer.

Each case is fed to the phone's local store and, as pushed mutations, to the server; both
must end in the same state. A rule that drifts apart on one side fails here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session

from fieldapp.store.capture import CapturedPhoto
from fieldapp.store.tables import FindingRow
from fieldapp.sync.engine import run_sync
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.records import wire_value
from fieldcore.workflow import finding_id
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import write_session
from sync_server.org import admin
from sync_server.sync.effects import score_visit
from sync_server.tables import Finding, Site, Visit
from tests.client.conftest import PhoneApp
from tests.server.world import World

# Answers given in turn to one per-occurrence item (mall-property 1.2), and the count left.
VERDICT_CHANGES: list[tuple[list[dict[str, Any]], int | None]] = [
    ([{"result": "fail", "count": 3}, {"result": "pass"}], None),
    ([{"result": "fail", "count": 3}, {"result": "na"}], None),
    ([{"result": "fail", "count": 3}, {"note": "seen again"}], 3),
    ([{"result": "fail", "count": 3}, {"result": "fail"}], 3),
    ([{"result": "pass"}, {"result": "fail", "count": 2}], 2),
]


def _phone_count(app: PhoneApp, site: uuid.UUID, steps: list[dict[str, Any]]) -> int | None:
    visit = app.store.start_visit(site, "mall-property.v1", "overt")
    for step in steps:
        app.store.record_answer(visit.id, "1.2", **step)
    return app.store.visit_view(visit.id).findings["1.2"].count


def _server_count(world: World, site: str, steps: list[dict[str, Any]]) -> int | None:
    insp = world.phone("insp1").login()
    visit_id, create = insp.new_visit(site)
    insp.push(create)
    for step in steps:
        fields = dict(step)
        results = insp.push(insp.answer(visit_id, "1.2", fields.pop("result", None), **fields))
        assert results[0]["status"] == "applied", results
    with Session(world.engine) as s:
        finding = s.get(Finding, finding_id(visit_id, "1.2"))
        assert finding is not None
        return finding.count


@pytest.mark.parametrize(("steps", "count"), VERDICT_CHANGES)
def test_a_changed_verdict_clears_the_same_detail_on_phone_and_server(
    world: World, phone: Callable[[str], PhoneApp], steps: list[dict[str, Any]], count: int | None
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    on_phone = _phone_count(app, uuid.UUID(world.site("S1")), steps)
    on_server = _server_count(world, world.site("S1"), steps)
    assert on_phone == on_server == count


MALL = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]
NOT_COVERT = {"1.3", "1.5", "4.1", "5.1", "7.1", "9.1"}  # covert_ok: false in mall-property


# A stored answer to an item a covert visit cannot observe (e.g. written by an older build).
@pytest.mark.parametrize("stray", [{"result": "fail", "count": 2}, {"result": "na"}])
def test_an_item_out_of_scope_in_the_mode_does_not_count_on_phone_or_server(
    world: World, phone: Callable[[str], PhoneApp], stray: dict[str, Any]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "covert")
    for code in sorted(set(MALL) - NOT_COVERT):
        failed = code == "2.1"
        app.store.record_answer(
            visit.id, code, "fail" if failed else "pass", count=1 if failed else None
        )
    run_sync(app.store, app.client)
    row = {"id": finding_id(visit.id, "1.3"), "visit_id": visit.id, "item_code": "1.3", **stray}
    with Session(app.store.engine) as s:
        s.add(FindingRow(**row))
        s.commit()
    with Session(world.engine) as s:
        s.add(Finding(**row))
        s.commit()
    on_phone = app.store.visit_view(visit.id).card
    with Session(world.engine) as s:
        server_visit = s.get(Visit, visit.id)
        assert server_visit is not None
        on_server = score_visit(s, server_visit)
    assert on_phone.to_dict() == on_server.to_dict()
    assert [line.item for line in on_server.failed_lines] == ["2.1"]
    assert on_server.complete


# Covert visits on mall-property: (answers to in-scope items, stray stored out-of-scope
# finding or None) → the submit's refusal details, or None when it is accepted.
IN_SCOPE = sorted(set(MALL) - NOT_COVERT)
SUBMIT_CASES: list[tuple[dict[str, str], dict[str, Any] | None, dict[str, Any] | None]] = [
    (dict.fromkeys(IN_SCOPE, "pass"), None, None),
    (
        {c: "pass" for c in IN_SCOPE if c != "6.1"},
        None,
        {"unanswered": ["6.1"], "missing_photos": []},
    ),
    (
        {**dict.fromkeys(IN_SCOPE, "pass"), "2.1": "fail"},
        None,
        {"unanswered": [], "missing_photos": ["2.1"]},
    ),
    # 1.3 requires a photo on failure but cannot be observed covertly: it asks for nothing
    (dict.fromkeys(IN_SCOPE, "pass"), {"result": "fail", "count": 1}, None),
]


def _phone_submit(app: PhoneApp, visit_id: uuid.UUID) -> dict[str, Any] | None:
    try:
        app.store.submit_visit(visit_id)
    except DomainError as exc:
        assert exc.code == ProblemCode.WORKFLOW_INCOMPLETE
        return {k: exc.details[k] for k in ("unanswered", "missing_photos")}
    return None


def _server_submit(world: World, visit_id: uuid.UUID) -> dict[str, Any] | None:
    insp = world.phone("insp1").login()
    (result,) = insp.push(insp.mutation("visit", visit_id, status="submitted"))
    if result["status"] == "applied":
        return None
    assert result["code"] == "workflow.incomplete", result
    return {k: result["details"][k] for k in ("unanswered", "missing_photos")}


@pytest.mark.parametrize(("answers", "stray", "refused"), SUBMIT_CASES)
def test_submit_completeness_is_judged_alike_on_phone_and_server(
    world: World,
    phone: Callable[[str], PhoneApp],
    answers: dict[str, str],
    stray: dict[str, Any] | None,
    refused: dict[str, Any] | None,
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "covert")
    for code, result in answers.items():
        app.store.record_answer(visit.id, code, result, count=1 if result == "fail" else None)
    run_sync(app.store, app.client)  # the server holds the same draft
    if stray is not None:
        row: dict[str, Any] = {
            "id": finding_id(visit.id, "1.3"),
            "visit_id": visit.id,
            "item_code": "1.3",
        }
        with Session(app.store.engine) as s:
            s.add(FindingRow(**row, **stray))
            s.commit()
        with Session(world.engine) as s:
            s.add(Finding(**row, **stray))
            s.commit()
    assert _phone_submit(app, visit.id) == _server_submit(world, visit.id) == refused


# (template, mode, item, answers given in turn) → the last answer's verdict ("applied" or
# the problem code) and the result stored for the item afterwards
ANSWER_CASES: list[tuple[str, str, str, list[dict[str, Any]], str, str | None]] = [
    ("mall-property.v1", "overt", "1.2", [{"result": "fail", "count": 3}], "applied", "fail"),
    ("mall-property.v1", "overt", "1.2", [{"count": 3}], "answers.invalid_result", None),
    (
        "mall-property.v1",
        "overt",
        "1.2",
        [{"result": "pass", "count": 2}],
        "answers.invalid_count",
        None,
    ),
    (
        "mall-property.v1",
        "overt",
        "1.2",
        [{"result": "pass"}, {"count": 2}],
        "answers.invalid_count",
        "pass",
    ),
    ("mall-property.v1", "overt", "1.1", [{"result": "na"}], "answers.na_not_allowed", None),
    ("mall-property.v1", "overt", "9.9", [{"note": "x"}], "answers.unknown_item", None),
    (
        "mall-property.v1",
        "covert",
        "1.3",
        [{"result": "fail", "count": 1}],
        "answers.item_not_in_mode",
        None,
    ),
    ("mall-property.v1", "covert", "1.3", [{"note": "seen"}], "applied", None),
    ("tobacco-retail.v1", "overt", "AM.7", [{"value": "95"}], "applied", "pass"),
    ("tobacco-retail.v1", "overt", "AM.7", [{"value": "80"}], "applied", "fail"),
    (
        "tobacco-retail.v1",
        "overt",
        "AM.7",
        [{"result": "pass", "value": "80"}],
        "answers.result_contradicts_value",
        None,
    ),
    ("tobacco-retail.v1", "overt", "AM.7", [{"result": "fail"}], "answers.value_required", None),
]


def _phone_answers(
    app: PhoneApp, site: uuid.UUID, key: str, mode: str, code: str, steps: list[dict[str, Any]]
) -> tuple[str, str | None]:
    visit = app.store.start_visit(site, key, mode)
    verdict = "applied"
    for step in steps:
        typed = {k: Decimal(v) if k == "value" else v for k, v in step.items()}
        try:
            app.store.record_answer(visit.id, code, **typed)
            verdict = "applied"
        except DomainError as exc:
            assert exc.details == {"item": code}
            verdict = str(exc.code)
    finding = app.store.visit_view(visit.id).findings.get(code)
    return verdict, None if finding is None else finding.result


def _server_answers(
    world: World, site: str, key: str, mode: str, code: str, steps: list[dict[str, Any]]
) -> tuple[str, str | None]:
    insp = world.phone("insp1").login()
    visit_id, create = insp.new_visit(site, key, mode)
    assert insp.push(create)[0]["status"] == "applied"
    verdict = "applied"
    for step in steps:
        fields = dict(step)
        (result,) = insp.push(insp.answer(visit_id, code, fields.pop("result", None), **fields))
        verdict = result["code"] or result["status"]
        if result["status"] != "applied":
            assert result["details"] == {"item": code}
    with Session(world.engine) as s:
        finding = s.get(Finding, finding_id(visit_id, code))
        return verdict, None if finding is None else finding.result


@pytest.mark.parametrize(("key", "mode", "code", "steps", "verdict", "stored"), ANSWER_CASES)
def test_one_answer_is_judged_alike_on_phone_and_server(
    world: World,
    phone: Callable[[str], PhoneApp],
    key: str,
    mode: str,
    code: str,
    steps: list[dict[str, Any]],
    verdict: str,
    stored: str | None,
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    on_phone = _phone_answers(app, uuid.UUID(world.site("S1")), key, mode, code, steps)
    on_server = _server_answers(world, world.site("S1"), key, mode, code, steps)
    assert on_phone == on_server == (verdict, stored)


# Changes to an overt draft visit's own fields by its inspector → verdict ("applied" or the
# problem code) and its details
STARTED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
VISIT_FIELD_CASES: list[tuple[dict[str, Any], str, dict[str, Any]]] = [
    ({"note": "门口堆放杂物", "lat": 31.23, "lon": 121.47}, "applied", {}),
    ({"started_at": STARTED}, "applied", {}),
    ({"mode": "overt"}, "applied", {}),  # create-only, unchanged
    ({"mode": "covert"}, "sync.field_immutable", {"field": "mode"}),
    (
        {"return_comment": "补拍"},
        "sync.field_not_owned",
        {"field": "return_comment", "role": "inspector"},
    ),
    ({"score": 90}, "sync.field_not_owned", {"field": "score", "role": "inspector"}),
    ({"colour": "red"}, "sync.unknown_field", {"field": "colour"}),
]


@pytest.mark.parametrize(("fields", "verdict", "details"), VISIT_FIELD_CASES)
def test_a_visit_field_change_is_judged_alike_on_phone_and_server(
    world: World,
    phone: Callable[[str], PhoneApp],
    fields: dict[str, Any],
    verdict: str,
    details: dict[str, Any],
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    try:
        app.store.set_visit_fields(visit.id, **fields)
        on_phone: tuple[str, dict[str, Any]] = ("applied", {})
    except DomainError as exc:
        on_phone = (str(exc.code), exc.details)
    insp = world.phone("insp1").login()
    visit_id, create = insp.new_visit(world.site("S1"))
    wired: dict[str, Any] = {k: wire_value(v) for k, v in fields.items()}
    _, (result,) = insp.push(create), insp.push(insp.mutation("visit", visit_id, **wired))
    on_server = (result["code"] or result["status"], result["details"])
    assert on_phone == on_server == (verdict, details)


@pytest.mark.parametrize(
    ("submitted", "verdict"), [(False, "applied"), (True, "sync.delete_not_allowed")]
)
def test_deleting_a_visit_is_judged_alike_on_phone_and_server(
    world: World, phone: Callable[[str], PhoneApp], submitted: bool, verdict: str
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    if submitted:
        for code in MALL:
            app.store.record_answer(visit.id, code, "pass")
        app.store.submit_visit(visit.id)
    run_sync(app.store, app.client)  # the server holds the same visit
    try:
        app.store.delete_draft(visit.id)
        on_phone: tuple[str, dict[str, Any]] = ("applied", {})
    except DomainError as exc:
        on_phone = (str(exc.code), exc.details)
    insp = world.phone("insp1").login()
    (result,) = insp.push(insp.mutation("visit", visit.id, op="delete"))
    on_server = (result["code"] or result["status"], result["details"])
    expected = {"status": "submitted"} if submitted else {}
    assert on_phone == on_server == (verdict, expected)


@pytest.mark.parametrize(
    ("key", "mode", "verdict"),
    [
        ("tobacco-retail.v1", "overt", ("applied", {})),
        (
            "tobacco-retail.v1",
            "covert",  # an overt-only template
            ("answers.mode_not_allowed", {"field": "mode", "mode": "covert"}),
        ),
    ],
)
def test_a_visits_mode_is_judged_alike_on_phone_and_server(
    world: World,
    phone: Callable[[str], PhoneApp],
    key: str,
    mode: str,
    verdict: tuple[str, dict[str, Any]],
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    try:
        app.store.start_visit(uuid.UUID(world.site("S1")), key, mode)
        on_phone: tuple[str, dict[str, Any]] = ("applied", {})
    except DomainError as exc:
        on_phone = (str(exc.code), exc.details)
    insp = world.phone("insp1").login()
    (result,) = insp.push(insp.new_visit(world.site("S1"), key, mode)[1])
    on_server = (result["code"] or result["status"], result["details"])
    assert on_phone == on_server == verdict


# Values out of the bounds the server stores (PROTOCOL.md, Bounds), by their field
BAD_VALUES: list[tuple[str, dict[str, Any]]] = [
    ("visit", {"note": "长" * 4001}),
    ("visit", {"lat": 90.5, "lon": 200}),
    ("finding", {"result": "fail", "count": 1, "note": "\x00"}),
    ("finding", {"note": "x" * 4001}),
]


def _phone_refusal(app: PhoneApp, visit_id: uuid.UUID, entity: str, fields: dict[str, Any]) -> Any:
    try:
        if entity == "visit":
            app.store.set_visit_fields(visit_id, **fields)
        else:
            app.store.record_answer(visit_id, "1.2", **fields)
    except DomainError as exc:
        return str(exc.code), exc.details
    return "applied", {}


@pytest.mark.parametrize(("entity", "fields"), BAD_VALUES)
def test_a_value_out_of_bounds_is_refused_alike_on_phone_and_server(
    world: World, phone: Callable[[str], PhoneApp], entity: str, fields: dict[str, Any]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    on_phone = _phone_refusal(app, visit.id, entity, fields)
    insp = world.phone("insp1").login()
    visit_id, create = insp.new_visit(world.site("S1"))
    insp.push(create)
    sent = dict(fields)
    if entity == "visit":
        (result,) = insp.push(insp.mutation("visit", visit_id, **sent))
    else:
        (result,) = insp.push(insp.answer(visit_id, "1.2", sent.pop("result", None), **sent))
    on_server = (result["code"] or result["status"], result["details"])
    assert on_phone == on_server
    assert on_phone[0] == "sync.invalid_value"


def test_a_photo_on_a_finding_of_another_visit_is_refused_on_phone_and_server(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    """Evidence hangs on its own visit's finding (fieldcore.workflow.check_photo_parent)."""
    app = phone("insp1")
    run_sync(app.store, app.client)
    site = uuid.UUID(world.site("S1"))
    first = app.store.start_visit(site, "mall-property.v1", "overt")
    other = app.store.start_visit(site, "mall-property.v1", "overt")
    app.store.record_answer(other.id, "1.2", result="fail", count=1)
    shot = CapturedPhoto("ef" * 32, "x.jpg", "x.t.jpg", 1000, 800, 600, datetime.now(UTC), 0)
    with pytest.raises(DomainError) as refused:
        app.store.attach_photo(shot, visit_id=first.id, finding_id_=finding_id(other.id, "1.2"))
    on_phone = (str(refused.value.code), refused.value.details["entity"])

    insp = world.phone("insp1").login()
    mine, create_mine = insp.new_visit(world.site("S1"))
    theirs, create_theirs = insp.new_visit(world.site("S1"))
    insp.push(create_mine, create_theirs, insp.answer(theirs, "1.2", "fail", count=1))
    row: dict[str, Any] = {"sha256": "ef" * 32, "byte_size": 1000, "mime": "image/jpeg"}
    bad = insp.mutation(
        "photo", uuid.uuid4(), visit_id=mine, finding_id=finding_id(theirs, "1.2"), **row
    )
    (result,) = insp.push(bad)
    on_server = (result["code"], result["details"]["entity"])
    assert on_phone == on_server == ("scope.denied", "finding")


def _subject(world: World, site_code: str, post: str) -> uuid.UUID:
    """A person (post) at a site, created on the server as an administrator does."""
    with write_session(world.engine) as s:
        changes = ChangeSet(s)
        site = s.get(Site, uuid.UUID(world.site(site_code)))
        assert site is not None
        subject = admin.add_subject(s, changes, site, post, name=f"{post}@{site_code}")
        changes.assign_seqs()
        return subject.id


def test_a_finding_naming_a_person_of_another_site_is_refused_on_phone_and_server(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    """A finding's person belongs to the visit's site (workflow.check_subject_of_site)."""
    here, elsewhere = _subject(world, "S1", "clerk"), _subject(world, "S2", "clerk")
    app = phone("insp1")
    run_sync(app.store, app.client)  # the phone now holds both sites' people
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    app.store.record_answer(visit.id, "1.2", result="fail", count=1, subject_id=here)
    with pytest.raises(DomainError) as refused:
        app.store.record_answer(visit.id, "1.2", subject_id=elsewhere)
    on_phone = (str(refused.value.code), refused.value.details["entity"])
    assert app.store.visit_view(visit.id).findings["1.2"].subject_id == here  # unchanged

    insp = world.phone("insp1").login()
    visit_id, create = insp.new_visit(world.site("S1"))
    ok = insp.answer(visit_id, "1.2", "fail", count=1, subject_id=str(here))
    assert [r["status"] for r in insp.push(create, ok)] == ["applied", "applied"]
    (result,) = insp.push(insp.answer(visit_id, "1.2", "fail", count=1, subject_id=str(elsewhere)))
    on_server = (result["code"], result["details"]["entity"])
    assert on_phone == on_server == ("scope.denied", "subject")
