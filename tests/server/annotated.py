"""A submitted visit whose failed item has a photo and its marked-up copy (标注), pushed
the way a phone pushes them, bytes in the store (tests of the console and the PDF)."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any

from PIL import Image

from fieldapp.annotate import render
from fieldapp.photos import QUALITY, encode
from fieldcore.annotation import Mark, marks_json
from fieldcore.workflow import finding_id
from tests.server.images import jpeg, sha
from tests.server.world import World

ITEMS = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]
MARKS = [
    Mark(tool="rect", x0=40, y0=30, x1=200, y1=150),
    Mark(tool="text", x0=45, y0=160, x1=45, y1=160, text="破损"),
]


@dataclass(frozen=True)
class Annotated:
    visit_id: uuid.UUID
    original_id: uuid.UUID
    original_sha: str
    copy_id: uuid.UUID
    copy_sha: str


def photo_fields(visit_id: uuid.UUID, code: str, data: bytes) -> dict[str, Any]:
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    return {
        "visit_id": visit_id,
        "finding_id": finding_id(visit_id, code),
        "sha256": sha(data),
        "byte_size": len(data),
        "mime": "image/jpeg",
        "width": width,
        "height": height,
    }


def push_annotated_visit(world: World, code: str = "3.1", submit: bool = True) -> Annotated:
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(world.site("S1"))
    muts: list[dict[str, Any]] = [create]
    for item in ITEMS:
        failed = {"count": 1} if item == code else {}
        muts.append(phone.answer(visit_id, item, "fail" if item == code else "pass", **failed))
    original = jpeg(320, 240, seed=visit_id.int % 10_000)
    marked = encode(render(original, MARKS), QUALITY)
    original_id, copy_id = uuid.uuid4(), uuid.uuid4()
    muts.append(phone.mutation("photo", original_id, **photo_fields(visit_id, code, original)))
    muts.append(
        phone.mutation(
            "photo",
            copy_id,
            **photo_fields(visit_id, code, marked),
            kind="annotation",
            annotates_id=original_id,
            annotates_sha256=sha(original),
            marks=marks_json(MARKS),
        )
    )
    if submit:
        muts.append(phone.mutation("visit", visit_id, status="submitted"))
    results = phone.push(*muts)
    assert {r["status"] for r in results} == {"applied"}, results
    world.place_blob(sha(original), original, holder="insp1")
    world.place_blob(sha(marked), marked, holder="insp1")
    return Annotated(visit_id, original_id, sha(original), copy_id, sha(marked))
