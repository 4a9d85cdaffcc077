"""Disk used by unfinished uploads: refused bytes leave nothing, a per-user cap, purges
of abandoned uploads and orphan temp files (PROTOCOL.md, Photos)."""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from sync_server import upkeep
from sync_server.main import create_app
from sync_server.photos import upload_space
from sync_server.tables import Blob, Upload
from tests.s3kit import both_backends
from tests.server.images import bomb, jpeg, noise, sha
from tests.server.test_photo_packs import part, send
from tests.server.test_photo_uploads import patch, photo_row, start
from tests.server.world import Phone, World


def tmp_dir(world: World) -> Path:
    return world.state.photos.root / "tmp"


def temp_files(world: World) -> set[str]:
    folder = tmp_dir(world)
    return (
        {p.name for p in folder.iterdir() if not p.name.startswith(".")}
        if folder.exists()
        else set()
    )


def ask_missing(phone: Phone, *hashes: str) -> dict[str, Any]:
    r = phone.client.post("/v1/blobs/missing", headers=phone.headers, json={"sha256": list(hashes)})
    return r.json()


def uploads(world: World) -> list[Upload]:
    with Session(world.engine) as s:
        return list(s.exec(select(Upload)).all())


REFUSED = [
    pytest.param(lambda: noise(300_000, seed=1), "blob.not_jpeg", id="random"),
    pytest.param(
        lambda: b"\xff\xd8\xff" + noise(300_000, seed=2), "blob.not_jpeg", id="jpeg-magic"
    ),
    pytest.param(bomb, "blob.decompression_bomb", id="bomb"),
]


@pytest.mark.parametrize(("make", "code"), REFUSED)
def test_an_upload_refused_after_its_bytes_arrived_leaves_nothing(
    world: World, make: Any, code: str
) -> None:
    phone = world.phone("insp1")
    data = make()
    _, digest = photo_row(phone, world, data)
    upload_id = start(phone, digest, len(data)).json()["id"]
    r = patch(phone, upload_id, 0, data)
    assert r.json()["code"] == code
    assert temp_files(world) == set()  # the temp file is gone
    assert uploads(world) == []  # and the upload with it
    answer = ask_missing(phone, digest)  # not `partial` at full length: nothing to resume
    assert (answer["missing"], answer["partial"]) == ([digest], {})
    gone = phone.client.head(f"/v1/uploads/{upload_id}", headers=phone.headers)
    assert gone.status_code == 404


@pytest.mark.parametrize(("make", "code"), REFUSED)
def test_a_pack_part_refused_after_its_bytes_arrived_leaves_nothing(
    world: World, make: Any, code: str
) -> None:
    phone = world.phone("insp1")
    bad, good = make(), jpeg(seed=3)
    photo_row(phone, world, bad)
    photo_row(phone, world, good)
    results = send(phone, part(bad) + part(good)).json()["results"]
    assert [(x["status"], x["code"]) for x in results] == [("failed", code), ("stored", None)]
    assert temp_files(world) == set()
    assert ask_missing(phone, sha(bad))["partial"] == {}
    assert [u.sha256 for u in uploads(world)] == [sha(good)]  # the stored one, completed


@both_backends
def test_bytes_that_do_not_hash_to_the_photo_are_deleted_and_the_upload_restarts(
    world: World,
) -> None:
    phone = world.phone("insp1")
    data = jpeg(seed=4)
    _, digest = photo_row(phone, world, data)
    upload_id = start(phone, digest, len(data)).json()["id"]
    assert patch(phone, upload_id, 0, data[:-1] + b"x").json()["code"] == "blob.hash_mismatch"
    assert temp_files(world) == set() and ask_missing(phone, digest)["partial"] == {}
    assert patch(phone, upload_id, 0, data).status_code == 204  # the resend from 0 is taken


def test_no_answer_names_a_server_path(world: World) -> None:
    phone = world.phone("insp1")
    data = b"\xff\xd8\xff" + b"x" * 5000  # Pillow's own error would name the temp file
    _, digest = photo_row(phone, world, data)
    upload_id = start(phone, digest, len(data)).json()["id"]
    r = patch(phone, upload_id, 0, data)
    root = str(world.state.settings.data_dir)
    assert r.json()["code"] == "blob.not_jpeg"
    assert root not in r.text and upload_id.replace("-", "") not in r.text
    assert "/" not in r.json()["message"]


def test_a_chunk_for_an_unknown_upload_creates_no_file(world: World) -> None:
    phone = world.phone("insp1")
    r = patch(phone, str(uuid.uuid4()), 0, b"abc")
    assert r.json()["code"] == "upload.not_found"
    assert temp_files(world) == set()


def photos(phone: Phone, world: World, count: int, site: str = "S1", seed: int = 40) -> list[bytes]:
    made = [jpeg(200, 150, seed=seed + n) for n in range(count)]
    for data in made:
        photo_row(phone, world, data, site)
    return made


