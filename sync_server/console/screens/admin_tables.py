"""The 管理 (administration) page's tables: accounts, regions and sites as plain text rows,
read in a worker thread (ConsoleServices.read), never ORM rows in the page."""

from __future__ import annotations

from datetime import datetime

import flet as ft
from sqlmodel import Session

from sync_server.console.screens.widgets import heading, string_table
from sync_server.org import manage_accounts as acc
from sync_server.org import manage_org as org

Rows = list[list[str]]
ROLE_NAMES = {
    "admin": "管理员 admin",
    "supervisor": "督察 supervisor",
    "inspector": "检查员 inspector",
    "site_manager": "店长 site_manager",
}


def overview(session: Session, now: datetime) -> tuple[Rows, Rows, Rows]:
    """(accounts, regions, sites) rows for the page's tables."""
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
    ]
    regions = org.list_regions(session)
    code_of = {r.id: r.code for r in regions}
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
        for s in org.list_sites(session)
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
