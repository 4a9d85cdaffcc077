"""Access to photo bytes follows the photo's record, not knowledge of its hash (issue 11 §1).

A hash is no secret: pulls show them. Pushing a photo row that carries someone else's hash
must not make those bytes readable, nor make `missing` / `blob_present` say they are there:
the author has to upload the bytes themselves (proof of possession). Bytes are still
stored once.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from unittest import mock

from sqlmodel import Session, select

from fieldcore.workflow import finding_id
from sync_server.core.db import write_session
from sync_server.org import admin
from sync_server.tables import Blob, Photo
from tests.s3kit import both_backends
from tests.server.images import jpeg, sha
from tests.server.test_manager_photos import fetch, photo, publish, submitted_visit
from tests.server.test_photo_packs import part, send
from tests.server.test_photo_uploads import upload_all
from tests.server.world import PASSWORD, Phone, World, _password_hash

pytestmark = both_backends  # who may read which bytes, wherever they are stored


def covert_photo(world: World, seed: int = 41) -> bytes:
    """insp1's unpublished covert (暗访) draft at S1 with one uploaded evidence photo."""
    insp = world.phone("insp1")
    visit_id, create = insp.new_visit(world.site("S1"), mode="covert")
    data = jpeg(seed=seed)
    results = insp.push(
        create,
        insp.answer(visit_id, "1.1", "fail", count=1),
        photo(insp, data, visit_id=visit_id, finding_id=finding_id(visit_id, "1.1")),
    )
    assert {r["status"] for r in results} == {"applied"}, results
    upload_all(insp, data)
    return data


def missing(phone: Phone, data: bytes) -> dict[str, Any]:
    r = phone.client.post("/v1/blobs/missing", headers=phone.headers, json={"sha256": [sha(data)]})
    assert r.status_code == 200, r.text
    return r.json()


def pulled_photo(phone: Phone, data: bytes) -> dict[str, Any]:
    """The photo's row as its user's devices see it, read through a second device: the one
    that pushed it is not sent its own writes back (PROTOCOL.md, Pull)."""
    rows = Phone(phone.client, phone.username).login().pull_all()
    [row] = [r for (e, _), r in rows.items() if e == "photo" and r and r["sha256"] == sha(data)]
    return row


def inspector_visit_at_s3(world: World) -> tuple[Phone, uuid.UUID]:
    insp2 = world.phone("insp2")
    visit_id, create = insp2.new_visit(world.site("S3"))
    assert insp2.push(create, insp2.answer(visit_id, "1.1", "fail", count=1))[0]["status"] == (
        "applied"
    )
    return insp2, visit_id


def test_a_site_manager_cannot_read_a_covert_photo_by_pushing_its_hash(world: World) -> None:
    secret = covert_photo(world)
    rect_id = publish(world, submitted_visit(world).visit_id)  # an open action at S1
    mgr = world.phone("mgr1")
    assert fetch(mgr, secret)[0] == 404
    pushed = mgr.push(photo(mgr, secret, rectification_id=rect_id))
    assert pushed[0]["status"] == "applied"  # a row may name any hash; it grants nothing
    assert fetch(mgr, secret)[0] == 404
    assert missing(mgr, secret)["missing"] == [sha(secret)]  # upload it yourself
    assert pulled_photo(mgr, secret)["blob_present"] is False


def test_a_site_manager_cannot_read_a_passed_items_photo_by_pushing_its_hash(
    world: World,
) -> None:
    visit = submitted_visit(world)
    rect_id = publish(world, visit.visit_id)
    mgr = world.phone("mgr1")
    assert fetch(mgr, visit.passed)[0] == 404
    assert mgr.push(photo(mgr, visit.passed, rectification_id=rect_id))[0]["status"] == "applied"
    assert fetch(mgr, visit.passed)[0] == 404
    assert missing(mgr, visit.passed)["present"] == []


