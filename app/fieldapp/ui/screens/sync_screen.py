"""Sync: progress with records and photo bytes, what is pending, what the server refused."""

from __future__ import annotations

import contextlib
from typing import Any

import flet as ft

from fieldapp.store.syncdetail import PendingPhoto, PendingVisit
from fieldapp.sync.runner import SyncState
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import big_button, progress_text, progress_value, sync_line, tagged


async def build(ui: UI) -> ft.View:
    t = ui.t
    line_text = ft.Text("", size=14)
    line = tagged(line_text, "sync-line")
    bar = ft.ProgressBar(value=0, visible=False)
    phase_text = ft.Text("")
    phase = tagged(phase_text, "sync-phase")
    refused = ft.Column([], spacing=4)
    visits = ft.Column([], spacing=0)
    photos = ft.Column([], spacing=0)

    async def refresh() -> None:
        status = await ui.run(ui.store.sync_status)
        pending_visits, pending_photos = await ui.run(ui.store.sync_detail)
        visits.controls = [visit_row(ui, v) for v in pending_visits] or [nothing(ui)]
        photos.controls = [photo_row(ui, p) for p in pending_photos] or [nothing(ui)]
        state = ui.sync.state
        line_text.value = sync_line(status, state, t)
        bar.visible = state.running
        bar.value = progress_value(state)
        phase_text.value = progress_text(state, t)
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

    ui.listen(listener)
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
            ft.ListView(
                [
                    ft.Text(t("sync.pending_visits"), weight=ft.FontWeight.BOLD),
                    tagged(visits, "pending-visits"),
                    ft.Text(t("sync.pending_photos"), weight=ft.FontWeight.BOLD),
                    tagged(photos, "pending-photos"),
                    ft.Text(t("sync.rejected"), weight=ft.FontWeight.BOLD),
                    refused,
                ],
                spacing=8,
                expand=True,
            ),
        ],
    )


def nothing(ui: UI) -> ft.Control:
    return ft.Text(ui.t("home.empty"), color=ft.Colors.OUTLINE, size=12)


def visit_row(ui: UI, v: PendingVisit) -> ft.Control:
    return ft.ListTile(
        title=ft.Text(v.label, size=14),
        subtitle=ft.Text(ui.t("sync.visit_pending", n=v.pending), size=12),
        trailing=ft.Text(ui.t(f"status.{v.status}"), size=12),
        leading=ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED),
        dense=True,
    )


def photo_row(ui: UI, p: PendingPhoto) -> ft.Control:
    """How far one photo got: the server-confirmed offset of its resumable upload."""
    kb = max(1, p.byte_size // 1024)
    sent = p.sent * 100 // p.byte_size if p.byte_size else 0
    detail = ui.t("sync.photo_progress", sent=sent, kb=kb)
    return ft.ListTile(
        title=ft.Text(f"{p.visit_label} · {p.sha256[:10]}", size=13),
        subtitle=ft.Text(f"{detail}{' · ' + p.error if p.error else ''}", size=12),
        leading=ft.Icon(ft.Icons.PHOTO_OUTLINED, color=ft.Colors.ERROR if p.error else None),
        dense=True,
    )
