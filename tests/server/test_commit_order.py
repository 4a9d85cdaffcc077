"""The pull cursor never skips a change, even when pushes commit out of start order (T11).

On PostgreSQL writers take seqs from a sequence and do not wait for each other; each
announces its seqs as in flight until it ends, and a pull reads only below the lowest
(core/seqs.py). The test makes commits slow and racy on purpose and checks a puller that
loops the whole time sees every committed change. A variant that takes the same sequence's
numbers without announcing them shows the check has teeth: it does catch skipped changes.
And a push held open does not hold up another push's commit, while no pull passes it.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from fieldcore.literals import one_of
from fieldcore.protocol import Mutation, PushRequest
from fieldcore.workflow import ROLES
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import write_session
from sync_server.org.scope import Actor, load_scope
from sync_server.sync.merge import apply_push
from sync_server.sync.pull import pull
from sync_server.tables import ChangeLog, Device, User, Visit
from tests.server.world import World

pytestmark = (
    pytest.mark.postgres
)  # the dialect matters: concurrent writers and the commit order of seqs

WRITERS, PUSHES = 4, 6


def actors(world: World) -> tuple[list[Actor], Actor]:
    phones = [world.phone("insp1") for _ in range(WRITERS)]
    sup = world.phone("sup1")
    with Session(world.engine) as s:

        def actor(device_id: uuid.UUID) -> Actor:
            device = s.get_one(Device, device_id)
            user = s.get_one(User, device.user_id)
            return Actor(user.id, one_of(user.role, ROLES), device.id, load_scope(s, user))

        return [actor(p.device_id) for p in phones], actor(sup.device_id)


def run_race(
    world: World, site: str
) -> tuple[set[tuple[str, str, int]], set[tuple[str, str, int]]]:
    writers, reader = actors(world)
    seen: set[tuple[str, str, int]] = set()
    done = threading.Event()
    errors: list[BaseException] = []

    def write(actor: Actor) -> None:
        try:
            for n in range(1, PUSHES + 1):
                m = Mutation(
                    seq=n,
                    entity="visit",
                    id=uuid.uuid4(),
                    fields={"site_id": site, "template_key": "mall-property.v1", "mode": "overt"},
                )
                with write_session(world.engine) as session:
                    apply_push(session, actor, PushRequest(mutations=[m]), world.clock.now)
        except BaseException as exc:
            errors.append(exc)

    def read() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            page = pull(
                world.engine, reader.scope, cursor, reader.scope.epoch, 1000, world.clock.now
            )
            seen.update((c.entity, c.id, c.seq) for c in page.changes)
            cursor = page.next_cursor
            if finished and not page.has_more:
                return
            time.sleep(0.002)

    threads = [threading.Thread(target=write, args=(a,)) for a in writers]
    puller = threading.Thread(target=read)
    puller.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    puller.join()
    assert not errors, errors
    with Session(world.engine) as s:
        committed = {
            (c.entity, c.entity_id, c.seq)
            for c in s.exec(select(ChangeLog).where(ChangeLog.entity == "visit")).all()
        }
    return committed, {c for c in seen if c[0] == "visit"}


def slow_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    original = ChangeSet.assign_seqs

    def assign_then_dawdle(self: ChangeSet) -> None:
        original(self)
        time.sleep(random.uniform(0, 0.03))  # hold the transaction open after taking seqs

    monkeypatch.setattr(ChangeSet, "assign_seqs", assign_then_dawdle)


def test_a_looping_puller_sees_every_change_of_concurrent_pushes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_commits(monkeypatch)
    committed, seen = run_race(world, world.site("S1"))
    assert len(committed) == WRITERS * PUSHES
    assert committed <= seen


def test_the_check_catches_seqs_taken_without_announcing_them(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    if world.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes whole write transactions, so no counter can race there")

    def naive_assign(self: ChangeSet) -> None:
        """A plain sequence: the same numbers, but not announced as in flight."""
        self.session.flush()
        for (entity, _), entry in self.touched.items():
            entry.seq = self.session.execute(sa.text("SELECT nextval('change_seq')")).scalar_one()
            entry.row.seq = entry.seq
            self._upsert_logs(
                [
                    {
                        "entity": entity,
                        "entity_id": str(entry.pk),
                        "seq": entry.seq,
                        "site_id": entry.row.site_id,
                        "owner_id": entry.row.inspector_id,
                        "published": False,
                        "covert": False,
                        "deleted": False,
                    }
                ]
            )
        self.session.flush()
        time.sleep(random.uniform(0, 0.03))

    monkeypatch.setattr(ChangeSet, "assign_seqs", naive_assign)
    missed: list[Any] = []
    for _ in range(5):  # racy by nature: a few rounds make a skip all but certain
        committed, seen = run_race(world, world.site("S1"))
        missed += sorted(committed - seen)
        if missed:
            break
    assert missed, "the puller should have skipped a change committed out of order"


def visit_push(site: str) -> tuple[uuid.UUID, PushRequest]:
    m = Mutation(
        seq=1,
        entity="visit",
        id=uuid.uuid4(),
        fields={"site_id": site, "template_key": "mall-property.v1", "mode": "overt"},
    )
    return m.id, PushRequest(mutations=[m])


def pulled_visits(world: World, reader: Actor, cursor: int) -> tuple[set[uuid.UUID], int]:
    """The visit ids a supervisor's pull brings after `cursor` (every page), and the end."""
    ids: set[uuid.UUID] = set()
    while True:
        page = pull(world.engine, reader.scope, cursor, reader.scope.epoch, 1000, world.clock.now)
        ids |= {uuid.UUID(str(c.id)) for c in page.changes if c.entity == "visit"}
        cursor = page.next_cursor
        if not page.has_more:
            return ids, cursor


