"""How a change travels and who may make it, shared by the phone's outbox and the server's
merge: a field value's wire form (fieldcore.records) and the ownership table's checks
(fieldcore.workflow)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.records import RECORDS, checked_values, parse_fields, wire_value
from fieldcore.workflow import (
    Role,
    check_changeable,
    check_photo_parent,
    check_visit_deletable,
    check_writable,
    missing_required,
)

AT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
ID = uuid.UUID(int=42)
SHA = "0123456789abcdef" * 4

# One value per field a mutation may carry, of the type the rows hold.
SAMPLES: dict[str, dict[str, Any]] = {
    "visit": {
        "site_id": ID,
        "template_key": "mall-property.v1",
        "mode": "covert",
        "kind": "surprise",
        "task_id": ID,
        "started_at": AT,
        "finished_at": AT,
        "note": "备注",
        "lat": 31.2304,
        "lon": 121.4737,
        "ack_name": "张三",
        "ack_signature_sha256": SHA,
        "ack_at": AT,
        "ack_refused": True,
        "status": "submitted",
        "return_comment": "补拍",
        "void_reason": "重复",
    },
    "finding": {
        "visit_id": ID,
        "item_code": "1.2",
        "result": "fail",
        "count": 3,
        "value": Decimal("68.5001"),
        "note": "地面湿滑",
        "subject_id": ID,
        "review_comment": "请复核",
    },
    "photo": {
        "visit_id": ID,
        "finding_id": ID,
        "rectification_id": ID,
        "sha256": SHA,
        "byte_size": 123_456,
        "mime": "image/jpeg",
        "width": 4000,
        "height": 3000,
        "captured_at": AT,
        "clock_offset_ms": -5000,
        "lat": -33.5,
        "lon": 151.25,
        "caption": "门口",
        "source": "camera",
        "exif_taken_at": AT,
        "kind": "annotation",
        "annotates_id": ID,
        "annotates_sha256": SHA,
        "marks": '[{"text":"破损","tool":"text","x0":5,"x1":5,"y0":9,"y1":9}]',  # canonical
    },
    "rectification": {
        "due_date": date(2026, 3, 15),
        "instructions": "清理通道",
        "verify_comment": "已整改",
        "status": "verified",
        "response_note": "已清理",
    },
}


def test_every_field_has_a_sample() -> None:
    assert {e: set(s) for e, s in SAMPLES.items()} == {
        e: set(model.model_fields) for e, model in RECORDS.items()
    }


@pytest.mark.parametrize("entity", sorted(SAMPLES))
def test_a_value_survives_its_wire_form(entity: str) -> None:
    sent = json.loads(json.dumps({k: wire_value(v) for k, v in SAMPLES[entity].items()}))
    assert parse_fields(entity, sent) == (SAMPLES[entity], [])


def test_a_decimal_travels_as_exact_text() -> None:
    assert wire_value(Decimal("0.1")) == "0.1"
    assert wire_value(AT) == "2026-03-01T09:30:15.123456+00:00"
    assert wire_value(None) is None


# (entity, role, fields) → the refusal's code and details, or None when allowed
WRITABLE_CASES: list[tuple[str, Role, list[str], tuple[str, dict[str, Any]] | None]] = [
    ("visit", "inspector", ["note", "lat", "lon", "status", "site_id"], None),
    ("visit", "supervisor", ["return_comment", "status"], None),
    (
        "visit",
        "inspector",
        ["note", "return_comment"],
        ("sync.field_not_owned", {"field": "return_comment", "role": "inspector"}),
    ),
    (
        "visit",
        "admin",
        ["score"],  # server-set: no role owns it
        ("sync.field_not_owned", {"field": "score", "role": "admin"}),
    ),
    ("visit", "inspector", ["colour"], ("sync.unknown_field", {"field": "colour"})),
    (
        "finding",
        "supervisor",
        ["review_comment", "result"],
        ("sync.field_not_owned", {"field": "result", "role": "supervisor"}),
    ),
    ("rectification", "site_manager", ["response_note", "status"], None),
    (
        "rectification",
        "site_manager",
        ["due_date"],
        ("sync.field_not_owned", {"field": "due_date", "role": "site_manager"}),
    ),
]


@pytest.mark.parametrize(("entity", "role", "names", "refused"), WRITABLE_CASES)
def test_a_role_writes_only_the_fields_it_owns(
    entity: str, role: Role, names: list[str], refused: tuple[str, dict[str, Any]] | None
) -> None:
    if refused is None:
        check_writable(entity, role, names)
        return
    with pytest.raises(DomainError) as caught:
        check_writable(entity, role, names)
    assert (caught.value.code, caught.value.details) == refused


def test_a_creation_names_the_required_fields_it_lacks_in_table_order() -> None:
    assert missing_required("visit", {"site_id": ID, "mode": None}) == ["template_key", "mode"]
    assert missing_required("finding", {"visit_id": ID, "item_code": "1.1"}) == []
    assert missing_required("photo", {"sha256": SHA}) == ["byte_size", "mime"]
    assert missing_required("rectification", {}) == []  # the server raises them


@pytest.mark.parametrize(
    ("entity", "name", "fixed"),
    [
        ("visit", "mode", True),
        ("visit", "task_id", True),
        ("visit", "note", False),
        ("finding", "item_code", True),
        ("finding", "result", False),
        ("photo", "sha256", True),
        ("photo", "caption", False),
    ],
)
def test_a_create_only_field_never_changes(entity: str, name: str, fixed: bool) -> None:
    if not fixed:
        check_changeable(entity, name)
        return
    with pytest.raises(DomainError) as caught:
        check_changeable(entity, name)
    assert (caught.value.code, caught.value.details) == (
        ProblemCode.SYNC_FIELD_IMMUTABLE,
        {"field": name},
    )


@pytest.mark.parametrize(
    ("status", "role", "allowed"),
    [
        ("draft", "inspector", True),
        ("returned", "inspector", False),  # reviewed once: kept for the record
        ("submitted", "inspector", False),
        ("draft", "supervisor", False),  # reviewers void, never delete
    ],
)
def test_only_its_inspector_deletes_a_visit_and_only_a_draft(
    status: str, role: Role, allowed: bool
) -> None:
    if allowed:
        check_visit_deletable(status, role)
        return
    with pytest.raises(DomainError) as caught:
        check_visit_deletable(status, role)
    assert (caught.value.code, caught.value.details) == (
        ProblemCode.SYNC_DELETE_NOT_ALLOWED,
        {"status": status},
    )


def test_values_out_of_bounds_are_refused_with_every_bad_field_named() -> None:
    with pytest.raises(DomainError) as caught:
        checked_values("visit", {"note": "ok", "lat": 91, "lon": -181})
    assert caught.value.code == ProblemCode.SYNC_INVALID_VALUE
    assert caught.value.details["field"] == "lat"
    assert [p["field"] for p in caught.value.details["problems"]] == ["lat", "lon"]
    assert checked_values("finding", {"count": 2, "value": "1.5"}) == {
        "count": 2,
        "value": Decimal("1.5"),
    }


@pytest.mark.parametrize(
    ("role", "links", "refusal"),
    [
        ("inspector", {"visit_id": "V", "finding_id": "F", "finding_visit_id": "V"}, None),
        ("inspector", {"visit_id": "V", "finding_id": None, "finding_visit_id": None}, None),
        (
            "inspector",
            {"visit_id": "V", "finding_id": "F", "finding_visit_id": "W"},
            "scope.denied",
        ),
        (
            "inspector",
            {"visit_id": "V", "finding_id": "F", "finding_visit_id": None},
            "scope.denied",
        ),
        ("inspector", {"visit_id": "V", "rectification_id": "R"}, "sync.field_not_owned"),
        ("site_manager", {"rectification_id": "R"}, None),
        ("site_manager", {"rectification_id": "R", "visit_id": "V"}, "sync.field_not_owned"),
        ("site_manager", {"rectification_id": "R", "finding_id": "F"}, "sync.field_not_owned"),
    ],
)
def test_what_a_new_photo_may_hang_on(
    role: Role, links: dict[str, object], refusal: str | None
) -> None:
    args: dict[str, object] = {
        "visit_id": None,
        "finding_id": None,
        "finding_visit_id": None,
        "rectification_id": None,
        **links,
    }
    if refusal is None:
        check_photo_parent(role, **args)
        return
    with pytest.raises(DomainError) as err:
        check_photo_parent(role, **args)
    assert err.value.code == refusal
