"""Covert discipline on the phone's store (issue 16 §4): a gallery photo on a camera-only
item is refused at once, as the server would (nothing queued); camera shots and gallery
photos of ordinary items record their source and EXIF time and keep them through sync; the
photo warnings (outside the visit, far from the site) come from the shared rule."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlmodel import Session, select

from fieldapp.photos import Stamp, process
from fieldapp.store.photo_checks import item_warnings, photo_flags
from fieldapp.sync.engine import run_sync
from fieldcore.evidence import PhotoSource
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import finding_id
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import write_session
from sync_server.tables import Photo, Site
from tests.client.conftest import PhoneApp
from tests.server.test_camera_only import KEY, publish_camera_template
from tests.server.world import World
from tests.serverkit import FakeClock


def picture(taken: datetime | None, seed: int) -> bytes:
    """A camera-like JPEG, with EXIF DateTimeOriginal (+ its zone) when `taken` is given."""
    image = Image.new("RGB", (640, 480), (seed * 7 % 255, 90, 160))
    exif = Image.Exif()
    if taken is not None:
        ifd = exif.get_ifd(0x8769)
        local = taken.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=8)
        ifd[0x9003] = local.strftime("%Y:%m:%d %H:%M:%S")
        ifd[0x9011] = "+08:00"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def shot(
    app: PhoneApp,
    tmp: Path,
    clock: FakeClock,
    taken: datetime | None,
    source: PhotoSource,
    seed: int,
    lat: float | None = None,
    lon: float | None = None,
):
    stamp = Stamp(clock(), "S1", "insp1", 0, lat, lon)
    photo = process(picture(taken, seed), stamp, tmp / "blobs", tmp / "thumbs")
    return replace(photo, source=source)  # fmt: skip


@pytest.fixture
def ready(world: World, phone: Callable[[str], PhoneApp]) -> PhoneApp:
    publish_camera_template(world)
    app = phone("insp1")
    run_sync(app.store, app.client)
    return app


def test_a_gallery_photo_on_a_camera_only_item_is_refused_before_anything_is_queued(
    ready: PhoneApp, world: World, tmp_path: Path, clock: FakeClock
) -> None:
    app = ready
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), KEY, "overt")
    for code in ("1.1", "1.2"):
        app.store.record_answer(visit.id, code, "fail", count=1)
    pending = app.store.sync_status().pending_records
    f11, f12 = finding_id(visit.id, "1.1"), finding_id(visit.id, "1.2")
    with pytest.raises(DomainError) as caught:
        app.store.attach_photo(shot(app, tmp_path, clock, None, "gallery", 1), visit.id, f11)
    assert caught.value.code == ProblemCode.PHOTO_CAMERA_REQUIRED
    assert app.store.sync_status().pending_records == pending  # nothing queued
    taken = clock() - timedelta(minutes=1)
    camera = app.store.attach_photo(shot(app, tmp_path, clock, taken, "camera", 2), visit.id, f11)
    picked = app.store.attach_photo(shot(app, tmp_path, clock, None, "gallery", 3), visit.id, f12)
    assert (camera.source, camera.exif_taken_at) == ("camera", taken.replace(microsecond=0))
    assert (picked.source, picked.exif_taken_at) == ("gallery", None)
    report = run_sync(app.store, app.client)
    assert report.rejected == 0
    with Session(world.engine) as s:
        rows = {p.id: p for p in s.exec(select(Photo).where(Photo.visit_id == visit.id)).all()}
    assert rows[camera.id].source == "camera" and rows[picked.id].source == "gallery"
    assert rows[camera.id].exif_taken_at == taken.replace(microsecond=0)


def test_in_covert_the_template_can_ask_the_camera_for_every_photo(
    ready: PhoneApp, world: World, tmp_path: Path, clock: FakeClock
) -> None:
    app = ready
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), KEY, "covert")
    app.store.record_answer(visit.id, "1.2", "fail", count=1)
    links: tuple[dict[str, Any], ...] = ({"finding_id_": finding_id(visit.id, "1.2")}, {})
    for link in links:
        with pytest.raises(DomainError):
            app.store.attach_photo(shot(app, tmp_path, clock, None, "gallery", 4), visit.id, **link)
    app.store.attach_photo(shot(app, tmp_path, clock, None, "camera", 5), visit.id)


def test_warnings_use_the_pictures_own_time_and_the_sites_position(
    ready: PhoneApp, world: World, tmp_path: Path, clock: FakeClock
) -> None:
    app = ready
    with write_session(world.engine) as s:  # the site gets a position; the phone pulls it
        site = s.get(Site, uuid.UUID(world.site("S1")))
        assert site is not None
        site.lat, site.lon = 39.9, 116.4
        changes = ChangeSet(s)
        changes.touch(site, ["lat", "lon"])
        changes.assign_seqs()
    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    for code in ("1.1", "1.2", "2.1"):
        app.store.record_answer(visit.id, code, "fail", count=1)
    old = clock() - timedelta(days=20)
    links = {c: finding_id(visit.id, c) for c in ("1.1", "1.2", "2.1")}
    app.store.attach_photo(
        shot(app, tmp_path, clock, old, "gallery", 6, 39.9, 116.4), visit.id, links["1.1"]
    )
    app.store.attach_photo(
        shot(app, tmp_path, clock, None, "camera", 7, 39.95, 116.4), visit.id, links["1.2"]
    )  # ~5.6 km away
    app.store.attach_photo(
        shot(app, tmp_path, clock, clock(), "camera", 8, 39.9001, 116.4), visit.id, links["2.1"]
    )  # on site, in time
    view = app.store.visit_view(visit.id)
    flags = [(f.item_code, f.warnings) for f in photo_flags(view)]
    assert flags == [("1.1", ("outside_visit",)), ("1.2", ("far_from_site",))]
    assert item_warnings(view, "2.1") == ()
    # warnings do not stop the visit: a submit goes through
    for code in view.card.unanswered:
        app.store.record_answer(visit.id, code, "pass")
    app.store.submit_visit(visit.id)


def test_a_camera_shot_on_a_camera_only_item_can_be_marked_up_and_both_sync(
    ready: PhoneApp, world: World, tmp_path: Path, clock: FakeClock
) -> None:
    """The marked-up copy (issue 16 §2) is judged by its original's source: marking up a
    camera shot does not turn it into a gallery picture the camera-only rule refuses."""
    from fieldapp.annotate import annotate_photo
    from fieldcore.annotation import Mark

    app = ready
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), KEY, "overt")
    app.store.record_answer(visit.id, "1.1", "fail", count=1)
    taken = clock() - timedelta(minutes=1)
    original = app.store.attach_photo(
        shot(app, tmp_path, clock, taken, "camera", 9), visit.id, finding_id(visit.id, "1.1")
    )
    marks = [Mark(tool="rect", x0=10, y0=10, x1=200, y1=150)]
    copy = annotate_photo(app.store, original.id, marks, tmp_path / "blobs", tmp_path / "thumbs")
    assert (copy.source, copy.annotates_id) == ("camera", original.id)
    report = run_sync(app.store, app.client)
    assert (report.rejected, report.photos_uploaded) == (0, 2)
    with Session(world.engine) as s:
        server_copy = s.get(Photo, copy.id)
    assert server_copy is not None and server_copy.annotates_id == original.id
