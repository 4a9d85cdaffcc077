"""B-photo's breakdown: the capture pipeline's stages timed one by one, and the cuts tried.

`staged` runs the same stage functions `fieldapp.photos.process` runs, in the same order,
with a timer around each; the bench checks that it produced the same sha256 as `process`
on the same input and stamp, so the breakdown describes the real pipeline. `changes`
times each cut tried against the code it replaced, on the same image in the same run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from PIL import Image

from fieldapp import photos
from fieldapp.photos import Stamp
from sync_server.bench.common import Timer

T = TypeVar("T")

STAGES = (
    "draft_decode",
    "resize",
    "rotation",
    "watermark",
    "encode",
    "sha256",
    "evidence_write_fsync",
    "thumbnail",
    "thumbnail_encode",
    "thumbnail_write_fsync",
)


def staged(
    raw: bytes, stamp: Stamp, blob_dir: Path, thumb_dir: Path, font: Path | None
) -> tuple[str, float, dict[str, float]]:
    """`process`, stage by stage: (sha256, wall seconds, seconds per stage)."""
    times: dict[str, float] = {}

    def timed(name: str, step: Callable[..., T], *args: object) -> T:
        with Timer() as t:
            value = step(*args)
        times[name] = t.seconds
        return value

    with Timer() as total:
        image = timed("draft_decode", photos.decode_draft, raw)
        image = timed("resize", photos.shrink, image)
        image = timed("rotation", photos.orient, image)
        timed("watermark", photos.watermark, image, stamp, font)
        data = timed("encode", photos.encode, image, photos.QUALITY)
        sha = timed("sha256", photos.digest, data)
        timed("evidence_write_fsync", photos.store, data, photos.blob_path(blob_dir, sha))
        thumb = timed("thumbnail", photos.thumbnail_of, image)
        thumb_data = timed("thumbnail_encode", photos.encode, thumb, photos.THUMB_QUALITY)
        timed("thumbnail_write_fsync", photos.store, thumb_data, thumb_dir / f"{sha}.jpg")
    return sha, total.seconds, times


def _thumbnail_gap2(image: Image.Image) -> Image.Image:
    """The thumbnail as made before this change (reducing_gap=2.0)."""
    thumb = image.copy()
    thumb.thumbnail((photos.THUMB_EDGE, photos.THUMB_EDGE), reducing_gap=2.0)
    return thumb


def _write_without_fsync(data: bytes, directory: Path) -> None:
    """What the evidence write would cost without durability (not an option: see RESULTS)."""
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{uuid.uuid4().hex}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, directory / f"{uuid.uuid4().hex}.jpg")


def _reread_and_hash(data: bytes, directory: Path) -> str:
    """Hashing the stored file by reading it back, instead of the bytes in memory."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "reread.jpg"
    path.write_bytes(data)
    return photos.digest(Path(path).read_bytes())


def changes(raw: bytes, stamp: Stamp, font: Path | None, scratch: Path) -> dict[str, float]:
    """Seconds for each tried cut and for the code it replaced (or would replace), once."""
    image = photos.orient(photos.shrink(photos.decode_draft(raw)))
    photos.watermark(image, stamp, font)
    data = photos.encode(image, photos.QUALITY)
    pairs = {
        "thumbnail_gap1": lambda: photos.thumbnail_of(image),
        "thumbnail_gap2": lambda: _thumbnail_gap2(image),
        "sha256_in_memory": lambda: photos.digest(data),
        "sha256_reread": lambda: _reread_and_hash(data, scratch / "reread"),
        "evidence_write_fsync": lambda: photos.store(
            data, scratch / "durable" / f"{uuid.uuid4().hex}.jpg"
        ),
        "evidence_write_no_fsync": lambda: _write_without_fsync(data, scratch / "nosync"),
    }
    seconds: dict[str, float] = {}
    for name, step in pairs.items():
        with Timer() as t:
            step()
        seconds[name] = t.seconds
    return seconds


def draft_size(raw: bytes) -> str:
    """The size the JPEG decoder produces at the pipeline's draft scale."""
    image = photos.decode_draft(raw)
    return f"{image.width}x{image.height}"


def stamp_at(taken: datetime) -> Stamp:
    return Stamp(taken, "B-001", "王检查", clock_offset_ms=0)
