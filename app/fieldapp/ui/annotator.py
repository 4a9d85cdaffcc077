"""The 标注 editor: mark the defect on a photo with a circle, box, arrow or short text.

The photo is shown scaled to the dialog's width (`Sketch.scale` display px → image px); a
GestureDetector over it turns a drag into a circle, box or arrow and a tap into a text
mark, drawn live on a canvas above the image. Saving renders the derived copy with Pillow
in a worker (fieldapp.annotate) and records it; the original is only read.
`Sketch` is the editor's state in plain Python (the coordinates and the rules), so it
is tested without Flet.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import flet as ft
import flet.canvas as cv

from fieldapp.annotate import annotate_photo
from fieldapp.photos import PhotoError
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import TAP, tagged
from fieldcore.annotation import MAX_TEXT, Mark, Tool

VIEW_WIDTH = 320  # display px of the photo in the dialog: fits a 360 px-wide phone
INK = "#e61414"
TOOLS: list[tuple[Tool, str]] = [
    ("circle", "annot.circle"),
    ("rect", "annot.rect"),
    ("arrow", "annot.arrow"),
    ("text", "annot.text"),
]


@dataclass
class Sketch:
    """Marks being drawn on a `width` × `height` photo shown `shown_width` px wide."""

    width: int
    height: int
    shown_width: int = VIEW_WIDTH
    tool: Tool = "circle"
    marks: list[Mark] = field(default_factory=list)
    start: tuple[int, int] | None = None  # where the current drag began (image px)
    end: tuple[int, int] | None = None

    @property
    def scale(self) -> float:
        return self.width / self.shown_width

    @property
    def shown_height(self) -> int:
        return round(self.height / self.scale)

    def at(self, x: float, y: float) -> tuple[int, int]:
        """A display point as image pixels, kept inside the photo."""
        return (
            min(self.width, max(0, round(x * self.scale))),
            min(self.height, max(0, round(y * self.scale))),
        )

    def begin(self, x: float, y: float) -> None:
        self.start = self.end = self.at(x, y)

    def move(self, x: float, y: float) -> None:
        if self.start is not None:
            self.end = self.at(x, y)

    def finish(self) -> Mark | None:
        """The dragged shape as a mark, kept; None when the drag drew nothing."""
        start, end, self.start, self.end = self.start, self.end, None, None
        if start is None or end is None or self.tool == "text":
            return None
        (x0, y0), (x1, y1) = start, end
        if self.tool == "arrow" and (x0, y0) == (x1, y1):
            return None
        if self.tool in ("circle", "rect") and (x0 == x1 or y0 == y1):
            return None
        mark = Mark(tool=self.tool, x0=x0, y0=y0, x1=x1, y1=y1)
        self.marks.append(mark)
        return mark

    def label(self, x: float, y: float, text: str) -> Mark | None:
        """A text mark where the photo was tapped; None without text."""
        text = text.strip()[:MAX_TEXT]
        if self.tool != "text" or not text:
            return None
        px, py = self.at(x, y)
        mark = Mark(tool="text", x0=px, y0=py, x1=px, y1=py, text=text)
        self.marks.append(mark)
        return mark

    def undo(self) -> None:
        if self.marks:
            self.marks.pop()

    def shapes(self) -> list[cv.Shape]:
        """The marks (and the drag in progress) in display px, for the live canvas."""
        drawn = list(self.marks)
        if self.start and self.end and self.start != self.end and self.tool != "text":
            (x0, y0), (x1, y1) = self.start, self.end
            drawn.append(Mark(tool=self.tool, x0=x0, y0=y0, x1=x1, y1=y1))
        return [s for m in drawn for s in _shapes(m, 1 / self.scale)]


def _shapes(m: Mark, k: float) -> list[cv.Shape]:
    paint = ft.Paint(color=INK, stroke_width=3, style=ft.PaintingStyle.STROKE)
    x0, y0, x1, y1 = m.x0 * k, m.y0 * k, m.x1 * k, m.y1 * k
    left, top, w, h = min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)
    if m.tool == "circle":
        return [cv.Oval(left, top, w, h, paint=paint)]
    if m.tool == "rect":
        return [cv.Rect(left, top, w, h, paint=paint)]
    if m.tool == "arrow":
        return [cv.Line(x0, y0, x1, y1, paint=paint), cv.Circle(x1, y1, 5, paint=paint)]
    style = ft.TextStyle(color=INK, size=16, weight=ft.FontWeight.BOLD, bgcolor="#99000000")
    return [cv.Text(x0, y0, m.text, style=style)]


async def open_editor(
    ui: UI,
    photo_id: uuid.UUID,
    data: bytes,
    width: int,
    height: int,
    on_saved: Callable[[], Awaitable[None]],
) -> None:
    """The editor as a dialog over the checklist; `data` is the photo shown (its bytes)."""
    t = ui.t
    sketch = Sketch(width, height)
    canvas = cv.Canvas([], width=sketch.shown_width, height=sketch.shown_height)
    words = ft.TextField(label=t("annot.words"), max_length=MAX_TEXT, visible=False, dense=True)
    count = ft.Text(t("annot.count", n=0), size=12)

    def redraw() -> None:
        canvas.shapes = sketch.shapes()
        count.value = t("annot.count", n=len(sketch.marks))

    def pick(tool: Tool) -> None:
        sketch.tool = tool
        words.visible = tool == "text"

    tools = ft.SegmentedButton(
        segments=[ft.Segment(value=v, label=ft.Text(t(k))) for v, k in TOOLS],
        selected=["circle"],
        show_selected_icon=False,
        on_change=lambda e: pick(e.control.selected[0]),
    )

    def on_start(e: ft.DragStartEvent[Any]) -> None:
        sketch.begin(e.local_position.x, e.local_position.y)

    def on_update(e: ft.DragUpdateEvent[Any]) -> None:
        sketch.move(e.local_position.x, e.local_position.y)
        redraw()

    def on_end(e: ft.DragEndEvent[Any]) -> None:
        # where the finger left: updates are sent at most every drag_interval ms, so the
        # last one may be older than the end of the drag
        sketch.move(e.local_position.x, e.local_position.y)
        sketch.finish()
        redraw()

    def on_tap(e: ft.TapEvent[Any]) -> None:
        if e.local_position is not None and sketch.label(
            e.local_position.x, e.local_position.y, words.value or ""
        ):
            redraw()
        elif sketch.tool == "text":
            ui.toast(t("annot.words_first"))

    board = ft.Stack(
        [
            ft.Image(src=data, width=sketch.shown_width, height=sketch.shown_height),
            canvas,
            ft.GestureDetector(
                content=ft.Container(  # a colour makes the empty box take touches
                    width=sketch.shown_width,
                    height=sketch.shown_height,
                    bgcolor=ft.Colors.TRANSPARENT,
                ),
                on_pan_start=on_start,
                on_pan_update=on_update,
                on_pan_end=on_end,
                on_tap_down=on_tap,
                drag_interval=30,
            ),
        ],
        width=sketch.shown_width,
        height=sketch.shown_height,
    )

    def on_undo(e: Any) -> None:
        sketch.undo()
        redraw()

    async def on_save(e: Any) -> None:
        if not sketch.marks:
            ui.toast(t("annot.nothing"))
            return
        cfg = ui.config
        try:
            saved = await ui.attempt(
                annotate_photo,
                ui.store,
                photo_id,
                list(sketch.marks),
                cfg.blob_dir,
                cfg.thumb_dir,
                cfg.font,
            )
        except (LookupError, PhotoError):
            ui.toast(t("annot.no_bytes"), error=True)
            return
        if saved is None:
            return  # the refusal was shown
        await on_saved()  # the item shows the copy before the editor closes over it
        ui.page.pop_dialog()
        ui.page.update()

    ui.page.show_dialog(
        ft.AlertDialog(
            modal=True,
            title=ft.Text(t("annot.title")),
            inset_padding=ft.Padding.all(8),
            content_padding=ft.Padding.all(8),
            content=ft.Column(
                [tools, words, tagged(board, "annot-board"), count],
                tight=True,
                scroll=ft.ScrollMode.AUTO,
                width=sketch.shown_width,
            ),
            actions=[
                tagged(ft.TextButton(t("annot.undo"), on_click=on_undo, height=TAP), "annot-undo"),
                ft.TextButton(
                    t("common.cancel"), on_click=lambda e: ui.page.pop_dialog(), height=TAP
                ),
                tagged(
                    ft.FilledButton(t("annot.save"), on_click=on_save, height=TAP), "annot-save"
                ),
            ],
        )
    )
    ui.page.update()
