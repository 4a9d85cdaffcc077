"""Small building blocks shared by the screens (all tap targets ≥ 48 dp)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import flet as ft

from fieldapp.store.pending import SyncStatus
from fieldapp.sync.runner import SyncState
from fieldapp.text import Text

TAP = 48  # minimum touch target (dp)


def tagged(control: ft.Control, identifier: str) -> ft.Semantics:
    """A stable handle for UI tests (`[flt-semantics-identifier=…]` in the browser)."""
    return ft.Semantics(content=control, identifier=identifier)


def section(title: str, controls: list[ft.Control], t: Text) -> ft.Column:
    body: list[ft.Control] = controls or [ft.Text(t("home.empty"), color=ft.Colors.OUTLINE)]
    return ft.Column([ft.Text(title, size=16, weight=ft.FontWeight.BOLD), *body], spacing=6)


def when(value: str | datetime | None) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone().strftime("%m-%d %H:%M")


def status_chip(status: str, t: Text) -> ft.Container:
    colours = {
        "draft": ft.Colors.GREY_300,
        "returned": ft.Colors.ORANGE_200,
        "submitted": ft.Colors.BLUE_100,
        "resubmitted": ft.Colors.BLUE_100,
        "approved": ft.Colors.GREEN_100,
        "published": ft.Colors.GREEN_200,
        "voided": ft.Colors.RED_100,
    }
    return ft.Container(
        ft.Text(t(f"status.{status}"), size=12),
        bgcolor=colours.get(status),
        padding=ft.Padding.symmetric(horizontal=8, vertical=2),
        border_radius=ft.BorderRadius.all(10),
    )


def sync_line(status: SyncStatus, state: SyncState, t: Text) -> str:
    """The sync badge in words: what is pending, when it last worked, what failed."""
    if state.running:
        return t("sync.running")
    parts = []
    if status.pending_records or status.pending_photos:
        parts.append(
            t("sync.pending", records=status.pending_records, photos=status.pending_photos)
        )
    else:
        parts.append(t("sync.all_done"))
    parts.append(
        t("sync.last", when=when(status.last_sync_at)) if status.last_sync_at else t("sync.never")
    )
    error = state.error_code or status.last_error.split(":", 1)[0]
    if error:
        parts.append(t("sync.error", reason=t.reason(error)))
    if state.needs_login:
        parts.append(t("sync.relogin"))  # the badge then opens the sign-in screen
    return " · ".join(parts)


def progress_value(state: SyncState) -> float | None:
    p = state.progress
    if p.phase == "push" and p.records_total:
        return min(1.0, p.records_done / p.records_total)
    if p.phase in ("upload", "download") and p.bytes_total:
        return min(1.0, p.bytes_done / p.bytes_total)
    return None  # indeterminate while pulling


def progress_text(state: SyncState, t: Text) -> str:
    p = state.progress
    if p.phase == "push":
        return t("sync.phase.push", done=p.records_done, total=p.records_total)
    if p.phase == "upload":
        mb = 1024 * 1024
        return t(
            "sync.phase.upload",
            done=f"{p.bytes_done / mb:.1f} MB",
            total=f"{p.bytes_total / mb:.1f} MB",
        )
    if p.phase == "pull":
        return t("sync.phase.pull", done=p.records_done)
    if p.phase == "download":
        return t("sync.phase.download", done=p.records_done, total=p.records_total)
    return t("sync.phase.done") if p.phase == "done" else ""


def big_button(
    label: str, on_click: Any, icon: Any = None, key: str = "", filled: bool = True
) -> ft.Control:
    kind = ft.FilledButton if filled else ft.OutlinedButton
    button = kind(
        label,
        icon=icon,
        on_click=on_click,
        height=TAP,
        style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20)),
    )
    return tagged(button, key) if key else button


def marked_switch(t: Text, key: str, on_switch: Callable[[bool], Any]) -> ft.Semantics:
    """原图 / 标注: show each photo's marked-up copy (on, the default) in its original's
    place, or the original (off). One switch for every list of evidence (item, 整改)."""

    def changed(e: Any) -> Any:
        on = bool(switch.value)
        switch.label = t("annot.showing_marked" if on else "annot.showing_original")
        return on_switch(on)

    switch = ft.Switch(label=t("annot.showing_marked"), value=True, on_change=changed)
    return tagged(switch, key)
