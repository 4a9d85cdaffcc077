"""Issue 6's workflow windows under the fault proxy, with server SIGKILLs (sync-design
§2.11, PROTOCOL.md "Failure handling"): a schema-version bump while the phone has queued
work, and a supervisor returning a visit while the inspector edits it.

Both run against a real server subprocess on SQLite through sync_server/bench/proxy.py with the
chaos mix active. Every random choice comes from the seed (MINGCHA_WORKFLOW_SEED=S replays
a run's choices, not its timing); a failure names it.
"""

from __future__ import annotations

import os
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldcore.problems import DomainError
from fieldcore.protocol import SCHEMA_VERSION
from fieldcore.workflow import finding_id
from sync_server.bench.faults import DEFAULT_MIX
from sync_server.bench.proxy import FaultProxy
from tests.faults import workflow as wf
from tests.faults.central import Server
from tests.faults.chaos import RunStats, check, converge, resend_acked, start
from tests.faults.conftest import TALLY
from tests.faults.oracle import check_no_duplicates
from tests.faults.phone import Phone
from tests.s3kit import serve_env

# read at import: the autouse fixture hides MINGCHA_* variables from the tests themselves
SEED = int(os.environ.get("MINGCHA_WORKFLOW_SEED", "20261206") or 0)
LOCKED = wf.LOCKED
TIMEOUT = 3.0  # the phone's request timeout: what a blackholed connection costs


@pytest.fixture(scope="module")
def central(
    seeded_data: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Server]:
    """One server for both scenarios (each start costs seconds on a loaded machine)."""
    root = tmp_path_factory.mktemp("workflow-server")
    server = Server(seeded_data, root / "data", root, serve_env(request))  # MINGCHA_TEST_BLOB
    server.proc.env = {**server.env, **wf.PLAIN}
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def server(central: Server) -> Server:
    """The shared server, up and serving this app's schema version."""
    if central.proc.env.get("MINGCHA_SCHEMA_MIN", str(SCHEMA_VERSION)) != str(SCHEMA_VERSION):
        central.restart_with(**wf.BOTH)  # a scenario that failed inside the refusal window
    central.ensure_up()
    return central


def _tally(stats: RunStats) -> None:
    TALLY["runs"] += 1
    TALLY["syncs"] += stats.syncs
    TALLY.update(stats.faults)


# ---- (a) a schema-version bump with a queued outbox -------------------------------------
@pytest.mark.timeout(300)
def test_queued_work_outlives_a_schema_bump_and_drains_once_when_admitted(
    server: Server, tmp_path: Path
) -> None:
    try:
        stats = schema_bump_run(SEED, server, tmp_path / "phone")
    except AssertionError as exc:
        raise AssertionError(f"workflow seed {SEED} (schema bump): {exc}") from exc
    _tally(stats)


def schema_bump_run(seed: int, server: Server, root: Path) -> RunStats:
    rng, stats = random.Random(seed), RunStats(seed)
    with FaultProxy(server.port, seed=seed) as proxy:
        phone = Phone(root, proxy.port, keepalive=rng.random() < 0.5, timeout=TIMEOUT)
        try:
            start(phone, stats)
            before = set(server.snapshot(phone.device).visits)
            proxy.mix = dict(DEFAULT_MIX)
            phone.work(rng)  # some work reaches the server first: acknowledged history
            wf.sync_until(rng, phone, server, stats)
            queue_offline_work(phone, rng)
            # the upgrade SIGKILLs the server in the middle of a sync: what was not through
            # by then stays queued; and the inspector goes on working
            wf.syncs(rng, [phone], server, stats, kill=True, env=wf.UPGRADED)
            queued = queue_offline_work(phone, rng)
            refused_window(rng, phone, server, proxy, stats)
            # the rollout that admits the phone again (the app updated, or a server that
            # still serves the old version) SIGKILLs the old one in the middle of a sync
            wf.syncs(rng, [phone], server, stats, kill=True, env=wf.BOTH)
            drain(rng, phone, server, stats, before)
            proxy.heal()
            converge(phone, server, stats)
            check(phone, server, before, final=True)  # server = acknowledged work, once
            check_no_duplicates(server.engine)
            assert_drained(phone, server, queued, seed)
        finally:
            phone.close()
            stats.faults.update(proxy.counts)
    return stats


def queue_offline_work(phone: Phone, rng: random.Random) -> wf.Held:
    """Unsynced work of every kind: a new visit with answers, a note and two photos."""
    visit_id, codes = wf.start_visit(phone, rng)
    for code in rng.sample(codes, min(3, len(codes))):
        phone.store.record_answer(visit_id, code, result="pass", note="待同步")
    phone.store.set_visit_fields(visit_id, note="升级前未同步")
    for _ in range(2):
        wf.attach_photo(phone, visit_id, rng)
    phone.work(rng)
    queued = wf.held(phone)
    assert any(e[1] == "pending" for e in queued.outbox)
    assert sum(b[1] == "local" for b in queued.blobs) >= 2
    return queued


