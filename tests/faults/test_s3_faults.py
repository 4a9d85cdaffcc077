"""The object store's own faults, under real phone syncs: the server's S3 endpoint is a fault
proxy (TCP faults: resets, drops, stalls, delays) in front of an HTTP fault gate (S3's own
answers: 503 SlowDown, 500 InternalError, a request held unanswered, a body cut short;
bench/s3gate.py — moto emulates none of them) in front of moto.

    server --S3--> FaultProxy --> S3Gate --> moto        phone --> server (no faults)

The server's client here tries each store request twice (`s3_attempts` 2) and waits 2 s
for an answer byte, so a fault on one attempt is absorbed by the retry and a fault on both
is a failure the phone must be told about. The checks that read the store go to moto
directly. What is promised, whatever the store does:

* the phone is told `server.storage_failed` (a 503 with Retry-After on a single request,
  that code in a pack's part), never a 500 and never a hang past the bounds;
* nothing is recorded as present that the store does not hold, and what is stored hashes
  to its name;
* an upload cut by a store fault resumes: the next sync delivers every photo, each stored
  once, and bytes the store took before losing its answer are adopted, not sent again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from fieldcore.problems import DomainError
from sync_server.bench.faults import Fault
from sync_server.core.config import Settings
from sync_server.photos.store import PhotoStore
from sync_server.photos.thumbnails import THUMB, Thumbnails
from tests.faults.chaos import check
from tests.faults.s3rig import (
    ATTEMPTS,
    STALL,
    Rig,
    fresh_rig,  # noqa: F401  (the `rig` fixture)
    gate_settings,
    module_rig,  # noqa: F401  (the `shared_rig` fixture)
    sync_delivers_everything,
    sync_fails_with_storage_failed,
)


def test_throttling_beyond_the_retries_holds_a_photo_back_and_the_next_sync_sends_it(
    rig: Rig,
) -> None:
    held = len(rig.stored())
    rig.add_photos(seed=1, count=3)
    rig.gate.throttle(ATTEMPTS, method="PUT")  # every try of the first photo's PUT
    sync_fails_with_storage_failed(rig)
    assert rig.gate.acted["error 503"] == ATTEMPTS and rig.gate.pending() == 0
    assert len(rig.stored()) == held + 2  # the others went on

    rig.gate.throttle(ATTEMPTS - 1, method="PUT")  # within the retries: absorbed
    sync_delivers_everything(rig)
    assert rig.gate.acted["error 503"] == 2 * ATTEMPTS - 1 and rig.gate.pending() == 0


def test_stalls_and_lost_answers_resume_and_adopt_what_the_store_took(rig: Rig) -> None:
    """Two PUTs held unanswered (each try times out), then two PUTs the store performs and
    whose answers are reset: both photos fail this sync; the second is in the store
    unrecorded, which the next sync adopts without sending it to the store again. The gate
    holds a stalled request for a minute, past the phone's 30 s: the sync is answered
    only because the server's own read timeout (2 s here) let go."""
    held = len(rig.stored())
    rig.add_photos(seed=2, count=3)
    rig.gate.plan("stall", ATTEMPTS, method="PUT", seconds=STALL)
    rig.gate.plan("reset", ATTEMPTS, method="PUT", forward=True)
    sync_fails_with_storage_failed(rig)
    assert rig.gate.acted["stall"] == ATTEMPTS and rig.gate.acted["reset"] == ATTEMPTS
    assert len(rig.stored()) == held + 2  # the lost answer's photo, and the untouched one
    puts = rig.gate.seen["PUT"]

    sync_delivers_everything(rig)
    assert rig.gate.seen["PUT"] - puts == 1  # only the stalled photo needed its bytes stored


def test_a_slow_store_below_the_read_timeout_is_only_slow(rig: Rig) -> None:
    """PUTs answered late (the gate's `slow`, within the 2 s read timeout): no failure,
    every photo stored once."""
    rig.add_photos(seed=7, count=2)
    rig.gate.plan("slow", 2, method="PUT", seconds=0.5)
    sync_delivers_everything(rig)
    assert rig.gate.acted["slow"] == 2 and not rig.phone.errors


