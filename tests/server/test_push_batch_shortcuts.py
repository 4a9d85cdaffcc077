"""The push path's per-batch shortcuts (issue 15) answer as checking each mutation alone did:
an answer checked once per process and template version, a finding id checked without
building it, bulk inserts that leave out columns NULL in every row of a chunk."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from fieldcore.answers import Answer
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import Mutation
from fieldcore.records import checked_values, wire_value
from fieldcore.workflow import finding_id
from sync_server.core.changeset import _nullable
from sync_server.sync.merge.fields import parse_batch
from sync_server.sync.merge.visits import checked_answer
from sync_server.tables import ChangeLog, Finding, Photo, Rectification, Visit
from sync_server.tables.base import Synced, _plan, new_row
from tests.core.factories import item, make_template
from tests.core.test_field_rules import SAMPLES
from tests.server.test_visit_workflow import complete_visit
from tests.server.world import World

pytestmark = pytest.mark.postgres  # inserts and defaults differ per dialect


def codes(results: list[dict]) -> list[str]:
    return [r["status"] if r["status"] == "applied" else r["code"] for r in results]


def test_a_repeated_answer_is_judged_alike_and_a_refused_one_writes_nothing(
    world: World, engine: sa.Engine
) -> None:
    phone = world.phone("insp1")
    site = world.site("S1")
    a, create_a = phone.new_visit(site)
    b, create_b = phone.new_visit(site)
    results = phone.push(
        create_a,
        create_b,
        phone.answer(a, "1.1", "fail", count=2),
        phone.answer(b, "1.3", "pass", count=2),  # a count needs fail: refused
        phone.answer(b, "1.1", "fail", count=2),  # the same answer as a's: applied
        phone.answer(b, "1.2", "pass", count=2),  # refused again, not remembered as valid
        phone.answer(a, "1.2", "pass"),
        phone.answer(b, "1.4", "pass"),  # count left out: NULL beside a's 2 in one chunk
        phone.mutation("finding", uuid.uuid4(), visit_id=b, item_code="2.1", result="pass"),
    )
    assert codes(results) == [
        "applied",
        "applied",
        "applied",
        "answers.invalid_count",
        "applied",
        "answers.invalid_count",
        "applied",
        "applied",
        "sync.id_mismatch",
    ]
    assert results[8]["details"]["expected"] == str(finding_id(b, "2.1"))
    with Session(engine) as s:
        rows = {(f.visit_id, f.item_code): f for f in s.exec(select(Finding)).all()}
        logged = {log.entity_id for log in s.exec(select(ChangeLog)).all()}
    assert set(rows) == {(a, "1.1"), (b, "1.1"), (a, "1.2"), (b, "1.4")}
    assert (rows[(a, "1.1")].count, rows[(b, "1.1")].count) == (2, 2)
    assert (rows[(a, "1.2")].count, rows[(b, "1.4")].count) == (None, None)
    assert rows[(b, "1.4")].subject_id is None and rows[(b, "1.4")].deleted_at is None
    for refused in (finding_id(b, "1.3"), finding_id(b, "1.2"), finding_id(b, "2.1")):
        assert str(refused) not in logged  # nothing of a refused mutation is kept


def test_a_column_left_out_of_a_bulk_insert_is_null_in_the_database(engine: sa.Engine) -> None:
    """Leaving a column out of an INSERT stores its default: only columns whose migrated
    schema has none (so NULL, as binding None) may be left out (ChangeSet._insert_new)."""
    inspector = sa.inspect(engine)
    for model in (Visit, Finding, Photo, Rectification):
        columns = {c["name"]: c for c in inspector.get_columns(model.__table__.name)}
        for name in _nullable(model):
            assert columns[name]["nullable"], (model.__tablename__, name)
            assert columns[name].get("default") is None, (model.__tablename__, name)


@pytest.mark.parametrize("model", [Visit, Finding, Photo, Rectification])
def test_new_row_builds_what_the_model_constructor_builds(model: type[Synced]) -> None:
    """tables/base.new_row skips pydantic and SQLModel's __new__: the row must be the one
    `model(**values)` gives, ORM state included (an ORM state of its own)."""
    given: dict[Any, Any] = {uuid.UUID: uuid.uuid4(), str: "1.1", int: 7, date: date(2026, 5, 1)}
    values: dict[str, Any] = {
        name: given[model.model_fields[name].annotation] for name in _plan(model).required
    }
    built, made = new_row(model, **values), model(**values)

    def plain(row: Any) -> dict[str, Any]:
        return {k: v for k, v in row.__dict__.items() if k != "_sa_instance_state"}

    # default factories make fresh values (ids, times): compare which names they fill
    assert plain(built).keys() == plain(made).keys()
    assert {k: plain(built)[k] for k in values} == {k: plain(made)[k] for k in values}
    assert built.__pydantic_fields_set__ == made.__pydantic_fields_set__ == set(values)
    assert built.__pydantic_extra__ is made.__pydantic_extra__ is None
    assert built.__pydantic_private__ is made.__pydantic_private__
    state = sa.inspect(built)
    assert state.transient and state.obj() is built and state.class_ is model


def test_new_row_refuses_a_row_without_a_required_field() -> None:
    with pytest.raises(TypeError, match=r"^Finding\.item_code is required$"):
        new_row(Finding, id=uuid.uuid4(), visit_id=uuid.uuid4())
    with pytest.raises(TypeError, match=r"^Finding\.id is required$"):
        new_row(Finding)  # the first missing name by its order


def test_a_visit_locked_or_deleted_earlier_in_the_push_refuses_later_answers(
    world: World,
) -> None:
    """A visit's template and mode are read once per push (merge/context.VisitFacts); its
    status and tombstone, which the same push may change, are read live."""
    phone = world.phone("insp1")
    site = world.site("S1")
    done, muts = complete_visit(phone, site, {})
    gone, create_gone = phone.new_visit(site)
    results = phone.push(
        *muts,
        create_gone,
        phone.answer(gone, "1.1", "pass"),
        phone.mutation("visit", done, status="submitted"),
        phone.answer(done, "1.1", "fail", count=1),  # after the submit: locked
        phone.mutation("visit", gone, op="delete"),
        phone.answer(gone, "1.2", "pass"),  # after the delete: gone
    )
    assert codes(results)[len(muts) :] == [
        "applied",
        "applied",
        "applied",
        "workflow.locked",
        "applied",
        "sync.row_deleted",
    ]


def test_fields_validated_as_a_batch_are_those_validated_alone() -> None:
    """merge/fields.parse_batch gives each mutation what checked_values gives it; an entity
    whose batch holds a bad value is left out, to be validated (and refused) one by one."""
    sent = {
        entity: json.loads(json.dumps({k: wire_value(v) for k, v in SAMPLES[entity].items()}))
        for entity in SAMPLES
    }
    batch = [
        Mutation(seq=1, entity="visit", id=uuid.uuid4(), fields=sent["visit"]),
        Mutation(seq=2, entity="finding", id=uuid.uuid4(), fields=sent["finding"]),
        Mutation(seq=3, entity="photo", id=uuid.uuid4(), fields=sent["photo"]),
        Mutation(seq=4, entity="rectification", id=uuid.uuid4(), fields=sent["rectification"]),
        Mutation(seq=5, entity="finding", id=uuid.uuid4(), fields={"count": 2, "value": "1.5"}),
        Mutation(seq=6, entity="photo", id=uuid.uuid4(), fields={"byte_size": 0}),  # bad
        Mutation(seq=7, entity="visit", id=uuid.uuid4(), op="delete"),
    ]
    parsed = parse_batch(batch)
    assert set(parsed) == {1, 2, 4, 5, 7}  # not the photos: one of them is refused
    for m in batch:
        if m.seq in parsed:
            assert parsed[m.seq] == checked_values(m.entity, m.fields)
            assert list(parsed[m.seq]) == list(m.fields)  # the names sent, in their order
    assert parsed[5] == {"count": 2, "value": Decimal("1.5")}


@pytest.mark.dialect_free
def test_a_kept_answer_belongs_to_its_template_version_and_a_refusal_is_never_kept() -> None:
    """checked_answer keeps valid answers for the process by the parsed template object:
    two templates of one key (two databases served by one process) share none, and a
    refused answer is refused again every time."""
    allows = make_template([{"code": "A", "title": "甲", "max": 10, "items": [item("A.1")]}])
    refuses = make_template(
        [{"code": "A", "title": "甲", "max": 10, "items": [item("A.1", na_allowed=False)]}]
    )
    assert allows.key == refuses.key
    assert checked_answer(allows, "overt", "A.1", "na", None, None) == Answer("na")
    for _ in range(2):
        with pytest.raises(DomainError) as caught:
            checked_answer(refuses, "overt", "A.1", "na", None, None)
        assert caught.value.code == ProblemCode.ANSWERS_NA_NOT_ALLOWED
    assert checked_answer(allows, "overt", "A.1", "na", None, None) == Answer("na")
