"""One sync: push the outbox, upload photo bytes in packs (sync/uploads.py), pull what
changed, fetch the evidence photos of open corrective actions (sync/downloads.py) — with
progress. The photo bytes go on a thread of their own (sync/alongside.py) from the first
push answer that acknowledged photo rows, while the push and the pull go on.

Every step is safe to interrupt: pushes are idempotent on the server, uploads resume from
the server's offset, pull pages commit together with their cursor. A failure leaves the
outbox and files as they were; the next sync continues.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fieldapp.store import Store
from fieldapp.store.outbox import as_mutation
from fieldapp.sync.alongside import PhotoSender
from fieldapp.sync.client import SyncClient, detail_offset
from fieldapp.sync.downloads import Media, fetch_evidence
from fieldapp.sync.errors import BadAnswer, SyncError
from fieldapp.sync.progress import Shown, SyncProgress, SyncReport
from fieldapp.sync.uploads import CHUNK, upload_photos
from fieldcore.protocol import PushRequest

__all__ = ["CHUNK", "SyncProgress", "SyncReport", "run_sync"]

BATCH = 500


Progress = Callable[[SyncProgress], None]


def run_sync(
    store: Store,
    client: SyncClient,
    on_progress: Progress | None = None,
    media: Media | None = None,
) -> SyncReport:
    """Push, upload, pull, download. Raises SyncError (Offline, AuthExpired, …) after
    recording it. `media`: where photo files go (default: beside the database)."""
    report, shown = SyncReport(), Shown(on_progress or (lambda p: None))
    progress, notify = shown.records, shown.show
    try:
        with PhotoSender(upload_photos, store, client, report, shown.photos, notify) as photos:
            _push(store, client, report, progress, notify, photos.poke)
            photos.poke(last=True)
            _pull(store, client, report, progress, notify)
        fetch_evidence(store, client, media or Media.beside(store), report, progress, notify)
        if report.held_back is not None:
            raise report.held_back
    except SyncError as exc:
        store.note_sync(error=f"{exc.code}: {exc.message}" if exc.message else exc.code)
        raise
    progress.phase = "done"
    notify(progress)
    store.note_sync(error="")
    return report


def _push(
    store: Store,
    client: SyncClient,
    report: SyncReport,
    progress: SyncProgress,
    notify: Progress,
    photo_rows_in: Callable[[], None] = lambda: None,
) -> None:
    """Every pending change, in batches; `photo_rows_in()` after an answer that
    acknowledged photo rows (their bytes may go now)."""
    progress.phase, progress.records_total = "push", store.pending_count()
    notify(progress)
    requeued: set[int] = set()
    while True:
        batch = store.pending_batch(BATCH)
        if not batch:
            return
        request = PushRequest(mutations=[as_mutation(e) for e in batch])
        try:
            response = client.push(request)
        except SyncError as exc:
            if exc.code != "sync.mutation_gap":
                raise
            # the server lost mutations we had (restored from a backup): send them again —
            # once per gap: the same gap after a resend is an answer we cannot act on
            expected = detail_offset(exc, "expected")
            if expected is None or expected in requeued:
                raise BadAnswer("push", f"sync.mutation_gap, details {exc.details}"[:200]) from None
            requeued.add(expected)
            store.requeue_from(expected)
            continue
        store.clock_offset(response.server_time)
        report.rejected += store.apply_results(response.results)
        report.pushed += len(batch)
        progress.records_done = report.pushed
        notify(progress)
        if any(entry.entity == "photo" for entry in batch):
            photo_rows_in()


def _pull(
    store: Store, client: SyncClient, report: SyncReport, progress: SyncProgress, notify: Progress
) -> None:
    progress.phase = "pull"
    notify(progress)
    while True:
        cursor, epoch = store.cursor()
        page = client.pull(cursor, epoch)
        store.apply_pull_page(page)
        store.clock_offset(page.server_time)
        report.pulled += len(page.changes)
        progress.records_done = report.pulled
        notify(progress)
        if not page.has_more:
            return


def now_utc() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)
