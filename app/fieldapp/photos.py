"""Evidence photos: orient, downscale, watermark, encode, hash, fsync — off the UI thread.

Order matters for "never lost": the JPEG is written to a temp file and fsynced, renamed
to its content address (`blobs/ab/<sha256>.jpg`), and only then is its row committed
(`Store.attach_photo`, after `process` has returned). A crash leaves at worst an orphan
file, removed at the next start by `clean_orphans`, never a row without bytes. Work that
does not depend on each other runs on two threads (`downscale.both`): the two halves of the
resize, and the evidence's durable write beside the thumbnail; `process` returns only when
both files are on disk.
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from fieldapp.downscale import both, upright
from fieldapp.exif import exif_position, exif_taken_at
from fieldapp.store.capture import CapturedPhoto

LONG_EDGE = 1600
QUALITY = 80
THUMB_EDGE = 320
THUMB_QUALITY = 70
MAX_PIXELS = 60_000_000  # refuse decompression bombs before decoding
FONT_FILE = "fonts/NotoSansSC-Subset.otf"  # inside the app's assets directory


class PhotoError(Exception):
    """The picked file is not a usable photo (not an image, truncated, absurdly large)."""


@dataclass(frozen=True)
class Stamp:
    """What the watermark says: when, where, who (and the clock offset behind `when`)."""

    taken_at: datetime
    site_code: str
    alias: str
    clock_offset_ms: int | None = None
    lat: float | None = None
    lon: float | None = None


def process(
    raw: bytes, stamp: Stamp, blob_dir: Path, thumb_dir: Path, font: Path | None = None
) -> CapturedPhoto:
    """The evidence copy and thumbnail of a camera or picked image, stored durably.

    `font` is a CJK font for the watermark (site codes and aliases may be Chinese).
    Each step is a named stage function below, so `mingcha bench photo` can time the
    stages one by one on the same input.
    Raises:
        PhotoError: not an image, truncated, or too many pixels.
    """
    decoded = decode_draft(raw)
    taken = exif_taken_at(decoded)  # read before the evidence copy drops the EXIF block
    # where the picture was taken: its own GPS record, else where the phone is now
    lat, lon = exif_position(decoded) or (stamp.lat, stamp.lon)
    image = evidence_image(decoded)  # oriented, long edge ≤ LONG_EDGE
    del decoded  # the 3-megapixel draft is not needed past here
    watermark(image, stamp, font)
    saved = save(image, blob_dir, thumb_dir)
    return saved.captured(image, stamp.taken_at, stamp.clock_offset_ms, lat, lon, taken)


@dataclass(frozen=True)
class Saved:
    """Where an evidence image's encoded bytes and thumbnail were stored, durably."""

    sha256: str
    path: Path
    thumb_path: Path
    byte_size: int

    def captured(
        self,
        image: Image.Image,
        captured_at: datetime,
        clock_offset_ms: int | None,
        lat: float | None,
        lon: float | None,
        exif_taken_at: datetime | None = None,
    ) -> CapturedPhoto:
        """The stored `image` as the store records a photo: these files, its size, and
        when and where it shows (the camera's moment, or a marked-up copy's original's)."""
        return CapturedPhoto(
            sha256=self.sha256,
            path=str(self.path),
            thumb_path=str(self.thumb_path),
            byte_size=self.byte_size,
            width=image.width,
            height=image.height,
            captured_at=captured_at,
            clock_offset_ms=clock_offset_ms,
            lat=lat,
            lon=lon,
            exif_taken_at=exif_taken_at,
        )


def save(image: Image.Image, blob_dir: Path, thumb_dir: Path) -> Saved:
    """Encode the evidence copy, hash those bytes, store them and a thumbnail, durably.

    The evidence copy is encoded once and hashed in memory: the hash is of exactly the
    bytes stored. Both files are fsynced before this returns, so the row committed after it
    never points at bytes that are not on disk.
    """
    data = encode(image, QUALITY)
    sha = digest(data)
    path, thumb_path = store_with_thumbnail(image, data, sha, blob_dir, thumb_dir)
    return Saved(sha, path, thumb_path, len(data))


def store_with_thumbnail(
    image: Image.Image, data: bytes, sha: str, blob_dir: Path, thumb_dir: Path
) -> tuple[Path, Path]:
    """The evidence bytes written and fsynced while the thumbnail is made and stored beside
    them: the fsyncs wait on the disk with the GIL released, the thumbnail needs the CPU.
    Either failing raises once both are done, and the caller commits no row. (Encoding
    the thumbnail beside the evidence's encode instead measured slower: both need the CPU.)
    """
    return both(
        lambda: store(data, blob_path(blob_dir, sha)),
        lambda: store(encode(thumbnail_of(image), THUMB_QUALITY), thumb_dir / f"{sha}.jpg"),
    )


@contextmanager
def _refusing() -> Iterator[None]:
    """Turn Pillow's many ways of saying "not a usable image" into one PhotoError."""
    try:
        yield
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise PhotoError(f"not a usable image: {exc}") from None


