"""The quick-hide screen of a covert visit: a blank, neutral page. A long press on it
returns to the visit (nothing on it says what the app is)."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldapp.ui.app import UI
from fieldapp.ui.widgets import tagged


async def build(ui: UI) -> ft.View:
    async def back(e: Any) -> None:
        route, ui.hidden_from = ui.hidden_from or "/", None
        await ui.go(route)

    blank = ft.GestureDetector(
        content=ft.Container(expand=True, bgcolor=ft.Colors.WHITE),
        on_long_press_start=back,
        expand=True,
    )
    return ft.View(
        route="/hide", controls=[tagged(blank, "blank")], padding=0, bgcolor=ft.Colors.WHITE
    )
