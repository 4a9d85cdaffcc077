"""The evidence pixels made in two halves on two threads are one picture: the halves meet
exactly, every EXIF orientation lands where a whole-picture transpose puts it, the size is
the one Image.thumbnail chose, and a failure on the worker thread reaches the caller."""

from __future__ import annotations

import io
import threading
from typing import cast

import pytest
from PIL import Image, ImageChops, ImageDraw

from fieldapp.downscale import both, fit, upright
from tests.server.images import pixel

HAMMING = Image.Resampling.HAMMING
TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def scene(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Hard edges everywhere, so a misplaced half or a seam cannot hide."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for n in range(0, max(width, height), 37):
        draw.line((n, 0, 0, n), fill=(255, n % 256, 0), width=3)
    draw.rectangle((0, 0, width // 3, height // 4), fill=(250, 30, 30))  # top-left marker
    return image.convert(mode)


def with_orientation(image: Image.Image, orientation: int) -> Image.Image:
    """`image` saved as PNG with an EXIF orientation and opened again (lossless)."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif)
    return Image.open(io.BytesIO(out.getvalue()))


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


@pytest.mark.parametrize("orientation", sorted(TURNS))
def test_each_orientation_puts_both_halves_where_a_whole_turn_would(orientation: int) -> None:
    source = scene(2001, 1333)
    flat = upright(with_orientation(source, 1), 1600, HAMMING)
    turned = upright(with_orientation(source, orientation), 1600, HAMMING)
    assert same(turned, flat.transpose(TURNS[orientation]))


def test_the_halves_meet_without_a_seam() -> None:
    """Each half is resampled from the whole source, so the rows at the seam match a
    single-pass resize to within the rounding of Pillow's two 1-D passes (±1 level)."""
    source = scene(2000, 1500)
    halves = upright(source, 1600, HAMMING)
    whole = source.resize((1600, 1200), HAMMING)
    seam = whole.height // 2
    band = (0, seam - 3, whole.width, seam + 3)
    difference = ImageChops.difference(halves.crop(band), whole.crop(band))
    extrema = cast("tuple[tuple[int, int], ...]", difference.getextrema())  # RGB: per band
    assert max(high for _low, high in extrema) <= 1
    assert (halves.width, halves.height) == (1600, 1200)


@pytest.mark.parametrize(
    "size",
    [(4000, 3000), (2001, 1333), (1333, 2001), (1601, 1601), (5000, 200), (3, 4000), (6000, 3)],
)
def test_the_size_is_the_one_pillow_thumbnail_chooses(size: tuple[int, int]) -> None:
    expected = Image.new("L", size)
    expected.thumbnail((1600, 1600))
    assert fit(*size, 1600) in (expected.size, None)
    assert upright(Image.new("RGB", size), 1600, HAMMING).size == expected.size


def test_a_small_picture_is_only_turned_and_other_modes_become_rgb() -> None:
    small = with_orientation(scene(800, 600, "RGBA"), 6)
    out = upright(small, 1600, HAMMING)
    assert out.mode == "RGB" and out.size == (600, 800)
    assert pixel(out, (out.width - 5, 5))[0] > 200  # red top-left turned to top-right


def test_a_huge_non_jpeg_is_box_reduced_first_then_filtered() -> None:
    out = upright(scene(6400, 4800, "P"), 1600, HAMMING)
    assert (out.mode, out.size) == ("RGB", (1600, 1200))
    assert pixel(out, (5, 5))[0] > 200


def test_a_failure_on_the_worker_thread_reaches_the_caller_after_both_finish() -> None:
    finished = threading.Event()

    def fails() -> int:
        raise ValueError("broken half")

    def slow() -> int:
        finished.wait(0.05)
        finished.set()
        return 2

    with pytest.raises(ValueError, match="broken half"):
        both(fails, slow)
    assert finished.is_set()
    assert both(lambda: 1, lambda: "two") == (1, "two")
