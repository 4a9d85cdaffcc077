"""What the console's 管理 page calls: ConsoleServices.org_write with the signed-in admin
(a User loaded in another session, as the console holds it), the page's overview rows, a
refused change that leaves nothing behind, and the import preview."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from sqlmodel import Session, col, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.console.screens.admin_import import ACCOUNTS, SITES, preview_lines, run_import
from sync_server.console.screens.admin_tables import overview
from sync_server.console.services import ConsoleServices
from sync_server.org import manage_accounts as acc
from sync_server.org import manage_org as org
from sync_server.org import org_import
from sync_server.org.scope import load_scope
from sync_server.tables import AuditLog, Site, Subject, User
from tests.server.world import World


def signed_in(world: World, name: str) -> User:
    with Session(world.engine) as s:
        return s.exec(select(User).where(User.username == name)).one()


def test_the_admin_page_creates_lists_and_refuses(world: World) -> None:
    services = ConsoleServices(world.state)
    admin = signed_in(world, "admin")

    async def scenario() -> None:
        hashed = await services.hash_password("field-2026!")
        await services.org_write(
            lambda s, c: acc.create_account(s, admin, "wang9", "inspector", hashed, "王九")
        )
        await services.org_write(lambda s, c: acc.set_assignments(s, admin, "wang9", ["R2"], []))
        await services.org_write(lambda s, c: org.add_staff(s, c, admin, "S3", "clerk", "张三"))
        with pytest.raises(DomainError) as err:
            await services.org_write(
                lambda s, c: acc.set_active(s, admin, "admin", False, world.clock())
            )
        assert err.value.code == ProblemCode.ADMIN_LAST_ADMIN
        accounts, regions, sites = await services.read(overview, world.clock())
        assert ["wang9", "王九", "检查员 inspector", "启用 active", "R2", "0"] in accounts
        assert ["D1", "华北一部", "R1"] in regions
        assert next(r for r in sites if r[0] == "S3")[-1] == "clerk:张三"
        preview = await services.read(org_import.preview_sites, b"code,name\nS1,x\n")
        assert preview.problems == [
            "row 1, column type: required column is missing",
            "row 1, column region: required column is missing",
        ]

    asyncio.run(scenario())
    with Session(world.engine) as s:
        assert s.exec(select(Subject)).one().seq > 0  # the phones of S3's region pull it
        actions = s.exec(select(AuditLog.action).order_by(col(AuditLog.id))).all()
        assert actions == ["account.create", "account.assign", "staff.add"]


def test_the_console_imports_preview_and_take_all_or_nothing(world: World) -> None:
    services = ConsoleServices(world.state)
    console: Any = SimpleNamespace(services=services, user=signed_in(world, "admin"))
    accounts = b"username,role,name,password,regions\nwang9,inspector,W,password123,R1\n"
    bad = accounts + b"li9,inspector,L,short,R9\n"

    async def scenario() -> None:
        assert await preview_lines(console, ACCOUNTS, "a.csv", bad) == [
            "row 3, column password: needs at least 8 characters",
            "row 3, column regions: no region 'R9'",
        ]
        with pytest.raises(DomainError) as err:
            await run_import(console, ACCOUNTS, "a.csv", bad)
        assert err.value.code == ProblemCode.IMPORT_INVALID
        assert await preview_lines(console, ACCOUNTS, "a.csv", accounts) == [
            "可导入 Ready: 新建账号 1 accounts"
        ]
        await run_import(console, ACCOUNTS, "a.csv", accounts)
        sites = "code,name,type,region\nS8,8号店,store,R2\n".encode()
        ready = ["可导入 Ready: 新建 1, 更新 0"]
        assert await preview_lines(console, SITES, "s.csv", sites) == ready
        await run_import(console, SITES, "s.csv", sites)
        assert await preview_lines(console, ACCOUNTS, "x.xlsx", b"PK\x03\x04") != []

    asyncio.run(scenario())
    with Session(world.engine) as s:
        actions = s.exec(select(AuditLog.action).order_by(col(AuditLog.id))).all()
        assert actions == ["account.create", "accounts.import", "sites.import"]


def test_a_supervisor_reads_only_their_scope_and_never_an_admin(world: World) -> None:
    """管理 for a supervisor: the sites they review, the regions holding them, the accounts
    assigned there; another region's sites and every admin account stay out."""
    services = ConsoleServices(world.state)
    sup = signed_in(world, "sup1")
    everything = asyncio.run(services.read(overview, world.clock()))
    accounts, regions, sites = asyncio.run(services.read(overview, world.clock(), sup))
    with Session(world.engine) as s:
        scope = load_scope(s, s.exec(select(User).where(User.username == "sup1")).one())
        in_scope = {site.code for site in s.exec(select(Site)).all() if scope.sees_site(site.id)}
    assert {row[0] for row in sites} == in_scope
    assert len(everything[2]) > len(sites) > 0  # some site is outside sup1's scope
    assert {row[0] for row in regions} < {row[0] for row in everything[1]}
    assert all(row[2] != "管理员 admin" for row in accounts)
    assert len(accounts) < len(everything[0])
    with pytest.raises(DomainError) as refused:  # an inspector has no 管理 view at all
        asyncio.run(services.read(overview, world.clock(), signed_in(world, "insp1")))
    assert refused.value.code == ProblemCode.AUTH_FORBIDDEN
