"""Convergence of offline phones and reviewers (sync-design §3.3 T6, T7, T14).

A Hypothesis state machine drives real phone Stores (SQLite files) syncing to the real
server in process: two devices of inspector insp1, one of insp3 (same region), and the
supervisor sup1 — reviewing from the console (`actions.act`: return with item
comments, approve) and from a device of their own (review comments pushed directly).
Rules interleave visits, answers, notes, photos, submissions, pushes and pulls. After a
final full sync of every device the oracle (tests/faults/oracle.py) demands: every device
equals the server; the server equals a per-field last-arrival-wins model fed the applied
mutations, with each overwritten value in the conflict log; no duplicates; nothing
acknowledged lost; nothing left unsent.

Bounded for `make test`; MINGCHA_SOAK=1 runs far more and longer examples
(MINGCHA_SOAK_EXAMPLES=N: only N of them).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, rule, run_state_machine_as_test
from sqlmodel import Session

from fieldapp.photos import Stamp, process
from fieldapp.store.tables import FindingRow
from fieldapp.sync import engine as sync_engine
from fieldapp.sync.engine import SyncProgress, SyncReport, run_sync
from fieldcore.problems import DomainError
from fieldcore.workflow import finding_id
from sync_server.core import dbinit
from sync_server.core.config import Settings
from sync_server.core.db import write_session
from sync_server.main import create_app
from sync_server.org import admin
from sync_server.org.accounts import console_device
from sync_server.supervision import actions
from sync_server.tables import Finding, User
from tests.client.conftest import PhoneApp
from tests.faults import oracle
from tests.server.images import jpeg
from tests.server.world import PASSWORD, World, _password_hash, build_world
from tests.serverkit import FakeClock, _empty

# Read at import: the autouse fixture clears MINGCHA_* before each test runs.
SOAK = bool(os.environ.get("MINGCHA_SOAK"))
EXAMPLES, STEPS = (150, 60) if SOAK else (6, 22)
# A bounded soak (e.g. MINGCHA_SOAK_EXAMPLES=40) keeps the long steps but fewer examples.
EXAMPLES = int(os.environ.get("MINGCHA_SOAK_EXAMPLES") or EXAMPLES)

TEMPLATE = "mall-property.v1"
ITEMS = ("1.1", "1.5", "3.1")  # 1.5 needs no photo on a failure; the others do
VERDICTS = st.sampled_from([("pass", None), ("fail", 1), ("fail", 2)])
TEXTS = st.sampled_from(["", "地面湿滑", "门口堆物", "ok"])
PHONES = ("a1", "a2", "c")  # a1, a2: insp1's two phones; c: insp3's phone
OWNER = {"a1": "insp1", "a2": "insp1", "c": "insp3"}
# What the phone itself may refuse (the visit is locked there, or not on this phone).
LOCAL_REFUSALS = {"workflow.locked", "scope.denied", "workflow.incomplete"}
# What the server may refuse of honest work racing other devices and the reviewer.
SERVER_REFUSALS = {"workflow.locked", "workflow.transition_not_allowed", "scope.denied"}


@cache
def raw_photo(seed: int) -> bytes:
    return jpeg(96, 72, seed)  # one image per seed: two phones may capture the same bytes


class Central:
    """The server (SQLite, blobs on disk) and its HTTP client; `fresh` empties it."""

    def __init__(self, root: Path) -> None:
        url = f"sqlite:///{root / 'central.db'}"
        self.settings = Settings(database_url=url, data_dir=root / "server", console=False)
        engine = sa.create_engine(url)
        dbinit.upgrade(engine)
        engine.dispose()
        self.clock = FakeClock()
        self.app = create_app(self.settings, clock=self.clock)
        self.engine: sa.Engine = self.app.state.engine
        self.root = root

    def fresh(self, client: TestClient) -> World:
        _empty(self.engine)
        dbinit.upgrade(self.engine)
        shutil.rmtree(self.settings.blobs_path, ignore_errors=True)
        world = build_world(self.engine, client, self.clock)
        quick = mock.patch.object(admin, "hash_password", lambda _: _password_hash())
        with quick, write_session(self.engine) as s:
            user = admin.add_user(s, "insp3", "inspector", PASSWORD, display_name="insp3")
            admin.assign(s, user, ["R1"], [])
            world.ids["insp3"] = user.id
        return world


class Convergence(RuleBasedStateMachine):
    central: Central
    client: TestClient

    visits = Bundle("visits")

    def __init__(self) -> None:
        super().__init__()
        self.world = self.central.fresh(self.client)
        self.dir = Path(tempfile.mkdtemp(dir=self.central.root))
        self.phones: dict[str, PhoneApp] = {}
        for name in PHONES:
            phone = PhoneApp(self.world, self.dir / name / "app.db", self.central.clock)
            self.phones[name] = phone.sign_in(OWNER[name])
            run_sync(phone.store, phone.client)  # templates and sites
        self.reviewer = self.world.phone("sup1")  # the supervisor's own device
        self.sent: list[oracle.Sent] = []  # reviewer mutations, for the model

    def teardown(self) -> None:
        try:
            if hasattr(self, "phones"):
                self.final_check()
        finally:
            for phone in getattr(self, "phones", {}).values():
                phone.store.close()

    # ---- inspectors' phones ---------------------------------------------------------
    def _local(self, fn: Any, *args: Any, **kw: Any) -> Any:
        """A user action on a phone; the phone may refuse it, with a code it explains."""
        self.central.clock.advance(seconds=1)
        try:
            return fn(*args, **kw)
        except DomainError as exc:
            assert exc.code in LOCAL_REFUSALS, exc.to_problem()
            return None

    @rule(target=visits, phone=st.sampled_from(PHONES), site=st.sampled_from(["S1", "S2"]))
    def start_visit(self, phone: str, site: str) -> uuid.UUID:
        store = self.phones[phone].store
        return store.start_visit(uuid.UUID(self.world.site(site)), TEMPLATE, "overt").id

    @rule(
        phone=st.sampled_from(PHONES),
        visit=visits,
        item=st.sampled_from(ITEMS),
        verdict=VERDICTS,
        note=TEXTS,
    )
    def answer(
        self, phone: str, visit: uuid.UUID, item: str, verdict: tuple[str, Any], note: str
    ) -> None:
        result, count = verdict
        store = self.phones[phone].store
        self._local(store.record_answer, visit, item, result, count=count, note=note)

    @rule(phone=st.sampled_from(PHONES), visit=visits, item=st.sampled_from(ITEMS), note=TEXTS)
    def edit_note(self, phone: str, visit: uuid.UUID, item: str, note: str) -> None:
        self._local(self.phones[phone].store.record_answer, visit, item, note=note)

    @rule(phone=st.sampled_from(PHONES), visit=visits, note=TEXTS)
    def edit_visit_note(self, phone: str, visit: uuid.UUID, note: str) -> None:
        self._local(self.phones[phone].store.set_visit_fields, visit, note=note)

    @rule(
        phone=st.sampled_from(PHONES),
        visit=visits,
        item=st.sampled_from(ITEMS),
        seed=st.integers(0, 2),
    )
    def add_photo(self, phone: str, visit: uuid.UUID, item: str, seed: int) -> None:
        self._local(self._photo, phone, visit, item, seed)

    def _photo(self, phone: str, visit: uuid.UUID, item: str, seed: int) -> None:
        store = self.phones[phone].store
        with Session(store.engine) as s:  # attach to the finding when this phone has it
            finding = s.get(FindingRow, finding_id(visit, item))
        attach_to = finding.id if finding is not None and not finding.deleted else None
        root = store.path.parent
        stamp = Stamp(datetime(2026, 11, 2, 9, 30, tzinfo=UTC), "S1", OWNER[phone])
        shot = process(raw_photo(seed), stamp, root / "photos", root / "thumbs")
        store.attach_photo(shot, visit_id=visit, finding_id_=attach_to)

    @rule(phone=st.sampled_from(PHONES), visit=visits)
    def submit(self, phone: str, visit: uuid.UUID) -> None:
        """Answer what is left with 'pass', photograph failures that need it, submit."""
        store = self.phones[phone].store
        if self._local(store.pass_unanswered, visit) is None:
            return
        try:
            store.submit_visit(visit)
        except DomainError as exc:
            for item in exc.details.get("missing_photos", []):
                self._photo(phone, visit, item, seed=0)
            self._local(store.submit_visit, visit)

    @rule(phone=st.sampled_from(PHONES))
    def sync(self, phone: str) -> None:
        app = self.phones[phone]
        self._check_report(run_sync(app.store, app.client))

    @rule(phone=st.sampled_from(PHONES))
    def push_only(self, phone: str) -> None:
        app = self.phones[phone]
        report = SyncReport()
        sync_engine._push(app.store, app.client, report, SyncProgress(), lambda _: None)
        self._check_report(report)

    @rule(phone=st.sampled_from(PHONES))
    def pull_only(self, phone: str) -> None:
        app = self.phones[phone]
        sync_engine._pull(app.store, app.client, SyncReport(), SyncProgress(), lambda _: None)

    def _check_report(self, report: SyncReport) -> None:
        assert report.ok, report.errors

    # ---- the supervisor -------------------------------------------------------------
    def _act(self, visit: uuid.UUID, action: str, comment: str, items: dict[str, str]) -> None:
        """A console review action; refused as a whole when the workflow does not allow it."""
        now = self.central.clock()
        user_id = self.world.ids["sup1"]
        try:
            with write_session(self.central.engine) as s:
                user = s.get(User, user_id)
                assert user is not None
                existing = {
                    code for code in items if s.get(Finding, finding_id(visit, code)) is not None
                }
                items = {c: t for c, t in items.items() if c in existing}
                device = console_device(s, user, now)
                first = device.last_mutation_seq + 1
                actions.act(s, user, visit, action, now, comment, items)
        except DomainError as exc:
            assert str(exc.code) in SERVER_REFUSALS, exc.to_problem()
            return
        wanted: list[tuple[str, uuid.UUID, dict[str, Any]]] = [
            ("finding", finding_id(visit, code), {"review_comment": text.strip()})
            for code, text in sorted(items.items())
            if action == "return"
        ]
        fields: dict[str, Any] = {"status": actions.ACTIONS[action]}
        if action == "return":
            fields["return_comment"] = comment.strip()
        wanted.append(("visit", visit, fields))
        for n, (entity, row_id, values) in enumerate(wanted):
            self.sent.append(oracle.Sent(device.id, first + n, entity, str(row_id), values))

    @rule(
        visit=visits,
        comment=TEXTS.filter(bool),
        items=st.dictionaries(st.sampled_from(ITEMS), TEXTS, max_size=2),
    )
    def supervisor_returns(self, visit: uuid.UUID, comment: str, items: dict[str, str]) -> None:
        self._act(visit, "return", comment, items)

    @rule(visit=visits)
    def supervisor_approves(self, visit: uuid.UUID) -> None:
        self._act(visit, "approve", "", {})

    @rule(visit=visits, item=st.sampled_from(ITEMS), text=TEXTS)
    def supervisor_comments(self, visit: uuid.UUID, item: str, text: str) -> None:
        """A review comment from the supervisor's device: allowed in any state."""
        sup = self.reviewer
        m = sup.mutation("finding", finding_id(visit, item), review_comment=text)
        [result] = sup.push(m)
        assert result["status"] == "applied" or result["code"] in SERVER_REFUSALS, result
        self.sent.append(
            oracle.Sent(sup.device_id, m["seq"], "finding", m["id"], dict(m["fields"]))
        )

    # ---- the oracle -----------------------------------------------------------------
    def final_check(self) -> None:
        """Heal, sync everyone until nothing moves, then compare (oracle.py).

        "Nothing moves" is a whole round in which no phone pushed a record *or uploaded
        photo bytes*: an upload changes server rows too (`blob_present` of every photo
        with those bytes, on any phone of any inspector), which phones synced earlier in
        the round only see in the next one. (Counting pushes alone stopped one round too
        early and reported a photo row differing between a phone and the server.)
        """
        for _ in range(4):
            moved = 0
            for app in self.phones.values():
                report = run_sync(app.store, app.client)
                self._check_report(report)
                moved += report.pushed + report.photos_uploaded
            if not moved:
                break
        else:
            raise AssertionError("outboxes did not drain in 4 rounds")
        engine = self.central.engine
        sent = list(self.sent)
        for app in self.phones.values():
            sent += oracle.outbox_mutations(app.store.engine, app.store.device_id())
        oracle.check_server_against_model(engine, sent)
        oracle.check_no_duplicates(engine)
        for name, app in self.phones.items():
            oracle.check_device(app.store.engine, engine, self.world.ids[OWNER[name]])
        self.reviewer.cursor, self.reviewer.epoch = 0, None
        visible = {self.world.site("S1"), self.world.site("S2")}
        oracle.check_pulled(self.reviewer.pull_all(), engine, visible)