def refused_window(
    rng: random.Random, phone: Phone, server: Server, proxy: FaultProxy, stats: RunStats
) -> None:
    """Every sync is refused (426); nothing moves on either side."""
    seed, view = stats.seed, wf.central_view(server.snapshot(phone.device))
    for n in range(3):
        if n:
            phone.work(rng)  # the inspector keeps working while the app asks for an update
        kept = wf.held(phone)
        wf.syncs(rng, [phone], server, stats)
        assert wf.held(phone) == kept, f"seed {seed}: a refused sync changed the phone's queue"
        now = wf.central_view(server.snapshot(phone.device))
        assert now == view, f"seed {seed}: the server took work outside its schema window"
    proxy.mix = None  # the plain answer, as a phone with a good signal gets it
    error = _without_stale_faults(lambda: wf.sync_raising(phone))
    assert error is not None and error.code == "sync.schema_unsupported", f"seed {seed}: {error}"
    want = {"min": SCHEMA_VERSION + 1, "max": int(wf.UPGRADED["MINGCHA_SCHEMA_MAX"])}
    assert {k: error.details.get(k) for k in want} == want, f"seed {seed}: {error.details}"
    last_error = phone.store.sync_status().last_error
    assert last_error.startswith("sync.schema_unsupported"), f"seed {seed}: UI shows {last_error!r}"
    signed_in = _without_stale_faults(lambda: phone.sign_in() or phone.errors[-1])
    assert signed_in == "sync.schema_unsupported", f"seed {seed}: sign-in gave {signed_in}"
    proxy.mix = dict(DEFAULT_MIX)
    assert wf.held(phone) == kept and wf.central_view(server.snapshot(phone.device)) == view
    assert not [b for b in phone.blobs() if b.state == "failed"], f"seed {seed}: photo given up"


def _without_stale_faults(attempt: Callable[[], Any]) -> Any:
    """With the proxy healed, a kept-alive connection may still carry a fault drawn
    before: try again while the outcome is "offline"."""
    for _ in range(3):
        outcome = attempt()
        code = getattr(outcome, "code", outcome)
        if code != "client.offline":
            break
    return outcome


def drain(
    rng: random.Random, phone: Phone, server: Server, stats: RunStats, before: set[uuid.UUID]
) -> None:
    """Admitted again, under the faults: more work, a resend of acknowledged changes (as
    after a lost answer), syncs; the invariant holds after each."""
    for n in range(2):
        phone.work(rng)
        if n == 1 and resend_acked(phone, rng):
            stats.faults["duplicate_resend"] += 1
        wf.syncs(rng, [phone], server, stats)
        check(phone, server, before, final=False)


def assert_drained(phone: Phone, server: Server, queued: wf.Held, seed: int) -> None:
    """What was queued before the upgrade is acknowledged now, each change once."""
    results = {seq: r.status for seq, r in wf.results_of(server, phone.device).items()}
    states = {e.seq: e.state for e in phone.outbox()}
    for seq, *_ in queued.outbox:
        assert states[seq] == "acked" and results[seq] == "applied", f"seed {seed}: seq {seq}"
    blobs = {b.sha256: b.state for b in phone.blobs()}
    for sha, *_ in queued.blobs:
        assert blobs[sha] == "uploaded", f"seed {seed}: photo {sha} not uploaded"
    assert phone.store.sync_status().last_error == "", f"seed {seed}: an error still shown"


# ---- (b) a supervisor returning a visit while the inspector edits it ------------------------
@pytest.mark.timeout(300)
def test_a_return_racing_the_inspectors_edits_keeps_both_and_drops_nothing(
    server: Server, tmp_path: Path
) -> None:
    try:
        stats = return_while_editing_run(SEED, server, tmp_path)
    except AssertionError as exc:
        raise AssertionError(f"workflow seed {SEED} (return while editing): {exc}") from exc
    _tally(stats)


def return_while_editing_run(seed: int, server: Server, root: Path) -> RunStats:
    """The inspector submits from the phone; a tablet of the same inspector still holds
    the draft. The tablet's edits reach the server while it is submitted (rejected
    `workflow.locked`, shown); then the supervisor returns it while both devices keep
    editing and syncing through the faults; then everything converges."""
    rng, stats = random.Random(seed), RunStats(seed)
    with FaultProxy(server.port, seed=seed) as proxy:
        phone = Phone(root / "phone", proxy.port, keepalive=rng.random() < 0.5, timeout=TIMEOUT)
        tablet = Phone(root / "tablet", proxy.port, keepalive=rng.random() < 0.5, timeout=TIMEOUT)
        boss: wf.SupervisorReturn | None = None
        try:
            for device in (phone, tablet):
                start(device, stats)
            visit_id, codes = submitted_visit(rng, phone, tablet, server, stats)
            submit_seq = max(e.seq or 0 for e in phone.outbox())
            proxy.mix = dict(DEFAULT_MIX)
            stale_edits_are_rejected_and_shown(rng, tablet, server, stats, visit_id, codes)
            go = threading.Event()
            boss = wf.SupervisorReturn(server, visit_id, codes[0], go, rng.uniform(0.0, 1.0))
            boss.start()
            return_seq = edit_while_returned(
                rng, phone, tablet, server, stats, visit_id, codes, go, boss
            )
            proxy.heal()
            for device in (phone, tablet):
                converge(device, server, stats)
            wf.converged(phone, tablet, server, boss.sent, visit_id, codes, seed)
            after_submit = ((phone, submit_seq), (tablet, 0))
            wf.edits_obey_the_lock(after_submit, server, return_seq, seed)
        finally:
            if boss is not None:
                boss.go.set()
                boss.join(30)
            phone.close()
            tablet.close()
            stats.faults.update(proxy.counts)
    return stats


