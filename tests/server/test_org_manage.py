"""Organisation administration as domain services: regions, sites, staff, accounts and
assignments; the last-admin rule; audit rows; the all-or-nothing sites import."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, col, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import write_session
from sync_server.org import manage_accounts as acc
from sync_server.org import manage_org as org
from sync_server.org.admin import get_user, hash_new_password
from sync_server.org.org_import import import_sites, preview_sites
from sync_server.org.scope import load_scope
from sync_server.tables import AuditLog, Device, Region, Site, User
from tests.server.world import World

C = ProblemCode


def audits(s: Session) -> list[tuple[str, str]]:
    return [(a.action, a.entity_id) for a in s.exec(select(AuditLog).order_by(col(AuditLog.id)))]


def refused(world: World, code: ProblemCode, work: Callable[[Session], Any]) -> DomainError:
    """`work` raises `code`, and the database (audit log included) is unchanged."""
    with Session(world.engine) as s:
        before = (audits(s), len(s.exec(select(User)).all()), len(s.exec(select(Site)).all()))
    with pytest.raises(DomainError) as err, write_session(world.engine) as s:
        work(s)
    assert err.value.code == code
    with Session(world.engine) as s:
        after = (audits(s), len(s.exec(select(User)).all()), len(s.exec(select(Site)).all()))
    assert after == before
    return err.value


def test_regions_are_created_renamed_and_moved_with_audit_rows(world: World) -> None:
    with write_session(world.engine) as s:
        by = get_user(s, "admin")
        org.create_region(s, by, "R3", "华东区")
        org.create_region(s, by, "D3", "华东一部", parent="R3")
        org.rename_region(s, by, "D3", "华东第一部")
        org.move_region(s, by, "D1", "R2")
    with Session(world.engine) as s:
        regions = {r.code: r for r in s.exec(select(Region))}
        assert regions["D3"].name == "华东第一部"
        assert regions["D3"].parent_id == regions["R3"].id
        assert regions["D1"].parent_id == regions["R2"].id
        # S2 (in D1) is now seen by insp2 (R2), no longer by insp1 (R1)
        assert load_scope(s, get_user(s, "insp2")).sees_site(world.ids["S2"])
        assert not load_scope(s, get_user(s, "insp1")).sees_site(world.ids["S2"])
        assert [a for a, _ in audits(s)] == [
            "region.create",
            "region.create",
            "region.rename",
            "region.move",
        ]
        move = s.exec(select(AuditLog).where(AuditLog.action == "region.move")).one()
        assert move.details == {"username": "admin", "before": "R1", "after": "R2"}


def test_bad_region_changes_are_refused_and_change_nothing(world: World) -> None:
    def by(s: Session) -> User:
        return get_user(s, "admin")

    refused(world, C.ORG_EXISTS, lambda s: org.create_region(s, by(s), "R1", "重复"))
    refused(world, C.ORG_NOT_FOUND, lambda s: org.create_region(s, by(s), "X", "x", "nope"))
    refused(world, C.REQUEST_INVALID, lambda s: org.rename_region(s, by(s), "R1", "  "))
    refused(world, C.REQUEST_INVALID, lambda s: org.move_region(s, by(s), "R1", "D1"))
    refused(world, C.REQUEST_INVALID, lambda s: org.move_region(s, by(s), "R1", "R1"))
    refused(world, C.AUTH_FORBIDDEN, lambda s: org.create_region(s, get_user(s, "sup1"), "R9", "x"))


def test_sites_and_their_staff(world: World) -> None:
    with write_session(world.engine) as s:
        by, changes = get_user(s, "admin"), ChangeSet(s)
        org.create_site(s, changes, by, "S9", "新门店", "store", "R2", "长安街 1 号", 39.9, 116.4)
        org.edit_site(s, changes, by, "S9", name="新门店二", region="R1")
        clerk = org.add_staff(s, changes, by, "S9", "clerk", "张三")
        org.add_staff(s, changes, by, "S9", "manager", "李四")
        org.edit_staff(s, changes, by, clerk.id, active=False)
        changes.assign_seqs()
    with Session(world.engine) as s:
        site = s.exec(select(Site).where(Site.code == "S9")).one()
        assert (site.name, site.seq > 0) == ("新门店二", True)
        assert s.get_one(Region, site.region_id).code == "R1"
        staff = {x.name: x for x in org.list_staff(s, "S9")}
        assert staff["张三"].active is False and staff["李四"].post == "manager"
        assert all(x.seq > 0 for x in staff.values())  # phones pull them
        assert [a for a, _ in audits(s)] == [
            "site.create",
            "site.edit",
            "staff.add",
            "staff.add",
            "staff.edit",
        ]
    refused(
        world,
        C.ORG_EXISTS,
        lambda s: org.create_site(s, ChangeSet(s), get_user(s, "admin"), "S1", "x", "store", "R1"),
    )
    refused(
        world,
        C.REQUEST_INVALID,
        lambda s: org.create_site(
            s, ChangeSet(s), get_user(s, "admin"), "S8", "x", "store", "R1", lat=91.0
        ),
    )
    refused(
        world,
        C.ORG_NOT_FOUND,
        lambda s: org.add_staff(s, ChangeSet(s), get_user(s, "admin"), "NOPE", "clerk"),
    )


def test_accounts_are_created_assigned_and_changed(world: World) -> None:
    hashed = hash_new_password("new-password-1")
    with write_session(world.engine) as s:
        by = get_user(s, "admin")
        acc.create_account(s, by, "insp9", "inspector", hashed, "王九", regions=["R2"])
        acc.set_assignments(s, by, "insp9", ["R1"], ["S3"])
        acc.change_role(s, by, "insp9", "site_manager")  # keeps its site, drops its region
    with Session(world.engine) as s:
        user = get_user(s, "insp9")
        assert (user.role, user.display_name) == ("site_manager", "王九")
        assert acc.assignments(s, user) == ((), ("S3",))
        assert [a for a, _ in audits(s)] == ["account.create", "account.assign", "account.role"]
    phone = world.phone("insp1")
    with write_session(world.engine) as s:
        by = get_user(s, "admin")
        acc.reset_password(s, by, "insp1", hashed, world.clock())
    with Session(world.engine) as s:
        device = s.get(Device, phone.device_id)
        assert device is not None and device.revoked_at is not None  # signed out
    r = world.client.post(
        "/v1/auth/login",
        json={
            "username": "insp1",
            "password": "new-password-1",
            "device_id": str(phone.device_id),
            "device_name": "p",
        },
        headers=phone.headers,
    )
    assert r.status_code == 200, r.text


def test_bad_account_changes_are_refused_and_change_nothing(world: World) -> None:
    hashed = hash_new_password("new-password-1")

    def by(s: Session) -> User:
        return get_user(s, "admin")

    refused(
        world, C.USER_EXISTS, lambda s: acc.create_account(s, by(s), "insp1", "inspector", hashed)
    )
    refused(world, C.REQUEST_INVALID, lambda s: acc.create_account(s, by(s), "x", "boss", hashed))
    refused(
        world,
        C.REQUEST_INVALID,
        lambda s: acc.create_account(s, by(s), "m9", "site_manager", hashed, regions=["R1"]),
    )
    refused(
        world,
        C.ORG_NOT_FOUND,
        lambda s: acc.create_account(s, by(s), "i9", "inspector", hashed, sites=["NOPE"]),
    )
    refused(world, C.USER_NOT_FOUND, lambda s: acc.set_assignments(s, by(s), "nobody", [], []))
    refused(
        world,
        C.AUTH_FORBIDDEN,
        lambda s: acc.create_account(s, get_user(s, "sup1"), "i9", "inspector", hashed),
    )


def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(world: World) -> None:
    def by(s: Session) -> User:
        return get_user(s, "admin")

    err = refused(
        world, C.ADMIN_LAST_ADMIN, lambda s: acc.set_active(s, by(s), "admin", False, world.clock())
    )
    assert err.details == {"username": "admin"}
    refused(world, C.ADMIN_LAST_ADMIN, lambda s: acc.change_role(s, by(s), "admin", "supervisor"))
    with write_session(world.engine) as s:  # a second admin: now the first may step down
        acc.change_role(s, by(s), "sup1", "admin")
    with write_session(world.engine) as s:
        acc.change_role(s, by(s), "admin", "supervisor")
    with write_session(world.engine) as s:
        second = get_user(s, "sup1")
        assert get_user(s, "admin").role == "supervisor"
    refused(
        world,
        C.ADMIN_LAST_ADMIN,
        lambda s: acc.set_active(s, get_user(s, "sup1"), "sup1", False, world.clock()),
    )
    assert second.role == "admin"


def test_disabling_an_account_signs_its_phones_out(world: World) -> None:
    phone = world.phone("insp2")
    with write_session(world.engine) as s:
        acc.set_active(s, get_user(s, "admin"), "insp2", False, world.clock())
    assert world.client.get("/v1/auth/me", headers=phone.headers).status_code == 401
    with write_session(world.engine) as s:
        acc.set_active(s, get_user(s, "admin"), "insp2", True, world.clock())
        assert [a for a, _ in audits(s)] == ["account.disable", "account.enable"]


SITES_CSV = "code,name,type,region,lat\nS1,门店一改名,store,R1,\nS7,新店,store,R2,30.5\n"


def test_sites_import_previews_every_problem_and_is_all_or_nothing(world: World) -> None:
    bad = SITES_CSV + "S8,,store,R9,100\nS7,重复,store,R1,\n"
    with Session(world.engine) as s:
        preview = preview_sites(s, bad.encode(), "sites.csv")
    assert preview.problems == [
        "row 4, column name: is empty",
        "row 4, column region: no region 'R9' (add it first: mingcha regions add)",
        "row 4, column lat: must be a number between -90 and 90, got '100'",
        "row 5, column code: 'S7' is already on row 3",
    ]
    err = refused(
        world,
        C.IMPORT_INVALID,
        lambda s: import_sites(s, ChangeSet(s), get_user(s, "admin"), bad.encode(), "sites.csv"),
    )
    assert err.details["problems"] == preview.problems
    with write_session(world.engine) as s:
        changes = ChangeSet(s)
        done = import_sites(s, changes, get_user(s, "admin"), SITES_CSV.encode(), "sites.csv")
        changes.assign_seqs()
    assert (done.created, done.updated) == (1, 1)
    with Session(world.engine) as s:
        names = {x.code: x.name for x in s.exec(select(Site))}
        assert names["S1"] == "门店一改名" and names["S7"] == "新店"
        assert audits(s) == [("sites.import", "sites.csv")]


def test_sites_import_reads_the_first_sheet_of_an_xlsx(world: World) -> None:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["code", "name", "type", "region"], [1001, "数字编号店", "store", "R2"]):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    with Session(world.engine) as s:
        preview = preview_sites(s, data.getvalue(), "sites.xlsx")
        garbage = preview_sites(s, b"PK\x03\x04not a zip", "x.xlsx")
    assert preview.problems == [] and [r.code for r in preview.rows] == ["1001"]
    assert garbage.problems and "xlsx" in garbage.problems[0]


@pytest.mark.postgres  # row locks: PostgreSQL runs two admin transactions at once
def test_two_admins_disabling_each_other_at_once_leave_one(world: World) -> None:
    with write_session(world.engine) as s:
        acc.change_role(s, get_user(s, "admin"), "sup1", "admin")
    a_changed, a_may_commit = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        with write_session(world.engine) as s:
            acc.set_active(s, get_user(s, "admin"), "sup1", False, world.clock())
            a_changed.set()
            a_may_commit.wait(10)

    def second() -> None:
        try:
            with write_session(world.engine) as s:
                acc.set_active(s, get_user(s, "sup1"), "admin", False, world.clock())
        except DomainError as exc:
            outcome["code"] = exc.code

    one = threading.Thread(target=first)
    one.start()
    assert a_changed.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.5)
    assert two.is_alive()  # waits for the first transaction's lock on the admins
    a_may_commit.set()
    one.join(10)
    two.join(10)
    # PostgreSQL: the second saw two admins, waited for the lock, then saw one; SQLite: it
    # began after the first committed, when its own admin was already disabled
    assert outcome["code"] in (C.ADMIN_LAST_ADMIN, C.AUTH_FORBIDDEN)
    with Session(world.engine) as s:
        admins = s.exec(select(User.username).where(User.active, User.role == "admin")).all()
    assert admins == ["admin"]
