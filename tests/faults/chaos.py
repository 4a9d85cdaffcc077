"""One randomized chaos run, and the invariant it must keep.

A run: a fresh phone signs in and downloads its scope; then rounds of random work and
syncs while the proxy injects network faults and the server is SIGKILLed and restarted,
tokens expire mid-sync, the blob store refuses new blobs (the folder, or the bucket by a
policy: Server.refuse_blobs) and acknowledged batches are resent. Then every fault stops
and the phone syncs until it converges.

Invariant (checked after every round, and at the end with "nothing pending" added):
every change and photo is acknowledged by the server or still pending on the phone; the
central database holds exactly the acknowledged work (no duplicates, nothing applied that
the phone does not know of); every stored blob's bytes match its sha256; both SQLite
files pass `PRAGMA integrity_check`. Every random choice comes from the run's seed.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from fieldapp.store.outbox import as_mutation
from fieldapp.sync import engine
from fieldcore.protocol import PushRequest
from fieldcore.records import wire_value
from sync_server.bench.faults import DEFAULT_MIX
from sync_server.bench.proxy import FaultProxy
from tests.faults.central import Central, KillOnBlobRename, Server
from tests.faults.phone import Phone

# Fields compared between the phone's acknowledged changes and the central rows.
COMPARED = {
    "visit": ("site_id", "template_key", "mode", "note", "status"),
    "finding": ("visit_id", "item_code", "result", "count", "note"),
    "photo": ("visit_id", "sha256", "byte_size", "caption"),
}


@dataclass
class RunStats:
    seed: int
    faults: Counter[str] = field(default_factory=Counter)
    syncs: int = 0

    @property
    def injected(self) -> int:
        return sum(self.faults.values())


# Server-side faults; a run can force one of them into its first round so that a short
# bounded suite still meets each kind (in its second round, once there is work to hit).
SPECIAL = ("sigkill", "sigkill_uploading", "rename_kill", "token", "refuse_blobs", "resend")


def chaos_run(
    seed: int, server: Server, root: Path, rounds: int | None = None, force: str = ""
) -> RunStats:
    rng = random.Random(seed)
    stats = RunStats(seed)
    server.ensure_up()
    keepalive = rng.random() < 0.5
    # small chunks make photos span several requests, so faults land mid-upload
    chunk, engine.CHUNK = engine.CHUNK, rng.choice((8 * 1024, 32 * 1024, engine.CHUNK))
    with FaultProxy(server.port, seed=seed) as proxy:
        phone = Phone(root, proxy.port, keepalive=keepalive, timeout=2.0)
        try:
            start(phone, stats)
            before = {"visits": set(server.snapshot(phone.device).visits)}
            proxy.mix = dict(DEFAULT_MIX)
            for n in range(rounds or rng.randint(3, 6)):
                _round(rng, phone, server, stats, force if n == 1 else "")
                check(phone, server, before["visits"], final=False)
            proxy.heal()
            server.refuse_blobs(False)
            converge(phone, server, stats)
            check(phone, server, before["visits"], final=True)
        finally:
            engine.CHUNK = chunk
            phone.close()
            stats.faults.update(proxy.counts)
    return stats


def start(phone: Phone, stats: RunStats, tries: int = 5) -> None:
    """Sign in and download the scope (no faults yet), patiently: on a loaded machine the
    server's argon2 check alone may outlast the phone's timeout."""
    for _ in range(tries):
        if phone.client.token or phone.sign_in():
            report = phone.sync()
            stats.syncs += 1
            if report is not None and report.pulled > 0:
                return
    raise AssertionError(f"seed {stats.seed}: no first sync: {phone.errors}")


def _round(
    rng: random.Random,
    phone: Phone,
    server: Server,
    stats: RunStats,
    force: str = "",
) -> None:
    phone.work(rng)
    timers = []

    def kill_after(delay: float, kind: str = "server_sigkill") -> None:
        """SIGKILL the server after `delay` s, then restart it on the same data dir."""

        def restart() -> None:
            server.kill()
            server.ensure_up()

        timers.append(after(delay, restart))
        stats.faults[kind] += 1

    def chance(p: float, kind: str) -> bool:
        return rng.random() < p or force == kind

    if chance(0.3, "sigkill"):  # at a random moment of the coming sync
        kill_after(rng.uniform(0.02, 0.8))
    if chance(0.3, "sigkill_uploading"):  # while photo bytes are on their way
        delay = rng.uniform(0.0, 0.25)
        phone.on_phase["upload"] = lambda: kill_after(delay, "server_sigkill_uploading")
    watcher = KillOnBlobRename(server) if chance(0.15, "rename_kill") else None  # narrowest
    if chance(0.15, "token"):  # the token runs out in the middle of the sync
        timers.append(after(rng.uniform(0.0, 0.4), lambda: server.expire_token(phone.device)))
        stats.faults["token_expired"] += 1
    if chance(0.2, "refuse_blobs"):
        refusing = rng.random() < 0.5 or force == "refuse_blobs"
        if server.refuse_blobs(refusing) and refusing:
            stats.faults[f"blob_write_refused_{server.backend}"] += 1
    if chance(0.25, "resend") and resend_acked(phone, rng):
        stats.faults["duplicate_resend"] += 1
    for _ in range(rng.randint(1, 3)):
        phone.sync()
        stats.syncs += 1
    phone.on_phase.clear()
    if watcher is not None:
        watcher.close()
        if watcher.fired.is_set():
            stats.faults["server_sigkill_at_blob_rename"] += 1
    for t in timers:
        t.join()
    server.ensure_up()


def after(delay: float, action: Any) -> threading.Thread:
    def run() -> None:
        time.sleep(delay)
        action()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def resend_acked(phone: Phone, rng: random.Random) -> bool:
    """Push a contiguous run of already acknowledged changes again, as a phone that lost
    the answer would. The server must answer from its stored results, changing nothing."""
    acked = [e for e in phone.outbox() if e.state == "acked"]
    if not acked:
        return False
    start = rng.randrange(len(acked))
    batch = acked[start : start + rng.randint(1, 20)]
    first = batch[0].seq
    assert first is not None  # a stored entry has its seq
    if [e.seq for e in batch] != list(range(first, first + len(batch))):
        return False
    request = PushRequest(mutations=[as_mutation(e) for e in batch])
    try:
        response = phone.client.push(request)
    except Exception:  # the proxy may cut this one too; that is fine
        return True
    assert [r.status for r in response.results] == ["applied"] * len(batch), response
    return True


def converge(phone: Phone, server: Server, stats: RunStats) -> None:
    """No more faults: sync until nothing is pending (liveness: the queues drain)."""
    server.ensure_up()
    for _ in range(10):
        if phone.client.token == "" or not phone.store.identity():
            phone.sign_in()
        report = phone.sync()
        stats.syncs += 1
        pending = [e for e in phone.outbox() if e.state == "pending"]
        blobs = [b for b in phone.blobs() if b.state != "uploaded"]
        if report is not None and report.ok and not pending and not blobs:
            return
    raise AssertionError(
        f"seed {stats.seed}: no convergence: pending {len(pending)}, blobs "
        f"{[(b.state, b.error) for b in blobs]}, errors {phone.errors[-5:]}"
    )


def check(phone: Phone, server: Server, before: set[uuid.UUID], final: bool) -> None:
    outbox = phone.outbox()
    central = server.snapshot(phone.device)
    acked = {e.seq for e in outbox if e.state == "acked"}
    pending = {e.seq for e in outbox if e.state == "pending"}
    rejected = [(e.seq, e.code, e.message) for e in outbox if e.state == "rejected"]
    assert not rejected, f"valid work was rejected: {rejected}"
    assert acked <= set(central.results), "acknowledged but not on the server"
    assert set(central.results) <= acked | pending, "applied work the phone does not know"
    assert set(central.results.values()) <= {"applied"}
    assert central.last_seq == max(central.results, default=0)
    assert set(central.results) == set(range(1, central.last_seq + 1)), "a gap in applied seqs"
    for blob in phone.blobs():
        if blob.state == "uploaded":
            assert blob.sha256 in central.blobs, f"acknowledged photo {blob.sha256} not stored"
        else:
            assert blob.state in ("local", "uploading"), (blob.state, blob.error)
    for sha in central.blobs:
        assert server.blob_digest(sha) == sha, f"blob {sha}: bytes do not match"
    assert phone.integrity() == "ok" and server.integrity() == "ok"
    if final:
        assert not pending
        _same_work(phone, central, before)


def _same_work(phone: Phone, central: Central, before: set[uuid.UUID]) -> None:
    """The central rows are exactly the phone's acknowledged work, field by field."""
    outbox = phone.outbox()  # this phone's own work (it also pulls earlier runs' visits)
    mine = {e: {x.entity_id for x in outbox if x.entity == e} for e in COMPARED}
    visits = {x.entity_id for x in outbox if x.entity == "visit" and "site_id" in x.fields}
    findings, photos = mine["finding"], mine["photo"]
    _same("visits", set(central.visits) - before, visits)  # created here: exactly these
    assert mine["visit"] <= set(central.visits)  # and edits of drafts pulled from before
    # the phone may also have worked on drafts pulled from an earlier run's phone (the same
    # inspector on two devices): its findings and photos are on the server, and the server
    # has nothing in its visits that it did not send
    for what, rows, ids in (
        ("findings", central.findings, findings),
        ("photos", central.photos, photos),
    ):
        in_mine = {i for i, row in rows.items() if row.visit_id in visits}
        assert not ids - set(rows), f"{what} lost: {sorted(ids - set(rows))}"
        assert not in_mine - ids, f"{what} the phone never sent: {sorted(in_mine - ids)}"
    held_visits, held_findings, held_photos = phone.ids()  # pulled back: the whole account
    assert set(central.visits) <= held_visits and set(central.findings) <= held_findings
    assert set(central.photos) <= held_photos
    expected: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
    for entry in outbox:  # acknowledged changes in seq order: the last write wins
        expected.setdefault((entry.entity, entry.entity_id), {}).update(entry.fields)
    tables: dict[str, dict[uuid.UUID, Any]] = {
        "visit": central.visits,
        "finding": central.findings,
        "photo": central.photos,
    }
    for (entity, entity_id), fields in expected.items():
        row = tables[entity][entity_id]
        for name in COMPARED[entity]:
            if name in fields:
                assert _norm(getattr(row, name)) == _norm(fields[name]), (entity, name)
    for photo_id in photos:
        row = central.photos[photo_id]
        assert row.blob_present and row.sha256 in central.blobs, f"photo {photo_id} bytes"


def _same(what: str, central: set[uuid.UUID], phone: set[uuid.UUID]) -> None:
    assert central == phone, (
        f"{what}: only on the server {sorted(central - phone)}, only on the phone "
        f"{sorted(phone - central)}"
    )


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    value = wire_value(value)
    return str(value) if value is not None else None