def submitted_visit(
    rng: random.Random, phone: Phone, tablet: Phone, server: Server, stats: RunStats
) -> tuple[uuid.UUID, list[str]]:
    """A complete visit with a photo, synced as a draft to the tablet, then submitted from
    the phone and acknowledged by the server (no faults yet)."""
    visit_id, codes = wf.start_visit(phone, rng)
    phone.store.record_answer(visit_id, codes[0], result="pass", note="门口整洁")
    wf.attach_photo(phone, visit_id, rng)
    phone.store.pass_unanswered(visit_id)
    wf.sync_until(rng, phone, server, stats)
    wf.sync_until(rng, tablet, server, stats, lambda: wf.status(tablet, visit_id) == "draft")
    phone.store.submit_visit(visit_id)
    wf.sync_until(rng, phone, server, stats)
    assert server.snapshot(phone.device).visits[visit_id].status == "submitted"
    return visit_id, codes


def stale_edits_are_rejected_and_shown(
    rng: random.Random,
    tablet: Phone,
    server: Server,
    stats: RunStats,
    visit_id: uuid.UUID,
    codes: list[str],
) -> None:
    seed = stats.seed
    edited = rng.sample(codes, min(2, len(codes)))
    for n, code in enumerate(edited):
        tablet.store.record_answer(visit_id, code, note=f"平板旧稿{n}")
    stale = [e.seq for e in tablet.outbox() if e.state == "pending"]
    wf.sync_until(
        rng, tablet, server, stats, lambda: wf.status(tablet, visit_id) == "submitted"
    )  # answered, and the submission pulled
    entries = {e.seq: e for e in tablet.outbox()}
    assert [(entries[s].state, entries[s].code) for s in stale] == [("rejected", LOCKED)] * len(
        stale
    ), f"seed {seed}: stale edits not rejected {LOCKED}"
    shown = {r["seq"]: r["code"] for r in tablet.store.sync_status().rejected}
    assert all(shown.get(s) == LOCKED for s in stale), f"seed {seed}: not shown: {shown}"
    central = server.snapshot(tablet.device)
    for code in edited:  # flagged on the row, and back to the server's value
        row = wf.finding(tablet, visit_id, code)
        assert row.sync_error, f"seed {seed}: finding {code} not flagged"
        assert row.note == central.findings[finding_id(visit_id, code)].note
    with pytest.raises(DomainError) as refused:  # and locally locked from now on
        tablet.store.record_answer(visit_id, edited[0], note="再改")
    assert str(refused.value.code) == LOCKED


def edit_while_returned(
    rng: random.Random,
    phone: Phone,
    tablet: Phone,
    server: Server,
    stats: RunStats,
    visit_id: uuid.UUID,
    codes: list[str],
    go: threading.Event,
    boss: wf.SupervisorReturn,
) -> int:
    """Both devices keep editing findings and syncing; the supervisor returns meanwhile.
    Ends when each device has an edit applied after the return. Returns the return's seq."""
    refused: Counter[str] = Counter()
    devices, amended = {"phone": phone, "tablet": tablet}, False
    for n in range(40):
        if n == 1:
            go.set()  # the supervisor acts while the inspector goes on
        for name, device in devices.items():
            code = codes[0] if rng.random() < 0.4 else rng.choice(codes)
            try:
                device.store.record_answer(visit_id, code, note=f"{name}改{n}")
            except DomainError as exc:  # told at once on the phone: nothing is queued
                assert str(exc.code) == LOCKED, exc
                refused[name] += 1
        if not amended and wf.status(phone, visit_id) == "returned":  # once back: amend it
            phone.store.set_visit_fields(visit_id, note=wf.AMENDED_NOTE)
            wf.attach_photo(phone, visit_id, rng)
            amended = True
        wf.syncs(rng, list(devices.values()), server, stats, kill=n == 1)
        if boss.error is not None:
            raise boss.error
        if boss.sent and all(wf.applied_after(d, server, boss) for d in devices.values()):
            assert refused["phone"] and refused["tablet"], f"seed {stats.seed}: {refused}"
            return wf.return_seq(server, boss)
    raise AssertionError(f"seed {stats.seed}: edits never applied after the return: {refused}")
