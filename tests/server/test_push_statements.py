"""What one push costs in statements is fixed (issue 15 §2/§3): it does not grow with the
number of mutations, and a caller whose scope is cached pays one statement to be
authenticated. Counted with a SQLAlchemy event listener, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from sync_server.bench.merge import TEMPLATE, scored_items
from tests.server.world import Phone, World
from tests.serverkit import statements_sent

pytestmark = pytest.mark.postgres  # statements differ per dialect (sequence vs counter)


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
        with statements_sent(engine) as seen:
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
    with statements_sent(engine) as seen:
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
    with statements_sent(engine) as seen:
        r = phone.push_raw([])
    assert r.status_code == 401 and r.json()["code"] == "auth.token_invalid"
    assert len([s for s in seen if not s.startswith("BEGIN")]) == 1


def test_on_postgresql_what_a_push_writes_after_its_seqs_goes_in_batches(
    world: World, engine: sa.Engine
) -> None:
    """Its new rows and change log in one, then the savepoint's release, its results and
    the device's mark in another: no statement after the seqs waits for its own answer."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs in the process: there are no round trips")
    phone = world.phone("insp1")
    site = world.site("S1")
    push_visit(phone, site, 1)
    sent: list[tuple[str, bool]] = []  # (statement's start, sent in a batch)

    def on_exec(conn: sa.Connection, _cur: object, statement: str, *_: object) -> None:
        raw: Any = conn.connection.driver_connection
        sent.append((" ".join(statement.split()[:3]), raw.pgconn.pipeline_status != 0))

    event.listen(engine, "before_cursor_execute", on_exec)
    try:
        push_visit(phone, site, 3)
    finally:
        event.remove(engine, "before_cursor_execute", on_exec)
    seqs = sent.index(("SELECT take_change_seqs(%(n)s)", False))
    assert not any(batched for _, batched in sent[:seqs])
    assert sent[seqs + 1 :] == [
        ("INSERT INTO visit", True),
        ("INSERT INTO finding", True),
        ("INSERT INTO change_log", True),
        ("RELEASE SAVEPOINT sa_savepoint_1", True),
        ("INSERT INTO push_result", True),
        ("UPDATE device SET", True),
    ]
