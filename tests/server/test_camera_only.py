"""Camera-only evidence (issue 16 §4): the server refuses a gallery photo on a camera-only
item, or on any photo of a 暗访 visit of a template that asks for it, with the stable code
`photo.camera_required`; the mutation is consumed (the queue goes on), its answer is the
same on resend, and the photo is not stored. A camera photo passes, and carries its source
and EXIF time to the pull and the console's checks."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from fieldcore.workflow import finding_id
from sync_server.console.screens.visit import photo_line
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import write_session
from sync_server.supervision.visit_detail import visit_detail
from sync_server.tables import Photo, User
from sync_server.templates.catalog import checklist_dir
from sync_server.templates.versions import publish_template
from tests.server.images import jpeg, sha
from tests.server.world import Phone, World

KEY = "camera-check.v1"


def publish_camera_template(world: World) -> None:
    """mall-property with item 1.1 camera-only and every photo camera-only in 暗访."""
    data = json.loads((checklist_dir() / "mall-property.v1.json").read_text("utf-8"))
    data["id"] = "camera-check"
    data["covert_camera_only"] = True
    data["categories"][0]["items"][0]["camera_only"] = True  # item 1.1
    with write_session(world.engine) as session:
        changes = ChangeSet(session)
        publish_template(session, changes, json.dumps(data).encode(), f"{KEY}.json", by="test")
        changes.assign_seqs()


def photo(phone: Phone, visit_id: uuid.UUID, item: str | None, **fields: Any) -> dict[str, Any]:
    data = jpeg(seed=len(fields) + (len(item) if item else 0) + phone.seq)
    links: dict[str, Any] = {"visit_id": visit_id}
    if item is not None:
        links["finding_id"] = finding_id(visit_id, item)
    return phone.mutation(
        "photo", uuid.uuid4(), sha256=sha(data), byte_size=len(data), mime="image/jpeg",
        **links, **fields,
    )  # fmt: skip


def stored_photos(world: World, visit_id: uuid.UUID) -> list[Photo]:
    with Session(world.engine) as s:
        return list(s.exec(select(Photo).where(Photo.visit_id == visit_id)).all())


def test_a_gallery_photo_on_a_camera_only_item_is_refused_and_consumed(world: World) -> None:
    publish_camera_template(world)
    insp = world.phone("insp1")
    visit_id, create = insp.new_visit(world.site("S1"), KEY, "overt")
    assert {r["status"] for r in insp.push(create, insp.answer(visit_id, "1.1", "fail", count=1),
                                           insp.answer(visit_id, "1.2", "fail", count=1))} == {
        "applied"
    }  # fmt: skip
    gallery = photo(insp, visit_id, "1.1", source="gallery")
    unsaid = photo(insp, visit_id, "1.1")  # an app that does not say where it came from
    camera = photo(insp, visit_id, "1.1", source="camera")
    other = photo(insp, visit_id, "1.2", source="gallery")  # an ordinary item, 明查
    batch = [gallery, unsaid, camera, other]
    results = insp.push(*batch)
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied", "applied"]
    assert results[0]["code"] == results[1]["code"] == "photo.camera_required"
    assert results[0]["details"] == {"item": "1.1", "source": "gallery"}
    assert results[1]["details"] == {"item": "1.1", "source": "unknown"}
    # consumed: a resend answers the same, byte for byte, and changes nothing
    again = insp.push_raw(batch)
    assert again.json()["results"] == results
    stored = stored_photos(world, visit_id)
    assert sorted(p.source or "" for p in stored) == ["camera", "gallery"]
    assert {p.id for p in stored} == {uuid.UUID(camera["id"]), uuid.UUID(other["id"])}


def test_in_covert_every_photo_of_such_a_template_must_be_shot(world: World) -> None:
    publish_camera_template(world)
    insp = world.phone("insp1")
    visit_id, create = insp.new_visit(world.site("S1"), KEY, "covert")
    insp.push(create, insp.answer(visit_id, "1.2", "fail", count=1))
    results = insp.push(
        photo(insp, visit_id, "1.2", source="gallery"),
        photo(insp, visit_id, None, source="gallery"),  # a visit-level photo as well
        photo(insp, visit_id, "1.2", source="camera"),
    )
    assert [(r["status"], r["code"]) for r in results] == [
        ("rejected", "photo.camera_required"),
        ("rejected", "photo.camera_required"),
        ("applied", None),
    ]
    assert results[1]["details"] == {"item": None, "source": "gallery"}


def test_source_and_exif_time_travel_and_the_console_flags_an_old_picture(world: World) -> None:
    publish_camera_template(world)
    insp = world.phone("insp1")
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    visit_id, create = insp.new_visit(
        world.site("S1"), "mall-property.v1", "overt", started_at=start.isoformat()
    )
    insp.push(create, insp.answer(visit_id, "1.2", "fail", count=1))
    old = start - timedelta(days=20)
    [result] = insp.push(
        photo(
            insp, visit_id, "1.2", source="gallery",
            captured_at=(start + timedelta(minutes=3)).isoformat(), exif_taken_at=old.isoformat(),
        )
    )  # fmt: skip
    assert result["status"] == "applied"
    fresh = world.phone("insp1")  # another device: a device is not sent its own writes back
    rows = [d for (e, _), d in fresh.pull_all().items() if e == "photo" and d]
    assert [(r["source"], r["exif_taken_at"][:10]) for r in rows] == [("gallery", "2026-10-13")]
    with write_session(world.engine) as s:
        sup = s.exec(select(User).where(User.username == "sup1")).one()
        [check] = visit_detail(s, sup, visit_id).photos
    assert (check.source, check.outside_visit, check.warnings) == (
        "gallery",
        True,
        ("outside_visit",),
    )
    line = photo_line(check)  # the console's line under the visit
    assert "[不在检查时间内 outside the visit]" in line and "[相册照片 from the gallery]" in line
    assert "拍摄 " + old.astimezone().strftime("%m-%d %H:%M") in line  # the camera's own time
