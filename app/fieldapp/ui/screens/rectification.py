"""A site manager's corrective action: the finding, its evidence, the fix with an after-photo."""

from __future__ import annotations

import uuid
from typing import Any

import flet as ft

from fieldapp.ui.app import UI
from fieldapp.ui.capture import pick_image, take_picture
from fieldapp.ui.photo_flow import save_photo
from fieldapp.ui.widgets import big_button, tagged
from fieldcore.problems import DomainError


async def build(ui: UI, rect_id: str) -> ft.View:
    t = ui.t
    rid = uuid.UUID(rect_id)
    rect = await ui.run(ui.store.rectification_view, rid)
    note = ft.TextField(
        label=t("rect.response"), multiline=True, min_lines=2, value=rect.row.response_note
    )
    editable = rect.row.status in ("open", "reopened")
    after = ft.Row(
        [ft.Image(src=b, width=96, height=96, fit=ft.BoxFit.COVER) for b in rect.after_thumbs],
        wrap=True,
    )

    async def add_photo(e: Any) -> None:
        raw = await take_picture(ui.page, t) or await pick_image()
        if raw is not None and await save_photo(ui, raw, rect.site_code, rectification_id=rid):
            await ui.refresh()

    async def submit(e: Any) -> None:
        try:
            await ui.run(ui.store.answer_rectification, rid, note.value or "", True)
        except DomainError as exc:
            ui.fail(exc)
            return
        ui.sync.poke()
        await ui.go("/")

    controls: list[ft.Control] = [
        ft.Text(f"{rect.site_name} · {rect.row.item_code}", size=16, weight=ft.FontWeight.BOLD),
        ft.Text(rect.row.instructions),
        ft.Text(t("home.due", date=rect.row.due_date)),
        ft.Text(t(f"rect.status.{rect.row.status}"), weight=ft.FontWeight.BOLD),
    ]
    if rect.row.verify_comment:
        controls.append(ft.Text(rect.row.verify_comment, color=ft.Colors.ORANGE_900))
    controls += [ft.Text(t("rect.after")), after]
    if editable:
        controls += [
            ft.OutlinedButton(t("check.photo"), icon=ft.Icons.PHOTO_CAMERA, on_click=add_photo),
            note,
            big_button(t("rect.submit"), submit, ft.Icons.SEND, key="rect-submit"),
        ]
    return ft.View(
        route=f"/rect/{rect_id}",
        appbar=ft.AppBar(title=ft.Text(t("rect.title"))),
        controls=[tagged(ft.ListView(controls, spacing=10, expand=True), "rect")],
        padding=ft.Padding.all(16),
    )
