"""What one push costs in statements is fixed (issue 15 §2/§3): it does not grow with the
number of mutations, and a caller whose scope is cached pays one statement to be
authenticated. Counted with a SQLAlchemy event listener, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from sync_server.bench.merge import TEMPLATE, scored_items
from tests.server.world import Phone, World

pytestmark = pytest.mark.postgres  # statements differ per dialect (sequence vs counter)


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def on_exec(_c: object, _cur: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", on_exec)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_exec)


def push_visit(phone: Phone, site: str, findings: int) -> list[dict[str, object]]:
    visit, create = phone.new_visit(site, template_key=TEMPLATE)
    answers = [phone.answer(visit, code, "pass") for code in scored_items()[:findings]]
    return phone.push(create, *answers)


def test_a_push_runs_as_many_statements_for_4_findings_as_for_40(
    world: World, engine: sa.Engine
) -> None:
    phone = world.phone("insp1")
    site = world.site("S1")
    push_visit(phone, site, 1)  # the scope is cached from here on
    counts = []
    for findings in (4, 40):
        with statements(engine) as seen:
            results = push_visit(phone, site, findings)
        assert [r["status"] for r in results] == ["applied"] * (findings + 1)
        counts.append(len(seen))
    assert len(scored_items()) >= 40
    assert counts[0] == counts[1]


def test_a_push_with_its_scope_cached_is_authenticated_by_one_statement(
    world: World, engine: sa.Engine
) -> None:
    phone = world.phone("insp1")
    site = world.site("S1")
    push_visit(phone, site, 1)
    with statements(engine) as seen:
        push_visit(phone, site, 3)
    before_write = []
    for statement in seen:
        if statement.startswith("BEGIN IMMEDIATE") or "FOR UPDATE" in statement:
            break  # the write transaction: SQLite's BEGIN, PostgreSQL's device lock
        before_write.append(statement)
    reads = [s for s in before_write if not s.startswith("BEGIN")]
    assert len(reads) == 1 and "FROM device" in reads[0], reads
    assert not any(s.split()[0] in ("INSERT", "UPDATE", "DELETE") for s in before_write)


def test_a_device_never_seen_is_refused_by_that_one_statement(
    world: World, engine: sa.Engine
) -> None:
    phone = world.phone("insp1")
    phone.token = "not-a-token-" + uuid.uuid4().hex
    with statements(engine) as seen:
        r = phone.push_raw([])
    assert r.status_code == 401 and r.json()["code"] == "auth.token_invalid"
    assert len([s for s in seen if not s.startswith("BEGIN")]) == 1
