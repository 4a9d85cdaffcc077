"""The visit PDF's layout (issue 14 §4): nothing off the page or over a photo, a PNG
preview of every page in test-artifacts/reports/ to look at, photos embedded as
thumbnails."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import cast

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from sync_server.reports.pdf import THUMB_PX, _thumbnail
from tests.reports.pdf_preview import ARTIFACTS, render_page
from tests.server.images import jpeg


def test_nothing_is_drawn_off_the_page_or_over_a_photo(
    signed: tuple[uuid.UUID, list[str], Path],
) -> None:
    """Checked from the drawing operators, so a failure names what is misplaced: every text
    starts inside the margins, every picture lies inside them and above the footer, no
    two pictures overlap and no text starts on a picture."""
    *_, out = signed
    reader = PdfReader(out)
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    margin, foot = 15 * 72 / 25.4, 16 * 72 / 25.4
    for page in reader.pages:
        texts, pictures = [], []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Td":
                texts.append((float(operands[0]), float(operands[1])))
            elif operator == b"cm":  # fpdf2 places each image with its own matrix
                w, _, _, h, x, y = (float(o) for o in operands)
                pictures.append((x, y, x + w, y + h))
        assert texts
        for x, y in texts:
            assert margin - 1 <= x < width - margin and 20 < y < height - margin, (x, y)
        for x0, y0, x1, y1 in pictures:
            assert margin <= x0 < x1 <= width - margin and foot <= y0 < y1 <= height - margin
            for x, y in texts:
                assert not (x0 < x < x1 and y0 < y < y1), (x, y)
        for i, a in enumerate(pictures):
            for b in pictures[i + 1 :]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_each_page_is_previewed_as_png_to_look_at(
    signed: tuple[uuid.UUID, list[str], Path],
) -> None:
    """Pages rendered by PDFium into test-artifacts/reports/ (tests/reports/pdf_preview.py):
    look at them after a layout change. Each is A4 at 144
    dpi with ink on it; the photo page has its pictures where the PDF placed them."""
    *_, out = signed
    pages = len(PdfReader(out).pages)
    assert pages == 4  # header and scores; items; last item and acknowledgement; appendix
    for number in range(pages):
        png = render_page(out, ARTIFACTS / f"visit-form-p{number + 1}.png", number)
        with Image.open(png) as image:
            assert image.size == (1191, 1684)
            grey = image.convert("L")
            low, _high = cast("tuple[int, int]", grey.getextrema())  # one band: L
            assert low < 64  # something dark was drawn
            if number == 1:  # item 1.1's first photo: inside its box, not white
                box = grey.crop((100, 400, 300, 500))
                assert box.getextrema() != (255, 255)


def test_the_grid_embeds_a_large_photo_as_a_thumbnail_and_a_small_one_as_it_is() -> None:
    big, small = jpeg(2000, 1500, seed=3), jpeg(64, 48, seed=4)
    with Image.open(io.BytesIO(_thumbnail(big))) as thumb:
        assert thumb.size == (THUMB_PX, THUMB_PX * 3 // 4)
    assert _thumbnail(small) == small
