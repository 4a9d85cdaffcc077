"""Photo bytes: negotiation, resumable upload, verification, scope, storage failures."""

from __future__ import annotations

import base64
import errno
import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlmodel import Session, select

from sync_server.photos.backends import S3Blobs
from sync_server.tables import Blob, Photo, Upload
from tests.s3kit import both_backends, refuse_puts
from tests.server.images import bomb, cut_with_end, jpeg, png, sha
from tests.server.test_visit_workflow import complete_visit
from tests.server.world import Phone, World, live


def photo_row(phone: Phone, world: World, data: bytes, site: str = "S1") -> tuple[uuid.UUID, str]:
    """A draft visit at `site` with one photo row whose bytes are `data`."""
    visit_id, create = phone.new_visit(world.site(site))
    phone.push(create, phone.answer(visit_id, "1.1", "fail", count=1))
    digest = sha(data)
    from fieldcore.workflow import finding_id

    phone.push(
        phone.mutation(
            "photo",
            uuid.uuid4(),
            visit_id=visit_id,
            finding_id=finding_id(visit_id, "1.1"),
            sha256=digest,
            byte_size=len(data),
            mime="image/jpeg",
        )
    )
    return visit_id, digest


def start(phone: Phone, digest: str, length: int) -> Any:
    return phone.client.post(
        "/v1/uploads", headers=phone.headers, json={"sha256": digest, "length": length}
    )


def patch(
    phone: Phone,
    upload_id: str,
    offset: int,
    chunk: bytes,
    checksum: bool = True,
    content_type: str = "application/offset+octet-stream",
) -> Any:
    headers = {**phone.headers, "Content-Type": content_type, "Upload-Offset": str(offset)}
    if checksum:
        headers["Upload-Checksum"] = (
            "sha256 " + base64.b64encode(hashlib.sha256(chunk).digest()).decode()
        )
    return phone.client.patch(f"/v1/uploads/{upload_id}", headers=headers, content=chunk)


def upload_all(phone: Phone, data: bytes, chunk: int = 20_000) -> Any:
    r = start(phone, sha(data), len(data))
    upload_id, offset = r.json()["id"], r.json()["offset"]
    while offset < len(data):
        r = patch(phone, upload_id, offset, data[offset : offset + chunk])
        assert r.status_code == 204, r.text
        offset = int(r.headers["Upload-Offset"])
    return upload_id


@both_backends
def test_bytes_arrive_in_checked_chunks_and_the_photo_row_learns_it(world: World) -> None:
    phone = world.phone("insp1")
    data = jpeg()
    _, digest = photo_row(phone, world, data)
    assert phone.client.post(
        "/v1/blobs/missing", headers=phone.headers, json={"sha256": [digest]}
    ).json()["missing"] == [digest]
    upload_all(phone, data)
    with Session(world.engine) as s:
        assert s.get(Blob, digest) is not None
        assert all(p.blob_present for p in s.exec(select(Photo)).all())
    assert not [e for e, _ in phone.pull_all() if e == "photo"]  # its upload's answer said so
    rows = Phone(phone.client, phone.username).login().pull_all()  # the inspector's other phone
    assert [live(r)["blob_present"] for (e, _), r in rows.items() if e == "photo"] == [True]
    got = phone.client.get(f"/v1/blobs/{digest}", headers=phone.headers)
    assert got.status_code == 200 and got.content == data
    assert got.headers["ETag"] == f'"{digest}"'
    assert got.headers["Content-Length"] == str(len(data))
    assert phone.client.post(
        "/v1/blobs/missing", headers=phone.headers, json={"sha256": [digest]}
    ).json()["present"] == [digest]
    assert stored_bytes(world, digest) == data


def stored_bytes(world: World, digest: str) -> bytes:
    """The blob as the backend holds it, at the layout it always had: `blobs/ab/cd/<sha>`
    on this host, or the object `<prefix>/ab/cd/<sha>`; nothing else is stored."""
    store = world.state.photos
    name = f"{digest[:2]}/{digest[2:4]}/{digest}"
    if isinstance(store.blobs, S3Blobs):
        assert store.blobs.prefix and store.blobs.key(digest) == f"{store.blobs.prefix}/{name}"
        listed = store.blobs.client.list_objects_v2(Bucket=store.blobs.bucket)["Contents"]
        assert [o["Key"] for o in listed if o["Key"].startswith(store.blobs.prefix + "/")] == [
            store.blobs.key(digest)
        ]
        assert not any(p.is_file() for p in store.root.rglob("*") if p.parent != store.temp_dir)
        got = store.blobs.client.get_object(Bucket=store.blobs.bucket, Key=store.blobs.key(digest))
        return bytes(got["Body"].read())
    files = [p for p in store.root.rglob("*") if p.is_file() and p.parent != store.temp_dir]
    assert files == [store.root / name]
    return bytes(files[0].read_bytes())


