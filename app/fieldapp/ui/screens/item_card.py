"""One checklist item: verdict, count or figure, note, person, photos — and why it failed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import flet as ft

from fieldapp.store.history import LastTime
from fieldapp.store.photo_checks import item_warnings
from fieldapp.store.visit_view import VisitView
from fieldapp.ui.screens.item_photos import ItemPhotos
from fieldapp.ui.screens.last_hint import LastHint
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import TAP, tagged
from fieldcore.checklist import Category, Item
from fieldcore.evidence import warning_text

Changed = Callable[[str], Awaitable[None]]  # called with the item code that changed


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
        self.photos = ItemPhotos(ui, item.code, editable, self._photo_marked_up)
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
        hint = LastHint(ui, self.visit_id, item.code, last_time).control if last_time else None
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
                # only the item's kind of amount goes on the card: every control in a
                # card is diffed and sent when the card is built (a long list: item_list)
                *([self.value] if item.deduction.kind == "figure" else []),
                *([self.counter] if item.deduction.kind == "per_occurrence" else []),
                self.subject,
                self.note,
                self.photo_row,
                self.photos.marked_box,
                self.photos.row,
                self.warn_box,
                self.remarks,
            ],
            spacing=6,
        )
        self.control = ft.Card(
            ft.Container(body, padding=ft.Padding.all(10)), margin=ft.Margin.symmetric(vertical=4)
        )
        self.refresh(view, update=False)

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
        self.photos.show(view, photos)
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

    async def _photo_marked_up(self) -> None:
        await self.on_changed(self.item.code)  # only this item's card shows the new copy

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