def test_an_inspector_elsewhere_learns_nothing_from_a_covert_photos_hash(world: World) -> None:
    secret = covert_photo(world)
    insp2, visit_id = inspector_visit_at_s3(world)
    pushed = insp2.push(
        photo(insp2, secret, visit_id=visit_id, finding_id=finding_id(visit_id, "1.1"))
    )
    assert pushed[0]["status"] == "applied"
    assert pulled_photo(insp2, secret)["blob_present"] is False  # was True: an oracle
    assert fetch(insp2, secret)[0] == 404
    assert missing(insp2, secret) == {
        "missing": [sha(secret)],
        "present": [],
        "unknown": [],
        "partial": {},
    }
    # the upload answers as for bytes nobody has: a fresh upload from offset 0
    r = insp2.client.post(
        "/v1/uploads", headers=insp2.headers, json={"sha256": sha(secret), "length": len(secret)}
    )
    assert (r.status_code, r.json()["offset"], r.json()["complete"]) == (201, 0, False)
    sup2 = reviewer_of_r2(world)  # who reviews insp2's visit sees the row, not the bytes
    assert fetch(sup2, secret)[0] == 404


def reviewer_of_r2(world: World) -> Phone:
    quick = mock.patch.object(admin, "hash_password", lambda _: _password_hash())
    with quick, write_session(world.engine) as s:
        user = admin.add_user(s, "sup2", "supervisor", PASSWORD, display_name="sup2")
        admin.assign(s, user, ["R2"], [])
    return world.phone("sup2")


def test_whoever_uploads_the_same_bytes_reads_them_and_they_are_stored_once(
    world: World,
) -> None:
    data = covert_photo(world)  # the same picture, taken on two phones (or copied)
    insp2, visit_id = inspector_visit_at_s3(world)
    insp2.push(photo(insp2, data, visit_id=visit_id, finding_id=finding_id(visit_id, "1.1")))
    assert fetch(insp2, data)[0] == 404
    upload_all(insp2, data)  # proof of possession: the whole file, hash checked
    assert fetch(insp2, data) == (200, data)
    assert missing(insp2, data)["present"] == [sha(data)]
    assert pulled_photo(insp2, data)["blob_present"] is True
    assert fetch(reviewer_of_r2(world), data) == (200, data)  # insp2's row now vouches
    with Session(world.engine) as s:
        assert len(s.exec(select(Blob)).all()) == 1


def test_a_pack_part_of_bytes_stored_by_someone_else_is_uploaded_not_taken_as_present(
    world: World,
) -> None:
    data = covert_photo(world)
    insp2, visit_id = inspector_visit_at_s3(world)
    insp2.push(photo(insp2, data, visit_id=visit_id, finding_id=finding_id(visit_id, "1.1")))
    forged = bytearray(data)
    forged[-10] ^= 0xFF  # the right length, not the right bytes
    refused = json.dumps({"sha256": sha(data), "length": len(data)}).encode() + b"\n" + forged
    [failed] = send(insp2, refused).json()["results"]
    assert (failed["status"], failed["code"]) == ("failed", "blob.hash_mismatch")
    assert fetch(insp2, data)[0] == 404
    [stored] = send(insp2, part(data)).json()["results"]
    assert stored["status"] == "stored"  # the bytes were received and verified
    assert fetch(insp2, data) == (200, data)
    [again] = send(insp2, part(data)).json()["results"]
    assert again["status"] == "present"  # now the caller's own


def test_a_row_created_after_its_author_uploaded_the_bytes_is_present_at_once(
    world: World,
) -> None:
    insp = world.phone("insp1")
    data = covert_photo(world)
    visit_id, create = insp.new_visit(world.site("S1"))
    insp.push(create, photo(insp, data, visit_id=visit_id))
    with Session(world.engine) as s:
        rows = s.exec(select(Photo).where(Photo.sha256 == sha(data))).all()
        assert [p.blob_present for p in rows] == [True, True]
