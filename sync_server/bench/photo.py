"""B-photo: the phone's capture pipeline next to a plain decode of the same camera JPEG.

One synthetic 12-megapixel camera JPEG (4000×3000, quality 92, EXIF orientation 6) is
made once, from seeded noise and shapes so it compresses like a photo rather than a flat
fill. Each run then times (a) the baseline, a full decode (`Image.open` + `load`), and
(b) `fieldapp.photos.process`, called exactly as the UI's `save_photo` calls it: orient,
downscale to the evidence copy, watermark, JPEG, sha256, durable write, thumbnail. The
ratio of medians is the figure of merit (goal ≤ 1.5).
"""

from __future__ import annotations

import io
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from fieldapp.config import AppConfig, find_assets
from fieldapp.photos import Stamp, process
from sync_server.bench.common import Timer, machine, progress

WIDTH, HEIGHT = 4000, 3000
QUALITY = 92
ORIENTATION = 6  # "rotate 90° CW to view", what phones held upright write
GOAL_RATIO = 1.5
SEED = 20261201
REPO = Path(__file__).resolve().parents[2]


def camera_jpeg(seed: int = SEED) -> bytes:
    """A repeatable photo-like JPEG: smooth colour fields, hard-edged shapes, fine grain."""
    rng = random.Random(seed)
    small = (WIDTH // 16, HEIGHT // 16)
    image = Image.frombytes("RGB", small, rng.randbytes(small[0] * small[1] * 3))
    image = image.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)  # lighting-like gradients
    draw = ImageDraw.Draw(image)
    for _ in range(300):  # edges and flat areas, as shelves, signs and walls give
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        w, h = rng.randrange(20, 800), rng.randrange(20, 600)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        shape = rng.choice((draw.rectangle, draw.ellipse))
        shape((x, y, x + w, y + h), fill=colour, outline=(0, 0, 0), width=rng.randrange(1, 6))
    grain = Image.frombytes("L", (WIDTH, HEIGHT), rng.randbytes(WIDTH * HEIGHT))
    image = Image.blend(image, Image.merge("RGB", (grain, grain, grain)), 0.08)  # sensor noise
    exif = Image.Exif()
    exif[0x0112] = ORIENTATION
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, exif=exif)
    return out.getvalue()


def decode(raw: bytes) -> None:
    with Image.open(io.BytesIO(raw)) as image:
        image.load()


class PeakRss:
    """Peak resident memory growth over a block, in bytes.

    Pillow allocates pixels with malloc, which tracemalloc does not see, so this reads the
    kernel's high-water mark: reset it (/proc/self/clear_refs, Linux ≥ 4.0) and read
    VmHWM after; where that is refused, ru_maxrss (a lifetime peak; fine in a fresh
    process, which is where `fresh_peak` uses this).
    """

    def __enter__(self) -> PeakRss:
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.method = "vmhwm"
        except OSError:
            self.method = "ru_maxrss"
        self.start = self._peak()
        return self

    def __exit__(self, *exc: object) -> None:
        self.growth = max(0, self._peak() - self.start)

    def _peak(self) -> int:
        if self.method == "vmhwm":
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def child(kind: str, raw_path: str, data_dir: str) -> None:
    """In a fresh interpreter: one decode or one pipeline run, print its peak growth."""
    raw = Path(raw_path).read_bytes()
    config = AppConfig(Path(data_dir) / "data", Path(data_dir) / "cache", find_assets())
    stamp = Stamp(datetime(2026, 12, 1, 8, 0, tzinfo=UTC), "B-001", "王检查")
    with PeakRss() as peak:
        if kind == "decode":
            decode(raw)
        else:
            process(raw, stamp, config.blob_dir, config.thumb_dir, config.font)
    print(peak.growth, peak.method)


def fresh_peak(kind: str, raw_path: Path, data_dir: Path) -> tuple[int, str]:
    """Peak growth measured in a new process: in this one, memory freed by earlier runs
    stays in malloc's heap and would hide most of the next run's footprint."""
    code = "import sys; from sync_server.bench.photo import child; child(*sys.argv[1:])"
    done = subprocess.run(
        [sys.executable, "-c", code, kind, str(raw_path), str(data_dir)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(("app", "."))},
        capture_output=True,
        text=True,
        check=True,
    )
    growth, method = done.stdout.split()
    return int(growth), method


def run(count: int = 5) -> dict[str, Any]:
    raw = camera_jpeg()
    decode_s: list[float] = []
    pipeline_s: list[float] = []
    with tempfile.TemporaryDirectory(prefix="mingcha-bench-") as tmp:
        config = AppConfig(Path(tmp) / "data", Path(tmp) / "cache", find_assets())
        taken = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        # one unmeasured round first: lazy plugin imports and the font file's first read
        # belong to app start, not to each photo
        decode(raw)
        process(
            raw, Stamp(taken, "B-001", "王检查"), config.blob_dir, config.thumb_dir, config.font
        )
        with progress("photo", count) as advance:
            for n in range(1, count + 1):
                with Timer() as t:
                    decode(raw)
                decode_s.append(t.seconds)
                # a new minute → new watermark → new hash, so every run really writes and
                # fsyncs (the pipeline skips a file that is already stored)
                stamp = Stamp(taken + timedelta(minutes=n), "B-001", "王检查", clock_offset_ms=0)
                with Timer() as t:
                    photo = process(raw, stamp, config.blob_dir, config.thumb_dir, config.font)
                pipeline_s.append(t.seconds)
                advance()
        thumb_bytes = Path(photo.thumb_path).stat().st_size
        raw_path = Path(tmp) / "camera.jpg"
        raw_path.write_bytes(raw)
        decode_rss, method = fresh_peak("decode", raw_path, Path(tmp) / "rss")
        pipeline_rss, method = fresh_peak("pipeline", raw_path, Path(tmp) / "rss")
    # the ratio is computed from the reported medians, so a reader can check it
    decode_median = round(statistics.median(decode_s), 6)
    pipeline_median = round(statistics.median(pipeline_s), 6)
    ratio = round(pipeline_median / decode_median, 3)
    return {
        "bench": "photo",
        "photos": count,
        "input": f"{WIDTH}x{HEIGHT} q{QUALITY} orientation {ORIENTATION}",
        "input_bytes": len(raw),
        "decode_median_s": decode_median,
        "pipeline_median_s": pipeline_median,
        "ratio": ratio,
        "goal_ratio": GOAL_RATIO,
        "goal_met": ratio <= GOAL_RATIO,
        "decode_peak_rss_growth_mb": round(decode_rss / 2**20, 1),
        "pipeline_peak_rss_growth_mb": round(pipeline_rss / 2**20, 1),
        "rss_method": f"{method}, one photo in a fresh process",
        "evidence_bytes": photo.byte_size,
        "evidence_size": f"{photo.width}x{photo.height}",
        "thumb_bytes": thumb_bytes,
        "machine": machine(),
    }