@both_backends
@pytest.mark.postgres  # the dialect matters: max(offset) per hash
def test_a_restarted_phone_resumes_where_the_server_stopped(world: World) -> None:
    phone = world.phone("insp1")
    data = jpeg(seed=2)
    _, digest = photo_row(phone, world, data)
    first = start(phone, digest, len(data)).json()
    half = len(data) // 2
    assert patch(phone, first["id"], 0, data[:half]).status_code == 204
    again = start(phone, digest, len(data))  # the app restarted and asks again
    assert (again.json()["id"], again.json()["offset"]) == (first["id"], half)
    head = phone.client.head(f"/v1/uploads/{first['id']}", headers=phone.headers)
    assert int(head.headers["Upload-Offset"]) == half
    assert patch(phone, first["id"], half, data[half:]).status_code == 204
    with Session(world.engine) as s:
        assert s.get(Blob, digest) is not None


def test_a_wrong_offset_is_refused_and_changes_nothing(world: World) -> None:
    phone = world.phone("insp1")
    data = jpeg(seed=3)
    _, digest = photo_row(phone, world, data)
    upload_id = start(phone, digest, len(data)).json()["id"]
    patch(phone, upload_id, 0, data[:1000])
    r = patch(phone, upload_id, 500, data[500:2000])
    assert (r.status_code, r.json()["code"], r.json()["details"]["offset"]) == (
        409,
        "upload.offset_mismatch",
        1000,
    )


def test_a_corrupted_chunk_is_discarded(world: World) -> None:
    phone = world.phone("insp1")
    data = jpeg(seed=4)
    _, digest = photo_row(phone, world, data)
    upload_id = start(phone, digest, len(data)).json()["id"]
    headers = {
        **phone.headers,
        "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": "0",
        "Upload-Checksum": "sha256 "
        + base64.b64encode(hashlib.sha256(b"other bytes").digest()).decode(),
    }
    r = phone.client.patch(f"/v1/uploads/{upload_id}", headers=headers, content=data[:1000])
    assert (r.status_code, r.json()["code"]) == (460, "upload.checksum_mismatch")
    head = phone.client.head(f"/v1/uploads/{upload_id}", headers=phone.headers)
    assert head.headers["Upload-Offset"] == "0"


@both_backends
def test_bytes_that_do_not_hash_to_the_photo_restart_the_upload(world: World) -> None:
    phone = world.phone("insp1")
    data = jpeg(seed=5)
    _, digest = photo_row(phone, world, data)
    upload_id = start(phone, digest, len(data)).json()["id"]
    wrong = bytes([data[0] ^ 1]) + data[1:]
    r = patch(phone, upload_id, 0, wrong)
    assert (r.status_code, r.json()["code"]) == (422, "blob.hash_mismatch")
    assert (
        phone.client.head(f"/v1/uploads/{upload_id}", headers=phone.headers).headers[
            "Upload-Offset"
        ]
        == "0"
    )


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (png, "blob.not_jpeg"),
        (lambda: b"\x00" * 2000, "blob.not_jpeg"),
        (lambda: jpeg(seed=6)[:1500], "blob.not_jpeg"),
        (bomb, "blob.decompression_bomb"),
        # the frame claims 7,700 × 7,700 (within the pixel limit) but holds ~800 bytes
        (lambda: bomb(7700), "blob.not_jpeg"),
        (lambda: cut_with_end(jpeg(seed=6)), "blob.not_jpeg"),  # libjpeg would pad it grey
    ],
)
def test_only_complete_jpegs_within_the_pixel_limit_are_accepted(
    world: World, make: Any, code: str
) -> None:
    phone = world.phone("insp1")
    data = make()
    _, digest = photo_row(phone, world, data)
    upload_id = start(phone, digest, len(data)).json()["id"]
    r = patch(phone, upload_id, 0, data)
    assert r.json()["code"] == code
    with Session(world.engine) as s:
        assert s.get(Blob, digest) is None


def test_sizes_are_limited_before_anything_is_stored(world: World) -> None:
    phone = world.phone("insp1")
    settings = world.state.settings
    data = jpeg(seed=7)
    _, digest = photo_row(phone, world, data)
    settings.max_photo = len(data) - 1
    r = start(phone, digest, len(data))
    assert (r.status_code, r.json()["code"]) == (413, "blob.too_large")
    settings.max_photo, settings.max_chunk = 10 * len(data), 1024
    upload_id = start(phone, digest, len(data)).json()["id"]
    r = patch(phone, upload_id, 0, data[:5000])
    assert (r.status_code, r.json()["code"]) == (413, "request.too_large")


def test_only_the_photos_author_uploads_and_only_for_referenced_hashes(world: World) -> None:
    insp1, insp2 = world.phone("insp1"), world.phone("insp2")
    data = jpeg(seed=8)
    _, digest = photo_row(insp1, world, data)
    assert start(insp2, digest, len(data)).json()["code"] == "blob.not_referenced"
    assert start(insp1, sha(b"never pushed"), 10).json()["code"] == "blob.not_referenced"
    upload_id = start(insp1, digest, len(data)).json()["id"]
    r = patch(insp2, upload_id, 0, data)
    assert (r.status_code, r.json()["code"]) == (404, "upload.not_found")