@pytest.mark.postgres  # the dialect matters: a FOR UPDATE sum
def test_unfinished_uploads_are_capped_per_user(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    insp1, second_phone, insp2 = world.phone("insp1"), world.phone("insp1"), world.phone("insp2")
    a, b, c = photos(insp1, world, 3)
    settings = world.state.settings
    # a and b in flight leave no room for c; with a finished, b and c fit
    monkeypatch.setattr(settings, "upload_quota", max(len(a), len(c)) + len(b))
    first = start(insp1, sha(a), len(a)).json()
    assert patch(insp1, first["id"], 0, a[:1000]).status_code == 204
    assert start(second_phone, sha(b), len(b)).status_code == 201  # same user, other device
    before = temp_files(world)
    r = start(insp1, sha(c), len(c))
    assert (r.status_code, r.json()["code"]) == (429, "upload.quota_exceeded")
    assert r.json()["details"] == {"quota": settings.upload_quota, "in_use": len(a) + len(b)}
    assert len(uploads(world)) == 2 and temp_files(world) == before  # nothing stored for it
    # a pack part beyond the cap: refused alike, its bytes skipped, the next part goes on
    (d,) = photos(insp2, world, 1, site="S3", seed=50)
    results = send(insp1, part(c)).json()["results"]
    assert (results[0]["status"], results[0]["code"]) == ("failed", "upload.quota_exceeded")
    assert send(insp2, part(d)).json()["results"][0]["status"] == "stored"  # others unaffected
    assert patch(insp1, first["id"], 1000, a[1000:]).status_code == 204  # finishing frees space
    final = send(insp1, part(c)).json()["results"][0]
    assert final["status"] == "stored", final


@pytest.mark.postgres  # the dialect matters: a FOR UPDATE sum
def test_a_resumed_upload_is_not_counted_twice(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone = world.phone("insp1")
    (a,) = photos(phone, world, 1)
    monkeypatch.setattr(world.state.settings, "upload_quota", len(a))
    first = start(phone, sha(a), len(a)).json()
    assert start(phone, sha(a), len(a)).json()["id"] == first["id"]  # resumes, within quota


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@both_backends
def test_abandoned_uploads_and_orphan_files_are_purged_at_start_up(world: World) -> None:
    phone = world.phone("insp1")
    (a, b) = photos(phone, world, 2)
    abandoned = start(phone, sha(a), len(a)).json()["id"]
    assert patch(phone, abandoned, 0, a[:1000]).status_code == 204
    folder = tmp_dir(world)
    old_orphan, new_orphan = folder / uuid.uuid4().hex, folder / uuid.uuid4().hex
    old_orphan.write_bytes(b"x" * 100)
    new_orphan.write_bytes(b"y" * 100)  # may belong to a request still running: kept
    age(old_orphan, upload_space.ORPHAN_GRACE_SECONDS + 60)
    world.clock.advance(hours=73)  # past the 72 h expiry
    live = start(phone, sha(b), len(b)).json()["id"]
    assert patch(phone, live, 0, b[:1000]).status_code == 204
    age(folder / uuid.UUID(live).hex, upload_space.ORPHAN_GRACE_SECONDS + 60)  # old, but owned
    settings = world.state.settings
    restarted = create_app(settings, clock=world.clock)
    try:
        with TestClient(restarted):  # the server starting up purges by itself
            assert [u.id.hex for u in uploads(world)] == [uuid.UUID(live).hex]
            assert temp_files(world) == {uuid.UUID(live).hex, new_orphan.name}
    finally:
        restarted.state.engine.dispose()
    assert patch(phone, live, 1000, b[1000:]).status_code == 204  # the live one finishes


def test_purge_runs_on_its_interval_and_survives_a_failing_round(world: World) -> None:
    store, engine = world.state.photos, world.engine
    rounds: list[str] = []

    def flaky_purge(*_: Any) -> upload_space.Purged:
        rounds.append("purge")
        if len(rounds) == 1:
            raise OSError("disk went away")
        return upload_space.Purged(0, 0)

    async def fake_sleep(seconds: float) -> None:
        rounds.append(f"sleep {seconds}")
        if len(rounds) > 4:
            raise asyncio.CancelledError

    settings = world.state.settings
    with pytest.MonkeyPatch.context() as m:
        m.setattr(upload_space, "purge", flaky_purge)
        m.setattr(settings, "upload_purge_interval", 600)
        with pytest.raises(asyncio.CancelledError):
            asyncio.run(upkeep.purge_forever(engine, store, settings, world.clock, fake_sleep))
    assert rounds == ["sleep 600", "purge", "sleep 600", "purge", "sleep 600"]


@pytest.mark.postgres  # the dialect matters: concurrent purges
def test_one_process_purges_at_a_time(world: World) -> None:
    phone = world.phone("insp1")
    (a,) = photos(phone, world, 1)
    upload_id = start(phone, sha(a), len(a)).json()["id"]
    assert patch(phone, upload_id, 0, a[:1000]).status_code == 204
    world.clock.advance(hours=73)
    store = world.state.photos
    with open(tmp_dir(world) / ".purge.lock", "a+b") as other_worker:
        fcntl.flock(other_worker, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert upload_space.purge(world.engine, store, world.clock()).skipped
        assert len(uploads(world)) == 1
    done = upload_space.purge(world.engine, store, world.clock())
    assert (done.expired, uploads(world), temp_files(world)) == (1, [], set())
    again = upload_space.purge(world.engine, store, world.clock())  # nothing left: no error
    assert (again.expired, again.orphans) == (0, 0)
    with Session(world.engine) as s:
        assert s.exec(select(Blob)).all() == []
