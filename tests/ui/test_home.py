"""Home: assigned tasks, drafts, and the sync badge with what is still to send."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import flet as ft
import pytest
from sqlmodel import Session

from fieldapp.store import Store
from sync_server.core.db import write_session
from sync_server.org import accounts, admin
from sync_server.tables import Visit
from sync_server.templates.catalog import resolve_template
from tests.server.world import World
from tests.ui.harness import AppHarness
from tests.ui.support import OpenApp, add_task

PATROL_TITLE = "门店/窗口明查暗访检查表"


def badge(h: AppHarness) -> str:
    line: ft.Text = h.find("sync-badge").content.controls[0]
    return line.value


def tiles(h: AppHarness, icon: ft.IconData) -> list[Any]:
    return h.find_all(ft.ListTile, lambda t: t.leading.icon == icon)


@pytest.mark.asyncio
async def test_home_lists_the_tasks_and_the_badge_counts_what_is_pending(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    add_task(server, "S2", "store-patrol", "overt")
    store = signed_in()
    visit = store.start_visit(uuid.UUID(server.site("S1")), "mall-property.v1", "overt")
    store.record_answer(visit.id, "1.1", "pass")
    store.record_answer(visit.id, "1.2", "fail", count=2)
    pending = store.sync_status().pending_records
    assert pending >= 3

    h = await open_app()
    assert h.view.route == "/"
    assert [t.title.value for t in tiles(h, ft.Icons.ASSIGNMENT)] == ["门店S2"]
    assert tiles(h, ft.Icons.ASSIGNMENT)[0].subtitle.value == f"{PATROL_TITLE} · 明查 · 已逾期"
    drafts = tiles(h, ft.Icons.STOREFRONT)
    assert [d.title.value for d in drafts] == ["门店S1"]
    assert drafts[0].trailing.content.value == "草稿"
    assert badge(h).startswith(f"待同步 {pending} 条记录 · 0 张照片 · 上次同步 ")

    await h.fire(h.button("立即同步"))
    assert badge(h).startswith("已全部同步 · 上次同步 ")
    assert h.delivered(badge(h))
    with Session(server.engine) as s:
        row = s.get(Visit, visit.id)
        assert row is not None and row.status == "draft"  # the draft reached the server


@pytest.mark.asyncio
async def test_the_badge_says_why_a_sync_failed(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    signed_in()
    with write_session(server.engine) as s:  # an administrator revokes the phone
        assert accounts.revoke_devices(s, admin.get_user(s, "insp1"), server.clock.now) == 1
    h = await open_app()
    assert badge(h).startswith("已全部同步")
    await h.fire(h.button("立即同步"))
    assert badge(h).endswith(" · 同步失败:该设备已被注销,请重新登录 · 点此重新登录(数据都还在)")
    assert h.delivered(badge(h))
    await h.fire("sync-badge")  # the badge leads to the sign-in screen, which says why
    assert h.view.route == "/login"
    assert h.find("login-message").value.startswith("登录已过期")


@pytest.mark.asyncio
async def test_a_task_opens_a_visit_of_its_mode_and_checklist(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    add_task(server, "S1", "store-patrol", "covert")
    signed_in()
    h = await open_app()
    [task] = tiles(h, ft.Icons.ASSIGNMENT)
    assert task.title.value == "S1" and "门店S1" not in h.strings()  # covert: code only
    await h.fire(task)
    assert h.view.route.startswith(f"/new/{server.site('S1')}")
    mode = h.find("mode")
    assert mode.selected == ["covert"] and mode.disabled  # the task decides the mode
    newest = resolve_template("store-patrol").key  # the phone offers only the newest
    assert [o.key for o in h.find("template").options] == [newest]
    await h.fire("start-visit")
    assert h.view.route.startswith("/visit/")
    assert h.title() == "备忘"  # covert: neutral title
    h2 = await open_app()
    assert tiles(h2, ft.Icons.ASSIGNMENT) == []  # a started task leaves the list
    assert [t.title.value for t in tiles(h2, ft.Icons.VISIBILITY_OFF)] == ["S1"]