def test_a_push_held_open_blocks_no_other_push_and_no_pull_passes_it(world: World) -> None:
    if world.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: there a second push waits for the first by design")
    (first, second, *_), reader = actors(world)
    site = world.site("S1")
    _, start = pulled_visits(world, reader, 0)
    held_id, held_push = visit_push(site)
    other_id, other_push = visit_push(site)
    committed = threading.Event()

    def push_other() -> None:
        with write_session(world.engine) as session:
            apply_push(session, second, other_push, world.clock.now)
        committed.set()

    other = threading.Thread(target=push_other)
    try:
        with write_session(world.engine) as session:
            answer = apply_push(session, first, held_push, world.clock.now)
            held_seq = answer.results[0].entity_seq
            assert held_seq is not None  # its seqs are taken; it stays open from here
            other.start()
            other.join(30)  # 30 s only so that a regression fails instead of hanging
            assert committed.is_set()  # the second push committed while the first is open
            with Session(world.engine) as s:
                assert s.get(ChangeLog, ("visit", str(other_id))) is not None
            seen, cursor = pulled_visits(world, reader, start)
            # its seqs came after the open push's: neither is sent, the cursor waits below
            assert seen == set() and cursor < held_seq
        seen, _ = pulled_visits(world, reader, cursor)
        assert seen == {held_id, other_id}  # once the first commits, both come
    finally:
        other.join(30)


def test_two_writers_of_one_row_stamp_it_in_commit_order(world: World) -> None:
    """The first writer holds the row (an autoflushed UPDATE) but draws its seq last; the
    second, which would draw first, waits for the row before drawing — so the row's seq
    still grows with each committed change, as conflict detection assumes. (Without that
    wait the two deadlock: the second holds the row's change-log entry, the first the row.)"""
    if world.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: seqs follow commit order by construction")
    (first, *_), _ = actors(world)
    visit_id, push = visit_push(world.site("S1"))
    with write_session(world.engine) as session:
        apply_push(session, first, push, world.clock.now)
    seqs: dict[str, int] = {}

    def edit(session: Session, who: str) -> None:
        row = session.get(Visit, visit_id)
        assert row is not None
        row.note = who
        changes = ChangeSet(session)
        changes.touch(row, {"note"}, str(uuid.uuid4()))
        changes.assign_seqs()
        entry = changes.entry("visit", visit_id)
        assert entry is not None
        seqs[who] = entry.seq

    def second() -> None:
        with write_session(world.engine) as session:
            edit(session, "second")

    later = threading.Thread(target=second)
    with write_session(world.engine) as session:
        row = session.get(Visit, visit_id)
        assert row is not None
        row.note = "held"
        session.flush()  # the row is locked from here to commit
        later.start()
        time.sleep(0.3)  # time for the second writer to reach the row (a wait, not a claim)
        edit(session, "first")
    later.join(30)
    assert seqs["second"] > seqs["first"]
    with Session(world.engine) as s:
        row = s.get(Visit, visit_id)
        log = s.get(ChangeLog, ("visit", str(visit_id)))
        assert row is not None and log is not None
        assert (row.note, row.seq, log.seq) == ("second", seqs["second"], seqs["second"])
