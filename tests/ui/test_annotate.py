"""标注 on the phone: the editor turns drags and taps on the shown photo into marks in the
photo's own pixels, and saving shows the marked-up copy on the item with a 原图/标注 switch."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flet as ft
import pytest
from PIL import Image

from fieldapp.config import AppConfig
from fieldapp.photos import Stamp, process
from fieldapp.store import Store
from fieldapp.ui.annotator import Sketch
from fieldapp.ui.sketch import editor_width
from fieldcore.annotation import Mark
from fieldcore.workflow import finding_id
from sync_server.templates.catalog import resolve_template
from tests.server.images import jpeg
from tests.server.world import World
from tests.ui.harness import AppHarness
from tests.ui.support import OpenApp

PATROL = resolve_template("store-patrol").key


def test_the_photo_fills_the_dialog_and_a_point_on_it_maps_to_the_originals_pixels() -> None:
    assert (editor_width(412), editor_width(360), editor_width(None)) == (380, 328, 320)
    assert editor_width(2000) == 900  # a desktop window: large, not endless
    sketch = Sketch(4000, 3000, shown_width=editor_width(412))
    assert sketch.shown_height == 285
    # zooming only transforms the layout on screen: the pen gets layout px, whatever the
    # zoom, so a corner, the middle and a point of the photo land on the original's pixels
    assert sketch.at(0, 0) == (0, 0)
    assert sketch.at(380, 285) == (4000, 3000)
    assert sketch.at(190, 142.5) == (2000, 1500)
    assert sketch.at(38, 28.5) == (400, 300)
    assert sketch.at(500, -3) == (4000, 0)  # past the edge: kept inside the photo


def test_a_drag_on_the_shown_photo_is_a_mark_in_the_photos_own_pixels() -> None:
    sketch = Sketch(1600, 1200, shown_width=320)  # shown at a fifth of its size
    assert sketch.shown_height == 240
    sketch.begin(10, 20)
    sketch.move(50, 60)
    assert sketch.finish() == Mark(tool="circle", x0=50, y0=100, x1=250, y1=300)
    sketch.tool = "arrow"
    sketch.begin(300, 230)
    sketch.move(400, 300)  # dragged past the photo's corner: kept inside it
    assert sketch.finish() == Mark(tool="arrow", x0=1500, y0=1150, x1=1600, y1=1200)
    sketch.tool = "rect"
    sketch.begin(5, 5)
    assert sketch.finish() is None and len(sketch.marks) == 2  # a tap draws no box
    assert sketch.label(1, 1, "过期") is None  # text only with the text tool
    sketch.tool = "text"
    assert sketch.label(2, 3, "  过期 ") == Mark(
        tool="text", x0=10, y0=15, x1=10, y1=15, text="过期"
    )
    assert sketch.label(2, 3, " ") is None
    sketch.undo()
    assert [m.tool for m in sketch.marks] == ["circle", "arrow"]
    sketch.tool = "rect"
    sketch.press(10, 10)  # the finger lands here; the drag is recognised further on
    sketch.begin(14, 13)
    sketch.move(40, 30)
    assert sketch.finish() == Mark(tool="rect", x0=50, y0=50, x1=200, y1=150)
    sketch.begin(20, 20)  # a drag without a touch reported first starts where it says
    sketch.move(30, 30)
    assert sketch.finish() == Mark(tool="rect", x0=100, y0=100, x1=150, y1=150)


def _offset(x: float, y: float) -> dict[str, float]:
    return {"x": x, "y": y}


async def drag(
    h: AppHarness, board: ft.Stack, start: tuple[int, int], end: tuple[int, int]
) -> None:
    detector = next(c for c in board.controls if isinstance(c, ft.GestureDetector))
    await h.fire(detector, "pan_start", {"k": "touch", "l": _offset(*start), "g": _offset(*start)})
    await h.fire(detector, "pan_update", {"l": _offset(*end), "g": _offset(*end)})
    await h.fire(detector, "pan_end", {"l": _offset(*end), "g": _offset(*end), "v": _offset(0, 0)})


@pytest.mark.asyncio
async def test_marking_a_photo_shows_the_marked_copy_with_a_switch_to_the_original(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World, config: AppConfig
) -> None:
    store = signed_in()
    visit = store.start_visit(uuid.UUID(server.site("S1")), PATROL, "overt")
    store.record_answer(visit.id, "3.1", "fail")
    stamp = Stamp(datetime.now(UTC), "S1", "insp1")
    shot = process(jpeg(800, 600), stamp, config.blob_dir, config.thumb_dir, config.font)
    original = store.attach_photo(shot, visit_id=visit.id, finding_id_=finding_id(visit.id, "3.1"))
    before = Path(shot.path).read_bytes()

    asked: list[tuple[str, dict[str, Any]]] = []

    def client(name: str, args: dict[str, Any]) -> Any:
        asked.append((name, args))
        return None

    h = await open_app(f"/visit/{visit.id}", on_invoke=client)
    thumb: Any = await h.reveal("thumb-3.1-1")  # scrolled down to item 3.1
    shown_before = thumb.src
    await h.fire("annotate-3.1-1")
    board = h.find("annot-board")
    # the dialog's full width on this 412 px phone, from a copy sharper than the thumbnail
    assert isinstance(board, ft.Stack) and (board.width, board.height) == (380, 285)
    [image] = [c for c in board.controls if isinstance(c, ft.Image)]
    assert isinstance(image.src, bytes)  # the copy is sent inline, not as a URL
    with Image.open(io.BytesIO(image.src)) as shown:
        assert shown.size == (800, 600)  # the photo's own size (≤ SCREEN_EDGE), not 320
    [viewer] = h.find_all(ft.InteractiveViewer)
    assert not (viewer.pan_enabled or viewer.scale_enabled)  # touches draw
    await h.fire("annot-zoom-in")
    assert ("zoom", {"factor": 2}) in asked
    tools = h.find_all(ft.SegmentedButton, lambda c: c.selected == ["circle"])[0]
    await h.fire("annot-move")  # pinch and drag move the photo, and draw nothing
    pen = next(c for c in board.controls if isinstance(c, ft.GestureDetector))
    assert viewer.pan_enabled and viewer.scale_enabled and not pen.visible
    await h.select(tools, "circle")  # picking a tool picks up the pen again
    assert pen.visible and not viewer.pan_enabled
    await h.fire("annot-move")
    await h.fire("annot-move")  # and the hand button puts the photo down again
    assert pen.visible and not (viewer.pan_enabled or viewer.scale_enabled)
    await drag(h, board, (20, 20), (120, 100))
    await h.select(h.find_all(ft.SegmentedButton, lambda c: c.selected == ["circle"])[0], "arrow")
    await drag(h, board, (300, 200), (150, 110))
    await h.fire("annot-undo")
    await drag(h, board, (300, 200), (160, 120))
    assert "已标记 2 处" in h.dialog_strings()
    await h.fire("annot-save")
    assert not h.dialogs()

    copy = store.visit_view(visit.id).annotations[original.id]
    scale = 800 / 380
    assert copy.marks is not None and '"tool":"arrow"' in copy.marks
    assert f'"x0":{round(20 * scale)}' in copy.marks and f'"x1":{round(160 * scale)}' in copy.marks
    assert Path(shot.path).read_bytes() == before  # the original, byte for byte
    assert hashlib.sha256(before).hexdigest() == original.sha256 == copy.annotates_sha256
    assert h.find("marked-3.1").value is True
    thumb = h.find("thumb-3.1-1")
    assert thumb.src != shown_before  # the item now shows the marked-up copy
    h.find("marked-3.1").value = False
    await h.fire("marked-3.1", "change")
    assert h.find("thumb-3.1-1").src == shown_before  # 原图
