"""Draw the phone app's icon and splash (1024² PNG) from the bundled CJK font.

Run after changing the art: `.venv/bin/python assets/icons/make_icons.py`. The PNGs are
committed; `make phone-assets` copies them to app/assets/ where `flet build` looks.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = HERE.parent / "fonts" / "NotoSansSC-Subset.otf"
INK = (21, 61, 112)  # the app's seed colour (deep blue)
PAPER = (255, 255, 255)


def draw_mark(size: int, background: tuple[int, int, int] | None) -> Image.Image:
    """明察 over a magnifier-like ring; transparent background when `background` is None."""
    image = Image.new("RGBA", (size, size), (*background, 255) if background else (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    fg = PAPER if background else INK
    ring = size // 10
    pen.ellipse((ring, ring, size - ring, size - ring), outline=fg, width=size // 28)
    font = ImageFont.truetype(str(FONT), size // 4)
    pen.text((size / 2, size / 2), "明察", font=font, fill=fg, anchor="mm")
    return image


def main() -> None:
    draw_mark(1024, INK).save(HERE / "icon.png", optimize=True)
    draw_mark(1024, None).save(HERE / "splash.png", optimize=True)


if __name__ == "__main__":
    main()
