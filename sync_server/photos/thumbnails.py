"""Small JPEG renditions of stored photos for the console, cached on disk by content.

The cache is per host (rebuildable); the originals come from the PhotoStore, whichever its
backend. A phone photo is a few MB; the visit page shows dozens, so the browser gets 320 px
thumbnails and the full photo only when one is opened. A rendition depends only on the
blob's bytes and the size, so it is cached as `root/<size>/<sha[:2]>/<sha256>.jpg` and
never invalidated. A cache file appears only whole (temp file, fsync, rename), so two
sessions making the same thumbnail at once both end with the same complete file.
Blocking (Pillow, disk): call it off the event loop. No web or UI imports.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from fieldcore.problems import DomainError, ProblemCode
from sync_server.photos.store import PhotoStore, storage_failed, valid_sha

log = logging.getLogger("mingcha.server")

THUMB = 320  # px, the longer side of a tile in the visit page
LARGE = 2048  # px, the longer side of a photo opened in full (see `viewable`)
MAX_DIRECT = 4 * 1024 * 1024  # bytes: larger originals are scaled down to LARGE to view
MAX_PIXELS = 60_000_000  # the upload check already refuses more; this guards old blobs


class Thumbnails:
    def __init__(self, root: Path, blobs: PhotoStore) -> None:
        self.root, self.blobs = root, blobs

    def cache_path(self, sha256: str, size: int) -> Path:
        if not valid_sha(sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / str(size) / sha256[:2] / f"{sha256}.jpg"

    def get(self, sha256: str, size: int = THUMB) -> bytes | None:
        """A JPEG no larger than size × size, upright (EXIF orientation applied); None when
        the photo's bytes have not been uploaded yet.

        Raises DomainError: blob.not_jpeg (the blob cannot be decoded), blob.decompression_bomb,
            server.storage_failed (the cache cannot be written)."""
        cached = self.cache_path(sha256, size)
        if cached.is_file():
            return cached.read_bytes()
        source = self.blobs.read(sha256)  # whichever backend: the cache stays on this host
        if source is None:
            return None
        data = render(source, size, sha256)
        _write_whole(cached, data)
        return data

    def viewable(self, sha256: str, max_direct: int = MAX_DIRECT) -> bytes | None:
        """The photo to show when opened: the original when small enough to send to the
        browser whole (the web session drops messages over 16 MiB), else a LARGE rendition."""
        size = self.blobs.size(sha256)
        if size is None:
            return None
        if size <= max_direct:
            return self.blobs.read(sha256)
        return self.get(sha256, LARGE)


def _write_whole(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, path)
        finally:
            Path(temp).unlink(missing_ok=True)  # only left behind when the write failed
    except OSError as exc:
        raise storage_failed(exc) from exc


def render(source: bytes, size: int, name: str = "") -> bytes:
    """The image `source` (a blob's bytes, named `name` in the log) scaled to fit
    size × size, upright, as a JPEG."""
    try:
        with Image.open(io.BytesIO(source)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise DomainError(ProblemCode.BLOB_BOMB, max_pixels=MAX_PIXELS)
            image.draft("RGB", (size, size))  # let the JPEG decoder skip detail (fast)
            upright = ImageOps.exif_transpose(image)
            upright = upright.convert("RGB")
            upright.thumbnail((size, size), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=80, optimize=True)
            return out.getvalue()
    except DomainError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("cannot decode blob %s: %s", name, exc)
        raise DomainError(ProblemCode.BLOB_NOT_JPEG, f"cannot decode {name[:12]}") from None
