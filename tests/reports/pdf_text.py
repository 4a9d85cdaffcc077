"""The text of the visit PDF, one string per text-showing operator (a table cell's line, a
caption, a heading), in drawing order.

pypdf's extract_text misreads fpdf2's two-byte glyph codes of 0x0100 and above once a
document uses more than 255 distinct glyphs (签名 comes out as 签常), so this reads the
font's ToUnicode map itself and decodes each string two bytes at a time.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream

_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>")


def _unicode_map(font: Any) -> dict[int, str]:  # a PDF font dictionary
    data = font["/ToUnicode"].get_object().get_data()
    return {
        int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
        for code, text in _BFCHAR.findall(data)
    }


def page_strings(path: Path) -> list[list[str]]:
    """Per page, every shown string (whitespace inside kept, NUL glyphs dropped)."""
    reader = PdfReader(path)
    pages = []
    for page in reader.pages:
        resources: Any = page["/Resources"]  # pypdf types a PDF dictionary's values loosely
        fonts = {name: _unicode_map(ref.get_object()) for name, ref in resources["/Font"].items()}
        current: dict[int, str] = {}
        shown = []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = fonts[operands[0]]
            elif operator == b"Tj":
                raw = bytes(operands[0].original_bytes)
                codes = (int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2))
                shown.append("".join(current.get(c, "\ufffd") for c in codes if c))
        pages.append(shown)
    return pages


def strings(path: Path) -> list[str]:
    """Every shown string of the document, stripped, empty ones left out."""
    return [s.strip() for page in page_strings(path) for s in page if s.strip()]
