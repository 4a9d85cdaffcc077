"""Switching the language at run time, from the home menu."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft
import pytest

from fieldapp.store import Store
from sync_server.templates.catalog import resolve_template
from tests.server.world import World
from tests.ui.harness import AppHarness
from tests.ui.support import OpenApp, add_task, engine_card, start_visit

PATROL = resolve_template("store-patrol").key  # the newest: the phone offers only that one


def badge(h: AppHarness) -> str:
    return h.find("sync-badge").content.controls[0].value


@pytest.mark.asyncio
async def test_switching_to_english_changes_the_visible_strings_and_back(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    add_task(server, "S1", "store-patrol", "covert")
    signed_in()
    h = await open_app()
    zh = set(h.strings())
    assert {"检查任务", "指派任务", "草稿", "已提交", "新建检查", "English"} <= zh
    assert badge(h).startswith("已全部同步 · 上次同步 ")

    await h.fire(h.button("English"))
    en = set(h.strings())
    assert h.view.route == "/"
    assert {"Inspections", "Assigned tasks", "Drafts", "Submitted", "New inspection"} <= en
    assert h.delivered("Inspections", "Assigned tasks", "Everything is synced")
    assert "中文" in en and "English" not in en  # the menu now offers the way back
    assert not {"检查任务", "指派任务", "草稿", "新建检查"} & en
    assert badge(h).startswith("Everything is synced · Last sync ")
    [task] = h.find_all(ft.ListTile, lambda t: t.leading.icon == ft.Icons.ASSIGNMENT)
    assert task.subtitle.value.endswith(" · Covert · Overdue")

    await h.fire(h.button("中文"))
    assert {"检查任务", "指派任务", "English"} <= set(h.strings())
    assert "Inspections" not in h.strings()


@pytest.mark.asyncio
async def test_the_checklist_follows_the_language(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    signed_in()
    h = await open_app()
    await h.fire(h.button("English"))
    await start_visit(h, "S1", PATROL)
    await h.select("item-1.1", "fail")
    texts = h.strings()
    item = engine_card(PATROL, {}).categories[0].lines[0]
    assert item.item == "1.1" and item.text not in texts  # the Chinese text is replaced
    assert "Clerks at their post 10 minutes before opening; no lateness, early " in h.text()
    assert {"Pass", "Fail", "Count", "Finish", "A photo is required when failed"} <= set(texts)
    assert not {"合格", "不合格", "次数", "完成检查", "不合格须拍照取证"} & set(texts)
    assert h.find("score").value == "Score 98/100 · 98 · Excellent"  # grade in English
    assert any("Posts and duty discipline" in x for x in texts)  # category title_en
    assert not any("岗位" in x for x in texts)
    title = h.title()
    assert title.endswith("Shop and service-window spot check (announced and covert)")
    await h.fire("finish")  # the summary explains the deduction in English too
    assert any(x.startswith("fail: −2 per occurrence") for x in h.strings()), h.strings()
    await h.back()
    assert h.delivered(h.find("score").value)
    total = len(engine_card(PATROL, {}).unanswered)
    assert f"1/{total} checked" in texts


@pytest.mark.asyncio
async def test_the_language_is_chosen_on_the_sign_in_screen_and_kept_after_a_restart(
    open_app: OpenApp,
) -> None:
    h = await open_app()
    assert "登录" in h.strings()
    await h.fire(h.button("English"))
    assert "Sign in" in h.strings() and "登录" not in h.strings()
    again = await open_app()  # a new session of the same app data: the choice is kept
    assert "Sign in" in again.strings() and "中文" in again.strings()
