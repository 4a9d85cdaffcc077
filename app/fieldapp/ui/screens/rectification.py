"""A site manager's corrective action: the finding, its evidence, the fix with an after-photo.

The inspector's evidence (整改前, fetched from the server after a pull) sits beside the
manager's after-photos (整改后), so what was wrong is in view while fixing it; a tap opens
a photo at full size. An evidence photo the inspector marked up (标注) shows as its marked
copy, with the item card's switch to the original: one piece of evidence, not two.
"""

from __future__ import annotations

import uuid
from typing import Any

import flet as ft

from fieldapp.store.photo_views import Thumb
from fieldapp.ui.capture import get_photo
from fieldapp.ui.photo_flow import save_photo
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import big_button, marked_switch, tagged
from fieldcore.evidence import PHOTO_SOURCES
from fieldcore.problems import DomainError
from fieldcore.workflow import MANAGER_EDITABLE

THUMB = 96


def photo_tile(ui: UI, thumb: Thumb, label: str, key: str) -> ft.Control:
    """A thumbnail that opens the photo at full size (or its thumbnail, if that is all)."""

    async def enlarge(e: Any) -> None:
        full = await ui.run(ui.store.photo_file, thumb.sha256) or thumb.data
        ui.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(label),
                content=tagged(
                    ft.InteractiveViewer(ft.Image(src=full, fit=ft.BoxFit.CONTAIN)), "photo-full"
                ),
                actions=[
                    ft.TextButton(ui.t("common.back"), on_click=lambda e: ui.page.pop_dialog())
                ],
            )
        )
        ui.page.update()  # show_dialog switches auto-update off for this handler

    image = ft.Image(
        src=thumb.data,
        width=THUMB,
        height=THUMB,
        fit=ft.BoxFit.COVER,
        semantics_label=f"{label} {ui.t('rect.photo')}",
    )
    # a gesture detector, not a clickable container: that would fold the image into a
    # button node, and screen readers (and the browser tests) would no longer see an image
    tile = ft.GestureDetector(image, on_tap=enlarge, mouse_cursor=ft.MouseCursor.CLICK)
    return tagged(tile, key)


def gallery(
    ui: UI, label: str, key: str, thumbs: list[Thumb], note: str = "", expand: int | None = 1
) -> ft.Control:
    """One labelled side (整改前 or 整改后) of the before/after comparison."""
    tiles = [photo_tile(ui, th, label, f"{key}-{i}") for i, th in enumerate(thumbs)]
    body: list[ft.Control] = [
        ft.Text(label, weight=ft.FontWeight.BOLD),
        ft.Row(tiles, wrap=True, spacing=6, run_spacing=6)
        if tiles
        else ft.Text(ui.t("rect.no_photo"), color=ft.Colors.OUTLINE, size=12),
    ]
    if note:
        body.append(ft.Text(note, color=ft.Colors.OUTLINE, size=12))
    column = ft.Column(body, spacing=6, expand=expand, alignment=ft.MainAxisAlignment.START)
    return tagged(column, key)


async def build(ui: UI, rect_id: str) -> ft.View:
    t = ui.t
    rid = uuid.UUID(rect_id)
    rect = await ui.run(ui.store.rectification_view, rid)
    note = ft.TextField(
        label=t("rect.response"), multiline=True, min_lines=2, value=rect.row.response_note
    )
    editable = rect.row.status in MANAGER_EDITABLE
    waiting = t("rect.before_waiting", n=rect.before_waiting) if rect.before_waiting else ""

    def before_gallery(thumbs: list[Thumb]) -> ft.Control:
        return gallery(ui, t("rect.before"), "rect-before", thumbs, waiting, expand=None)

    before = ft.Column([before_gallery(rect.before_marked)], spacing=6, expand=1)

    def show_before(marked: bool) -> None:  # 标注 in its original's place, or the originals
        before.controls[-1] = before_gallery(rect.before_marked if marked else rect.before)

    if rect.has_copies:
        before.controls.insert(0, marked_switch(t, "rect-before-marked", show_before))
    compare = ft.Row(
        [
            before,
            gallery(ui, t("rect.after"), "rect-after", rect.after),
        ],
        vertical_alignment=ft.CrossAxisAlignment.START,
        spacing=12,
    )

    async def add_photo(e: Any) -> None:
        got = await get_photo(ui.page, t, PHOTO_SOURCES)  # after-photos: either source
        if got is None:
            return
        raw, source = got
        if await save_photo(ui, raw, rect.site_code, source=source, rectification_id=rid):
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
        controls.append(ft.Text(rect.row.verify_comment, color=ui.palette.warning))
    controls.append(compare)
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
