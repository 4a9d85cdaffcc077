"""Switching the high-contrast theme from the home menu, and keeping it after a restart."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft
import pytest

from fieldapp.store import Store
from fieldapp.ui.theme import HIGH_CONTRAST_SCHEME
from tests.ui.support import OpenApp


def scheme_sent(page: ft.Page) -> ft.ColorScheme | None:
    return page.theme.color_scheme if page.theme else None


@pytest.mark.asyncio
async def test_the_contrast_switch_is_in_the_home_menu_and_kept_after_a_restart(
    open_app: OpenApp, signed_in: Callable[..., Store]
) -> None:
    signed_in()
    h = await open_app()
    assert scheme_sent(h.page) is None and h.page.theme.color_scheme_seed  # normal: seeded
    await h.fire(h.button("高对比度(强光下)"))
    scheme = scheme_sent(h.page)
    assert scheme is not None and scheme.on_surface == HIGH_CONTRAST_SCHEME["on_surface"]
    assert scheme.outline == HIGH_CONTRAST_SCHEME["outline"]
    assert h.page.theme_mode == ft.ThemeMode.LIGHT
    assert h.delivered(HIGH_CONTRAST_SCHEME["outline"])  # the phone was sent the new theme
    assert "标准配色" in h.strings() and "高对比度(强光下)" not in h.strings()

    again = await open_app()  # a restart on the same phone data
    assert scheme_sent(again.page) is not None
    assert scheme_sent(again.page).error == HIGH_CONTRAST_SCHEME["error"]  # type: ignore[union-attr]
    assert "标准配色" in again.strings()
    await again.fire(again.button("English"))  # the language switch still works beside it
    assert "Standard colours" in again.strings()
    await again.fire(again.button("Standard colours"))
    assert scheme_sent(again.page) is None
    third = await open_app()
    assert scheme_sent(third.page) is None and "High contrast (sunlight)" in third.strings()


@pytest.mark.asyncio
async def test_the_sign_in_screen_switches_the_theme_too(open_app: OpenApp) -> None:
    h = await open_app()
    await h.fire(h.button("高对比度(强光下)"))
    assert scheme_sent(h.page) is not None and h.button("标准配色")
    again = await open_app()
    assert scheme_sent(again.page) is not None and "登录" in again.strings()
