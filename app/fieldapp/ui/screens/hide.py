"""The quick-hide screen of a covert visit: a blank, neutral page. A long press on it
returns to the visit (nothing on it says what the app is)."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldapp.ui.shell import UI


async def build(ui: UI) -> ft.View:
    ui.page.title = ui.t("app.neutral_title")
    ui.covert = True

    async def back(e: Any) -> None:
        route, ui.hidden_from = ui.hidden_from or "/", None
        await ui.go(route)

    blank = ft.GestureDetector(
        key="blank",
        content=ft.Container(expand=True, bgcolor=ft.Colors.WHITE),
        on_long_press_start=back,
        expand=True,
    )
    # Not wrapped in Semantics: the wrapper does not expand, which left the detector zero
    # sized and the long press dead (found by the end-to-end test).
    return ft.View(route="/hide", controls=[blank], padding=0, bgcolor=ft.Colors.WHITE)
