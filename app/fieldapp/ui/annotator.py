"""The 标注 editor: mark the defect on a photo with a circle, box, arrow or short text.

The photo fills the dialog's width (`editor_width`; `Sketch.scale` display px → image
px), shown from a screen-sized copy of the original, not the list's thumbnail. A
GestureDetector over it turns a drag into a circle, box or arrow and a tap into a text
mark, drawn live on a canvas above the image. To look closer, the 移动/缩放 (hand) button
hands touches to an InteractiveViewer around the photo (pinch to zoom, drag to move)
until a drawing tool is picked again; the zoom button doubles, the reset button returns
to the whole photo. Drawing on the zoomed photo maps the same (sketch.py). Saving renders
the derived copy with Pillow in a worker (fieldapp.annotate) and records it; the original
is only read.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft
import flet.canvas as cv

from fieldapp.annotate import annotate_photo
from fieldapp.photos import PhotoError
from fieldapp.ui.shell import UI
from fieldapp.ui.sketch import Sketch, editor_width
from fieldapp.ui.widgets import TAP, tagged
from fieldcore.annotation import MAX_TEXT, Tool

__all__ = ["Sketch", "open_editor"]

ZOOM_MAX = 4.0
TOOLS: list[tuple[Tool, str]] = [
    ("circle", "annot.circle"),
    ("rect", "annot.rect"),
    ("arrow", "annot.arrow"),
    ("text", "annot.text"),
]


async def open_editor(
    ui: UI,
    photo_id: uuid.UUID,
    data: bytes,
    width: int,
    height: int,
    on_saved: Callable[[], Awaitable[None]],
) -> None:
    """The editor as a dialog over the checklist; `data` is the photo shown (its bytes,
    any size: it is laid out `editor_width` px wide)."""
    t = ui.t
    sketch = Sketch(width, height, shown_width=editor_width(ui.page.width))
    canvas = cv.Canvas([], width=sketch.shown_width, height=sketch.shown_height)
    words = ft.TextField(label=t("annot.words"), max_length=MAX_TEXT, visible=False, dense=True)
    count = ft.Text(t("annot.count", n=0), size=12)

    def redraw() -> None:
        canvas.shapes = sketch.shapes()
        count.value = t("annot.count", n=len(sketch.marks))

    def on_down(e: ft.DragDownEvent[Any]) -> None:
        sketch.press(e.local_position.x, e.local_position.y)

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

    pen = ft.GestureDetector(
        content=ft.Container(  # a colour makes the empty box take touches
            width=sketch.shown_width,
            height=sketch.shown_height,
            bgcolor=ft.Colors.TRANSPARENT,
        ),
        on_pan_down=on_down,
        on_pan_start=on_start,
        on_pan_update=on_update,
        on_pan_end=on_end,
        on_tap_down=on_tap,
        drag_interval=30,
    )
    board = ft.Stack(
        [
            ft.Image(src=data, width=sketch.shown_width, height=sketch.shown_height),
            canvas,
            pen,
        ],
        width=sketch.shown_width,
        height=sketch.shown_height,
    )
    # touches reach the pen while drawing; the viewer takes them only in 移动/缩放
    viewer = ft.InteractiveViewer(
        tagged(board, "annot-board"),
        pan_enabled=False,
        scale_enabled=False,
        min_scale=1,
        max_scale=ZOOM_MAX,
        width=sketch.shown_width,
        height=sketch.shown_height,
    )

    move = ft.IconButton(
        ft.Icons.PAN_TOOL_OUTLINED,
        selected_icon=ft.Icons.PAN_TOOL,
        selected=False,
        tooltip=t("annot.move"),
    )

    def moving(on: bool) -> None:
        """移动/缩放: touches pan and pinch the photo instead of drawing."""
        pen.visible = not on
        viewer.pan_enabled = viewer.scale_enabled = move.selected = on

    def pick(tool: Tool) -> None:
        sketch.tool = tool
        words.visible = tool == "text"
        moving(False)  # picking a tool is picking up the pen again

    tools = ft.SegmentedButton(
        segments=[ft.Segment(value=v, label=ft.Text(t(k))) for v, k in TOOLS],
        selected=["circle"],
        show_selected_icon=False,
        on_change=lambda e: pick(e.control.selected[0]),
    )
    move.on_click = lambda e: moving(not move.selected)

    async def zoom_in(e: Any) -> None:
        await viewer.zoom(2)

    async def zoom_reset(e: Any) -> None:
        await viewer.reset()

    zoom = ft.Row(
        [
            tagged(move, "annot-move"),
            tagged(
                ft.IconButton(ft.Icons.ZOOM_IN, on_click=zoom_in, tooltip=t("annot.zoom_in")),
                "annot-zoom-in",
            ),
            tagged(
                ft.IconButton(
                    ft.Icons.ZOOM_OUT_MAP, on_click=zoom_reset, tooltip=t("annot.zoom_reset")
                ),
                "annot-zoom-reset",
            ),
            count,
        ],
        spacing=0,
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
                [
                    tools,
                    words,
                    tagged(viewer, "annot-view"),
                    zoom,
                ],
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
