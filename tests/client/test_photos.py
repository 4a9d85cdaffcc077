"""The photo pipeline: orientation, size, watermark, durable content-addressed files."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from fieldapp.photos import LONG_EDGE, PhotoError, Stamp, clean_orphans, process
from tests.server.images import pixel

FONT = Path(__file__).resolve().parents[2] / "assets" / "fonts" / "NotoSansSC-Subset.otf"
STAMP = Stamp(datetime(2026, 11, 2, 9, 30, tzinfo=UTC), "S001", "王检查", clock_offset_ms=-1500)


def camera_jpeg(width: int = 4000, height: int = 3000, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", (width, height), (40, 120, 200))
    Image.Image.paste(image, (250, 30, 30), (0, 0, width // 2, height // 2))  # red top-left
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def test_a_12_megapixel_photo_becomes_a_1600px_evidence_copy_named_by_its_hash(
    tmp_path: Path,
) -> None:
    photo = process(camera_jpeg(), STAMP, tmp_path / "blobs", tmp_path / "thumbs", FONT)
    data = Path(photo.path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == photo.sha256 == Path(photo.path).stem
    assert (photo.width, photo.height) == (LONG_EDGE, 1200)
    assert photo.byte_size == len(data) and data[:3] == b"\xff\xd8\xff"
    with Image.open(photo.thumb_path) as thumb:
        assert max(thumb.size) == 320
    assert photo.clock_offset_ms == -1500 and photo.captured_at == STAMP.taken_at


def test_exif_orientation_is_applied_before_anything_else(tmp_path: Path) -> None:
    photo = process(camera_jpeg(orientation=6), STAMP, tmp_path / "b", tmp_path / "t", FONT)
    assert (photo.width, photo.height) == (1200, LONG_EDGE)  # rotated 90°: portrait
    with Image.open(photo.path) as image:
        assert pixel(image, (image.width - 5, 5))[0] > 200  # red corner moved to top-right


def test_the_watermark_changes_the_bottom_band_only(tmp_path: Path) -> None:
    photo = process(camera_jpeg(), STAMP, tmp_path / "b", tmp_path / "t", FONT)
    with Image.open(photo.path) as opened:
        image = opened.convert("RGB")
    top, bottom = pixel(image, (20, 20)), pixel(image, (20, image.height - 10))
    assert top[0] > 200 and bottom[0] < 150  # darkened band at the bottom


@pytest.mark.parametrize("raw", [b"not an image", b"\xff\xd8\xff\xe0" + b"\x00" * 50])
def test_files_that_are_not_images_are_refused(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(PhotoError):
        process(raw, STAMP, tmp_path / "b", tmp_path / "t", FONT)


def test_the_same_photo_twice_is_stored_once(tmp_path: Path) -> None:
    raw = camera_jpeg(800, 600)
    a = process(raw, STAMP, tmp_path / "b", tmp_path / "t", FONT)
    b = process(raw, STAMP, tmp_path / "b", tmp_path / "t", FONT)
    assert a.sha256 == b.sha256 and len(list((tmp_path / "b").rglob("*.jpg"))) == 1


def test_orphan_files_and_half_written_temps_are_cleaned(tmp_path: Path) -> None:
    kept = process(camera_jpeg(800, 600), STAMP, tmp_path / "b", tmp_path / "t", FONT)
    (tmp_path / "b" / "ab").mkdir()
    (tmp_path / "b" / "ab" / (("ab" + "0" * 62) + ".jpg")).write_bytes(b"orphan")
    (tmp_path / "b" / "ab" / ".x.tmp").write_bytes(b"half")
    assert clean_orphans(tmp_path / "b", {kept.sha256}) == 2
    assert Path(kept.path).exists()


def test_the_pictures_own_exif_time_and_gps_are_kept(tmp_path: Path) -> None:
    """A picked photo says when and where it was really taken (fieldcore.evidence uses
    both); one without EXIF keeps the phone's own position and has no EXIF time."""
    image = Image.new("RGB", (800, 600), (90, 90, 90))
    exif = Image.Exif()
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003], ifd[0x9011] = "2026:10:01 08:30:00", "+08:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (38.0, 30.0, 0.0), "E", (106.0, 15.0, 36.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    here = Stamp(STAMP.taken_at, "S001", "王检查", 0, lat=30.0, lon=120.0)
    photo = process(out.getvalue(), here, tmp_path / "b", tmp_path / "t", FONT)
    assert photo.exif_taken_at == datetime(2026, 10, 1, 0, 30, tzinfo=UTC)
    assert (photo.lat, photo.lon) == (pytest.approx(38.5), pytest.approx(106.26))
    plain = process(camera_jpeg(800, 600), here, tmp_path / "b", tmp_path / "t", FONT)
    assert (plain.exif_taken_at, plain.lat, plain.lon) == (None, 30.0, 120.0)