@pytest.fixture
def central(tmp_path: Path) -> Iterator[tuple[Central, TestClient]]:
    server = Central(tmp_path)
    with TestClient(server.app) as client:
        yield server, client
    server.engine.dispose()


@pytest.mark.timeout(3600 if SOAK else 240)
def test_devices_and_reviewers_converge_on_the_servers_state(
    central: tuple[Central, TestClient],
) -> None:
    server, client = central
    machine = type("Run", (Convergence,), {"central": server, "client": client})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            # no "explain" phase: its line tracing makes a stateful run many times slower
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


MALL = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]


def test_a_rejected_edit_does_not_hide_the_value_pulled_while_it_was_pending(
    world: World, tmp_path: Path
) -> None:
    a = PhoneApp(world, tmp_path / "a" / "app.db", world.clock).sign_in("insp1")
    b = PhoneApp(world, tmp_path / "b" / "app.db", world.clock).sign_in("insp1")
    try:
        run_sync(a.store, a.client)
        visit = a.store.start_visit(uuid.UUID(world.site("S1")), TEMPLATE, "overt")
        for code in MALL:
            a.store.record_answer(visit.id, code, "pass")
        run_sync(a.store, a.client)
        run_sync(b.store, b.client)
        b.store.record_answer(visit.id, "1.5", note="b")  # pending on b
        a.store.record_answer(visit.id, "1.5", note="a")
        a.store.submit_visit(visit.id)
        run_sync(a.store, a.client)
        # b pulls before it pushes (a sync started while the user was still typing)
        sync_engine._pull(b.store, b.client, SyncReport(), SyncProgress(), lambda _: None)
        run_sync(b.store, b.client)  # b's edit: rejected workflow.locked, undone
        assert b.store.visit_view(visit.id).findings["1.5"].note == "a"  # the server's value
    finally:
        a.store.close()
        b.store.close()


def test_the_final_sync_waits_for_photo_bytes_uploaded_in_its_last_round(
    central: tuple[Central, TestClient],
) -> None:
    """A step sequence the soak found, replayed: a2's photo row is pushed without its
    bytes and a1 pulls it (blob_present false); in the final sync a2 pushes nothing but
    uploads the bytes *after* a1 synced. The oracle must see a1 sync once more."""
    server, client = central
    machine = type("Run", (Convergence,), {"central": server, "client": client})()
    visit = machine.start_visit("a2", "S1")
    machine.add_photo("a2", visit, "1.5", seed=1)
    machine.push_only("a2")
    machine.sync("a1")
    machine.teardown()  # final_check: raises if a1's photo row differs from the server's
