"""A PNG preview of one page of an fpdf2 PDF, drawn with Pillow from the page's own
operators: filled and stroked rectangles, lines, colours, images placed by their matrix,
and each shown string at its position in the bundled font.

Not a general PDF renderer: it understands only the operators fpdf2 writes for the visit
PDF, and it does not shape or kern text. It exists because no renderer (pdftoppm,
pypdfium2) is installed here, and a page should be looked at after a layout change.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

from sync_server.reports.pdf_layout import FONT
from tests.reports.pdf_text import _unicode_map

SCALE = 2.0  # pixels per PDF point (144 dpi)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"


def _replace(write: Callable[[Path], object], out: Path) -> Path:
    """Write beside `out`, then move into place: tests run in parallel workers, and a
    half-written file must never be what someone (or another test) opens."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}")
    write(partial)
    os.replace(partial, out)
    return out


def keep_artifact(path: Path, name: str) -> Path:
    """A copy of `path` in test-artifacts/reports/ to look at."""
    return _replace(lambda partial: shutil.copyfile(path, partial), ARTIFACTS / name)


class _Painter:
    def __init__(self, width: float, height: float) -> None:
        self.height = height
        self.image = Image.new("RGB", (round(width * SCALE), round(height * SCALE)), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.fill: tuple[int, int, int] = (0, 0, 0)
        self.stroke: tuple[int, int, int] = (0, 0, 0)
        self.line_width = 1.0
        self.path: list[tuple[str, list[float]]] = []

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return x * SCALE, (self.height - y) * SCALE

    def paint_path(self, fill: bool, stroke: bool) -> None:
        width = max(1, round(self.line_width * SCALE))
        for kind, args in self.path:
            if kind == "re":
                x, y, w, h = args
                (x0, y0), (x1, y1) = self.xy(x, y), self.xy(x + w, y + h)
                box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
                outline = self.stroke if stroke else None
                self.draw.rectangle(box, self.fill if fill else None, outline, width)
            elif kind == "line" and stroke:
                self.draw.line([self.xy(*args[:2]), self.xy(*args[2:])], self.stroke, width)
        self.path = []


def _rgb(operands: list[Any]) -> tuple[int, int, int]:
    values = [float(v) for v in operands]
    if len(values) == 1:  # grey
        values *= 3
    return (round(values[0] * 255), round(values[1] * 255), round(values[2] * 255))


def render_page(pdf: Path, out: Path, number: int = 0) -> Path:
    reader = PdfReader(pdf)
    page = reader.pages[number]
    box = page.mediabox
    painter = _Painter(float(box.width), float(box.height))
    resources = page["/Resources"]
    fonts = {name: _unicode_map(ref.get_object()) for name, ref in resources["/Font"].items()}
    xobjects = resources.get("/XObject", {})
    cmap: dict[int, str] = {}
    size, pos, matrix = 10.0, (0.0, 0.0), [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    start = (0.0, 0.0)
    saved: list[tuple[Any, ...]] = []  # q … Q: the graphics state is restored
    for operands, op in ContentStream(page.get_contents(), reader).operations:
        if op == b"q":
            saved.append((painter.fill, painter.stroke, painter.line_width))
        elif op == b"Q":
            painter.fill, painter.stroke, painter.line_width = saved.pop()
        elif op == b"rg":
            painter.fill = _rgb(operands)
        elif op == b"RG":
            painter.stroke = _rgb(operands)
        elif op == b"g":
            painter.fill = _rgb(operands)
        elif op == b"G":
            painter.stroke = _rgb(operands)
        elif op == b"w":
            painter.line_width = float(operands[0])
        elif op == b"re":
            painter.path.append(("re", [float(v) for v in operands]))
        elif op == b"m":
            start = (float(operands[0]), float(operands[1]))
        elif op == b"l":
            end = (float(operands[0]), float(operands[1]))
            painter.path.append(("line", [*start, *end]))
            start = end
        elif op in (b"S", b"s"):
            painter.paint_path(fill=False, stroke=True)
        elif op in (b"f", b"F", b"f*"):
            painter.paint_path(fill=True, stroke=False)
        elif op in (b"B", b"b", b"B*"):
            painter.paint_path(fill=True, stroke=True)
        elif op == b"n":
            painter.path = []
        elif op == b"Tf":
            cmap, size = fonts[operands[0]], float(operands[1])
        elif op == b"Td":
            pos = (float(operands[0]), float(operands[1]))
        elif op == b"Tj":
            raw = bytes(operands[0].original_bytes)
            text = "".join(
                cmap.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw), 2)
            ).replace("\x00", "")
            font = ImageFont.truetype(str(FONT), max(1, round(size * SCALE)))
            painter.draw.text(painter.xy(*pos), text, fill=painter.fill, font=font, anchor="ls")
            pos = (pos[0] + font.getlength(text) / SCALE, pos[1])
        elif op == b"cm":
            matrix = [float(v) for v in operands]
        elif op == b"Do":
            picture = Image.open(BytesIO(xobjects[operands[0]].get_object().get_data()))
            w, h, x, y = matrix[0], matrix[3], matrix[4], matrix[5]
            left, top = painter.xy(x, y + h)
            size_px = (max(1, round(w * SCALE)), max(1, round(h * SCALE)))
            painter.image.paste(picture.convert("RGB").resize(size_px), (round(left), round(top)))
    return _replace(lambda partial: painter.image.save(partial, "PNG"), out)
