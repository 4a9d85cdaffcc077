"""Rebuild NotoSansSC-Subset.otf: the CJK font bundled for offline web mode and watermarks.

Offline (no-CDN) Flet web ships no CJK font, so Chinese renders as boxes without one; a
full Noto Sans CJK is 16 MB, so we keep what Chinese UI text, place names and notes need:
every GB2312 character (6,763 hanzi, covering everyday simplified Chinese), ASCII, CJK and
full-width punctuation, and every character in the shipped templates and UI strings.

Source: Debian package fonts-noto-cjk (SIL Open Font License 1.1, which allows subsets).
    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb x
    .venv/bin/python assets/fonts/make_subset.py \
        x/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SC_INDEX = 2  # "Noto Sans CJK SC" inside the collection


def gb2312() -> str:
    chars = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):  # unassigned code points
                chars.append(bytes([high, low]).decode("gb2312"))
    return "".join(chars)


def project_text() -> str:
    """Characters used by templates and UI strings (sources that may hold rare ones)."""
    text = []
    for path in (ROOT / "assets" / "checklists").glob("*.json"):
        text.append(json.dumps(json.loads(path.read_text("utf-8")), ensure_ascii=False))
    for path in (ROOT / "app").rglob("*.py"):
        text.append(path.read_text("utf-8"))
    return "".join(text)


def main(source: str) -> None:
    font = TTCollection(source).fonts[SC_INDEX]
    ascii_ = "".join(chr(c) for c in range(0x20, 0x7F))
    punctuation = "".join(
        chr(c)
        for c in [
            *range(0x3000, 0x3040),
            *range(0xFF00, 0xFFF0),
            *range(0x2010, 0x2070),
            0x00B7,
            0x00D7,
            0x2103,
        ]
    )
    wanted = set(ascii_ + punctuation + gb2312() + project_text())
    options = subset.Options()
    options.name_IDs = ["*"]
    options.layout_features = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in wanted])
    subsetter.subset(font)
    out = HERE / "NotoSansSC-Subset.otf"
    font.save(out)
    print(f"{out.name}: {out.stat().st_size:,} bytes, {len(wanted):,} characters requested")


if __name__ == "__main__":
    main(sys.argv[1])
