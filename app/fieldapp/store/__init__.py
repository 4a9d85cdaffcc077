"""The phone's local store: one method per user intent or sync step, one transaction each.

Views and the sync engine call this facade only; they never see SQL. All methods are
blocking (SQLite): the UI calls them through `asyncio.to_thread`.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fieldapp.store import (
    bulk,
    capture,
    history,
    markup,
    pending,
    photo_views,
    queries,
    rectification,
    syncdetail,
    syncstate,
    visit_view,
    work,
)
from fieldapp.store.capture import CapturedPhoto
from fieldapp.store.db import transaction
from fieldapp.store.sync_steps import SyncSteps
from fieldapp.store.tables import (
    FindingRow,
    LocalBlob,
    PhotoRow,
    RectificationRow,
    VisitRow,
)
from fieldapp.store.work import KEEP
from fieldcore.annotation import Mark
from fieldcore.protocol import LoginResponse


class Store(SyncSteps):
    """Every intent of the inspector's screens; the sync engine's steps come from
    `SyncSteps` (the one transaction per call, the clock and the engine from `StoreCore`)."""

    # ---- identity ---------------------------------------------------------------------
    def device_id(self) -> uuid.UUID:
        with transaction(self.engine) as s:
            value = syncstate.get_meta(s, "device_id")
            if value is None:
                value = str(uuid.uuid4())
                syncstate.set_meta(s, "device_id", value)
            return uuid.UUID(value)

    def language(self) -> str | None:
        """The UI language this phone's user chose (kept across restarts)."""
        with transaction(self.engine) as s:
            language: str | None = syncstate.get_meta(s, "language")
            return language

    def set_language(self, lang: str) -> None:
        with transaction(self.engine) as s:
            syncstate.set_meta(s, "language", lang)

    def theme(self) -> str | None:
        """The colour theme this phone's user chose ("normal" or "contrast"), if any."""
        with transaction(self.engine) as s:
            theme: str | None = syncstate.get_meta(s, "theme")
            return theme

    def set_theme(self, theme: str) -> None:
        with transaction(self.engine) as s:
            syncstate.set_meta(s, "theme", theme)

    def device_for(self, username: str, server: str | None = None) -> uuid.UUID:
        """The device id to sign `username` in with (at `server`, when given).

        The server binds a device id to one account (its change numbering is per device),
        so another account on this phone gets a fresh id — but only once the previous
        account's work has reached its server. So does the same account at another server:
        signing in there drops this phone's copy (`enroll`), and a device id stands for one
        copy — a server does not send a device the rows it wrote itself (PROTOCOL.md, Pull),
        so coming back under the old id would leave them out. The new id is kept only
        once the sign-in succeeds (`enroll`): a failed one leaves the phone as it was.

        Raises:
            pending.UnsyncedWork: another account still has unsynced work here.
        """
        with transaction(self.engine) as s:
            old = syncstate.get_meta(s, "identity")
            moved = server is not None and old is not None and old["server"] != server
            if old is not None and (old["user"]["username"] != username or moved):
                if pending.unsynced_count(s):
                    raise pending.UnsyncedWork(pending.unsynced_count(s), old["user"]["username"])
                return uuid.uuid4()
        return self.device_id()

    def identity(self) -> dict[str, Any] | None:
        """The signed-in account ({server, user, token, …}) or None."""
        with transaction(self.engine) as s:
            identity: dict[str, Any] | None = syncstate.get_meta(s, "identity")
            return identity

    def unsynced(self) -> int:
        """Local work the server has not acknowledged: pending changes and photo files."""
        with transaction(self.engine) as s:
            return pending.unsynced_count(s)

    def enroll(self, server: str, login: LoginResponse) -> None:
        """Remember a sign-in. Refuses to switch account or server while work is unsynced:
        that work belongs to the previous account and must reach its server first.

        Raises:
            pending.UnsyncedWork: there are unsynced changes of another account or server.
        """
        with transaction(self.engine) as s:
            old = syncstate.get_meta(s, "identity")
            same = (
                old is not None
                and old["server"] == server
                and old["user"]["id"] == str(login.user.id)
            )
            if old is not None and not same and pending.unsynced_count(s):
                raise pending.UnsyncedWork(pending.unsynced_count(s), old["user"]["username"])
            if old is not None and not same:
                syncstate.forget_account(s)  # all of it is on its server (checked above)
            if not same:  # the id it signed in with (a fresh one from device_for)
                syncstate.set_meta(s, "device_id", str(login.device_id))
            syncstate.set_meta(
                s,
                "identity",
                {
                    "server": server,
                    "token": login.token,
                    "expires_at": login.expires_at.isoformat(),
                    "user": login.user.model_dump(mode="json"),
                },
            )

    def sign_out(self) -> None:
        """Forget the token; keep every row and file (unsynced work stays for next time)."""
        with transaction(self.engine) as s:
            identity = syncstate.get_meta(s, "identity")
            if identity is not None:
                syncstate.set_meta(s, "identity", {**identity, "token": ""})

    # ---- user intents -----------------------------------------------------------------
    def start_visit(
        self,
        site_id: uuid.UUID,
        template_key: str,
        mode: str,
        kind: str = "routine",
        task_id: uuid.UUID | None = None,
        lat: float | None = None,
        lon: float | None = None,
    ) -> VisitRow:
        return self._tx(work.start_visit, site_id, template_key, mode, kind, task_id, lat, lon)

    def record_answer(
        self,
        visit_id: uuid.UUID,
        item_code: str,
        result: Any = KEEP,
        count: Any = KEEP,
        value: Any = KEEP,
        note: Any = KEEP,
        subject_id: Any = KEEP,
    ) -> FindingRow:
        """Set the given parts of one item's answer; a part left at KEEP stays as it is."""
        return self._tx(
            work.record_answer, visit_id, item_code, result, count, value, note, subject_id
        )

    def pass_unanswered(self, visit_id: uuid.UUID) -> list[str]:
        return self._tx(bulk.pass_unanswered, visit_id)

    def set_visit_fields(self, visit_id: uuid.UUID, **fields: Any) -> VisitRow:
        """Header fields the inspector owns, by name (work.set_visit_fields lists them)."""
        return self._tx(work.set_visit_fields, visit_id, **fields)

    def attach_photo(
        self,
        photo: CapturedPhoto,
        visit_id: uuid.UUID | None = None,
        finding_id_: uuid.UUID | None = None,
        rectification_id: uuid.UUID | None = None,
        caption: str = "",
    ) -> PhotoRow:
        return self._tx(
            capture.attach_photo, photo, visit_id, finding_id_, rectification_id, caption
        )

    def annotation_source(self, photo_id: uuid.UUID) -> markup.Source:
        """The original photo to mark up and its file (fieldapp.annotate renders it)."""
        with transaction(self.engine) as s:
            return markup.source(s, photo_id)

    def attach_annotation(
        self, original_id: uuid.UUID, derived: CapturedPhoto, marks: list[Mark]
    ) -> PhotoRow:
        """Record a marked-up copy (already on disk) of a photo taken here."""
        return self._tx(markup.attach_annotation, original_id, derived, marks)

    def delete_photo(self, photo_id: uuid.UUID) -> None:
        self._tx(capture.delete_photo, photo_id)

    def submit_visit(self, visit_id: uuid.UUID) -> VisitRow:
        return self._tx(work.submit_visit, visit_id)

    def delete_draft(self, visit_id: uuid.UUID) -> None:
        self._tx(work.delete_draft, visit_id)

    def answer_rectification(
        self, rect_id: uuid.UUID, response_note: str, submit: bool = False
    ) -> RectificationRow:
        return self._tx(rectification.answer_rectification, rect_id, response_note, submit)

    # ---- reads for the screens -------------------------------------------------------------
    def home(self) -> queries.Home:
        with transaction(self.engine) as s:
            return queries.home(s, self.now())

    def search_sites(self, text: str, limit: int = 50) -> list[queries.SiteItem]:
        with transaction(self.engine) as s:
            return queries.search_sites(s, text, limit)

    def visit_view(self, visit_id: uuid.UUID) -> visit_view.VisitView:
        with transaction(self.engine) as s:
            return visit_view.visit_view(s, visit_id)

    def last_time(self, visit_id: uuid.UUID) -> history.LastTime:
        """Each item's previous result at this visit's site and its repeat flag."""
        with transaction(self.engine) as s:
            return history.last_time(s, visit_id)

    def rectification_view(self, rect_id: uuid.UUID) -> photo_views.RectView:
        with transaction(self.engine) as s:
            return photo_views.rectification_view(s, rect_id)

    def templates_for(self, site_id: uuid.UUID, mode: str) -> list[queries.TemplateChoice]:
        with transaction(self.engine) as s:
            return queries.templates_for(s, site_id, mode)

    def sync_status(self) -> pending.SyncStatus:
        with transaction(self.engine) as s:
            return pending.sync_status(s)

    def sync_detail(
        self,
    ) -> tuple[list[syncdetail.PendingVisit], list[syncdetail.PendingPhoto]]:
        """Per visit and per photo: what has not reached the server yet."""
        with transaction(self.engine) as s:
            return syncdetail.pending_visits(s), syncdetail.pending_photos(s)

    def photo_file(self, sha256: str) -> bytes | None:
        """A photo at full size (taken here, or evidence downloaded from the server)."""
        with transaction(self.engine) as s:
            return photo_views.photo_file(s, sha256)

    def thumbnail(self, sha256: str) -> bytes | None:
        with transaction(self.engine) as s:
            blob = s.get(LocalBlob, sha256)
        if blob is None:
            return None
        path = Path(blob.thumb_path or blob.path)
        return path.read_bytes() if path.exists() else None

    # ---- lookups ----------------------------------------------------------------------
    def site(self, site_id: uuid.UUID) -> queries.SiteItem | None:
        with transaction(self.engine) as s:
            return queries.site(s, site_id)
