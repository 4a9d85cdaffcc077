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


def cover(h: AppHarness) -> ft.Container:
    [box] = [c for c in h.page.overlay if isinstance(c, ft.Container)]
    return box


async def lifecycle(h: AppHarness, state: str) -> None:
    await h.fire(h.page, "app_lifecycle_state_change", {"state": state})


@pytest.mark.asyncio
async def test_leaving_the_app_in_a_covert_visit_covers_the_screen(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    signed_in()
    h = await open_app()
    await start_visit(h, "S1", PATROL, mode="covert")
    assert cover(h).visible is False
    await lifecycle(h, "inactive")  # the app switcher is opening
    assert cover(h).visible is True and cover(h).bgcolor == ft.Colors.WHITE
    assert (cover(h).left, cover(h).top, cover(h).right, cover(h).bottom) == (0, 0, 0, 0)
    assert h.page.title == "备忘"
    await lifecycle(h, "hide")
    assert cover(h).visible is True
    await lifecycle(h, "resume")  # back in the app: the visit as it was
    assert cover(h).visible is False
    assert h.view.route.startswith("/visit/")


@pytest.mark.asyncio
async def test_an_overt_visit_and_home_are_never_covered(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World
) -> None:
    signed_in()
    h = await open_app()
    await lifecycle(h, "inactive")
    assert cover(h).visible is False
    await start_visit(h, "S1", PATROL, mode="overt")
    await lifecycle(h, "hide")
    assert cover(h).visible is False
