"""Marked-up evidence (标注): draw the marks on a copy of the original photo, store the copy.

The original's file is only read. The derived copy is a new JPEG with its own sha256,
stored and thumbnailed the way every photo is (fieldapp.photos), then recorded as an
annotation row naming the original (store/annotations.py). The marks are kept as data in
that row, so `render` can be run again on the original to check the copy.

All of this is blocking (Pillow, SQLite): the UI calls `annotate_photo` through
`asyncio.to_thread`.
"""

from __future__ import annotations

import io
import math
import uuid
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from fieldapp.photos import THUMB_QUALITY, PhotoError, encode, save
from fieldapp.store import Store
from fieldapp.store.capture import CapturedPhoto
from fieldapp.store.tables import PhotoRow
from fieldcore.annotation import Mark

INK = (230, 20, 20)  # a red that reads on most scenes
LABEL_BACK = (0, 0, 0, 150)


def stroke_width(image: Image.Image) -> int:
    """Lines thick enough to see on the phone's thumbnail, thin enough not to hide much."""
    return max(3, max(image.size) // 250)


def render(original: bytes, marks: list[Mark], font_path: Path | None = None) -> Image.Image:
    """The original image with the marks drawn on it (a new image; `original` is bytes).

    Raises:
        PhotoError: the original does not decode.
    """
    try:
        opened = Image.open(io.BytesIO(original))
        opened.load()
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise PhotoError(f"not a usable image: {exc}") from None
    image = opened.convert("RGB")
    draw = ImageDraw.Draw(image, "RGBA")
    width = stroke_width(image)
    for mark in marks:
        _draw(draw, mark, width, _font(font_path, max(18, image.width // 28)))
    return image


def _font(font_path: Path | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return (
            ImageFont.truetype(str(font_path), size) if font_path else ImageFont.load_default(size)
        )
    except OSError:
        return ImageFont.load_default(size)


def _draw(
    draw: ImageDraw.ImageDraw,
    m: Mark,
    width: int,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> None:
    box = (min(m.x0, m.x1), min(m.y0, m.y1), max(m.x0, m.x1), max(m.y0, m.y1))
    if m.tool == "circle":
        draw.ellipse(box, outline=INK, width=width)
    elif m.tool == "rect":
        draw.rectangle(box, outline=INK, width=width)
    elif m.tool == "arrow":
        draw.line((m.x0, m.y0, m.x1, m.y1), fill=INK, width=width)
        draw.polygon(_arrow_head(m, width), fill=INK)
    else:  # text: a dark label so the words read on any background
        left, top, right, bottom = draw.textbbox((m.x0, m.y0), m.text, font=font)
        pad = max(2, width)
        draw.rectangle((left - pad, top - pad, right + pad, bottom + pad), fill=LABEL_BACK)
        draw.text((m.x0, m.y0), m.text, font=font, fill=INK)


def _arrow_head(m: Mark, width: int) -> list[tuple[float, float]]:
    """A filled triangle at (x1, y1) pointing along the arrow."""
    angle = math.atan2(m.y1 - m.y0, m.x1 - m.x0)
    size = width * 5
    return [
        (m.x1, m.y1),
        (m.x1 - size * math.cos(angle - 0.45), m.y1 - size * math.sin(angle - 0.45)),
        (m.x1 - size * math.cos(angle + 0.45), m.y1 - size * math.sin(angle + 0.45)),
    ]


SCREEN_EDGE = 1600  # the editor's copy: sharp at the zoom's 4× on a phone-wide photo


def screen_copy(original: bytes, edge: int = SCREEN_EDGE) -> bytes:
    """The original as a JPEG no longer than `edge` px on its long side, for the editor to
    show and zoom into: the list's thumbnail is too coarse to mark a small defect, and the
    full photo is megabytes down the session (blocking: run it in a worker).

    Raises:
        PhotoError: the original does not decode.
    """
    try:
        opened = Image.open(io.BytesIO(original))
        opened.draft("RGB", (edge, edge))  # a JPEG decodes at a fraction of its size
        image = opened.convert("RGB")
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise PhotoError(f"not a usable image: {exc}") from None
    image.thumbnail((edge, edge))
    return encode(image, THUMB_QUALITY)


def derive(
    original: PhotoRow,
    data: bytes,
    marks: list[Mark],
    blob_dir: Path,
    thumb_dir: Path,
    font_path: Path | None = None,
) -> CapturedPhoto:
    """The marked-up copy of `original` (whose bytes are `data`), stored durably.

    It shows the moment and place the original shows: capture time, clock offset and
    position are the original's.
    """
    image = render(data, marks, font_path)
    saved = save(image, blob_dir, thumb_dir)
    assert original.captured_at is not None  # every photo row records when it was taken
    return saved.captured(
        image, original.captured_at, original.clock_offset_ms, original.lat, original.lon
    )


def annotate_photo(
    store_: Store,
    photo_id: uuid.UUID,
    marks: list[Mark],
    blob_dir: Path,
    thumb_dir: Path,
    font_path: Path | None = None,
) -> PhotoRow:
    """Mark up a photo taken on this phone: render, store, record (blocking).

    Raises:
        LookupError: no such photo, or its bytes are not on this phone.
        PhotoError: its bytes do not decode.
        DomainError: photo.annotation_invalid, workflow.locked (the store's refusals).
    """
    src = store_.annotation_source(photo_id)
    derived = derive(src.row, src.path.read_bytes(), marks, blob_dir, thumb_dir, font_path)
    return store_.attach_annotation(src.row.id, derived, marks)
