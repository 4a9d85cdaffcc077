"""The console's feedback: an error's toast is readable — its text takes the error
container's own "on" colour (the snack bar's default light text was unreadable on it)."""

from __future__ import annotations

from typing import Any, cast

import flet as ft

from fieldcore.problems import DomainError, ProblemCode
from sync_server.console.services import ConsoleServices
from sync_server.console.shell import Console


class ShownPage:
    def __init__(self) -> None:
        self.dialogs: list[Any] = []
        self.updates = 0

    def show_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog)

    def update(self) -> None:
        self.updates += 1


async def _render(console: Console, route: str) -> None:
    raise AssertionError("no screen is drawn here")


def test_an_error_toast_pairs_its_text_and_background_colours() -> None:
    page = ShownPage()
    console = Console(cast(ft.Page, page), cast(ConsoleServices, None), _render)
    console.fail(DomainError(ProblemCode.IMPORT_INVALID, "row 2, column region"))
    console.toast("已保存 Saved")
    error, plain = page.dialogs
    assert error.bgcolor == ft.Colors.ERROR_CONTAINER
    assert error.content.color == ft.Colors.ON_ERROR_CONTAINER
    assert "row 2, column region" in error.content.value
    assert plain.bgcolor is None and plain.content.color is None  # the theme's own pair
    assert page.updates == 2  # show_dialog switches auto-update off: each toast updates
