"""The phone side of a chaos run: the real Store and sync engine in-process, talking to
the server through the fault proxy, doing an inspector's work at random (seeded)."""

from __future__ import annotations

import contextlib
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import select

from fieldapp.photos import Stamp, process
from fieldapp.store import Store
from fieldapp.store.db import transaction
from fieldapp.store.tables import FindingRow, LocalBlob, Outbox, PhotoRow, VisitRow
from fieldapp.store.work import template_of
from fieldapp.sync.client import SyncClient
from fieldapp.sync.engine import SyncProgress, SyncReport, run_sync
from fieldapp.sync.errors import AuthExpired, SyncError
from fieldcore.problems import DomainError
from sync_server.templates.catalog import resolve_template
from tests.server.images import jpeg

USER = "inspector"
TEMPLATE = resolve_template("store-patrol").key  # the newest: the only one phones offer


class Phone:
    def __init__(self, root: Path, proxy_port: int, keepalive: bool, timeout: float) -> None:
        self.root = root
        self.url = f"http://127.0.0.1:{proxy_port}"
        limits = httpx.Limits(max_keepalive_connections=None if keepalive else 0)
        self.http = httpx.Client(base_url=self.url, timeout=timeout, limits=limits)
        self.client = SyncClient(self.url, http=self.http)
        self.store = Store(root / "app.db")
        self.device = self.store.device_for(USER)
        self.errors: list[str] = []  # sync error codes seen (expected under faults)
        self.relogins = 0
        self.on_phase: dict[str, Callable[[], None]] = {}  # run once when a phase starts

    def close(self) -> None:
        self.http.close()
        self.store.close()

    def sign_in(self) -> bool:
        from sync_server.org.demo_data import PASSWORDS  # heavy: not needed by app_writer

        try:
            login = self.client.login(USER, PASSWORDS[USER], self.store.device_for(USER))
        except SyncError as exc:
            self.errors.append(exc.code)
            return False
        self.store.enroll(self.url, login)
        return True

    def sync(self) -> SyncReport | None:
        """One sync as the app's runner does it; a lost token means signing in again."""
        try:
            return run_sync(self.store, self.client, self._progress)
        except AuthExpired as exc:
            self.errors.append(exc.code)
            self.relogins += self.sign_in()
        except SyncError as exc:
            self.errors.append(exc.code)
        return None

    def _progress(self, progress: SyncProgress) -> None:
        hook = self.on_phase.pop(progress.phase, None)
        if hook is not None:
            hook()

    # ---- an inspector's work ---------------------------------------------------------------
    def work(self, rng: random.Random) -> None:
        """One to four random intents; refusals by the store's own rules are skipped."""
        for _ in range(rng.randint(1, 4)):
            action = rng.choice(
                [self.new_visit, self.answer, self.answer, self.note, self.photo, self.submit]
            )
            # e.g. submitting an incomplete visit: refused locally, nothing queued
            with contextlib.suppress(DomainError):
                action(rng)

    def drafts(self) -> list[VisitRow]:
        with transaction(self.store.engine) as s:
            rows = s.exec(select(VisitRow).where(VisitRow.status == "draft")).all()
            return [v for v in rows if not v.deleted]

    def new_visit(self, rng: random.Random) -> None:
        if len(self.drafts()) >= 3:
            return self.answer(rng)
        site = rng.choice(self.store.search_sites(""))
        choices = [t.key for t in self.store.templates_for(site.id, "overt")]
        if choices:
            self.store.start_visit(site.id, rng.choice(choices), "overt")
        return None

    def answer(self, rng: random.Random) -> None:
        drafts = self.drafts()
        if not drafts:
            return
        visit = rng.choice(drafts)
        with transaction(self.store.engine) as s:
            items = [i for _, i in template_of(s, visit.template_key).iter_items()]
        for item in rng.sample(items, min(len(items), rng.randint(1, 4))):
            kw: dict[str, Any] = {"note": rng.choice(["", "门口杂物", "OK", "复查"])}
            if rng.random() < 0.3:
                kw.update(result="fail")
                if item.deduction.kind == "per_occurrence":
                    kw["count"] = rng.randint(1, 3)
            else:
                kw["result"] = "pass"
            try:
                self.store.record_answer(visit.id, item.code, **kw)
            except DomainError:
                self.store.record_answer(visit.id, item.code, note=kw["note"])

    def note(self, rng: random.Random) -> None:
        drafts = self.drafts()
        if drafts:
            self.store.set_visit_fields(rng.choice(drafts).id, note=f"备注 {rng.randrange(1000)}")

    def photo(self, rng: random.Random) -> None:
        drafts = self.drafts()
        if not drafts:
            return
        raw = jpeg(rng.choice((320, 480, 640)), rng.choice((240, 360, 480)), rng.randrange(10**9))
        stamp = Stamp(datetime.now(UTC), "S", "insp")
        shot = process(raw, stamp, self.root / "photos", self.root / "thumbs")
        self.store.attach_photo(shot, visit_id=rng.choice(drafts).id)

    def submit(self, rng: random.Random) -> None:
        drafts = self.drafts()
        if drafts:
            visit = rng.choice(drafts)
            self.store.pass_unanswered(visit.id)
            self.store.submit_visit(visit.id)

    # ---- what the phone holds -------------------------------------------------------------
    def outbox(self) -> list[Outbox]:
        with transaction(self.store.engine) as s:
            return list(s.exec(select(Outbox).order_by(Outbox.seq)).all())  # type: ignore[arg-type]

    def blobs(self) -> list[LocalBlob]:
        with transaction(self.store.engine) as s:
            return list(s.exec(select(LocalBlob)).all())

    def ids(self) -> tuple[set[uuid.UUID], set[uuid.UUID], set[uuid.UUID]]:
        with transaction(self.store.engine) as s:
            return (
                set(s.exec(select(VisitRow.id)).all()),
                set(s.exec(select(FindingRow.id)).all()),
                set(s.exec(select(PhotoRow.id)).all()),
            )

    def integrity(self) -> str:
        with self.store.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())
