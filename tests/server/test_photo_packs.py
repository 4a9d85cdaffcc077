"""Packs: many photos' bytes in one streamed request (PROTOCOL.md, Photos)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session, select

from sync_server.photos import packs
from sync_server.tables import Blob, Photo
from tests.s3kit import both_backends
from tests.server.images import jpeg, sha
from tests.server.test_photo_uploads import patch, photo_row, start
from tests.server.world import Phone, World

PACK = "application/vnd.mingcha.pack"


def part(data: bytes, offset: int = 0, length: int | None = None) -> bytes:
    header = {"sha256": sha(data), "length": len(data) if length is None else length}
    return json.dumps({**header, "offset": offset}).encode() + b"\n" + data[offset:]


def send(phone: Phone, body: bytes, **headers: str) -> Any:
    return phone.client.post(
        "/v1/blobs/pack",
        headers={**phone.headers, "Content-Type": PACK, **headers},
        content=body,
    )


def stored(world: World) -> dict[str, bool]:
    with Session(world.engine) as s:
        blobs = set(s.exec(select(Blob.sha256)).all())
        return {p.sha256: p.blob_present and p.sha256 in blobs for p in s.exec(select(Photo))}


@both_backends
def test_one_pack_stores_every_photo_and_marks_its_row(world: World) -> None:
    phone = world.phone("insp1")
    photos = [jpeg(300 + 40 * n, 200, seed=n) for n in range(3)]
    for data in photos:
        photo_row(phone, world, data)
    r = send(phone, b"".join(part(d) for d in photos))
    assert r.status_code == 200, r.text
    assert [(x["sha256"], x["status"]) for x in r.json()["results"]] == [
        (sha(d), "stored") for d in photos
    ]
    assert stored(world) == {sha(d): True for d in photos}
    for data in photos:  # the bytes are the photo's, read back through the API
        back = phone.client.get(f"/v1/blobs/{sha(data)}", headers=phone.headers)
        assert back.content == data
    again = send(phone, part(photos[0]))  # a resend is answered, not stored twice
    assert again.json()["results"][0]["status"] == "present"


@both_backends
def test_a_refused_part_is_answered_and_the_others_are_stored(world: World) -> None:
    insp1, insp2 = world.phone("insp1"), world.phone("insp2")
    mine, theirs, junk = jpeg(seed=1), jpeg(seed=2), b"\xff\xd8\xff" + b"x" * 5000
    photo_row(insp1, world, mine)
    photo_row(insp1, world, theirs)
    photo_row(insp1, world, junk)  # a row whose "photo" is not a JPEG
    assert send(insp2, part(theirs)).json()["results"][0]["code"] == "blob.not_referenced"
    r = send(insp1, part(b"\xff\xd8\xffno row") + part(junk) + part(mine))
    results = r.json()["results"]
    assert [(x["status"], x["code"]) for x in results] == [
        ("failed", "blob.not_referenced"),  # no photo row has these bytes
        ("failed", "blob.not_jpeg"),
        ("stored", None),
    ]
    assert results[1]["message"]  # a message to show beside the code
    assert stored(world) == {sha(mine): True, sha(theirs): False, sha(junk): False}


@both_backends
def test_a_part_resumes_where_the_server_is_and_skips_what_it_has(world: World) -> None:
    phone = world.phone("insp1")
    data = jpeg(800, 600, seed=5)
    photo_row(phone, world, data)
    upload_id = start(phone, sha(data), len(data)).json()["id"]
    assert patch(phone, upload_id, 0, data[:10_000]).status_code == 204
    answer = phone.client.post(
        "/v1/blobs/missing", headers=phone.headers, json={"sha256": [sha(data)]}
    ).json()
    assert answer["partial"] == {sha(data): 10_000}
    # the phone did not hear the answer and sends from 4,000: the overlap is skipped
    r = send(phone, part(data, offset=4_000))
    assert r.json()["results"][0]["status"] == "stored"
    assert stored(world) == {sha(data): True}


def test_a_part_beyond_the_servers_offset_is_refused_with_the_offset(world: World) -> None:
    phone = world.phone("insp1")
    first, second = jpeg(seed=6), jpeg(seed=7)
    photo_row(phone, world, first)
    photo_row(phone, world, second)
    r = send(phone, part(first, offset=100) + part(second))
    results = r.json()["results"]
    assert (results[0]["code"], results[0]["details"]) == ("upload.offset_mismatch", {"offset": 0})
    assert results[1]["status"] == "stored"  # the framing held: the next part went on


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"not json\n", "part 1"),
        (b'{"sha256": "ab", "length": 3}\nabc', "part 1"),
        (b"{" * 2000, "longer than 1024"),
        (b'{"sha256": "' + b"a" * 64 + b'", "length": 10, "offset": 11}\n', "beyond length"),
    ],
)
def test_an_unreadable_header_stops_the_pack_and_keeps_the_parts_before(
    world: World, body: bytes, why: str
) -> None:
    phone = world.phone("insp1")
    good = jpeg(seed=8)
    photo_row(phone, world, good)
    r = send(phone, part(good) + body)
    assert r.status_code == 422 and r.json()["code"] == "request.invalid", r.text
    assert why in r.json()["message"] + json.dumps(r.json()["details"])
    assert stored(world) == {sha(good): True}


@both_backends
def test_a_pack_ending_inside_a_part_keeps_its_committed_chunks(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packs, "CHUNK", 4096)
    phone = world.phone("insp1")
    data = jpeg(600, 400, seed=9)
    photo_row(phone, world, data)
    r = send(phone, part(data)[: 30 + 3 * 4096 + 100])  # header ≈ 110 bytes, then ~2.9 chunks
    assert r.status_code == 422 and r.json()["details"] == {"part": 0}
    answer = phone.client.post(
        "/v1/blobs/missing", headers=phone.headers, json={"sha256": [sha(data)]}
    ).json()
    assert answer["partial"][sha(data)] % 4096 == 0 and answer["partial"][sha(data)] >= 4096


def test_packs_are_capped_and_typed_and_need_a_token(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone = world.phone("insp1")
    data = jpeg(seed=10)
    photo_row(phone, world, data)
    settings = world.state.settings
    monkeypatch.setattr(settings, "max_pack", 2048)
    declared = send(phone, part(data))  # Content-Length above the cap: refused unread
    assert (declared.status_code, declared.json()["code"]) == (413, "request.too_large")

    def chunked() -> Any:  # no Content-Length: the reader counts what it is sent
        yield part(data)

    streamed = phone.client.post(
        "/v1/blobs/pack", headers={**phone.headers, "Content-Type": PACK}, content=chunked()
    )
    assert (streamed.status_code, streamed.json()["code"]) == (413, "request.too_large")
    monkeypatch.setattr(settings, "max_pack", 64 * 1024 * 1024)
    wrong = send(phone, part(data), **{"Content-Type": "application/octet-stream"})
    assert (wrong.status_code, wrong.json()["code"]) == (415, "request.unsupported_media_type")
    anonymous = world.client.post(
        "/v1/blobs/pack",
        headers={"Content-Type": PACK, "Mingcha-Schema": "1"},
        content=part(data),
    )
    assert anonymous.status_code == 401
    assert stored(world) == {sha(data): False}  # none of these stored anything
