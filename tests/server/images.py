"""Test images: real JPEGs, broken ones, and a decompression bomb in a few hundred bytes."""

from __future__ import annotations

import hashlib
import io
import random

from PIL import Image

NOISE_LEVELS = bytes(68 + i * 120 // 256 for i in range(256))  # grey 68..187


def jpeg(width: int = 640, height: int = 480, seed: int = 1) -> bytes:
    """A noisy JPEG (does not compress to nothing), different per seed."""
    rng = random.Random(seed)
    # noise from the seeded generator (Image.effect_noise draws from C's rand(), so the
    # same seed gave other bytes, and another size, on every run)
    grey = rng.randbytes(width * height).translate(NOISE_LEVELS)
    image = Image.frombytes("L", (width, height), grey).convert("RGB")
    image.paste(
        (rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        (0, 0, width // 3, height // 3),
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def bomb(claimed: int = 30_000) -> bytes:
    """A tiny JPEG whose frame header claims `claimed` × `claimed` pixels."""
    data = bytearray(jpeg(16, 16))
    marker = data.find(b"\xff\xc0")  # SOF0: length(2) precision(1) height(2) width(2)
    data[marker + 5 : marker + 7] = claimed.to_bytes(2, "big")
    data[marker + 7 : marker + 9] = claimed.to_bytes(2, "big")
    return bytes(data)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, "PNG")
    return out.getvalue()


def cut_with_end(data: bytes, keep: float = 0.5) -> bytes:
    """A JPEG cut part way and given its end marker (FFD9): libjpeg pads the rest grey."""
    return data[: int(len(data) * keep)] + b"\xff\xd9"


def noise(size: int, seed: int = 1) -> bytes:
    """Random bytes, as an attacker's or a broken camera's "photo"."""
    return random.Random(seed).randbytes(size)


def pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    """A multi-band image's pixel as its tuple (Pillow types getpixel for every mode)."""
    value = image.getpixel(xy)
    assert isinstance(value, tuple), value
    return value
