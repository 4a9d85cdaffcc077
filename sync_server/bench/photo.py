"""B-photo: the phone's capture pipeline next to a plain decode of the same camera JPEG.

One synthetic 12-megapixel camera JPEG (4000×3000, quality 92, EXIF orientation 6) is
made once, from seeded noise and shapes so it compresses like a photo rather than a flat
fill. Each run then times (a) a full decode (`Image.open` + `load`), (b) a decode at the
pipeline's own JPEG draft scale (`fieldapp.photos.decode_draft`: the honest lower bound, as
the pipeline never decodes at full size), and (c) `fieldapp.photos.process`, called exactly
as the UI's `save_photo` calls it: draft decode, resize to the evidence copy, orient,
watermark, JPEG, sha256, durable write, thumbnail. Both ratios of medians are reported
(goal ≤ 1.5; `ratio` is the one to the full decode, kept for continuity). The same input
and stamp then go through the stages one by one (photo_stages.py) for the breakdown, and
each cut tried is timed against what it replaced.
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
from fieldapp.photos import Stamp, decode_draft, process
from sync_server.bench.common import Timer, machine, progress
from sync_server.bench.photo_stages import (
    STAGES,
    changes,
    draft_size,
    sharpness,
    staged,
    stamp_at,
)

WIDTH, HEIGHT = 4000, 3000
QUALITY = 92
ORIENTATION = 6  # "rotate 90° CW to view", what phones held upright write
GOAL_RATIO = 1.5
SEED = 20261201
REPO = Path(__file__).resolve().parents[2]
CHANGES = (  # (the pipeline's step now, the step it replaced or the one rejected)
    ("resize_rotate_halves", "resize_rotate_one_thread"),
    ("write_beside_thumbnail", "write_then_thumbnail"),
    ("encode_beside_thumbnail", "encode_then_thumbnail"),  # tried, not kept: slower
    ("thumbnail_gap1", "thumbnail_gap2"),
    ("sha256_in_memory", "sha256_reread"),
    ("evidence_write_fsync", "evidence_write_no_fsync"),
)


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


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 6)


def _breakdown(staged_runs: list[tuple[float, dict[str, float]]]) -> dict[str, Any]:
    """The stages of the staged run with the median wall time: its stage times sum to at
    most its total (the rest, `stage_other_s`, is the glue between stages)."""
    total, times = sorted(staged_runs, key=lambda run: run[0])[len(staged_runs) // 2]
    out: dict[str, Any] = {f"stage_{name}_s": round(times[name], 6) for name in STAGES}
    out["staged_total_s"] = round(total, 6)
    out["stage_other_s"] = round(max(0.0, total - sum(times.values())), 6)
    return out


def _changes(runs: list[dict[str, float]]) -> dict[str, Any]:
    """Each cut tried: medians of the new and the replaced step, and their ratio."""
    out: dict[str, Any] = {}
    for new, old in CHANGES:
        new_s = _median([run[new] for run in runs])
        old_s = _median([run[old] for run in runs])
        out[f"change_{new}_s"] = new_s
        out[f"change_{old}_s"] = old_s
        out[f"change_{new}_vs_{old}"] = round(new_s / old_s, 3) if old_s else None
    return out


def run(count: int = 5) -> dict[str, Any]:
    raw = camera_jpeg()
    decode_s: list[float] = []
    draft_s: list[float] = []
    draft_cpu_s: list[float] = []
    pipeline_s: list[float] = []
    pipeline_cpu_s: list[float] = []
    staged_runs: list[tuple[float, dict[str, float]]] = []
    change_runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="mingcha-bench-") as tmp:
        config = AppConfig(Path(tmp) / "data", Path(tmp) / "cache", find_assets())
        stage_dir = Path(tmp) / "staged"
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
                with Timer() as t:
                    decode_draft(raw)  # the honest lower bound: the pipeline's own decode
                draft_s.append(t.seconds)
                draft_cpu_s.append(t.cpu_seconds)
                # a new minute → new watermark → new hash, so every run really writes and
                # fsyncs (the pipeline skips a file that is already stored)
                stamp = stamp_at(taken + timedelta(minutes=n))
                with Timer() as t:
                    photo = process(raw, stamp, config.blob_dir, config.thumb_dir, config.font)
                pipeline_s.append(t.seconds)
                pipeline_cpu_s.append(t.cpu_seconds)
                # the same input and stamp stage by stage, into other directories so it
                # writes too; the same hash proves it is the same pipeline
                sha, total, times = staged(
                    raw, stamp, stage_dir / "blobs", stage_dir / "thumbs", config.font
                )
                if sha != photo.sha256:
                    raise RuntimeError("the staged pipeline made other bytes than process")
                staged_runs.append((total, times))
                change_runs.append(changes(raw, stamp, config.font, Path(tmp) / f"cuts{n}"))
                advance()
        thumb_bytes = Path(photo.thumb_path).stat().st_size
        raw_path = Path(tmp) / "camera.jpg"
        raw_path.write_bytes(raw)
        decode_rss, method = fresh_peak("decode", raw_path, Path(tmp) / "rss")
        pipeline_rss, method = fresh_peak("pipeline", raw_path, Path(tmp) / "rss")
    # the ratios are computed from the reported medians, so a reader can check them
    decode_median = _median(decode_s)
    draft_median = _median(draft_s)
    pipeline_median = _median(pipeline_s)
    ratio = round(pipeline_median / decode_median, 3)
    ratio_draft = round(pipeline_median / draft_median, 3)
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
        "ratio_to_full_decode": ratio,
        "draft_size": draft_size(raw),
        "draft_decode_median_s": draft_median,
        "ratio_to_draft_decode": ratio_draft,
        "goal_met_vs_draft_decode": ratio_draft <= GOAL_RATIO,
        **_breakdown(staged_runs),
        **_changes(change_runs),
        # the parts of the two-thread stages, each alone on one thread
        **{
            f"alone_{name}_s": _median([run[name] for run in change_runs])
            for name in ("resize_alone", "rotation_alone")
        },
        # CPU time of all threads: steadier than wall time on a shared machine, and above
        # the pipeline's wall time when its two threads really ran at once
        "draft_decode_cpu_median_s": _median(draft_cpu_s),
        "pipeline_cpu_median_s": _median(pipeline_cpu_s),
        "cpu_ratio_to_draft_decode": round(_median(pipeline_cpu_s) / _median(draft_cpu_s), 3),
        **sharpness(raw),
        "decode_peak_rss_growth_mb": round(decode_rss / 2**20, 1),
        "pipeline_peak_rss_growth_mb": round(pipeline_rss / 2**20, 1),
        "rss_method": f"{method}, one photo in a fresh process",
        "evidence_bytes": photo.byte_size,
        "evidence_size": f"{photo.width}x{photo.height}",
        "thumb_bytes": thumb_bytes,
        "machine": machine(),
    }
