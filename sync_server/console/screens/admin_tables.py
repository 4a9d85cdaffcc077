"""The 管理 (administration) page's tables: accounts, regions and sites as plain text rows,
read in a worker thread (ConsoleServices.read), never ORM rows in the page."""

from __future__ import annotations

from datetime import datetime

import flet as ft
from sqlmodel import Session

from sync_server.console.screens.widgets import heading, string_table
from sync_server.org import manage_accounts as acc
from sync_server.org import manage_org as org
from sync_server.org.scope import reviewer_scope
from sync_server.tables import User

Rows = list[list[str]]
ROLE_NAMES = {
    "admin": "管理员 admin",
    "supervisor": "督察 supervisor",
    "inspector": "检查员 inspector",
    "site_manager": "店长 site_manager",
}


def overview(
    session: Session, now: datetime, viewer: User | None = None
) -> tuple[Rows, Rows, Rows]:
    """(accounts, regions, sites) rows for the page's tables. An admin (or no viewer: the
    tests, the CLI) sees everything; a supervisor sees what their scope allows: the sites
    they review, the regions holding them, and the accounts assigned there (never an
    admin's); anyone else is refused (auth.forbidden)."""
    scope = None if viewer is None or viewer.role == "admin" else reviewer_scope(session, viewer)
    regions = org.list_regions(session)
    code_of = {r.id: r.code for r in regions}
    shown_sites = [s for s in org.list_sites(session) if scope is None or scope.sees_site(s.id)]
    if scope is not None:
        held = {s.region_id for s in shown_sites}
        regions = [r for r in regions if r.id in held]
    site_codes, region_codes = {s.code for s in shown_sites}, {r.code for r in regions}
    accounts = [
        [
            a.username,
            a.display_name,
            ROLE_NAMES.get(a.role, a.role),
            "启用 active" if a.active else "停用 disabled",
            " ".join(a.regions + a.sites) or "—",
            str(a.devices),
        ]
        for a in acc.list_accounts(session, now)
        if scope is None
        or (a.role != "admin" and bool(site_codes & set(a.sites) or region_codes & set(a.regions)))
    ]
    region_rows = [[r.code, r.name, code_of.get(r.parent_id, "—")] for r in regions]  # type: ignore[arg-type]
    sites = [
        [
            s.code,
            s.name,
            s.type,
            code_of.get(s.region_id, ""),
            "启用" if s.active else "停用",
            ", ".join(f"{x.post}:{x.name}" for x in org.list_staff(session, s.code) if x.active),
        ]
        for s in shown_sites
    ]
    return accounts, region_rows, sites


def table(title: str, columns: list[str], rows: Rows, ident: str) -> list[ft.Control]:
    data = [ft.DataRow(cells=[ft.DataCell(ft.Text(v)) for v in row]) for row in rows]
    return [
        heading(title),
        ft.Semantics(
            content=ft.Row([string_table(columns, data)], scroll=ft.ScrollMode.AUTO),
            identifier=ident,
        ),
    ]


def tables(accounts: Rows, regions: Rows, sites: Rows) -> list[ft.Control]:
    return [
        *table(
            "账号 Accounts",
            ["用户名", "姓名", "角色", "状态", "区域/场所", "设备"],
            accounts,
            "admin-accounts",
        ),
        *table("区域 Regions", ["编码", "名称", "上级"], regions, "admin-regions"),
        *table(
            "场所 Sites",
            ["编码", "名称", "类型", "区域", "状态", "人员/岗位"],
            sites,
            "admin-sites",
        ),
    ]
