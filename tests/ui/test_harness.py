"""The harness itself: it must see what the phone would miss, and handler crashes."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft
import pytest

from tests.ui.harness import AppHarness


def tiny_app(update_after_dialog: bool) -> Callable[[ft.Page], None]:
    def main(page: ft.Page) -> None:
        status = ft.Text("idle", key="status")

        def save(e: ft.Event[ft.Button]) -> None:
            status.value = "saved-by-handler"
            page.show_dialog(ft.SnackBar(ft.Text("Saved")))  # switches auto-update off
            if update_after_dialog:
                page.update()

        def crash(e: ft.Event[ft.Button]) -> None:
            raise ValueError("boom")

        async def fail_later() -> None:
            raise ValueError("late boom")

        page.add(status, ft.Button("Save", key="save", on_click=save))
        page.add(ft.Button("Crash", key="crash", on_click=crash))
        page.add(ft.Button("Later", key="later", on_click=lambda: page.run_task(fail_later)))

    return main


@pytest.mark.asyncio
async def test_a_value_set_but_never_sent_is_not_delivered() -> None:
    h = await AppHarness().start(tiny_app(update_after_dialog=False))
    await h.fire("save")
    assert h.page.controls[0].value == "saved-by-handler"  # in the control tree …
    assert not h.delivered("saved-by-handler")  # … but not on the phone (flet-notes §1.3)
    assert h.delivered("Saved")

    fixed = await AppHarness().start(tiny_app(update_after_dialog=True))
    await fixed.fire("save")
    assert fixed.delivered("saved-by-handler")


@pytest.mark.asyncio
async def test_a_crashing_handler_or_background_task_fails_the_test() -> None:
    h = await AppHarness().start(tiny_app(update_after_dialog=True))
    with pytest.raises(AssertionError, match="boom"):
        await h.fire("crash")
    with pytest.raises(AssertionError, match="background task failed"):
        await h.fire("later")
