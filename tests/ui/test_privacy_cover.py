"""The app-switcher cover (fieldapp.ui.privacy): leaving the app during a covert visit lays
a neutral white cover over the checklist, coming back takes it off; an overt visit is never
covered. (The real snapshot timing can only be seen on a device: README, inspector section.)"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft
import pytest

from fieldapp.store import Store
from sync_server.templates.catalog import resolve_template
from tests.server.world import World
from tests.ui.harness import AppHarness
from tests.ui.support import OpenApp, start_visit

PATROL = resolve_template("store-patrol").key


def covered(h: AppHarness) -> bool:
    """The top view is the blank cover: white, no app bar, nothing to read."""
    top = h.page.views[-1]
    blank = top.bgcolor == ft.Colors.WHITE and top.appbar is None and top.controls == []
    return blank and h.strings() == []


async def lifecycle(h: AppHarness, state: str) -> None:
    await h.fire(h.page, "app_lifecycle_state_change", {"state": state})


@pytest.mark.asyncio
async def test_leaving_the_app_in_a_covert_visit_covers_the_screen(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    signed_in()
    h = await open_app()
    await start_visit(h, "S1", PATROL, mode="covert")
    route, under = h.view.route, len(h.page.views)
    await h.select("item-1.1", "fail")
    assert not covered(h) and h.snackbars() == []
    await lifecycle(h, "inactive")  # the app switcher is opening
    assert covered(h) and h.page.title == "备忘"
    assert h.page.route == route  # the same screen underneath, not navigated away
    await lifecycle(h, "hide")
    assert covered(h) and len(h.page.views) == under + 1  # covered once
    await lifecycle(h, "resume")  # back in the app: the visit as it was
    assert not covered(h) and len(h.page.views) == under
    assert h.view.route == route and h.find("item-1.1").selected == ["fail"]


@pytest.mark.asyncio
async def test_an_overt_visit_and_home_are_never_covered(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    signed_in()
    h = await open_app()
    await lifecycle(h, "inactive")
    assert not covered(h)
    await start_visit(h, "S1", PATROL, mode="overt")
    await lifecycle(h, "hide")
    assert not covered(h)
