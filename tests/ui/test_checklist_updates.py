"""Marking one item shows the change without walking the whole list: that item's card and
the header are refreshed and sent, no other card (a 150-item checklist marks as fast as a
15-item one: `mingcha bench field`); marking the rest refreshes every card built so far,
and the cards built later, as the list is scrolled, show the answers too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft
import pytest

from fieldapp.store import Store
from fieldapp.ui.screens.item_card import ItemCard
from sync_server.templates.catalog import resolve_template
from tests.server.world import World
from tests.ui.harness import AT_THE_END, AppHarness
from tests.ui.support import OpenApp, engine_card, score_line, start_visit

PATROL = resolve_template("store-patrol").key


def record_refreshes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    refreshed: list[str] = []
    original = ItemCard.refresh

    def refresh(self: ItemCard, view: Any, update: bool = True) -> None:
        refreshed.append(self.item.code)
        original(self, view, update)

    monkeypatch.setattr(ItemCard, "refresh", refresh)
    return refreshed


def built(h: AppHarness) -> set[str]:
    """The item cards the checklist has built so far."""
    tagged = h.find_all(ft.Semantics, lambda c: (c.identifier or "").startswith("item-"))
    return {c.identifier.removeprefix("item-") for c in tagged}


def score(h: AppHarness) -> str:
    return h.find("score").value


@pytest.mark.asyncio
async def test_marking_one_item_refreshes_that_card_and_the_header_only(
    open_app: OpenApp,
    signed_in: Callable[..., Store],
    server: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signed_in()
    h = await open_app()
    await start_visit(h, "S1", PATROL)
    assert not built(h) >= {"5.7", "5.13"}  # the list is built as it is scrolled
    await h.reveal("item-5.7")  # scrolled to: the cards on the way are built
    refreshed = record_refreshes(monkeypatch)

    await h.select("item-5.7", "fail")
    assert refreshed == ["5.7"]
    shown = score_line(engine_card(PATROL, {"5.7": {"result": "fail"}}))
    assert score(h) == shown and h.delivered(shown)  # the header went to the phone
    total = len(engine_card(PATROL, {}).unanswered)
    assert h.delivered(f"已检查 1/{total}")
    assert h.find("item-5.7").selected == ["fail"]

    refreshed.clear()
    await h.fire("pass-rest")
    await h.fire("confirm")
    assert sorted(refreshed) == sorted(built(h))  # every card built so far
    assert h.delivered(f"已检查 {total}/{total}")
    last = "item-5.13"  # the end of the list: its card built after the answer
    assert (await h.reveal(last)).selected == ["pass"]


@pytest.mark.asyncio
async def test_the_list_is_built_as_it_is_scrolled_and_scrolling_alone_sends_nothing(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    signed_in()
    h = await open_app()
    await start_visit(h, "S1", PATROL)
    first = built(h)
    assert {"1.1", "2.3"} <= first and "4.10" not in first  # two screens' worth, not 45
    [items] = h.find_all(ft.ListView, lambda c: c.on_scroll is not None)
    shown = len(items.controls)

    far = {**AT_THE_END, "pixels": 200.0, "max_scroll_extent": 5000.0}  # near the top
    await h.fire(items, "scroll", far)
    assert len(items.controls) == shown and not h.conn.wire[h.mark :]  # no update sent

    await h.fire(items, "scroll", AT_THE_END)
    assert len(items.controls) > shown and built(h) > first
    assert h.conn.wire[h.mark :]  # the new cards went to the phone
