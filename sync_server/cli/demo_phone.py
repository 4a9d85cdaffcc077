"""A phone for seeding the demo's history: the app's own sync client (fieldapp.sync.client)
talking to the real server in process (FastAPI TestClient), mutations built and checked the
way the phone's outbox builds them, photos made by the phone's camera pipeline
(fieldapp.photos.process: downscale, watermark, hash) and sent through the upload API.

It skips only the phone's local database: the story (sync_server/cli/demo_history.py)
already knows what each inspector answers, so it writes the outbox's mutations directly.
"""

from __future__ import annotations

import io
import random
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

import httpx
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from fieldapp.config import find_assets
from fieldapp.photos import Stamp, process
from fieldapp.store.capture import CapturedPhoto
from fieldapp.sync.client import PackPart, SyncClient
from fieldcore.protocol import Mutation, PushRequest
from fieldcore.records import checked_values, wire_value
from fieldcore.workflow import missing_required

CHINA = timezone(timedelta(hours=8), "CST")  # the story's working day: 银川 local time
FONT = find_assets() / "fonts" / "NotoSansSC-Subset.otf"


class SeedError(RuntimeError):
    """The server refused something the demo story sent: a bug in the story, not data."""


class DemoPhone:
    """One signed-in device of one demo user, numbering its mutations like the outbox."""

    def __init__(self, http: TestClient, username: str, password: str, root: Path) -> None:
        # TestClient is an httpx.Client that calls the app in process
        self.client = SyncClient(str(http.base_url), http=cast(httpx.Client, http))
        login = self.client.login(username, password, uuid.uuid4(), "demo-history")
        self.username = username
        self.alias = login.user.display_name or username
        self.seq = login.last_mutation_seq
        self.blob_dir, self.thumb_dir = root / username / "blobs", root / username / "thumbs"
        self.to_upload: dict[str, Path] = {}  # photos taken since the last push

    def mutation(
        self, entity: Any, row_id: uuid.UUID, fields: dict[str, Any], creating: bool = False
    ) -> Mutation:
        """The mutation the outbox would queue (fieldapp.store.outbox.record's checks)."""
        if creating and (missing := missing_required(entity, fields)):
            raise SeedError(f"{entity} lacks {missing}")
        wired = {k: wire_value(v) for k, v in fields.items() if v is not None}
        checked_values(entity, wired)
        self.seq += 1
        return Mutation(seq=self.seq, entity=entity, id=row_id, fields=wired)

    def push(self, mutations: list[Mutation]) -> None:
        """Push, then upload the new photos' bytes, as the sync engine does (the server takes
        bytes only for photos whose rows it holds); every mutation must be applied."""
        answer = self.client.push(PushRequest(mutations=mutations))
        refused = [r for r in answer.results if r.status != "applied"]
        if refused:
            first = refused[0]
            raise SeedError(f"{self.username}: {first.code} {first.message} {first.details}")
        if self.to_upload:  # one pack per push, as fieldapp.sync.uploads sends them
            parts = [
                PackPart(sha, str(path), path.stat().st_size)
                for sha, path in self.to_upload.items()
            ]
            failed = [r for r in self.client.send_pack(parts, _ignore) if r.status == "failed"]
            if failed:
                raise SeedError(f"{self.username}: photo {failed[0].code} {failed[0].message}")
        self.to_upload.clear()

    def photo(
        self, rng: random.Random, taken_at: datetime, site_code: str, label: str, **parent: Any
    ) -> Mutation:
        """Take a photo and return its row's mutation; `parent`: visit_id and finding_id, or
        rectification_id."""
        return self.photo_row(self.take(rng, taken_at, site_code, label), **parent)

    def take(
        self, rng: random.Random, taken_at: datetime, site_code: str, label: str
    ) -> CapturedPhoto:
        """A drawn scene through the camera pipeline; its bytes go up after the next push."""
        stamp = Stamp(taken_at=taken_at, site_code=site_code, alias=self.alias, clock_offset_ms=0)
        shot = process(scene(rng, label), stamp, self.blob_dir, self.thumb_dir, FONT)
        self.to_upload[shot.sha256] = Path(shot.path)
        return shot

    def photo_row(self, shot: CapturedPhoto, **parent: Any) -> Mutation:
        """The row of a photo taken (fieldapp.store.capture.attach_photo's fields)."""
        fields = {
            "sha256": shot.sha256,
            "byte_size": shot.byte_size,
            "mime": "image/jpeg",
            "width": shot.width,
            "height": shot.height,
            "captured_at": shot.captured_at,
            "clock_offset_ms": shot.clock_offset_ms,
            **parent,
        }
        return self.mutation("photo", uuid.uuid4(), fields, creating=True)


def scene(rng: random.Random, label: str) -> bytes:
    """A camera-like JPEG: a room of coloured shelves and boxes with the item code on a sign
    (small, so a few hundred of them take seconds, yet big enough to read the watermark)."""
    width, height = 800, 600
    wall = tuple(rng.randint(150, 230) for _ in range(3))
    image = Image.new("RGB", (width, height), wall)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(height * 0.7), width, height), fill=(110, 100, 90))  # floor
    for _ in range(rng.randint(4, 9)):
        x, y = rng.randint(0, width - 120), rng.randint(60, int(height * 0.75))
        w, h = rng.randint(60, 260), rng.randint(40, 200)
        colour = tuple(rng.randint(30, 220) for _ in range(3))
        draw.rectangle((x, y, x + w, y + h), fill=colour, outline=(40, 40, 40), width=3)
    draw.rectangle((30, 30, 330, 110), fill=(250, 250, 240), outline=(200, 30, 30), width=4)
    draw.text((50, 55), label, fill=(200, 30, 30), font_size=36)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _ignore(sent: int) -> None:
    """Pack progress: nobody watches it while seeding."""


def at(day: datetime, hour: float) -> datetime:
    """`day` (midnight, China time) plus `hour` hours, in UTC as the server keeps time."""
    return (day + timedelta(hours=hour)).astimezone(UTC)
