"""A worker keeps each user's scope between requests (org/scope.ScopeCache, issue 15 §2),
and every change that can alter a scope takes effect on the very next push: the database
bumps `server_meta.scope_version` by trigger (migration 0012_scope_version) for any change
to assignments, regions or sites, however it is made; the user's role and own
scope_version are read with the token on every request.

Each test first pushes once, so the scope is cached, then changes one thing and pushes
again: a visit on a site is applied only if the site is in the pusher's scope."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, col, delete, select

from sync_server.core.changeset import ChangeSet
from sync_server.core.db import write_session
from sync_server.org import admin, manage_org
from sync_server.tables import Region, ServerMeta, Site, User, UserScope
from tests.server.world import Phone, World

pytestmark = pytest.mark.postgres  # triggers are written per dialect


def visit_on(phone: Phone, site_id: object) -> str:
    """Push one new visit on `site_id`: "applied", or the problem code of its refusal."""
    _, create = phone.new_visit(site_id)
    (result,) = phone.push(create)
    return str(result["status"] if result["status"] == "applied" else result["code"])


def change(engine: sa.Engine, work: Callable[[Session], object]) -> None:
    with write_session(engine) as s:
        work(s)


def user(s: Session, name: str) -> User:
    return s.exec(select(User).where(User.username == name)).one()


def region(s: Session, code: str) -> Region:
    return s.exec(select(Region).where(Region.code == code)).one()


def test_a_new_site_in_the_region_is_in_scope_at_the_next_push(
    world: World, engine: sa.Engine
) -> None:
    phone = world.phone("insp1")
    assert visit_on(phone, world.site("S1")) == "applied"  # scope cached
    ids: list[uuid.UUID] = []

    def add(s: Session) -> None:
        by = user(s, "admin")
        ids.append(manage_org.create_site(s, ChangeSet(s), by, "S9", "新店", "store", "D1").id)

    change(engine, add)
    assert visit_on(phone, ids[0]) == "applied"


def test_a_site_added_by_hand_run_sql_is_seen_too(world: World, engine: sa.Engine) -> None:
    phone = world.phone("insp2")
    assert visit_on(phone, world.site("S3")) == "applied"
    new = uuid.uuid4()
    change(
        engine,
        lambda s: s.add(
            Site(id=new, code="S8", name="手工", type="store", region_id=region(s, "R2").id)
        ),
    )
    assert visit_on(phone, new) == "applied"


def test_a_site_moved_to_another_region_leaves_the_scope(world: World, engine: sa.Engine) -> None:
    phone = world.phone("insp1")
    assert visit_on(phone, world.site("S1")) == "applied"

    def move(s: Session) -> None:
        site = s.get(Site, uuid.UUID(world.site("S1")))
        assert site is not None
        site.region_id = region(s, "R2").id

    change(engine, move)
    assert visit_on(phone, world.site("S1")) == "scope.denied"


def test_a_department_moved_out_of_the_region_leaves_the_scope(
    world: World, engine: sa.Engine
) -> None:
    phone = world.phone("insp1")
    assert visit_on(phone, world.site("S2")) == "applied"  # S2 is in D1, under R1
    change(engine, lambda s: setattr(region(s, "D1"), "parent_id", None))  # no user bump
    assert visit_on(phone, world.site("S2")) == "scope.denied"
    assert visit_on(phone, world.site("S1")) == "applied"


def test_an_assignment_removed_or_added_counts_at_the_next_push(
    world: World, engine: sa.Engine
) -> None:
    insp1, insp2 = world.phone("insp1"), world.phone("insp2")
    assert visit_on(insp1, world.site("S1")) == "applied"
    assert visit_on(insp2, world.site("S1")) == "scope.denied"
    change(
        engine,
        lambda s: s.exec(delete(UserScope).where(col(UserScope.user_id) == user(s, "insp1").id)),
    )
    assert visit_on(insp1, world.site("S1")) == "scope.denied"
    # assigned by hand: no user.scope_version bump, only the trigger's
    change(
        engine,
        lambda s: s.add(
            UserScope(user_id=user(s, "insp2").id, site_id=uuid.UUID(world.site("S1")))
        ),
    )
    assert visit_on(insp2, world.site("S1")) == "applied"


def test_an_assignment_edited_in_place_counts_at_the_next_push(
    world: World, engine: sa.Engine
) -> None:
    phone = world.phone("mgr1")
    assert visit_on(phone, world.site("S1")) == "scope.denied"  # a manager makes no visits
    manager_sees = lambda: phone.pull_all()  # noqa: E731
    sites = {k[1] for k in manager_sees() if k[0] == "site"}
    assert world.site("S1") in sites and world.site("S3") not in sites

    def reassign(s: Session) -> None:
        row = s.exec(select(UserScope).where(col(UserScope.user_id) == user(s, "mgr1").id)).one()
        row.site_id = uuid.UUID(world.site("S3"))

    change(engine, reassign)
    phone.cursor, phone.epoch = 0, None
    sites = {k[1] for k in manager_sees() if k[0] == "site"}
    assert world.site("S3") in sites and world.site("S1") not in sites


def test_a_role_change_counts_at_the_next_request(world: World, engine: sa.Engine) -> None:
    phone = world.phone("insp2")
    assert visit_on(phone, world.site("S3")) == "applied"
    assert {k[1] for k in phone.pull_all() if k[0] == "site"} == {world.site("S3")}

    def promote(s: Session) -> None:
        user(s, "insp2").role = "admin"

    change(engine, promote)
    phone.cursor, phone.epoch = 0, None
    every = {world.site(code) for code in ("S1", "S2", "S3")}
    assert {k[1] for k in phone.pull_all() if k[0] == "site"} == every  # an admin's scope


def test_the_scope_is_computed_once_while_nothing_changes(world: World, engine: sa.Engine) -> None:
    """The cache is used: a second push reads no assignment; after a change it does."""
    phone = world.phone("insp1")
    reads: list[str] = []

    def on_exec(_c: object, _cur: object, statement: str, *_: object) -> None:
        if "FROM user_scope" in statement:
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", on_exec)
    try:
        assert visit_on(phone, world.site("S1")) == "applied"
        first = len(reads)
        assert visit_on(phone, world.site("S1")) == "applied"
        assert len(reads) == first
        change(engine, lambda s: admin.add_site(s, ChangeSet(s), "S7", "又一家", "store", "R1"))
        assert visit_on(phone, world.site("S1")) == "applied"
        assert len(reads) == first + 1
    finally:
        event.remove(engine, "before_cursor_execute", on_exec)
    assert first == 1


def test_every_watched_change_bumps_the_version(world: World, engine: sa.Engine) -> None:
    """Each kind of change the triggers watch moves the number; a change elsewhere does not."""

    def version() -> int:
        with Session(engine) as s:
            row = s.get(ServerMeta, "scope_version")
            assert row is not None
            return int(row.value)

    def bumps(work: Callable[[Session], object]) -> bool:
        before = version()
        change(engine, work)
        return version() > before

    r3 = uuid.uuid4()
    s9 = uuid.uuid4()
    assert bumps(lambda s: s.add(Region(id=r3, code="R3", name="西区")))
    assert bumps(lambda s: setattr(s.get(Region, r3), "parent_id", region(s, "R1").id))
    assert not bumps(lambda s: setattr(s.get(Region, r3), "name", "西区二"))
    assert bumps(lambda s: s.add(Site(id=s9, code="S9", name="店", type="store", region_id=r3)))
    assert bumps(lambda s: setattr(s.get(Site, s9), "region_id", region(s, "R2").id))
    assert not bumps(lambda s: setattr(s.get(Site, s9), "name", "店二"))
    assert bumps(lambda s: s.add(UserScope(user_id=user(s, "insp1").id, site_id=s9)))
    assert bumps(lambda s: s.exec(delete(UserScope).where(col(UserScope.site_id) == s9)))
    assert bumps(lambda s: s.exec(delete(Site).where(col(Site.id) == s9)))
    assert bumps(lambda s: s.exec(delete(Region).where(col(Region.id) == r3)))
