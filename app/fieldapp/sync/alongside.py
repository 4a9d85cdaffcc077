"""Photo bytes on a thread of their own, while the records are pushed and pulled.

On a cold sync the records' push and pull take seconds on a 100 ms link during which the
link could already carry photos. The server takes a photo's bytes only once it holds the
photo's row (PROTOCOL.md, Photos), so each push answer that acknowledged photo rows wakes
this thread, which sends what is uploadable then (sync/uploads.py) and looks again when
woken again; the end of the push wakes it once more for whatever is left, and the pull
runs meanwhile. Leaving the `with` block waits for the uploads and raises their error; an
error in the block stops them after the pack on its way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

from fieldapp.store import Store
from fieldapp.sync.client import SyncClient
from fieldapp.sync.progress import SyncProgress, SyncReport

Upload = Callable[..., None]  # sync/uploads.py upload_photos (looked up late: tests replace it)


class PhotoSender:
    def __init__(
        self,
        upload: Upload,
        store: Store,
        client: SyncClient,
        report: SyncReport,
        progress: SyncProgress,
        notify: Callable[[SyncProgress], None],
    ) -> None:
        self._upload = upload
        self._args = (store, client, report, progress, notify)
        self._report, self._progress, self._notify = report, progress, notify
        self._wake = threading.Event()
        self._last = self._stop = False
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def poke(self, last: bool = False) -> None:
        """Photo rows were acknowledged (`last`: the push is over; nothing more will be)."""
        self._last = self._last or last  # before the wake: the thread reads it after
        if self._report.held_back is None:
            # shown from now, not from when the thread first reports: the pull that starts
            # next on the sync's thread runs beside the upload, unseen (progress.Shown)
            self._progress.phase = "upload"
        self._wake.set()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="photo-upload", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stop:
                    return
                self._upload(*self._args, lambda: self._stop)
                if self._report.held_back is not None or (self._last and not self._wake.is_set()):
                    return  # held back: the rest would meet the same cap
        except BaseException as exc:  # handed to the sync's thread, which raises it
            self._error = exc
        finally:
            if self._progress.phase == "upload":
                self._progress.phase = "idle"  # the records' step shows again
                self._notify(self._progress)

    def __enter__(self) -> PhotoSender:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is not None:
            self._stop = True
            self._wake.set()
        if self._thread is not None:
            self._thread.join()
        if kind is None and self._error is not None:
            raise self._error
