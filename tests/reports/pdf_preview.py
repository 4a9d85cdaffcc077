"""A PNG of one page of a PDF, rendered by PDFium (pypdfium2, the engine Chrome uses), to
look at after a layout change and to check pixels in tests; kept in test-artifacts/reports/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium

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


def render_page(pdf: Path, out: Path, number: int = 0) -> Path:
    """Page `number` (from 0) of `pdf` as a PNG at `out`."""
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[number].render(scale=SCALE).to_pil()
    finally:
        document.close()
    return _replace(lambda partial: image.save(partial, format="PNG"), out)
