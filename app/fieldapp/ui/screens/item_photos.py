"""The photos on an item's card: a thumbnail each (its marked-up copy when it has one and
the 原图/标注 switch says so), and the 标注 button that opens the editor on the original."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from typing import Protocol

import flet as ft

from fieldapp.annotate import screen_copy
from fieldapp.photos import PhotoError
from fieldapp.store.visit_view import VisitView
from fieldapp.ui.annotator import open_editor
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import TAP, marked_switch, tagged


class Photo(Protocol):
    """What the card reads of a photo row of the visit view (views never see tables)."""

    id: uuid.UUID
    sha256: str
    mine: bool
    width: int | None
    height: int | None


def thumbnail(data: bytes | None) -> ft.Control:
    if data is None:
        return ft.Icon(ft.Icons.IMAGE_NOT_SUPPORTED)
    return ft.Image(
        src=data, width=72, height=72, fit=ft.BoxFit.COVER, border_radius=ft.BorderRadius.all(6)
    )


class ItemPhotos:
    """`row` holds the thumbnails, `marked_box` the switch; `show` fills both."""

    def __init__(
        self, ui: UI, code: str, editable: bool, on_saved: Callable[[], Awaitable[None]]
    ) -> None:
        self.ui, self.code, self.editable, self.on_saved = ui, code, editable, on_saved
        self.row = ft.Row([], wrap=True, spacing=6)
        # 原图 / 标注: show each photo's marked-up copy (on) or the original (off)
        self.marked_box = marked_switch(ui.t, f"marked-{code}", self._on_marked)
        self.show_marked = True
        self.marked_box.visible = False
        self.view: VisitView | None = None
        self.photos: Sequence[Photo] = ()

    def show(self, view: VisitView, photos: Sequence[Photo]) -> None:
        self.view, self.photos = view, photos
        self.marked_box.visible = any(p.id in view.annotations for p in photos)
        self.row.controls = [self._tile(view, n, p) for n, p in enumerate(photos, 1)]

    def _tile(self, view: VisitView, n: int, photo: Photo) -> ft.Control:
        copy = view.annotations.get(photo.id)
        shown = copy if copy is not None and self.show_marked else photo
        thumb = tagged(thumbnail(view.thumbs.get(shown.sha256)), f"thumb-{self.code}-{n}")
        if not (self.editable and photo.mine and photo.sha256 in view.thumbs):
            return thumb
        mark_up = ft.TextButton(
            self.ui.t("annot.open"),
            icon=ft.Icons.EDIT,
            height=TAP,
            on_click=lambda e: self.ui.page.run_task(self._annotate, photo),
        )
        return ft.Column(
            [thumb, tagged(mark_up, f"annotate-{self.code}-{n}")],
            spacing=0,
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        )

    async def _annotate(self, photo: Photo) -> None:
        data = self.view.thumbs.get(photo.sha256) if self.view else None
        if data is None or not photo.width or not photo.height:
            return
        full = await self.ui.run(self.ui.store.photo_file, photo.sha256)
        with suppress(PhotoError):  # a screen-sized copy to zoom into, else the thumbnail
            data = await self.ui.run(screen_copy, full) if full else data
        # only this item's card shows the new copy
        await open_editor(self.ui, photo.id, data, photo.width, photo.height, self.on_saved)

    def _on_marked(self, on: bool) -> None:
        self.show_marked = on
        if self.view is not None:
            self.show(self.view, self.photos)
        self.marked_box.update()  # the switch and the thumbnails only, not the page
        self.row.update()
