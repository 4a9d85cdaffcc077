"""An announced (明查) visit: live score from fieldcore's engine, veto, photos before submit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import flet as ft
import pytest

from fieldapp.store import Store
from sync_server.templates.catalog import resolve_template
from tests.server.images import jpeg
from tests.server.world import World
from tests.ui.harness import AppHarness
from tests.ui.support import OpenApp, engine_card, score_line, start_visit

PATROL = resolve_template("store-patrol").key  # the newest: the phone offers only that one


def score(h: AppHarness) -> str:
    return h.find("score").value


def visible_text(h: AppHarness, prefix: str) -> list[str]:
    return [s for s in h.strings() if s.startswith(prefix)]


async def plus(h: AppHarness) -> None:
    """The only visible "+" on the checklist: the count of the one failed counted item."""
    [more] = h.find_all(ft.IconButton, lambda b: b.icon == ft.Icons.ADD)
    await h.fire(more)


@pytest.mark.asyncio
async def test_failing_items_drops_the_live_score_as_the_engine_computes_it(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    signed_in()
    h = await open_app()
    await start_visit(h, "S1", PATROL)
    assert h.title() == "门店S1 · 门店/窗口明查暗访检查表"
    assert score(h) == score_line(engine_card(PATROL, {})) == "得分 100/100 · 100 · 优秀"

    steps: list[tuple[Any, dict[str, Any]]] = [
        (("item-1.1", "fail"), {"1.1": {"result": "fail"}}),
        (plus, {"1.1": {"result": "fail", "count": 2}}),
        (("item-5.7", "fail"), {"1.1": {"result": "fail", "count": 2}, "5.7": {"result": "fail"}}),
        (plus, {"1.1": {"result": "fail", "count": 3}, "5.7": {"result": "fail"}}),
        (plus, {"1.1": {"result": "fail", "count": 4}, "5.7": {"result": "fail"}}),  # cap 6
        (("item-2.1", "pass"), {"1.1": {"result": "fail", "count": 4}, "5.7": {"result": "fail"}}),
    ]
    shown: list[str] = []
    for action, answers in steps:
        if callable(action):
            await action(h)
        else:
            await h.select(*action)
        assert score(h) == score_line(engine_card(PATROL, answers)), answers
        assert h.delivered(score(h)) or shown[-1] == score(h)  # sent when it changed
        shown.append(score(h))
    assert [s.split(" · ")[0] for s in shown] == [
        "得分 98/100",
        "得分 96/100",
        "得分 92/100",
        "得分 90/100",
        "得分 90/100",  # 1.1 is capped at 6 points
        "得分 90/100",  # a pass deducts nothing
    ]
    assert visible_text(h, "已检查 ") == [f"已检查 3/{len(engine_card(PATROL, {}).unanswered)}"]
    assert h.find("item-1.1").selected == ["fail"]
    assert "6/20 · 1/11" not in h.strings() and "14/20 · 1/11" in h.strings()  # category 1


@pytest.mark.asyncio
async def test_a_failed_veto_item_shows_the_banner_and_fails_the_visit(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    signed_in()
    h = await open_app()
    visit_id = await start_visit(h, "S1", PATROL)
    assert visible_text(h, "一票否决") == []
    await h.select("item-1.9", "fail")
    assert visible_text(h, "一票否决") == ["一票否决:1.9"]
    assert h.delivered("一票否决:1.9")
    card = engine_card(PATROL, {"1.9": {"result": "fail"}})
    assert card.veto and not card.passed and score(h) == score_line(card)
    await h.select("item-1.9", "pass")  # corrected: the banner goes away
    assert visible_text(h, "一票否决") == []
    await h.select("item-1.9", "fail")
    await h.fire("finish")
    assert h.view.route == f"/visit/{visit_id}/finish"
    assert "未达标" in h.strings() and "达标" not in h.strings()
    assert any(s.startswith("1.9 ") for s in h.strings())  # listed under the failed items


@pytest.mark.asyncio
async def test_a_failed_item_needing_a_photo_blocks_submit_until_one_is_attached(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    store = signed_in()
    visit = store.start_visit(uuid.UUID(server.site("S1")), PATROL, "overt")
    for code in engine_card(PATROL, {}).unanswered:
        store.record_answer(visit.id, code, "pass")
    picked = jpeg(800, 600)

    def phone(name: str, args: dict[str, Any]) -> Any:  # no camera; the gallery has a photo
        if name == "pick_files":
            return [{"id": 1, "name": "a.jpg", "size": len(picked), "bytes": picked}]
        return None

    h = await open_app(f"/visit/{visit.id}", on_invoke=phone)
    await h.select("item-3.1", "fail")
    assert "不合格须拍照取证" in h.strings()
    await h.fire("finish")
    assert visible_text(h, "还有 ") == ["还有 0 项未检查,1 项缺少照片\n缺照片: 3.1"]
    await h.fire("submit")
    assert h.snackbars()[-1].startswith("检查未完成,不能提交")
    assert h.delivered(h.snackbars()[-1])
    assert h.view.route.endswith("/finish")
    assert store.visit_view(visit.id).visit.status == "draft"

    await h.back()  # back leads to the checklist, where the photo is missing
    assert h.view.route == f"/visit/{visit.id}"
    await h.fire("photo-3.1")
    assert "不合格须拍照取证" not in h.strings()
    assert len(h.find_all(ft.Image)) == 1  # the thumbnail, sent as bytes
    assert store.visit_view(visit.id).missing_photos == []
    await h.fire("finish")
    assert not visible_text(h, "还有 ")
    assert "签名" in h.strings() and h.field("现场负责人签认(姓名)")  # 明查: acknowledgement
    await h.fire("submit")
    assert h.snackbars()[-1] == "已提交,将在联网时同步"
    assert h.view.route == "/"
    assert store.visit_view(visit.id).visit.status == "submitted"


@pytest.mark.asyncio
async def test_mark_the_rest_as_pass_asks_first_and_keeps_the_given_answers(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    signed_in()
    h = await open_app()
    await start_visit(h, "S1", PATROL)
    await h.select("item-1.1", "fail")
    total = len(engine_card(PATROL, {}).unanswered)  # store-patrol has no figure items
    await h.fire("pass-rest")
    question = f"把 {total - 1} 个未判定的项目标为合格?需要填写数值的项目仍由您填写。"
    assert h.dialog_strings()[0] == question and h.delivered(question)
    await h.fire(h.button("取消"))
    assert h.dialogs() == [] and f"已检查 1/{total}" in h.strings()  # nothing marked

    await h.fire("pass-rest")
    await h.fire("confirm")
    assert h.dialogs() == [] and f"已检查 {total}/{total}" in h.strings()
    assert h.delivered(f"已检查 {total}/{total}")
    assert h.find("item-1.1").selected == ["fail"] and h.find("item-1.9").selected == ["pass"]
    answers = {c: {"result": "pass"} for c in engine_card(PATROL, {}).unanswered}
    answers["1.1"] = {"result": "fail"}
    assert score(h) == score_line(engine_card(PATROL, answers))  # passes deduct nothing

    await h.fire("pass-rest")  # nothing left: says so instead of asking
    assert h.dialogs()[-1].content.value == "没有可标记的未判定项目"
