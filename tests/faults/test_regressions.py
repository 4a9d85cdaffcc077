"""Regressions for the bugs the chaos harness found, each reproduced on real components."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fieldapp.photos import Stamp, process
from fieldapp.sync.engine import run_sync
from sync_server.bench.proxy import FaultProxy
from tests.client.conftest import PhoneApp
from tests.faults.central import KillOnBlobRename, Server
from tests.faults.phone import Phone
from tests.s3kit import both_backends
from tests.server.images import jpeg
from tests.server.world import World
from tests.serverkit import FakeClock


@both_backends  # the adoption must hold for a rename into place and for an object PUT
def test_a_blob_placed_just_before_a_sigkill_completes_when_the_phone_resends(
    server: Server, tmp_path: Path
) -> None:
    """SIGKILL after the upload's bytes were renamed into the blob store and before the
    database recorded them. The resend found no temp file, the server re-hashed an empty
    one, answered blob.hash_mismatch, and the phone gave the photo up for good ('failed',
    while later syncs reported success). Fixed in photos.uploads._complete: bytes already
    in place with the right hash complete the upload."""
    hits = 0
    with FaultProxy(server.port) as proxy:
        phone = Phone(tmp_path / "phone", proxy.port, keepalive=True, timeout=10)
        try:
            assert phone.sign_in() and phone.sync() is not None
            rng = random.Random(5)
            phone.new_visit(rng)
            for _ in range(4):  # the kill must land inside the window; a loaded CPU may miss
                phone.photo(rng)
                [sha] = [b.sha256 for b in phone.blobs() if b.state != "uploaded"]
                killer = KillOnBlobRename(server)
                phone.sync()  # pushes the photo row, uploads its bytes: killed at the rename
                killer.close()
                server.ensure_up()
                if killer.fired.is_set() and sha not in server.snapshot(phone.device).blobs:
                    hits += 1
                    assert server.blob_digest(sha) == sha  # in place, but not recorded
                    report = phone.sync()
                    assert report is not None and report.photos_uploaded == 1, phone.errors
                    assert sha in server.snapshot(phone.device).blobs
                    break
                phone.sync()
            assert hits, "the SIGKILL never landed between the rename and the commit"
            assert {b.state for b in phone.blobs()} == {"uploaded"}
        finally:
            phone.close()


@pytest.fixture
def world_phone(world: World, tmp_path: Path, clock: FakeClock) -> Iterator[PhoneApp]:
    app = PhoneApp(world, tmp_path / "phone" / "app.db", clock).sign_in("insp1")
    yield app
    app.store.close()


def test_a_copy_corrupted_on_the_server_mid_upload_is_sent_again(
    world: World, world_phone: PhoneApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server re-hashes the whole file at the end, and on a mismatch discards its copy
    and restarts the upload (PROTOCOL.md). The phone used to take that answer as final and
    mark the photo failed; now it sends the file once more from offset 0."""
    from sync_server.photos import packs

    monkeypatch.setattr(packs, "CHUNK", 16 * 1024)
    app = world_phone
    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    root = tmp_path / "phone"
    shot = process(jpeg(640, 480, 9), Stamp(datetime.now(UTC), "S1", "i"), root / "p", root / "t")
    app.store.attach_photo(shot, visit_id=visit.id)
    assert shot.byte_size > 3 * packs.CHUNK
    temp_dir = world.state.photos.root / "tmp"
    flipped: list[Path] = []
    real_append = packs._append

    def corrupt_once(ctx, upload_id, offset, chunk):
        state = real_append(ctx, upload_id, offset, chunk)
        if not flipped:  # after the first chunk: a disk error flips a byte of the copy
            [temp] = [p for p in temp_dir.iterdir() if not p.name.startswith(".")]  # not locks
            data = bytearray(temp.read_bytes())
            data[10] ^= 0xFF
            temp.write_bytes(bytes(data))
            flipped.append(temp)
        return state

    monkeypatch.setattr(packs, "_append", corrupt_once)
    sent_before = app.client.bytes_up
    report = run_sync(app.store, app.client)
    assert flipped and report.photos_uploaded == 1 and report.ok, report
    assert app.client.bytes_up - sent_before >= 2 * shot.byte_size  # all of it went twice
    stored = world.state.photos.read(shot.sha256)
    assert __import__("hashlib").sha256(stored).hexdigest() == shot.sha256
    assert app.store.sync_status().pending_photos == 0
