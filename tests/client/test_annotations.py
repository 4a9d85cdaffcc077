"""Marked-up evidence on the phone: drawn offline on a copy, the original untouched, both
synced and linked — and a bad link refused by the server with its stable code."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session, select

from fieldapp.annotate import annotate_photo, render
from fieldapp.photos import QUALITY, Stamp, encode, process
from fieldapp.store.capture import CapturedPhoto
from fieldapp.store.tables import PhotoRow
from fieldapp.sync.engine import run_sync
from fieldcore.annotation import Mark, parse_marks
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import Mutation, PushRequest
from fieldcore.workflow import finding_id
from sync_server.tables import Photo
from tests.client.conftest import PhoneApp
from tests.server.images import jpeg, pixel
from tests.server.world import World

MALL = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]
FONT = Path(__file__).resolve().parents[2] / "assets" / "fonts" / "NotoSansSC-Subset.otf"
MARKS = [
    Mark(tool="circle", x0=100, y0=100, x1=400, y1=300),
    Mark(tool="arrow", x0=900, y0=900, x1=450, y1=320),
    Mark(tool="text", x0=120, y0=320, x1=120, y1=320, text="灭火器过期"),
]


def shoot(app: PhoneApp, seed: int = 1) -> CapturedPhoto:
    root = app.store.path.parent
    stamp = Stamp(datetime.now(UTC), "S1", "insp1")
    return process(jpeg(2000, 1500, seed), stamp, root / "photos", root / "thumbs", FONT)


def mark_up(app: PhoneApp, photo_id: uuid.UUID, marks: list[Mark] = MARKS) -> PhotoRow:
    root = app.store.path.parent
    return annotate_photo(app.store, photo_id, marks, root / "photos", root / "thumbs", FONT)


def failed_item_with_photo(
    app: PhoneApp, world: World
) -> tuple[uuid.UUID, PhotoRow, CapturedPhoto]:
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    app.store.record_answer(visit.id, "3.1", "fail", count=1)
    shot = shoot(app)
    row = app.store.attach_photo(shot, visit_id=visit.id, finding_id_=finding_id(visit.id, "3.1"))
    return visit.id, row, shot


def test_an_annotation_made_offline_is_a_new_copy_and_the_original_stays_byte_for_byte(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)  # templates and sites; from here on no server is needed
    visit_id, original, shot = failed_item_with_photo(app, world)
    before = Path(shot.path).read_bytes()
    derived = mark_up(app, original.id)
    assert Path(shot.path).read_bytes() == before  # untouched, byte for byte
    assert hashlib.sha256(before).hexdigest() == shot.sha256 == original.sha256
    data = app.store.photo_file(derived.sha256)
    assert data is not None and hashlib.sha256(data).hexdigest() == derived.sha256 != shot.sha256
    assert (derived.kind, derived.annotates_id, derived.annotates_sha256) == (
        "annotation",
        original.id,
        shot.sha256,
    )
    assert derived.finding_id == original.finding_id and derived.visit_id == visit_id
    assert parse_marks(derived.marks or "") == MARKS
    with Image.open(Path(shot.path)) as o, Image.open(io.BytesIO(data)) as d:
        assert d.size == o.size
        assert pixel(d.convert("RGB"), (250, 100))[0] > 180  # the circle's top is red ink
    # the marks kept as data re-render, from the original, to the very same bytes: auditable
    again = encode(render(before, parse_marks(derived.marks or ""), FONT), QUALITY)
    assert hashlib.sha256(again).hexdigest() == derived.sha256
    view = app.store.visit_view(visit_id)
    fid = finding_id(visit_id, "3.1")
    assert [p.id for p in view.photos[fid]] == [original.id]  # one evidence photo
    assert view.annotations[original.id].id == derived.id


def test_a_derived_copy_alone_does_not_satisfy_the_photo_required_rule(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit_id, original, _ = failed_item_with_photo(app, world)
    mark_up(app, original.id)
    for code in MALL:
        if code != "3.1":
            app.store.record_answer(visit_id, code, "pass")
    app.store.delete_photo(original.id)  # the copy goes with its original
    view = app.store.visit_view(visit_id)
    assert view.annotations == {} and view.missing_photos == ["3.1"]
    with pytest.raises(DomainError) as err:
        app.store.submit_visit(visit_id)
    assert err.value.details["missing_photos"] == ["3.1"]


def test_marking_again_replaces_the_earlier_copy_and_bad_marks_change_nothing(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit_id, original, _ = failed_item_with_photo(app, world)
    first = mark_up(app, original.id)
    second = mark_up(app, original.id, [Mark(tool="rect", x0=5, y0=5, x1=60, y1=60)])
    assert app.store.visit_view(visit_id).annotations[original.id].id == second.id != first.id
    pending = app.store.sync_status().pending_records
    with pytest.raises(DomainError) as err:
        mark_up(app, original.id, [Mark(tool="rect", x0=5, y0=5, x1=20_000, y1=60)])
    assert err.value.code == ProblemCode.PHOTO_ANNOTATION_INVALID
    assert err.value.details["reason"] == "out_of_bounds"
    assert app.store.sync_status().pending_records == pending
    assert app.store.visit_view(visit_id).annotations[original.id].id == second.id


def test_both_photos_reach_the_server_linked_and_survive_a_resync(
    world: World, phone: Callable[..., PhoneApp]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit_id, original, shot = failed_item_with_photo(app, world)
    derived = mark_up(app, original.id)
    report = run_sync(app.store, app.client)
    assert report.rejected == 0 and report.photos_uploaded == 2
    with Session(world.engine) as s:
        rows = {p.id: p for p in s.exec(select(Photo)).all()}
    orig, copy = rows[original.id], rows[derived.id]
    assert (orig.kind, orig.annotates_id, orig.sha256) == ("evidence", None, shot.sha256)
    assert (copy.kind, copy.annotates_id, copy.annotates_sha256) == (
        "annotation",
        original.id,
        shot.sha256,
    )
    assert parse_marks(copy.marks or "") == MARKS and copy.blob_present and orig.blob_present
    photos = world.state.photos
    assert hashlib.sha256(photos.read(shot.sha256)).hexdigest() == shot.sha256
    again = run_sync(app.store, app.client)  # nothing left to send, and the link holds
    assert (again.pushed, again.rejected, again.photos_uploaded) == (0, 0, 0)
    other = phone("insp1", "b")  # a second phone of the same inspector pulls both
    run_sync(other.store, other.client)
    view = other.store.visit_view(visit_id)
    assert [p.id for p in view.photos[finding_id(visit_id, "3.1")]] == [original.id]
    pulled = view.annotations[original.id]
    assert (pulled.id, pulled.annotates_sha256, pulled.marks) == (
        derived.id,
        shot.sha256,
        copy.marks,
    )


def test_a_pushed_annotation_with_a_bad_link_is_refused_with_a_stable_code(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit_id, original, shot = failed_item_with_photo(app, world)
    run_sync(app.store, app.client)
    base: dict[str, object] = {
        "visit_id": str(visit_id),
        "finding_id": str(finding_id(visit_id, "3.1")),
        "sha256": "c" * 64,
        "byte_size": 1000,
        "mime": "image/jpeg",
        "width": 1600,
        "height": 1200,
        "kind": "annotation",
        "annotates_id": str(original.id),
        "annotates_sha256": shot.sha256,
        "marks": '[{"tool":"rect","x0":1,"y0":1,"x1":50,"y1":50}]',
    }
    bad: dict[str, dict[str, object]] = {
        "hash_mismatch": {"annotates_sha256": "d" * 64},
        "original_missing": {"annotates_id": str(uuid.uuid4())},
        "other_parent": {"finding_id": str(finding_id(visit_id, "2.1"))},
        "out_of_bounds": {"marks": '[{"tool":"rect","x0":1,"y0":1,"x1":5000,"y1":50}]'},
        "fields": {"annotates_sha256": None},
    }
    app.store.record_answer(visit_id, "2.1", "fail", count=1)
    run_sync(app.store, app.client)
    last = app.client.push(PushRequest(mutations=[])).last_mutation_seq
    mutations = []
    for i, change in enumerate(bad.values()):
        fields = {k: v for k, v in {**base, **change}.items() if v is not None}
        mutations.append(Mutation(seq=last + 1 + i, entity="photo", id=uuid.uuid4(), fields=fields))
    answer = app.client.push(PushRequest(mutations=mutations))
    assert [(r.status, r.code, r.details.get("reason")) for r in answer.results] == [
        ("rejected", "photo.annotation_invalid", why) for why in bad
    ]
    again = app.client.push(
        PushRequest(mutations=mutations)
    )  # a resend gets the same answers, changes nothing
    assert again.results == answer.results
    with Session(world.engine) as s:
        assert {p.id for p in s.exec(select(Photo)).all()} == {original.id}


def test_last_time_at_the_site_shows_the_original_not_its_copy_as_a_second_photo(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit_id, original, shot = failed_item_with_photo(app, world)
    mark_up(app, original.id)
    for code in MALL:
        if code != "3.1":
            app.store.record_answer(visit_id, code, "pass")
    app.store.submit_visit(visit_id)
    following = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    hint = app.store.last_time(following.id).hints["3.1"]
    assert hint.result == "fail" and hint.photos == (shot.sha256,)
