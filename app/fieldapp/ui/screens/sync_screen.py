"""Sync: progress with records and photo bytes, what is pending, what the server refused."""

from __future__ import annotations

import contextlib
from typing import Any

import flet as ft

from fieldapp.sync.runner import SyncState
from fieldapp.ui.app import UI
from fieldapp.ui.widgets import big_button, progress_text, progress_value, sync_line, tagged


async def build(ui: UI) -> ft.View:
    t = ui.t
    line = tagged(ft.Text("", size=14), "sync-line")
    bar = ft.ProgressBar(value=0, visible=False)
    phase = tagged(ft.Text(""), "sync-phase")
    refused = ft.Column([], spacing=4)

    async def refresh() -> None:
        status = await ui.run(ui.store.sync_status)
        state = ui.sync.state
        line.content.value = sync_line(status, state, t)  # type: ignore[attr-defined]
        bar.visible = state.running
        bar.value = progress_value(state)
        phase.content.value = progress_text(state, t)  # type: ignore[attr-defined]
        refused.controls = [
            ft.ListTile(
                title=ft.Text(f"{r['entity']} · {r['code']}", size=13),
                subtitle=ft.Text(r["message"] or t.problem(r["code"]), size=12),
                leading=ft.Icon(ft.Icons.ERROR_OUTLINE, color=ft.Colors.ERROR),
            )
            for r in status.rejected
        ]
        with contextlib.suppress(RuntimeError):  # the screen was left meanwhile
            ui.page.update()

    def listener(_: SyncState) -> None:
        ui.page.run_task(refresh)

    ui.listen(listener)  # type: ignore[attr-defined]
    await refresh()

    async def now(e: Any) -> None:
        await ui.sync.sync_now()

    return ft.View(
        route="/sync",
        appbar=ft.AppBar(title=ft.Text(t("sync.title"))),
        padding=ft.Padding.all(16),
        spacing=12,
        controls=[
            line,
            bar,
            phase,
            big_button(t("sync.now"), now, ft.Icons.SYNC, key="sync-now"),
            ft.Text(t("sync.rejected"), weight=ft.FontWeight.BOLD),
            refused,
        ],
    )
