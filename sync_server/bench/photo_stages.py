"""B-photo's breakdown: the capture pipeline's stages timed one by one, and the cuts tried.

`staged` runs the same stage functions `fieldapp.photos.process` runs, in the same order,
with a timer around each; the bench checks that it produced the same sha256 as `process`
on the same input and stamp, so the breakdown describes the real pipeline. Two stages
run two things at once on two threads (the halves of the resize and turn; the evidence's
durable write and the thumbnail); `changes` times them one after the other too, and each
cut tried against the code it replaced, on the same image in the same run.
"""

from __future__ import annotations

import io
import math
import os
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from PIL import Image, ImageChops, ImageOps, ImageStat

from fieldapp import photos
from fieldapp.downscale import both
from fieldapp.exif import exif_position, exif_taken_at
from fieldapp.photos import Stamp
from sync_server.bench.common import Timer

T = TypeVar("T")

STAGES = (
    "draft_decode",
    "exif_time_and_gps",
    "resize_and_rotation_in_halves",
    "watermark",
    "encode",
    "sha256",
    "evidence_write_fsync_beside_thumbnail",
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
        decoded = timed("draft_decode", photos.decode_draft, raw)
        timed("exif_time_and_gps", lambda: (exif_taken_at(decoded), exif_position(decoded)))
        image = timed("resize_and_rotation_in_halves", photos.evidence_image, decoded)
        timed("watermark", photos.watermark, image, stamp, font)
        data = timed("encode", photos.encode, image, photos.QUALITY)
        sha = timed("sha256", photos.digest, data)
        timed(
            "evidence_write_fsync_beside_thumbnail",
            photos.store_with_thumbnail,
            *(image, data, sha, blob_dir, thumb_dir),
        )
    return sha, total.seconds, times


def _shrink_then_orient(decoded: Image.Image) -> Image.Image:
    """The evidence pixels as made before the halves: one thread, Pillow's thumbnail, then
    exif_transpose (which also rewrites the EXIF block) and convert's copy."""
    image = decoded.copy()
    image.thumbnail((photos.LONG_EDGE, photos.LONG_EDGE), Image.Resampling.HAMMING)
    return ImageOps.exif_transpose(image).convert("RGB")


def _thumbnail_gap2(image: Image.Image) -> Image.Image:
    """The thumbnail as made before the gap-1.0 change (reducing_gap=2.0)."""
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


def _fresh(directory: Path) -> Path:
    return directory / f"{uuid.uuid4().hex}.jpg"


def changes(raw: bytes, stamp: Stamp, font: Path | None, scratch: Path) -> dict[str, float]:
    """Seconds for each tried cut and for the code it replaced (or would replace), once;
    and the parts of the two-thread stages, each alone on one thread."""
    decoded = photos.decode_draft(raw)
    flat = decoded.resize((photos.LONG_EDGE, 1200), Image.Resampling.HAMMING)
    image = photos.evidence_image(decoded)
    photos.watermark(image, stamp, font)
    data = photos.encode(image, photos.QUALITY)
    pairs: dict[str, Callable[[], object]] = {
        "resize_rotate_halves": lambda: photos.evidence_image(decoded),
        "resize_rotate_one_thread": lambda: _shrink_then_orient(decoded),
        "resize_alone": lambda: decoded.resize(flat.size, Image.Resampling.HAMMING),
        "rotation_alone": lambda: flat.transpose(Image.Transpose.ROTATE_270),
        "write_beside_thumbnail": lambda: photos.store_with_thumbnail(
            image, data, uuid.uuid4().hex, scratch / "both", scratch / "both_t"
        ),
        "write_then_thumbnail": lambda: (
            photos.store(data, _fresh(scratch / "one")),
            photos.store(
                photos.encode(photos.thumbnail_of(image), photos.THUMB_QUALITY),
                _fresh(scratch / "one_t"),
            ),
        ),
        "encode_beside_thumbnail": lambda: both(
            lambda: photos.encode(image, photos.QUALITY),
            lambda: photos.encode(photos.thumbnail_of(image), photos.THUMB_QUALITY),
        ),
        "encode_then_thumbnail": lambda: (
            photos.encode(image, photos.QUALITY),
            photos.encode(photos.thumbnail_of(image), photos.THUMB_QUALITY),
        ),
        "thumbnail_gap1": lambda: photos.thumbnail_of(image),
        "thumbnail_gap2": lambda: _thumbnail_gap2(image),
        "sha256_in_memory": lambda: photos.digest(data),
        "sha256_reread": lambda: _reread_and_hash(data, scratch / "reread"),
        "evidence_write_fsync": lambda: photos.store(data, _fresh(scratch / "durable")),
        "evidence_write_no_fsync": lambda: _write_without_fsync(data, scratch / "nosync"),
    }
    seconds: dict[str, float] = {}
    for name, step in pairs.items():
        with Timer() as t:
            step()
        seconds[name] = t.seconds
    return seconds


def sharpness(raw: bytes) -> dict[str, float]:
    """PSNR (dB) of the evidence pixels, before the watermark, against a Lanczos resize of
    the full decode (the best this library makes): the halves as shipped, the one-thread
    code they replaced, and the cheaper filters rejected for blurring the evidence."""
    with Image.open(io.BytesIO(raw)) as full:
        full.load()
        reference = ImageOps.exif_transpose(full).convert("RGB")
    decoded = photos.decode_draft(raw)
    size = photos.evidence_image(decoded).size
    reference = reference.resize(size, Image.Resampling.LANCZOS)
    turned = ImageOps.exif_transpose(decoded)
    made = {
        "halves_hamming": photos.evidence_image(decoded),
        "one_thread_hamming": _shrink_then_orient(decoded),
        "bilinear": turned.resize(size, Image.Resampling.BILINEAR),
        "box": turned.resize(size, Image.Resampling.BOX),
    }
    return {f"psnr_db_{name}": _psnr(image, reference) for name, image in made.items()}


def _psnr(image: Image.Image, reference: Image.Image) -> float:
    rms = ImageStat.Stat(ImageChops.difference(image, reference)).rms
    mse = sum(band**2 for band in rms) / len(rms)
    return round(10 * math.log10(255**2 / mse), 2) if mse else math.inf


def draft_size(raw: bytes) -> str:
    """The size the JPEG decoder produces at the pipeline's draft scale."""
    image = photos.decode_draft(raw)
    return f"{image.width}x{image.height}"


def stamp_at(taken: datetime) -> Stamp:
    return Stamp(taken, "B-001", "王检查", clock_offset_ms=0)
