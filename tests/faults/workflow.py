"""Helpers for the workflow windows of issue 6 under the fault proxy
(tests/faults/test_chaos_workflow.py): what a phone holds and must keep while an upgraded
server refuses its schema version, syncs with SIGKILLs landing at seeded moments, the
supervisor's return written through the running server's database, and the checks that
phones and server agree on every answered change — rejections included.
"""

from __future__ import annotations

import hashlib
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlmodel import Session, select

from fieldapp.photos import Stamp, process
from fieldapp.store.db import transaction
from fieldapp.store.tables import FindingRow, VisitRow
from fieldapp.sync.engine import run_sync
from fieldapp.sync.errors import SyncError
from fieldcore.protocol import SCHEMA_VERSION, MutationResult
from fieldcore.workflow import finding_id
from sync_server.sync.merge.results import all_stored_results
from sync_server.tables import User
from tests.faults.central import Central, Server
from tests.faults.chaos import RunStats, after
from tests.faults.oracle import (
    Sent,
    check_device,
    check_no_duplicates,
    check_server_against_model,
    outbox_mutations,
)
from tests.faults.phone import TEMPLATE, Phone
from tests.server.images import jpeg

# The server after an upgrade that dropped the phone's version, and one that serves both.
# Every start without the console: restarts are faster.
PLAIN = {"MINGCHA_CONSOLE": "false"}
UPGRADED = {**PLAIN, "MINGCHA_SCHEMA_MIN": str(SCHEMA_VERSION + 1), "MINGCHA_SCHEMA_MAX": "9"}
BOTH = {**PLAIN, "MINGCHA_SCHEMA_MIN": str(SCHEMA_VERSION), "MINGCHA_SCHEMA_MAX": "9"}
RETURN_COMMENT = "请补充门口杂物的说明"
ITEM_COMMENT = "请复核此项"
AMENDED_NOTE = "已按退回意见补充"  # the inspector's visit note after the return
LOCKED = "workflow.locked"


# ---- what a phone holds -----------------------------------------------------------------
@dataclass(frozen=True)
class Held:
    """A phone's queued work: outbox entries as sent, photo files with their state."""

    outbox: tuple[tuple[Any, ...], ...]
    blobs: tuple[tuple[str, str, str], ...]  # (sha256, state, sha256 of the file's bytes)


def held(phone: Phone) -> Held:
    entries = tuple(
        (e.seq, e.state, e.entity, str(e.entity_id), e.op, e.fields, e.base_seq, e.code)
        for e in phone.outbox()
    )
    blobs = tuple(sorted((b.sha256, b.state, _file_digest(b.path)) for b in phone.blobs()))
    return Held(entries, blobs)


