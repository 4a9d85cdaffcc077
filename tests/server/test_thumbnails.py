"""Console thumbnails: bounded, upright, cached by content, and a clear error for a blob that
cannot be decoded (on real JPEG files in a real blob folder, and in an S3 store)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.config import Settings
from sync_server.photos.backends import LocalBlobs, S3Blobs
from sync_server.photos.store import PhotoStore
from sync_server.photos.thumbnails import THUMB, Thumbnails
from tests.s3kit import blob_settings, both_backends
from tests.server.images import jpeg, sha
from tests.server.world import put_blob

pytestmark = both_backends


def stored(store: PhotoStore, data: bytes) -> str:
    digest = sha(data)
    put_blob(store, digest, data)
    return digest


def drop(store: PhotoStore, digest: str) -> None:
    """The original gone from the store, whichever backend."""
    if isinstance(store.blobs, S3Blobs):
        store.blobs.client.delete_object(Bucket=store.blobs.bucket, Key=store.blobs.key(digest))
    else:
        assert isinstance(store.blobs, LocalBlobs)
        store.blobs.path(digest).unlink()
    assert not store.exists(digest)


def rotated_jpeg() -> bytes:
    """A 400 × 200 landscape picture whose EXIF says: turn it 90° to view (orientation 6),
    left half red and right half blue as stored."""
    image = Image.new("RGB", (400, 200), "red")
    image.paste("blue", (200, 0, 400, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


@pytest.fixture
def thumbs(tmp_path: Path, request: pytest.FixtureRequest, blob_backend: str) -> Thumbnails:
    settings = Settings(data_dir=tmp_path, **blob_settings(request, blob_backend))
    return Thumbnails(tmp_path / "thumbs", PhotoStore.from_settings(settings))


def test_a_thumbnail_fits_the_bound_and_keeps_the_aspect(thumbs: Thumbnails) -> None:
    digest = stored(thumbs.blobs, jpeg(1600, 1200))
    data = thumbs.get(digest)
    assert data is not None and data[:3] == b"\xff\xd8\xff"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (THUMB, 240)
    assert len(data) < len(thumbs.blobs.read(digest) or b"") / 5
    with Image.open(io.BytesIO(thumbs.get(digest, 100) or b"")) as small:
        assert max(small.size) == 100


def test_exif_orientation_is_applied(thumbs: Thumbnails) -> None:
    data = thumbs.get(stored(thumbs.blobs, rotated_jpeg()))
    assert data is not None
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (160, 320)  # portrait now: the stored landscape turned upright
        top = image.convert("RGB").getpixel((80, 40))
        bottom = image.convert("RGB").getpixel((80, 280))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 200 and top[2] < 60  # orientation 6: the stored left (red) is on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_the_cache_serves_the_same_bytes_without_the_blob(thumbs: Thumbnails) -> None:
    digest = stored(thumbs.blobs, jpeg(800, 600, seed=3))
    first = thumbs.get(digest)
    cached = thumbs.cache_path(digest, THUMB)
    assert cached.read_bytes() == first
    assert [p.name for p in cached.parent.iterdir()] == [cached.name]  # no temp file left
    drop(thumbs.blobs, digest)  # a second call must not need the original
    assert thumbs.get(digest) == first


def test_a_missing_blob_is_none_and_a_corrupt_one_a_clear_error(thumbs: Thumbnails) -> None:
    assert thumbs.get("a" * 64) is None and thumbs.viewable("a" * 64) is None
    good = jpeg(640, 480, seed=5)
    for broken in (good[: len(good) // 3], b"\xff\xd8\xff" + b"\x00" * 500, b"not a picture"):
        digest = stored(thumbs.blobs, broken)
        with pytest.raises(DomainError) as refused:
            thumbs.get(digest)
        assert refused.value.code == ProblemCode.BLOB_NOT_JPEG
        assert digest[:12] in refused.value.detail
        assert str(thumbs.blobs.root) not in refused.value.detail  # no server path shown
        assert not thumbs.cache_path(digest, THUMB).exists()  # nothing half-made is cached
    with pytest.raises(ValueError):
        thumbs.get("../../etc/passwd")


def test_viewable_sends_small_originals_whole_and_scales_huge_ones(thumbs: Thumbnails) -> None:
    small = jpeg(640, 480, seed=7)
    assert thumbs.viewable(stored(thumbs.blobs, small)) == small
    big = jpeg(2400, 1800, seed=8)
    data = thumbs.viewable(stored(thumbs.blobs, big), max_direct=len(big) - 1)
    assert data is not None and data != big
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (2048, 1536)