def decode_draft(raw: bytes) -> Image.Image:
    """Decode at the smallest JPEG scale that still covers the evidence size.

    The box must have the photo's own shape: draft only reduces while *both* sides stay
    at least the box (a square 1600 box kept a 4000×3000 photo at full size). The pixels
    are decoded here (`load`), so this stage is the whole decode.
    """
    with _refusing():
        image: Image.Image = Image.open(io.BytesIO(raw))
        if image.width * image.height > MAX_PIXELS:
            raise PhotoError(f"{image.width}×{image.height} pixels is too large")
        scale = LONG_EDGE / max(image.width, image.height)
        if scale < 1:
            image.draft("RGB", (ceil(image.width * scale), ceil(image.height * scale)))
        image.load()
        return image


def evidence_image(image: Image.Image) -> Image.Image:
    """The evidence copy's pixels: RGB, long edge ≤ LONG_EDGE, upright as the camera was
    held (EXIF orientation); downscaled before it is turned (turning 2 MP is cheaper than
    3 MP), in two halves on two threads (fieldapp.downscale). After draft the remaining
    step is < 2×; there Hamming is as sharp as Lanczos to the eye at half the cost
    (measured by mingcha bench photo), and cheaper filters blur the evidence."""
    with _refusing():
        return upright(image, LONG_EDGE, Image.Resampling.HAMMING)


def digest(data: bytes) -> str:
    """The content address: sha256 of the encoded bytes, hashed in memory (never re-read)."""
    return hashlib.sha256(data).hexdigest()


def thumbnail_of(image: Image.Image) -> Image.Image:
    """The list-view copy of the watermarked evidence image (a cache, rebuilt when missing).

    reducing_gap=1.0 box-averages by the whole integer factor first and leaves Pillow a
    near-1:1 resample: a third of gap 2.0's time (mingcha bench photo, B-photo in
    sync_server/bench/RESULTS.md), a little softer (35 vs 39 dB PSNR against a Lanczos
    thumbnail) where softness does not matter; the evidence copy is not touched.
    """
    thumb = image.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), reducing_gap=1.0)
    return thumb


def watermark(image: Image.Image, stamp: Stamp, font_path: Path | None) -> None:
    """Stamp when, where and who on a dark band at the bottom, in place."""
    text = f"{stamp.taken_at.astimezone():%Y-%m-%d %H:%M}  {stamp.site_code}  {stamp.alias}"
    size = max(14, image.width // 45)
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont
    try:
        font = (
            ImageFont.truetype(str(font_path), size) if font_path else ImageFont.load_default(size)
        )
    except OSError:
        font = ImageFont.load_default(size)
    draw = ImageDraw.Draw(image, "RGBA")
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    pad = size // 3
    y = image.height - (bottom - top) - 3 * pad
    draw.rectangle((0, y, right - left + 2 * pad, image.height), fill=(0, 0, 0, 110))
    draw.text((pad, y + pad - top), text, font=font, fill=(255, 255, 255, 230))


def encode(image: Image.Image, quality: int) -> bytes:
    """JPEG bytes (optimize=False: no second pass over the data for optimal Huffman tables)."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=False)
    return out.getvalue()


def store(data: bytes, target: Path) -> Path:
    """Write, fsync, rename, fsync the directory: the file exists whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return target  # same content, same name: already stored
    tmp = target.with_name(f".{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return _publish(tmp, target)


def _publish(tmp: Path, target: Path) -> Path:
    """Rename a written and fsynced temp file to its name, durably (fsync the directory)."""
    os.replace(tmp, target)
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return target


def blob_path(blob_dir: Path, sha256: str) -> Path:
    """Where a photo's bytes live on the phone: named by their content."""
    return blob_dir / sha256[:2] / f"{sha256}.jpg"


def adopt_download(tmp: Path, sha256: str, blob_dir: Path, thumb_dir: Path) -> tuple[Path, Path]:
    """A downloaded photo (written to `tmp`, fsynced, hash checked) takes its content address,
    with a thumbnail made first — so bytes that do not decode never get a name.

    Raises:
        PhotoError: not a usable image.
    """
    thumb = make_thumbnail(tmp, sha256, thumb_dir)
    return _publish(tmp, blob_path(blob_dir, sha256)), thumb


def make_thumbnail(source: Path, sha256: str, thumb_dir: Path) -> Path:
    """The thumbnail of a stored photo (downloads arrive without one; a cache may be wiped).

    Raises:
        PhotoError: not a usable image.
    """
    try:
        with Image.open(source) as image:
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError(f"{image.width}×{image.height} pixels is too large")
            image.draft("RGB", (THUMB_EDGE, THUMB_EDGE))  # decode at a fraction of the size
            thumb = image.convert("RGB")
        thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), reducing_gap=2.0)
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise PhotoError(f"not a usable image: {exc}") from None
    return store(encode(thumb, THUMB_QUALITY), thumb_dir / f"{sha256}.jpg")


def clean_orphans(blob_dir: Path, known: set[str]) -> int:
    """Remove temp files and photo files no row refers to (left by a crash mid-capture)."""
    removed = 0
    if not blob_dir.exists():
        return 0
    for path in blob_dir.rglob("*"):
        if path.is_file() and (path.suffix == ".tmp" or path.stem not in known):
            path.unlink()
            removed += 1
    return removed
