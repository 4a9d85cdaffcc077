"""A covert (暗访) visit: nothing on screen names the site or checklist, quick-hide blanks
the screen, and finishing asks for no on-site acknowledgement."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import flet as ft
import pytest

from fieldapp.store import Store
from sync_server.templates.catalog import resolve_template
from tests.server.world import World
from tests.ui.harness import AppHarness
from tests.ui.support import OpenApp, engine_card, start_visit

PATROL = resolve_template("store-patrol").key  # the newest: the phone offers only that one
REVEALING = ("门店S1", "门店/窗口明查暗访检查表", "store-patrol", "明察")


async def covert_visit(
    open_app: OpenApp, signed_in: Callable[..., Store]
) -> tuple[AppHarness, Store]:
    store = signed_in()
    h = await open_app()
    await start_visit(h, "S1", PATROL, mode="covert")
    return h, store


@pytest.mark.asyncio
async def test_the_covert_checklist_has_a_neutral_title_and_only_covert_items(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    h, _ = await covert_visit(open_app, signed_in)
    assert h.title() == "备忘"
    on_screen = h.text()
    assert not [word for word in REVEALING if word in on_screen], on_screen
    h.find("item-1.1")  # observable as a customer
    with pytest.raises(LookupError):
        h.find("item-1.4")  # a back-office record: only in 明查
    covert = engine_card(PATROL, {}, "covert")
    assert f"已检查 0/{len(covert.unanswered)}" in h.strings()
    assert len(covert.unanswered) < len(engine_card(PATROL, {}).unanswered)


@pytest.mark.asyncio
async def test_quick_hide_blanks_the_screen_and_a_long_press_brings_the_visit_back(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    h, _ = await covert_visit(open_app, signed_in)
    visit_route = h.view.route
    await h.select("item-1.1", "fail")
    await h.fire("hide")
    assert h.view.route == "/hide"
    assert len(h.page.views) == 1  # no checklist or home underneath to swipe back to
    assert h.strings() == [] and h.view.appbar is None  # nothing to read
    assert h.view.bgcolor == ft.Colors.WHITE
    assert not h.delivered("门店S1")
    await h.fire("blank", "long_press_start", {"l": {"x": 200, "y": 400}})
    assert h.view.route == visit_route and h.delivered("备忘")
    assert h.find("item-1.1").selected == ["fail"]  # the answer survived hiding


@pytest.mark.asyncio
async def test_finishing_a_covert_visit_asks_for_no_acknowledgement(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    h, store = await covert_visit(open_app, signed_in)
    visit_id = uuid.UUID(h.view.route.removeprefix("/visit/"))
    n = len(engine_card(PATROL, {}, "covert").unanswered)
    await h.fire("pass-rest")  # only the items a covert visit scores
    assert h.dialog_strings()[0].startswith(f"把 {n} 个未判定的项目标为合格?")
    await h.fire("confirm")
    assert f"已检查 {n}/{n}" in h.strings()
    await h.fire("finish")
    assert h.find_all(ft.TextField) == [] and h.find_all(ft.Checkbox) == []
    assert "签名" not in h.strings() and "现场负责人签认(姓名)" not in h.strings()
    assert "达标" in h.strings()
    await h.fire("submit")
    assert h.snackbars()[-1] == "已提交,将在联网时同步"
    assert h.view.route == "/"
    [tile] = h.find_all(ft.ListTile, lambda t: t.leading.icon == ft.Icons.VISIBILITY_OFF)
    assert tile.title.value == "S1"  # home lists a covert visit by site code only
    assert tile.trailing.content.value == "已提交"
    visit = store.visit_view(visit_id).visit
    assert visit.status == "submitted" and visit.mode == "covert"
    assert (visit.ack_name, visit.ack_at, visit.ack_signature_sha256) == ("", None, None)
