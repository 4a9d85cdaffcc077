"""管理 (administration), for admins: accounts (create with role, password and scope; reset
the password, disable or enable, change the role, revoke devices, assign regions and
sites), regions and departments, sites with their staff and posts, and imports of sites and
accounts (admin_import.py) with a preview of every row's problem before anything is written.

Each button is one domain call (org/manage_accounts.py, manage_org.py, org_import.py) in a
worker thread; a refused change shows its problem and changes nothing, and the fields keep
what was typed. A supervisor sees the page read-only, limited to their scope (the sites they
review, the regions holding them, the accounts assigned there).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from fieldcore.problems import DomainError
from sync_server.console.screens.admin_import import ACCOUNTS, SITES, import_section
from sync_server.console.screens.admin_tables import overview, tables
from sync_server.console.screens.widgets import action_button, form_section, section_view
from sync_server.console.shell import Console
from sync_server.org import manage_accounts as acc
from sync_server.org import manage_org as org

TITLE = "管理 Administration"


def field(label: str, width: int = 220, **kw: Any) -> ft.TextField:
    return ft.TextField(label=label, width=width, **kw)


def codes(box: ft.TextField) -> list[str]:
    """Codes typed with spaces or commas between them (中文逗号 too)."""
    return [c for c in re.split(r"[\s,,、]+", box.value or "") if c]


def optional(box: ft.TextField) -> str | None:
    return (box.value or "").strip() or None


async def admin_screen(console: Console) -> ft.View:
    page, services, user = console.page, console.services, console.user
    listing = ft.Column([])

    async def refresh() -> None:
        listing.controls = tables(*await services.read(overview, services.clock(), user))
        page.update()

    if user.role != "admin":  # a supervisor reads their own scope; only admins change it
        await refresh()
        note = ft.Text("只读:您负责范围内的场所、区域与账号 Read-only: your scope", size=13)
        return section_view(console, "/admin", TITLE, [note, listing])

    async def attempt(done: str, change: Callable[[], Awaitable[Any]]) -> None:
        try:
            await change()
        except DomainError as exc:
            console.fail(exc)  # nothing changed; the fields keep what was typed
            return
        await refresh()
        console.toast(done)

    # ---- accounts -------------------------------------------------------------------
    username, name = field("用户名 Username"), field("姓名 Name")
    role = field("角色 Role (inspector/supervisor/site_manager/admin)", 340)
    password = field("密码 Password (≥8)", password=True, can_reveal_password=True)
    regions, sites = field("区域 Regions (R1 R2)", 220), field("场所 Sites (S1 S2)", 220)

    async def create_account(e: Any) -> None:
        async def run() -> None:
            hashed = await services.hash_password(password.value or "")
            await services.org_write(
                lambda s, c: acc.create_account(
                    s, user, username.value or "", (role.value or "").strip(), hashed,
                    name.value or "", "", codes(regions), codes(sites),
                )
            )  # fmt: skip

        await attempt(f"已创建账号 Account created: {username.value}", run)

    async def assign(e: Any) -> None:
        await attempt(
            f"已更新分配 Assignments saved: {username.value}",
            lambda: services.org_write(
                lambda s, c: acc.set_assignments(
                    s, user, username.value or "", codes(regions), codes(sites)
                )
            ),
        )

    async def change_role(e: Any) -> None:
        await attempt(
            f"已修改角色 Role changed: {username.value}",
            lambda: services.org_write(
                lambda s, c: acc.change_role(s, user, username.value or "", role.value or "")
            ),
        )

    async def reset_password(e: Any) -> None:
        async def run() -> None:
            hashed = await services.hash_password(password.value or "")
            now = services.clock()
            await services.org_write(
                lambda s, c: acc.reset_password(s, user, username.value or "", hashed, now)
            )

        await attempt(f"已重置密码 Password reset: {username.value}", run)

    def set_active(active: bool) -> Callable[[Any], Awaitable[None]]:
        async def run(e: Any) -> None:
            now = services.clock()
            await attempt(
                ("已启用 Enabled: " if active else "已停用 Disabled: ") + (username.value or ""),
                lambda: services.org_write(
                    lambda s, c: acc.set_active(s, user, username.value or "", active, now)
                ),
            )

        return run

    async def revoke(e: Any) -> None:
        now = services.clock()
        await attempt(
            f"已吊销设备 Devices revoked: {username.value}",
            lambda: services.org_write(
                lambda s, c: acc.revoke_devices(s, user, username.value or "", now)
            ),
        )

    account_buttons = [
        action_button("创建账号 Create", create_account, "admin-create-account"),
        action_button("保存分配 Assign", assign, "admin-assign"),
        action_button("修改角色 Set role", change_role, "admin-set-role"),
        action_button("重置密码 Reset password", reset_password, "admin-reset-password"),
        action_button("停用 Disable", set_active(False), "admin-disable"),
        action_button("启用 Enable", set_active(True), "admin-enable"),
        action_button("吊销设备 Revoke devices", revoke, "admin-revoke"),
    ]

    # ---- regions --------------------------------------------------------------------
    region_code, region_name = field("区域编码 Region code"), field("区域名称 Region name")
    parent = field("上级 Parent (改为顶级 to top: -)", 260)

    async def save_region(e: Any) -> None:
        code = region_code.value or ""

        def work(s: Any, c: Any) -> None:
            if any(r.code == code for r in org.list_regions(s)):  # an existing one changes
                if region_name.value:
                    org.rename_region(s, user, code, region_name.value)
                if optional(parent):  # empty: stays where it is; "-": to the top level
                    org.move_region(s, user, code, None if parent.value == "-" else parent.value)
            else:
                org.create_region(s, user, code, region_name.value or "", optional(parent))

        await attempt(f"已保存区域 Region saved: {code}", lambda: services.org_write(work))

    # ---- sites and staff ------------------------------------------------------------
    site_code, site_name = field("场所编码 Site code"), field("场所名称 Site name")
    site_type, site_region = field("类型 Type (store…)"), field("所属区域 Region")
    address = field("地址 Address", 300)
    post, person = field("岗位 Post (clerk…)"), field("人员 Person")

    async def save_site(e: Any) -> None:
        code = site_code.value or ""

        def work(s: Any, c: Any) -> None:
            if any(x.code == code for x in org.list_sites(s)):
                org.edit_site(
                    s, c, user, code, name=optional(site_name), type=optional(site_type),
                    region=optional(site_region), address=address.value or None,
                )  # fmt: skip
            else:
                org.create_site(
                    s, c, user, code, site_name.value or "", site_type.value or "",
                    site_region.value or "", address.value or "",
                )  # fmt: skip

        await attempt(f"已保存场所 Site saved: {code}", lambda: services.org_write(work))

    async def add_staff(e: Any) -> None:
        await attempt(
            f"已添加人员 Staff added: {site_code.value}",
            lambda: services.org_write(
                lambda s, c: org.add_staff(
                    s, c, user, site_code.value or "", post.value or "", person.value or ""
                )
            ),
        )

    await refresh()
    return section_view(
        console,
        "/admin",
        TITLE,
        [
            *form_section(
                "账号 Accounts",
                [username, name, role, password, regions, sites],
                ft.Row(account_buttons, wrap=True),
            ),
            *form_section(
                "区域与部门 Regions",
                [
                    region_code,
                    region_name,
                    parent,
                    action_button("保存区域 Save region", save_region, "admin-save-region"),
                ],
            ),
            *form_section(
                "场所与人员 Sites and staff",
                [
                    site_code,
                    site_name,
                    site_type,
                    site_region,
                    address,
                    action_button("保存场所 Save site", save_site, "admin-save-site"),
                    post,
                    person,
                    action_button("添加人员 Add staff", add_staff, "admin-add-staff"),
                ],
            ),
            *import_section(console, SITES, attempt),
            *import_section(console, ACCOUNTS, attempt),
            listing,
        ],
    )