def test_a_single_upload_is_told_503_with_retry_after_and_finishes_on_its_resend(
    rig: Rig,
) -> None:
    """The resumable route (what the phone falls back to for one photo): the store
    throttling past the retries is a 503 `server.storage_failed` with Retry-After, the
    upload keeps its offset, and resending the (empty) last chunk stores the photo."""
    sha = next(iter(rig.add_photos(seed=5, count=1)))
    size = next(b.byte_size for b in rig.phone.blobs() if b.sha256 == sha)
    rig.gate.throttle(ATTEMPTS, method="PUT")
    sync_fails_with_storage_failed(rig)  # the row is pushed, its bytes are all staged
    upload = rig.phone.client.create_upload(sha, size)
    assert upload.offset == size and not upload.complete  # resumable: nothing to resend

    def finish() -> httpx.Response:
        headers = {"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(size)}
        return rig.phone.http.patch(
            f"/v1/uploads/{upload.id}", content=b"", headers=rig.phone.client._headers(headers)
        )

    rig.gate.throttle(ATTEMPTS, method="PUT")
    refused = finish()
    assert refused.status_code == 503, refused.text
    assert refused.json()["code"] == "server.storage_failed"
    assert int(refused.headers["Retry-After"]) > 0
    assert rig.phone.client.upload_offset(str(upload.id)) == size
    assert sha not in rig.stored()
    rig.nothing_present_unstored()

    assert finish().status_code == 204
    assert sha in rig.stored()
    sync_delivers_everything(rig)
    assert rig.gate.acted["error 503"] == 2 * ATTEMPTS


def test_reads_under_store_faults_answer_503_or_the_right_bytes(rig: Rig) -> None:
    """The photo download route (the phone's, and the console's original) while the store
    errs on GET: a 503 `server.storage_failed` with Retry-After when it errs on every try,
    the photo when a retry gets through, and a body cut off mid-transfer is never passed
    off as the whole photo."""
    sha = next(iter(rig.add_photos(seed=3, count=1)))
    report = rig.phone.sync()
    assert report is not None and report.ok, rig.phone.errors
    headers = rig.phone.client._headers()  # the signed-in phone's token and schema
    url = f"http://127.0.0.1:{rig.server.port}/v1/blobs/{sha}"

    rig.gate.plan("error", ATTEMPTS, method="GET", status=500, code="InternalError")
    failed = httpx.get(url, headers=headers, timeout=30)
    assert failed.status_code == 503, failed.text
    assert failed.json()["code"] == "server.storage_failed"
    assert int(failed.headers["Retry-After"]) > 0

    rig.gate.throttle(ATTEMPTS - 1, method="GET")
    ok = httpx.get(url, headers=headers, timeout=30)
    assert ok.status_code == 200 and hashlib.sha256(ok.content).hexdigest() == sha

    rig.gate.plan("cut", 1, method="GET")  # after the headers: nothing left to retry
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(url, headers=headers, timeout=30)
    assert rig.gate.acted["cut"] == 1
    again = httpx.get(url, headers=headers, timeout=30)
    assert again.status_code == 200 and hashlib.sha256(again.content).hexdigest() == sha


def test_console_thumbnails_under_store_faults_say_storage_failed(rig: Rig, tmp_path: Path) -> None:
    """The console's renditions read whole originals (`read`, as the PDF export does): a
    body cut after its headers, or 500s on every try, is `server.storage_failed`, nothing
    is cached, and the next read after a throttled try renders the photo."""
    sha = next(iter(rig.add_photos(seed=4, count=1)))
    report = rig.phone.sync()
    assert report is not None and report.ok, rig.phone.errors
    thumbs = Thumbnails(tmp_path / "thumbs", PhotoStore.from_settings(gate_settings(rig, tmp_path)))

    rig.gate.plan("cut", 1, method="GET")
    with pytest.raises(DomainError) as cut:
        thumbs.get(sha)
    assert cut.value.code == "server.storage_failed" and cut.value.details["retry_after"] > 0
    rig.gate.plan("error", ATTEMPTS, status=500, code="InternalError")  # HEAD, then GETs
    with pytest.raises(DomainError, match=r": 500$"):
        thumbs.viewable(sha)
    assert not thumbs.cache_path(sha, THUMB).exists()
    assert rig.gate.acted == {"cut": 1, "error 500": ATTEMPTS}

    rig.gate.throttle(ATTEMPTS - 1, method="GET")
    data = thumbs.get(sha)
    assert data is not None and data.startswith(b"\xff\xd8")
    assert thumbs.cache_path(sha, THUMB).read_bytes() == data


def test_connection_faults_between_server_and_store_then_healed(rig: Rig) -> None:
    """The fault proxy on the server's store link: resets mid-request (both directions),
    dropped and stalled connections, slow forwarding, at random (seeded) over three syncs
    of new photos with throttled requests among them; every sync either succeeds or says
    `server.storage_failed`, and once healed one sync finishes the lot."""
    rig.proxy.seed = 15
    rig.proxy.mix = {"pass": 2, "delay": 1, "drop": 1, "reset": 3, "truncate": 1, "blackhole": 0.3}
    rig.proxy.plan([Fault("reset", at=1000, direction="up")])  # the first PUT's body cut
    for round_ in range(3):
        rig.add_photos(seed=40 + round_, count=2)
        rig.gate.throttle(1)
        rig.phone.sync()
        assert set(rig.phone.errors) <= {"server.storage_failed"}, rig.phone.errors
        rig.nothing_present_unstored()
        check(rig.phone, rig.server, rig.before, final=False)
    assert rig.proxy.injected > 0, "no connection fault acted"
    rig.proxy.heal()
    rig.gate.heal()
    sync_delivers_everything(rig)


def test_a_pdf_export_on_a_failing_store_fails_whole_never_printing_photos_as_missing(
    rig: Rig, tmp_path: Path
) -> None:
    """The visit PDF asks the store whether each photo is in (its hash appendix) and
    reads the ones it prints: a store erring on every try fails the export with
    `server.storage_failed` rather than printing "missing" for photos that are stored."""
    from sqlmodel import Session

    from sync_server.reports.data import load_visit_report
    from sync_server.reports.pdf import write_visit_pdf
    from sync_server.tables import Visit

    sha = next(iter(rig.add_photos(seed=6, count=1)))
    report = rig.phone.sync()
    assert report is not None and report.ok, rig.phone.errors
    central = rig.server.snapshot(rig.phone.device)
    visit_id = next(p.visit_id for p in central.photos.values() if p.sha256 == sha)
    with Session(rig.server.engine) as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None
        visit_report = load_visit_report(session, visit)
    store = PhotoStore.from_settings(gate_settings(rig, tmp_path))

    rig.gate.plan("error", 1000, status=500, code="InternalError")  # every request
    with pytest.raises(DomainError) as failed:
        write_visit_pdf(visit_report, store, tmp_path / "failed.pdf")
    assert failed.value.code == "server.storage_failed"
    assert rig.gate.acted["error 500"] >= ATTEMPTS
    rig.gate.heal()
    write_visit_pdf(visit_report, store, tmp_path / "visit.pdf")
    assert (tmp_path / "visit.pdf").read_bytes().startswith(b"%PDF")


def test_the_store_clients_bounds_are_the_settings() -> None:
    """What bounds a stalled store request in production: the defaults, and the
    MINGCHA_S3_* settings reaching botocore (the tests above shorten them the same way)."""
    from sync_server.photos.backends import S3Blobs, backend_for

    def config(**settings: Any) -> Any:
        blobs = backend_for(Settings(blob_url="s3://bucket/prefix", **settings))
        assert isinstance(blobs, S3Blobs)
        return blobs.client.meta.config

    default = config()
    assert (default.connect_timeout, default.read_timeout) == (5.0, 10.0)
    assert default.retries == {"mode": "standard", "total_max_attempts": 3}
    tuned = config(
        s3_connect_timeout=1.5, s3_read_timeout=7, s3_attempts=5, s3_retry_mode="adaptive"
    )
    assert (tuned.connect_timeout, tuned.read_timeout) == (1.5, 7.0)
    assert tuned.retries == {"mode": "adaptive", "total_max_attempts": 5}
    with pytest.raises(ValueError, match="s3_attempts"):
        Settings(s3_attempts=0)