def _file_digest(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return "missing"


def central_view(central: Central) -> tuple[Any, ...]:
    """What a refused sync must leave unchanged on the server."""
    return (
        central.last_seq,
        sorted(central.results.items()),
        sorted(map(str, central.visits)),
        sorted(map(str, central.findings)),
        sorted(map(str, central.photos)),
        sorted(central.blobs),
    )


def sync_raising(phone: Phone) -> SyncError | None:
    """One sync; the error it ended with (None: it succeeded)."""
    try:
        run_sync(phone.store, phone.client)
    except SyncError as exc:
        return exc
    return None


# ---- syncs, maybe with the server killed at a seeded moment -----------------------------
def syncs(
    rng: random.Random,
    phones: list[Phone],
    server: Server,
    stats: RunStats,
    kill: bool = False,
    env: dict[str, str] | None = None,
) -> None:
    """One sync per phone, in order. With `kill` the server is SIGKILLed at a random moment
    of them and restarted: with `env` as its new settings (a deploy), or with the ones it
    had (a crash; e.g. its schema window stays)."""
    timers = []
    if kill:

        def restart() -> None:
            if env is not None:
                server.restart_with(**env)
            else:
                server.kill()
                server.ensure_up()

        timers.append(after(rng.uniform(0.0, 0.6), restart))
        stats.faults["server_sigkill"] += 1
    for phone in phones:
        phone.sync()
        stats.syncs += 1
    for t in timers:
        t.join()
    server.ensure_up()


def sync_until(
    rng: random.Random,
    phone: Phone,
    server: Server,
    stats: RunStats,
    done: Callable[[], bool] | None = None,
    tries: int = 12,
) -> None:
    """Sync through the proxy's faults until `done()` (default: nothing is pending)."""
    done = done or (lambda: not [e for e in phone.outbox() if e.state == "pending"])
    for _ in range(tries):
        syncs(rng, [phone], server, stats)
        if done():
            return
    raise AssertionError(f"seed {stats.seed}: never got there in {tries} syncs: {phone.errors}")


# ---- an inspector's visit, and a supervisor's return -------------------------------------
def start_visit(phone: Phone, rng: random.Random) -> tuple[uuid.UUID, list[str]]:
    """A new overt store-patrol visit (no figure items: "the rest pass" completes it) at a
    random site that offers it; its item codes."""
    from fieldapp.store.work import template_of

    sites = phone.store.search_sites("")
    rng.shuffle(sites)
    site = next(
        s for s in sites if TEMPLATE in {t.key for t in phone.store.templates_for(s.id, "overt")}
    )
    visit = phone.store.start_visit(site.id, TEMPLATE, "overt")
    with transaction(phone.store.engine) as s:
        codes = [i.code for _, i in template_of(s, TEMPLATE).iter_items()]
    return visit.id, codes


def attach_photo(phone: Phone, visit_id: uuid.UUID, rng: random.Random) -> None:
    raw = jpeg(rng.choice((320, 480)), rng.choice((240, 360)), rng.randrange(10**9))
    stamp = Stamp(datetime.now(UTC), "S", "insp")
    shot = process(raw, stamp, phone.root / "photos", phone.root / "thumbs")
    phone.store.attach_photo(shot, visit_id=visit_id)


class SupervisorReturn(threading.Thread):
    """The supervisor returns the visit through the server's review service (the console's
    path), writing to the running server's database — once `go` is set and `delay` s later.
    An item comment on `item_code` goes with it. Errors are kept for the test to raise."""

    def __init__(
        self, server: Server, visit_id: uuid.UUID, item_code: str, go: threading.Event, delay: float
    ) -> None:
        super().__init__(daemon=True)
        self.server, self.visit_id, self.item_code = server, visit_id, item_code
        self.go, self.delay = go, delay
        self.sent: list[Sent] = []  # the console's mutations, for the oracle's replay
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            if self.go.wait(60):
                threading.Event().wait(self.delay)
                self.sent = supervisor_returns(self.server, self.visit_id, self.item_code)
        except BaseException as exc:  # a thread's failure must reach the test
            self.error = exc


def supervisor_returns(server: Server, visit_id: uuid.UUID, item_code: str) -> list[Sent]:
    from sync_server.core.config import Settings
    from sync_server.core.db import make_engine, write_session
    from sync_server.org.accounts import console_device
    from sync_server.supervision import actions

    engine = make_engine(Settings(data_dir=server.data_dir, console=False))
    try:
        with write_session(engine) as s:
            boss = s.exec(select(User).where(User.username == "supervisor")).one()
            now = datetime.now(UTC)
            device = console_device(s, boss, now)
            first = device.last_mutation_seq + 1
            actions.act(s, boss, visit_id, "return", now, RETURN_COMMENT, {item_code: ITEM_COMMENT})
            fid = str(finding_id(visit_id, item_code))
            fields = {"status": "returned", "return_comment": RETURN_COMMENT}
            return [  # in act's order: item comments first, then the visit
                Sent(device.id, first, "finding", fid, {"review_comment": ITEM_COMMENT}),
                Sent(device.id, first + 1, "visit", str(visit_id), fields),
            ]
    finally:
        engine.dispose()


def results_of(server: Server, device_id: uuid.UUID) -> dict[int, MutationResult]:
    with Session(server.engine) as s:
        return {seq: r for (_, seq), r in all_stored_results(s, [device_id]).items()}


def inspector_id(server: Server) -> uuid.UUID:
    with Session(server.engine) as s:
        return s.exec(select(User.id).where(User.username == "inspector")).one()


# ---- phone ↔ server agreement, rejections included ---------------------------------------
def check_answers_agree(phone: Phone, server: Server, seed: int) -> None:
    """Every change the phone holds as answered is answered the same way on the server
    (acked ↔ applied, rejected ↔ rejected with the same code); the server holds nothing
    the phone did not send; the device's applied mark has no gap."""
    outbox = {cast(int, e.seq): e for e in phone.outbox()}  # a stored entry has its seq
    results = results_of(server, phone.device)
    assert set(results) <= set(outbox), f"seed {seed}: server answered unsent seqs"
    assert set(results) == set(range(1, max(results, default=0) + 1)), f"seed {seed}: a gap"
    for seq, entry in outbox.items():
        result = results.get(seq)
        if entry.state == "pending":
            continue  # sent or not: the next push resends it and gets the stored answer
        assert result is not None, f"seed {seed}: seq {seq} {entry.state} but not on the server"
        want = "applied" if entry.state == "acked" else "rejected"
        assert (result.status, result.code or "") == (want, entry.code), (
            f"seed {seed}: seq {seq}: phone {entry.state} {entry.code!r}, "
            f"server {result.status} {result.code!r}"
        )
    assert phone.integrity() == "ok" and server.integrity() == "ok", f"seed {seed}: integrity"
    for sha in server.snapshot(phone.device).blobs:
        assert server.blob_digest(sha) == sha, f"seed {seed}: blob {sha}: bytes do not match"


# ---- the return-while-editing scenario's end state ----------------------------------------
def return_seq(server: Server, boss: SupervisorReturn) -> int:
    """The server seq the return was committed at."""
    visit = boss.sent[-1]
    seq = results_of(server, visit.device_id)[visit.seq].entity_seq
    assert seq is not None
    return seq


def applied_after(device: Phone, server: Server, boss: SupervisorReturn) -> bool:
    """Whether one of the device's finding edits was applied after the return."""
    after = return_seq(server, boss)
    results = results_of(server, device.device)
    return any(
        r.status == "applied" and (r.entity_seq or 0) > after and e.entity == "finding"
        for e in device.outbox()
        if (r := results.get(e.seq or 0)) is not None
    )


def converged(
    phone: Phone,
    tablet: Phone,
    server: Server,
    supervisor: list[Sent],
    visit_id: uuid.UUID,
    codes: list[str],
    seed: int,
) -> None:
    """Both devices equal the server; the server equals per-field last arrival over
    everything applied (the return and its item comment too); nothing lost or doubled."""
    inspector = inspector_id(server)
    for device in (phone, tablet):
        check_answers_agree(device, server, seed)
        check_device(device.store.engine, server.engine, inspector)
        assert status(device, visit_id) == "returned", f"seed {seed}: not returned on a device"
    check_no_duplicates(server.engine)
    sent = [*outbox_mutations(phone.store.engine, phone.device)]
    sent += [*outbox_mutations(tablet.store.engine, tablet.device), *supervisor]
    check_server_against_model(server.engine, sent)
    central = server.snapshot(phone.device)
    visit = central.visits[visit_id]
    assert (visit.status, visit.return_comment) == ("returned", RETURN_COMMENT), seed
    assert visit.note == AMENDED_NOTE, f"seed {seed}: the inspector's note lost"
    reviewed = central.findings[finding_id(visit_id, codes[0])]
    assert reviewed.review_comment == ITEM_COMMENT, f"seed {seed}: item comment lost"
    for photo in central.photos.values():
        if photo.visit_id == visit_id:
            assert photo.blob_present and server.blob_digest(photo.sha256) == photo.sha256


def edits_obey_the_lock(
    after_submit: tuple[tuple[Phone, int], ...], server: Server, returned_at: int, seed: int
) -> None:
    """Of the inspector's changes after the submission, each one applied landed after the
    return; each one refused was refused `workflow.locked` and is shown on its device."""
    rejected = 0
    for device, since in after_submit:
        results = results_of(server, device.device)
        shown = {r["seq"] for r in device.store.sync_status().rejected}
        for entry in device.outbox():
            if (entry.seq or 0) <= since:
                continue
            result = results[entry.seq or 0]
            if result.status == "applied":
                assert (result.entity_seq or 0) > returned_at, f"seed {seed}: seq {entry.seq}"
            else:
                assert result.code == LOCKED and entry.seq in shown, f"seed {seed}: {entry}"
                rejected += 1
    assert rejected, f"seed {seed}: no edit ever met the lock"


def status(device: Phone, visit_id: uuid.UUID) -> str:
    with transaction(device.store.engine) as s:
        row = s.get(VisitRow, visit_id)
        return row.status if row is not None else ""


def finding(device: Phone, visit_id: uuid.UUID, code: str) -> FindingRow:
    with transaction(device.store.engine) as s:
        row = s.get(FindingRow, finding_id(visit_id, code))
        assert row is not None
        return row
