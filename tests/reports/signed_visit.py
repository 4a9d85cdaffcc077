"""A signed visit for the visit PDF's tests: an assumed (自定) copy of mall-property, failed
items with several photos each, a signature photo, the PDF exported by a supervisor."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from fieldcore.workflow import finding_id
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import write_session
from sync_server.reports import exports
from sync_server.tables import Site
from sync_server.templates.catalog import checklist_dir, load_template_file
from sync_server.templates.versions import publish_template
from tests.reports.kit import OVERT_ITEMS, run
from tests.reports.pdf_preview import keep_artifact
from tests.server.images import jpeg, sha
from tests.server.world import World

VERSION = 92  # the assumed copy of mall-property, published beside the shipped versions
FAILS = {"1.1": 2, "6.1": 1, "10.1": 12}  # 10.1: 12 × −1 in a 10-point category: floor
PHOTOS_PER_ITEM = {"1.1": 4, "6.1": 1, "10.1": 2}
START, FINISH = datetime(2026, 11, 20, 1, 0, tzinfo=UTC), datetime(2026, 11, 20, 2, 10, tzinfo=UTC)


def photos(world: World):
    return world.state.photos


def _assumed_mall(world: World) -> str:
    """mall-property with its grades, category 2's points and item 6.1's rule marked as
    the organisation's own (自定)."""
    t = load_template_file(checklist_dir() / "mall-property.v1.json")
    cats = []
    for cat in t.categories:
        items = [
            i.model_copy(update={"assumed": True, "assumed_note": "扣分为本公司自定"})
            if i.code == "6.1"
            else i
            for i in cat.items
        ]
        extra = {"assumed": True, "assumed_note": "原规定未给分值"} if cat.code == "2" else {}
        cats.append(cat.model_copy(update={"items": items, **extra}))
    scoring = t.scoring.model_copy(update={"assumed": True, "assumed_note": "等级线自定"})
    t = t.model_copy(update={"version": VERSION, "categories": cats, "scoring": scoring})
    with write_session(world.engine) as session:
        changes = ChangeSet(session)
        text = t.model_dump_json(exclude_defaults=False).encode()
        publish_template(session, changes, text, f"{t.key}.json", by="test")
        changes.assign_seqs()
        site = session.get(Site, uuid.UUID(world.site("S1")))
        assert site is not None
        site.address = "银川市兴庆区解放东街88号"
    return t.key


def _signature() -> bytes:
    image = Image.new("RGB", (400, 150), "white")
    ImageDraw.Draw(image).line([(20, 120), (120, 30), (200, 110), (380, 40)], "black", 5)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _push_signed_visit(world: World, key: str) -> tuple[uuid.UUID, list[str]]:
    """A submitted, signed visit: several photos on the failed items, a signature photo.
    Returns the visit id and every photo's sha256 (evidence first, the signature last)."""
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(
        world.site("S1"), template_key=key, started_at=START.isoformat(),
        finished_at=FINISH.isoformat(),
    )  # fmt: skip
    muts: list[dict[str, Any]] = [create]
    blobs: list[tuple[str, bytes]] = []
    for code in OVERT_ITEMS:
        if code not in FAILS:
            muts.append(phone.answer(visit_id, code, "pass"))
            continue
        note = "扶梯口有纸屑,已当场指出" if code == "1.1" else ""
        muts.append(phone.answer(visit_id, code, "fail", count=FAILS[code], note=note))
        for _ in range(PHOTOS_PER_ITEM[code]):
            data = jpeg(64 + 16 * len(blobs), 48, seed=visit_id.int % 100_000 + len(blobs))
            blobs.append((sha(data), data))
            muts.append(_photo_row(phone, visit_id, finding_id(visit_id, code), blobs[-1]))
    signature = _signature()
    blobs.append((sha(signature), signature))
    muts.append(_photo_row(phone, visit_id, None, blobs[-1]))
    muts.append(
        phone.mutation(
            "visit",
            visit_id,
            ack_name="王店长",
            ack_signature_sha256=blobs[-1][0],
            ack_at=datetime(2026, 11, 20, 3, 30, tzinfo=UTC).isoformat(),
            status="submitted",
        )
    )
    assert {r["status"] for r in phone.push(*muts)} == {"applied"}
    for digest, data in blobs:
        world.place_blob(digest, data, holder="insp1")
    return visit_id, [d for d, _ in blobs]


def _photo_row(phone: Any, visit_id: uuid.UUID, finding: Any, blob: tuple[str, bytes]) -> Any:
    digest, data = blob
    return phone.mutation("photo", uuid.uuid4(), visit_id=visit_id, finding_id=finding,
                          sha256=digest, byte_size=len(data), mime="image/jpeg")  # fmt: skip


@pytest.fixture
def signed(world: World, tmp_path: Path) -> tuple[uuid.UUID, list[str], Path]:
    """The signed visit of the assumed template, exported as PDF by a supervisor; a copy
    is kept in test-artifacts/reports/ to look at."""
    visit_id, hashes = _push_signed_visit(world, _assumed_mall(world))
    out = tmp_path / "visit-form.pdf"
    result = run(
        world, lambda s: exports.export_visit(s, "sup1", visit_id, "pdf", out, photos(world))
    )
    assert result.missing_glyphs == []
    keep_artifact(out, "visit-form.pdf")
    return visit_id, hashes, out


def after(shown: list[str], label: str, count: int = 1) -> list[str]:
    """The `count` strings after the first `label`: a label cell's value."""
    at = shown.index(label)
    return shown[at + 1 : at + 1 + count]
