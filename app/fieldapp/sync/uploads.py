"""Photo bytes to the server: ask which are missing, then send them in packs.

A pack (PROTOCOL.md, Photos) carries many photos in one streamed request, each from the
offset the server already has, so a cold sync of 2,000 photos costs a few dozen requests
instead of several per photo — on a 100 ms mobile link the difference is minutes. A pack
cut off half way costs at most the server's last uncommitted chunk: the next sync asks
`missing`, which says how far each unfinished photo got, and sends only the rest.

A part the server refuses for good (not a JPEG, too large…) is recorded on its photo and
the others go on. A part whose bytes went wrong in transit (`blob.hash_mismatch`) or whose
offset moved goes once more through the single-photo resumable upload. A part refused
because this user's unfinished uploads fill the server's cap (`upload.quota_exceeded`)
stays pending: no more photos are sent this sync (they would be refused alike), the pull
still runs, and the sync then ends with that error shown and retried with backoff. Photos
the server already has part of go first, so finishing them frees the space.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from fieldapp.store import Store
from fieldapp.store.syncstate import BlobJob
from fieldapp.sync.client import PackPart, SyncClient, detail_offset
from fieldapp.sync.errors import Rejected, ServerBusy, SyncError
from fieldcore.protocol import PartResult

if TYPE_CHECKING:
    from fieldapp.sync.progress import SyncProgress, SyncReport

CHUNK = 512 * 1024  # single-photo upload step (the server commits packs at this step too)
PACK_BYTES = 32 * 1024 * 1024  # photo bytes per pack: ~25 s at 10 Mbit/s
MISSING_BATCH = 1000  # hashes per `missing` question (the server's limit)
SEND_SINGLY = {"blob.hash_mismatch", "upload.offset_mismatch"}
SERVER_SIDE = {"server.unavailable", "server.storage_failed", "server.error"}
QUOTA = "upload.quota_exceeded"  # our unfinished uploads fill the server's cap: later
# a part the pack's answer does not mention: the server did not get to it (retry later)
UNANSWERED = PartResult(sha256="", status="failed", code="client.pack_unanswered")


def upload_photos(
    store: Store,
    client: SyncClient,
    report: SyncReport,
    progress: SyncProgress,
    notify: Callable[[SyncProgress], None],
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """The bytes of every photo whose row the server holds, in packs; `stop()` is asked
    between packs. Adds to `progress` (a sync may call it more than once)."""
    jobs = store.blobs_to_upload()
    if not jobs:
        return
    progress.phase = "upload"
    notify(progress)
    todo, offsets = _still_missing(store, client, jobs)
    progress.bytes_total += sum(j.byte_size - offsets.get(j.sha256, 0) for j in todo)
    notify(progress)

    def sent(n: int) -> None:
        progress.bytes_done += n
        notify(progress)

    for pack in packs(todo, offsets):
        if stop():
            break
        parts = [PackPart(j.sha256, j.path, j.byte_size, offsets.get(j.sha256, 0)) for j in pack]
        results = client.send_pack(parts, sent)
        _settle(store, client, pack, results, report)
        if report.held_back is not None:
            break  # the rest would meet the same cap
    report.uploaded_bytes = progress.bytes_done


def _still_missing(
    store: Store, client: SyncClient, jobs: list[BlobJob]
) -> tuple[list[BlobJob], dict[str, int]]:
    """The jobs whose bytes the server lacks, and how far its unfinished uploads got."""
    missing: set[str] = set()
    offsets: dict[str, int] = {}
    for start in range(0, len(jobs), MISSING_BATCH):
        batch = jobs[start : start + MISSING_BATCH]
        answer = client.missing([j.sha256 for j in batch])
        for sha in answer.present:
            store.blob_uploaded(sha)
        missing.update(answer.missing)
        offsets.update(answer.partial)
    for sha, offset in offsets.items():  # the sync screen shows how far each photo got
        store.blob_progress(sha, "", offset)
    todo = []
    for job in jobs:
        if job.sha256 not in missing:
            continue
        if not os.path.exists(job.path):
            store.blob_failed(job.sha256, "client.photo_file_missing")
            continue
        todo.append(job)
    todo.sort(key=lambda job: job.sha256 not in offsets)  # finish what the server holds first
    return todo, offsets


def packs(jobs: list[BlobJob], offsets: dict[str, int]) -> Iterator[list[BlobJob]]:
    """Jobs grouped so each pack carries about PACK_BYTES (a bigger photo goes alone)."""
    pack: list[BlobJob] = []
    size = 0
    for job in jobs:
        todo = job.byte_size - offsets.get(job.sha256, 0)
        if pack and size + todo > PACK_BYTES:
            yield pack
            pack, size = [], 0
        pack.append(job)
        size += todo
    if pack:
        yield pack


def _settle(
    store: Store,
    client: SyncClient,
    pack: list[BlobJob],
    results: list[PartResult],
    report: SyncReport,
) -> None:
    """Record each part's outcome; a server-side failure stops the sync after recording
    the rest (retry later), as a 503 to a single upload would."""
    by_sha = {r.sha256: r for r in results}
    busy: ServerBusy | None = None
    for job in pack:
        result = by_sha.get(job.sha256, UNANSWERED.model_copy(update={"sha256": job.sha256}))
        code = result.code or ""  # null on success (PROTOCOL.md)
        if result.status in ("stored", "present"):
            store.blob_uploaded(job.sha256)
            report.photos_uploaded += 1
        elif code in SERVER_SIDE or code == UNANSWERED.code:
            busy = busy or ServerBusy(code, result.message or "", result.details)
        elif code == QUOTA:  # not this photo's fault: it stays pending
            report.held_back = report.held_back or ServerBusy(
                code, result.message or "", result.details
            )
        elif code in SEND_SINGLY:
            _upload_singly(store, client, job, report, restarted=code == "blob.hash_mismatch")
        else:  # this file can never be accepted: say so, go on
            store.blob_failed(job.sha256, f"{code}: {result.message or ''}")
            report.errors.append(code)
    if busy is not None:
        raise busy


def _upload_singly(
    store: Store, client: SyncClient, job: BlobJob, report: SyncReport, restarted: bool
) -> None:
    try:
        upload_one(store, client, job, restarted)
    except ServerBusy as exc:
        if exc.code != QUOTA:
            raise
        report.held_back = report.held_back or exc
        return
    except Rejected as exc:
        store.blob_failed(job.sha256, f"{exc.code}: {exc.message}")
        report.errors.append(exc.code)
        return
    report.photos_uploaded += 1


def upload_one(store: Store, client: SyncClient, job: BlobJob, restarted: bool = False) -> None:
    """One photo through the resumable single upload (tus subset), chunk by chunk.
    `restarted`: the server already discarded one bad copy; a second mismatch is final."""
    created = client.create_upload(job.sha256, job.byte_size)
    if created.complete:
        store.blob_uploaded(job.sha256)
        return
    upload_id, offset = str(created.id), created.offset
    with open(job.path, "rb") as f:
        while True:  # an empty chunk when every byte is in already makes the server finish
            f.seek(offset)
            chunk = f.read(CHUNK)
            try:
                offset = client.upload_chunk(upload_id, offset, chunk)
            except SyncError as exc:
                if exc.code == "blob.hash_mismatch" and not restarted:
                    # the server's copy went bad and it discarded it: send it all once more
                    # (a second mismatch means our own file is bad: the caller records it)
                    restarted, offset = True, 0
                    continue
                if exc.code != "upload.offset_mismatch":
                    raise
                told = detail_offset(exc, "offset")
                offset = told if told is not None else client.upload_offset(upload_id)
                continue
            store.blob_progress(job.sha256, upload_id, offset)
            if offset >= job.byte_size:
                break
    store.blob_uploaded(job.sha256)
