"""One checklist item: verdict, count or figure, note, person, photos — and why it failed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

import flet as ft

from fieldapp.annotate import screen_copy
from fieldapp.photos import PhotoError
from fieldapp.store.history import LastTime
from fieldapp.store.photo_checks import item_warnings
from fieldapp.store.queries import VisitView
from fieldapp.sync.errors import SyncError
from fieldapp.ui.annotator import open_editor
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import TAP, marked_switch, tagged
from fieldcore.checklist import Category, Item
from fieldcore.evidence import warning_text

Changed = Callable[[str], Awaitable[None]]  # called with the item code that changed


class Photo(Protocol):
    """What the card reads of a photo row of the visit view (views never see tables)."""

    id: uuid.UUID
    sha256: str
    mine: bool
    width: int | None
    height: int | None


class ItemCard:
    """Builds the card once; `refresh(view)` updates it in place after a change."""

    def __init__(
        self,
        ui: UI,
        view: VisitView,
        category: Category,
        item: Item,
        editable: bool,
        on_changed: Changed,
        on_photo: Callable[[Item], Awaitable[None]],
        last_time: LastTime | None = None,
        camera_only: bool = False,
    ):
        self.ui, self.item, self.category = ui, item, category
        self.editable, self.on_changed, self.on_photo = editable, on_changed, on_photo
        self.visit_id = view.visit.id
        t = ui.t
        segments = [
            ft.Segment(value="pass", label=ft.Text(t("check.pass"))),
            ft.Segment(value="fail", label=ft.Text(t("check.fail"))),
        ]
        if item.na_allowed:
            segments.append(ft.Segment(value="na", label=ft.Text(t("check.na"))))
        self.verdict = ft.SegmentedButton(
            segments=segments,
            selected=[],
            allow_empty_selection=True,
            show_selected_icon=False,
            on_change=self._on_verdict,
            disabled=not editable,
        )
        self.value = ft.TextField(
            label=t("check.value", unit=item.deduction.unit),
            keyboard_type=ft.KeyboardType.NUMBER,
            on_blur=self._on_value,
            visible=item.deduction.kind == "figure",
            disabled=not editable,
            width=180,
        )
        self.count = ft.Text("1", size=16, weight=ft.FontWeight.BOLD)
        self.counter = ft.Row(
            [
                ft.Text(t("check.count")),
                ft.IconButton(ft.Icons.REMOVE, tooltip=t("check.less"), on_click=self._less),
                self.count,
                tagged(
                    ft.IconButton(ft.Icons.ADD, tooltip=t("check.more"), on_click=self._more),
                    f"more-{item.code}",
                ),
            ],
            visible=False,
            spacing=0,
        )
        self.note = ft.TextField(
            label=t("check.note"),
            multiline=True,
            min_lines=1,
            on_blur=self._on_note,
            disabled=not editable,
            visible=False,
        )
        self.subject = ft.Dropdown(
            label=t("check.subject"),
            visible=False,
            on_select=self._on_subject,
            disabled=not editable,
        )
        self.photos = ft.Row([], wrap=True, spacing=6)
        # 原图 / 标注: show each photo's marked-up copy (on) or the original (off)
        self.marked_box = marked_switch(t, f"marked-{item.code}", self._on_marked)
        self.show_marked = True
        self.marked_box.visible = False
        self.view = view
        self.photo_hint = ft.Text(
            t("check.photo_required"), color=ft.Colors.ERROR, size=12, visible=False
        )
        # camera-only evidence: said beside the button; replaced by the no-camera message
        # when this device turns out to have none (say_no_camera)
        # (shown and hidden as a whole: a Semantics whose content is hidden shows an error box)
        self.camera_hint = ft.Text(t("check.camera_only"), size=12)
        self.camera_box = tagged(self.camera_hint, f"camera-only-{item.code}")
        self.camera_box.visible = camera_only
        self.photo_warn = ft.Text("", color=ui.palette.warning, size=12)
        self.warn_box = tagged(self.photo_warn, f"photo-warning-{item.code}")
        self.warn_box.visible = False
        self.photo_row = ft.Row(
            [
                tagged(
                    ft.OutlinedButton(
                        t("check.photo"),
                        icon=ft.Icons.PHOTO_CAMERA,
                        height=TAP,
                        on_click=self._photo,
                        disabled=not editable,
                    ),
                    f"photo-{item.code}",
                ),
                self.photo_hint,
                self.camera_box,
            ],
            visible=False,
            wrap=True,
        )
        self.remarks = ft.Column([], spacing=2)
        last = last_time.hints.get(item.code) if last_time else None
        self.repeat = bool(last and last.repeat)
        self.hint_box = ft.Column([], spacing=4)
        hint = tagged(self.hint_box, f"last-{item.code}") if last else None
        if last_time:
            self._fill_hint(last_time)
        title = ft.Row(
            [
                ft.Text(item.code, weight=ft.FontWeight.BOLD),
                ft.Text(self._text(), expand=True),
                ft.IconButton(
                    ft.Icons.INFO_OUTLINE, tooltip=t("check.guidance"), on_click=self._guidance
                ),
            ],
            vertical_alignment=ft.CrossAxisAlignment.START,
        )
        body = ft.Column(
            [
                title,
                *([hint] if hint else []),
                tagged(self.verdict, f"item-{item.code}"),
                self.value,
                self.counter,
                self.subject,
                self.note,
                self.photo_row,
                self.marked_box,
                self.photos,
                self.warn_box,
                self.remarks,
            ],
            spacing=6,
        )
        self.control = ft.Card(
            ft.Container(body, padding=ft.Padding.all(10)), margin=ft.Margin.symmetric(vertical=4)
        )
        self.refresh(view, update=False)

    def _fill_hint(self, last_time: LastTime) -> None:
        """上次: 不合格 · date · note, the photos on this phone, and the repeat flag."""
        last = last_time.hints.get(self.item.code)
        if last is None:
            return
        t = self.ui.t
        verdicts = {"pass": "check.pass", "fail": "check.fail", "na": "check.na"}
        line = t(
            "check.last_time",
            result=t(verdicts[last.result]) if last.result in verdicts else last.result,
            date=last.when.astimezone().date().isoformat(),
        )
        if last.note:
            line = f"{line} · {last.note}"
        parts: list[ft.Control] = []
        if self.repeat:
            badge = ft.Container(
                ft.Text(t("check.repeat"), size=12, color=ft.Colors.ON_ERROR),
                bgcolor=ft.Colors.ERROR,
                padding=ft.Padding.symmetric(horizontal=6, vertical=2),
                border_radius=ft.BorderRadius.all(4),
            )
            parts.append(tagged(badge, f"repeat-{self.item.code}"))
        color = ft.Colors.ORANGE_900 if last.result == "fail" else ft.Colors.OUTLINE
        parts.append(ft.Text(line, size=12, color=color, expand=True))
        rows: list[ft.Control] = [ft.Row(parts, spacing=6)]
        here = [last_time.thumbs[h] for h in last.photos if h in last_time.thumbs]
        if here:
            rows.append(ft.Row([self._thumb(data) for data in here], wrap=True, spacing=6))
        waiting = [h for h in last.photos if h not in last_time.thumbs]
        if waiting:
            fetch = ft.TextButton(
                t("check.last_photos_fetch", n=len(waiting)),
                icon=ft.Icons.DOWNLOAD,
                on_click=lambda e: self.ui.page.run_task(self._fetch_last_photos, waiting),
            )
            rows.append(tagged(fetch, f"last-photos-{self.item.code}"))
        self.hint_box.controls = rows

    async def _fetch_last_photos(self, hashes: list[str]) -> None:
        """The previous visit's photos of this item, fetched only when asked for."""
        try:
            for sha in hashes:
                await self.ui.sync.fetch_photo(sha)
        except SyncError as exc:
            self.ui.toast(self.ui.t.reason(exc.code))
            return
        self._fill_hint(await self.ui.run(self.ui.store.last_time, self.visit_id))
        self.control.update()

    def _text(self) -> str:
        if self.ui.t.lang == "en" and self.item.text_en:
            return self.item.text_en
        return self.item.text

    def refresh(self, view: VisitView, update: bool = True) -> None:
        t = self.ui.t
        finding = view.findings.get(self.item.code)
        result = finding.result if finding else None
        self.verdict.selected = [result] if result else []
        failed = result == "fail"
        kind = self.item.deduction.kind
        self.counter.visible = failed and kind == "per_occurrence"
        self.count.value = str(finding.count or 1) if finding else "1"
        if finding and finding.value is not None:
            self.value.value = f"{finding.value.normalize():f}"
        self.note.visible = failed or bool(finding and finding.note)
        self.note.value = finding.note if finding else ""
        people = [
            s
            for s in view.subjects
            if s.post == view.template.item_subject(self.category, self.item)
        ]
        self.subject.visible = failed and bool(people)
        self.subject.options = [
            ft.DropdownOption(key=str(s.id), text=s.name or s.post) for s in people
        ]
        self.subject.value = str(finding.subject_id) if finding and finding.subject_id else None
        photos = view.photos.get(finding.id, []) if finding else []
        self.photo_row.visible = failed or bool(photos)
        self.photo_hint.visible = failed and self.item.photo_on_fail and not photos
        self.view = view
        self.marked_box.visible = any(p.id in view.annotations for p in photos)
        self.photos.controls = [self._photo_tile(view, n, p) for n, p in enumerate(photos, 1)]
        warnings = item_warnings(view, self.item.code) if photos else ()
        self.warn_box.visible = bool(warnings)
        self.photo_warn.value = t(
            "check.photo_warning", text="; ".join(warning_text(w, t.lang) for w in warnings)
        )
        remarks: list[ft.Control] = []
        if finding and finding.review_comment:
            remarks.append(
                ft.Text(
                    t("check.review_comment", text=finding.review_comment),
                    color=self.ui.palette.warning,
                    size=12,
                )
            )
        if finding and finding.sync_error:
            remarks.append(ft.Text(finding.sync_error, color=ft.Colors.ERROR, size=12))
        self.remarks.controls = remarks
        if update:
            self.control.update()

    def _photo_tile(self, view: VisitView, n: int, photo: Photo) -> ft.Control:
        """A photo of the item: its marked-up copy when it has one and the switch says so,
        and the 标注 button that opens the editor on the original."""
        copy = view.annotations.get(photo.id)
        shown = copy if copy is not None and self.show_marked else photo
        thumb = tagged(self._thumb(view.thumbs.get(shown.sha256)), f"thumb-{self.item.code}-{n}")
        if not (self.editable and photo.mine and photo.sha256 in view.thumbs):
            return thumb
        mark_up = ft.TextButton(
            self.ui.t("annot.open"),
            icon=ft.Icons.EDIT,
            height=TAP,
            on_click=lambda e: self.ui.page.run_task(self._annotate, photo),
        )
        return ft.Column(
            [thumb, tagged(mark_up, f"annotate-{self.item.code}-{n}")],
            spacing=0,
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        )

    async def _annotate(self, photo: Photo) -> None:
        data = self.view.thumbs.get(photo.sha256)
        if data is None or not photo.width or not photo.height:
            return
        full = await self.ui.run(self.ui.store.photo_file, photo.sha256)
        with suppress(PhotoError):  # a screen-sized copy to zoom into, else the thumbnail
            data = await self.ui.run(screen_copy, full) if full else data

        async def saved() -> None:  # only this item's card shows the new copy
            await self.on_changed(self.item.code)

        await open_editor(self.ui, photo.id, data, photo.width, photo.height, saved)

    def _on_marked(self, on: bool) -> None:
        self.show_marked = on
        self.refresh(self.view)

    def _thumb(self, data: bytes | None) -> ft.Control:
        if data is None:
            return ft.Icon(ft.Icons.IMAGE_NOT_SUPPORTED)
        return ft.Image(
            src=data, width=72, height=72, fit=ft.BoxFit.COVER, border_radius=ft.BorderRadius.all(6)
        )

    async def _answer(self, **change: Any) -> None:
        await self.ui.attempt(self.ui.store.record_answer, self.visit_id, self.item.code, **change)
        await self.on_changed(self.item.code)

    async def _on_verdict(self, e: Any) -> None:
        result = self.verdict.selected[0] if self.verdict.selected else None
        if self.item.deduction.kind == "figure" and result in ("pass", "fail"):
            await self._on_value(e)  # a figure's verdict follows from its value
            return
        await self._answer(result=result)

    async def _on_value(self, e: Any) -> None:
        try:
            value = Decimal((self.value.value or "").strip())
        except InvalidOperation:
            return
        await self._answer(result=None, value=value)

    async def _less(self, e: Any) -> None:
        await self._answer(result="fail", count=max(1, int(self.count.value or 1) - 1))

    async def _more(self, e: Any) -> None:
        await self._answer(result="fail", count=int(self.count.value or 1) + 1)

    async def _on_note(self, e: Any) -> None:
        await self._answer(note=self.note.value or "")

    async def _on_subject(self, e: Any) -> None:
        await self._answer(subject_id=uuid.UUID(self.subject.value) if self.subject.value else None)

    def say_no_camera(self) -> None:
        """This camera-only item cannot take a photo on this device: say so where it shows."""
        self.camera_hint.value = self.ui.t("check.no_camera")
        self.camera_hint.color = ft.Colors.ERROR
        self.camera_box.visible = True

    async def _photo(self, e: Any) -> None:
        await self.on_photo(self.item)

    async def _guidance(self, e: Any) -> None:
        t = self.ui.t
        self.ui.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(f"{self.item.code} {t('check.guidance')}"),
                content=ft.Text(
                    "\n".join(
                        filter(
                            None, [self.item.guidance, self.item.text_en, self.item.deduction.kind]
                        )
                    )
                ),
                actions=[
                    ft.TextButton(t("common.confirm"), on_click=lambda e: self.ui.page.pop_dialog())
                ],
            )
        )
        self.ui.page.update()
