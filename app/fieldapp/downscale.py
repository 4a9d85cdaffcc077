"""The evidence copy's pixels: the decoded photo downscaled and turned upright, in two halves
at once.

After the JPEG decode (which cannot be split), the resize is the pipeline's one big cost
(B-photo in sync_server/bench/RESULTS.md), and its cheaper filters blur the evidence. So the
resize is not made cheaper but shared out: Pillow's resize and transpose run in C with the
GIL released, so the two halves of the picture really are worked on by two cores at once
(phones have several). Each half is resampled from the whole source
image, so pixels at the seam see their neighbours across it, and the result does not
depend on which thread finishes first.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import TypeVar

from PIL import Image

A = TypeVar("A")
B = TypeVar("B")

Corner = Callable[[int, int, int, int, int, int], tuple[int, int]]
# How each EXIF orientation is undone, whether that swaps width and height, and where a
# rectangle (x0, y0, x1, y1) of the w×h picture as stored lands in the upright one (its
# new top-left corner).
_UPRIGHT: dict[int, tuple[Image.Transpose, bool, Corner]] = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT, False, lambda w, h, x0, y0, x1, y1: (w - x1, y0)),
    3: (Image.Transpose.ROTATE_180, False, lambda w, h, x0, y0, x1, y1: (w - x1, h - y1)),
    4: (Image.Transpose.FLIP_TOP_BOTTOM, False, lambda w, h, x0, y0, x1, y1: (x0, h - y1)),
    5: (Image.Transpose.TRANSPOSE, True, lambda w, h, x0, y0, x1, y1: (y0, x0)),
    6: (Image.Transpose.ROTATE_270, True, lambda w, h, x0, y0, x1, y1: (h - y1, x0)),
    7: (Image.Transpose.TRANSVERSE, True, lambda w, h, x0, y0, x1, y1: (h - y1, w - x1)),
    8: (Image.Transpose.ROTATE_90, True, lambda w, h, x0, y0, x1, y1: (y0, w - x1)),
}
ORIENTATION_TAG = 0x0112


def both(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """Run `first` on a new thread and `second` on this one; both results, or the first
    error raised (after both have finished: nothing is left running behind the caller)."""
    result: list[A] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(first())
        except BaseException as exc:  # handed to the caller below
            error.append(exc)

    thread = threading.Thread(target=run, name="photo-worker")
    thread.start()
    try:
        other = second()
    finally:
        thread.join()
    if error:
        raise error[0]
    return result[0], other


def fit(width: int, height: int, long_edge: int) -> tuple[int, int] | None:
    """The size within long_edge × long_edge that keeps the photo's shape (Image.thumbnail's
    own rounding, so the evidence copy keeps the size it had), or None when it fits already."""
    if long_edge >= width and long_edge >= height:
        return None
    aspect = width / height
    x = y = long_edge

    def nearest(number: float, error: Callable[[int], float]) -> int:
        return max(min(math.floor(number), math.ceil(number), key=error), 1)

    if x / y >= aspect:
        x = nearest(y * aspect, lambda n: abs(aspect - n / y))
    else:
        y = nearest(x / aspect, lambda n: 0 if n == 0 else abs(aspect - x / n))
    return x, y


def upright(image: Image.Image, long_edge: int, filter_: Image.Resampling) -> Image.Image:
    """`image` in RGB, long edge ≤ long_edge, turned as its EXIF orientation says.

    Downscaled first and turned after (turning the smaller picture is cheaper), both in two
    halves on two threads. A source more than twice the target (only non-JPEG files: JPEGs
    are decoded at a draft scale) is first box-reduced by the whole factor, as
    Image.thumbnail(reducing_gap=2.0) does, so the filter's last step is < 2×.
    """
    image.load()  # here, not lazily in both threads at once (they would share the file)
    orientation = image.getexif().get(ORIENTATION_TAG, 1)
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    turn = _UPRIGHT.get(orientation)
    size = fit(rgb.width, rgb.height, long_edge)
    if size is None:  # small already: only turned (the caller may draw on what it gets)
        return rgb.transpose(turn[0]) if turn else rgb
    factor = (max(1, int(rgb.width / size[0] / 2)), max(1, int(rgb.height / size[1] / 2)))
    if factor != (1, 1):
        rgb = rgb.reduce(factor)
    w, h = size
    halves = ((0, 0, w, h // 2), (0, h // 2, w, h))

    def half(rect: tuple[int, int, int, int]) -> Image.Image:
        part = _resampled(rgb, size, rect, filter_)
        return part.transpose(turn[0]) if turn else part

    if h < 2:  # a one-row sliver has no halves
        return half((0, 0, w, h))
    parts = both(lambda: half(halves[0]), lambda: half(halves[1]))
    out = Image.new("RGB", (h, w) if turn and turn[1] else size)
    for part, rect in zip(parts, halves, strict=True):
        out.paste(part, turn[2](w, h, *rect) if turn else rect[:2])
    return out


def _resampled(
    source: Image.Image,
    size: tuple[int, int],
    rect: tuple[int, int, int, int],
    filter_: Image.Resampling,
) -> Image.Image:
    """The pixels `rect` of `source` resized to `size`, resampled from the whole source
    (the box is in source coordinates; the filter reads across its edges)."""
    sx, sy = source.width / size[0], source.height / size[1]
    x0, y0, x1, y1 = rect
    box = (x0 * sx, y0 * sy, min(x1 * sx, source.width), min(y1 * sy, source.height))
    return source.resize((x1 - x0, y1 - y0), filter_, box=box)
