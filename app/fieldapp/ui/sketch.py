"""The 标注 editor's state in plain Python: marks being drawn on a photo shown at some
width, the display → image pixel mapping, and the live shapes (tested without Flet).

The photo is laid out `shown_width` px wide (the dialog's full width, `editor_width`);
a zoom (pinch, or the editor's zoom button) only transforms it on screen, and a touch on
the zoomed photo reaches the gesture detector in these layout px, so the mapping to the
original's pixels stays `scale` whatever the zoom.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import flet as ft
import flet.canvas as cv

from fieldcore.annotation import MAX_TEXT, Mark, Tool

VIEW_WIDTH = 320  # display px of the photo when the page's width is not known
MAX_VIEW_WIDTH = 900  # a tablet or desktop window: large enough to mark precisely
EDGE = 16  # the dialog's inset padding (8) and content padding (8), on each side
INK = "#e61414"


def editor_width(page_width: float | None) -> int:
    """The photo's width in the editor: the dialog's full width on this screen."""
    if not page_width:
        return VIEW_WIDTH
    return int(max(240, min(MAX_VIEW_WIDTH, page_width - 2 * EDGE)))


@dataclass
class Sketch:
    """Marks being drawn on a `width` × `height` photo shown `shown_width` px wide."""

    width: int
    height: int
    shown_width: int = VIEW_WIDTH
    tool: Tool = "circle"
    marks: list[Mark] = field(default_factory=list)
    pressed: tuple[int, int] | None = None  # where the finger last touched (image px)
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

    def press(self, x: float, y: float) -> None:
        """Where the finger touched: a drag is recognised only after it has moved some
        way (the pan slop), and its start event reports that later point, so a shape
        drawn from there would begin short of where the inspector put the finger."""
        self.pressed = self.at(x, y)

    def begin(self, x: float, y: float) -> None:
        self.start = self.end = self.pressed or self.at(x, y)
        self.pressed = None

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