@both_backends
def test_reading_photos_follows_scope_and_the_publish_embargo(world: World) -> None:
    insp, sup, mgr = world.phone("insp1"), world.phone("sup1"), world.phone("mgr1")
    visit_id, muts = complete_visit(insp, world.site("S1"), {"1.1": 1})
    digest = next(m["fields"]["sha256"] for m in muts if m["entity"] == "photo")
    insp.push(*muts, insp.mutation("visit", visit_id, status="submitted"))
    world.place_blob(digest, b"x" * 1000, holder="insp1")  # the workflow helper's fake hash
    other = world.phone("insp2")

    def status(phone: Phone) -> int:
        return phone.client.get(f"/v1/blobs/{digest}", headers=phone.headers).status_code

    assert (status(insp), status(sup), status(mgr), status(other)) == (200, 200, 404, 404)
    sup.push(sup.mutation("visit", visit_id, status="approved"))
    sup.push(sup.mutation("visit", visit_id, status="published"))
    assert status(mgr) == 200
    for bad in ("..%2F..%2Fetc%2Fpasswd", "abc", digest.upper()):
        assert insp.client.get(f"/v1/blobs/{bad}", headers=insp.headers).status_code == 404


def test_missing_answers_only_about_the_callers_photos(world: World) -> None:
    insp1, insp2 = world.phone("insp1"), world.phone("insp2")
    _, digest = photo_row(insp1, world, jpeg(seed=9))
    answer = insp2.client.post(
        "/v1/blobs/missing", headers=insp2.headers, json={"sha256": [digest, "zz"]}
    ).json()
    assert answer == {"missing": [], "present": [], "unknown": [digest, "zz"], "partial": {}}


@both_backends
@pytest.mark.postgres  # the dialect matters: concurrent uploads
def test_two_phones_uploading_the_same_photo_store_it_once(world: World) -> None:
    a, b = world.phone("insp1"), world.phone("insp1")
    data = jpeg(seed=10)
    _, digest = photo_row(a, world, data)
    ua, ub = start(a, digest, len(data)).json()["id"], start(b, digest, len(data)).json()["id"]
    assert ua == ub  # one user, one photo: the same upload session
    upload_all(a, data)
    assert start(b, digest, len(data)).json()["complete"] is True
    with Session(world.engine) as s:
        assert len(s.exec(select(Blob)).all()) == 1


@both_backends
def test_an_upload_whose_first_chunks_are_on_another_host_restarts_from_zero(
    world: World,
) -> None:
    """Temp files stay on the host that received the chunks (README, "Two hosts"): a
    resume sent to another host finds no bytes before its offset there. It is told to
    start again from 0, as after a hash mismatch, instead of appending after a gap."""
    phone = world.phone("insp1")
    data = jpeg(seed=12)
    _, digest = photo_row(phone, world, data)
    upload_id = start(phone, digest, len(data)).json()["id"]
    assert patch(phone, upload_id, 0, data[:5000]).status_code == 204
    store = world.state.photos
    store.temp_path(uuid.UUID(upload_id)).unlink()  # this host never saw those 5000 bytes
    r = patch(phone, upload_id, 5000, data[5000:])
    assert (r.status_code, r.json()["code"]) == (409, "upload.offset_mismatch")
    assert r.json()["details"]["offset"] == 0
    assert start(phone, digest, len(data)).json()["offset"] == 0
    assert patch(phone, upload_id, 0, data).status_code == 204
    assert store.read(digest) == data


@contextmanager
def refusing_store(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The blob store refuses new blobs: a full disk (the rename into place fails), or an
    object store whose bucket denies the PUT (a real 403 from the S3 server, while reads
    still work, so the refusal meets the PUT itself)."""
    blobs = world.state.photos.blobs
    if isinstance(blobs, S3Blobs):
        refuse_puts(blobs.client, blobs.bucket, blobs.prefix, True)
        try:
            yield
        finally:
            refuse_puts(blobs.client, blobs.bucket, blobs.prefix, False)
        return

    def disk_full(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", disk_full)  # the os.replace backends.py calls
        yield


@both_backends
def test_a_disk_that_refuses_the_write_answers_503_and_the_upload_can_finish_later(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone = world.phone("insp1")
    data = jpeg(seed=11)
    _, digest = photo_row(phone, world, data)
    upload_id = start(phone, digest, len(data)).json()["id"]
    with refusing_store(world, monkeypatch):
        r = patch(phone, upload_id, 0, data)
    assert (r.status_code, r.json()["code"]) == (503, "server.storage_failed")
    with Session(world.engine) as s:
        assert s.get(Blob, digest) is None
    resumed = start(phone, digest, len(data)).json()
    assert (resumed["id"], resumed["offset"], resumed["complete"]) == (upload_id, len(data), False)
    assert patch(phone, upload_id, len(data), b"").status_code == 204  # completes it
    with Session(world.engine) as s:
        assert s.get(Blob, digest) is not None
        assert s.get_one(Upload, uuid.UUID(upload_id)).completed_at is not None
