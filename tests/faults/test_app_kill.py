"""T4 (sync-design §3.3): the phone app SIGKILLed in the middle of local writes.

A child process does an inspector's work on a real store and prints every change it has
committed; the parent kills it at a random moment, reopens the store and checks that
everything reported saved is there with its outbox entry, that no row lacks its entry (or
the reverse), that every photo row has its verified file, and that the database is
intact. After a few kills the phone syncs and the server holds all of it.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from fieldapp.photos import clean_orphans
from fieldapp.store import Store
from fieldapp.store.db import transaction
from fieldapp.store.tables import PhotoRow
from fieldapp.sync.engine import run_sync
from sync_server.sync.merge.results import all_stored_results
from sync_server.tables import Device
from tests.client.conftest import PhoneApp
from tests.faults.phone import Phone
from tests.server.world import World
from tests.serverkit import FakeClock

ROOT = Path(__file__).resolve().parents[2]


def run_until_killed(db: Path, seed: int, rng: random.Random) -> list[tuple[str, str, int]]:
    """Start the writer, SIGKILL it after a random number of saved changes."""
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'app'}{os.pathsep}{ROOT}", PYTHONUNBUFFERED="1")
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.app_writer", str(db), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    saved: list[tuple[str, str, int]] = []
    target = rng.randint(3, 30)
    deadline = time.monotonic() + 120
    while len(saved) < target and time.monotonic() < deadline:
        line = child.stdout.readline().decode()
        if not line:
            break
        saved.extend(reports(line))
    time.sleep(rng.uniform(0, 0.05))  # land anywhere in the next action
    child.send_signal(signal.SIGKILL)
    rest, err = child.communicate()
    # printed before it died: reported saved too — but a last line the kill cut short
    # (no newline yet) was not reported, though its action may have committed
    for line in rest.decode().splitlines(keepends=True):
        saved.extend(reports(line))
    assert child.returncode == -signal.SIGKILL, err.decode()[-2000:]
    assert saved, err.decode()[-2000:]
    return saved


REPORT = re.compile(r"^SAVED (\w+) ([0-9a-f-]{36}) (\d+)\n$")


def reports(line: str) -> list[tuple[str, str, int]]:
    """The writer's report on this line, if it is one and complete (other output, e.g. a
    library's, and a report the kill cut short are not reports)."""
    m = REPORT.match(line)
    return [(m[1], m[2], int(m[3]))] if m else []


def check_store(db: Path, saved: list[tuple[str, str, int]]) -> None:
    store = Store(db)
    phone = Phone.__new__(Phone)
    phone.root, phone.store = db.parent, store
    try:
        assert phone.integrity() == "ok"
        outbox = {e.seq: e for e in phone.outbox()}
        for entity, entity_id, seq in saved:
            assert seq in outbox and (outbox[seq].entity, str(outbox[seq].entity_id)) == (
                entity,
                entity_id,
            ), f"reported saved, lost: {entity} {entity_id} #{seq}"
        visits, findings, photos = phone.ids()
        rows = {"visit": visits, "finding": findings, "photo": photos}
        queued = {(e.entity, e.entity_id) for e in outbox.values()}
        for entity, row_id in queued:  # never an entry without its row
            assert row_id in rows[entity], (entity, row_id)
        for entity, ids in rows.items():  # never a row of this phone without its entry
            assert ids <= {i for e, i in queued if e == entity}, entity
        blobs = {b.sha256: b for b in phone.blobs()}
        with transaction(store.engine) as s:
            shas = set(s.exec(select(PhotoRow.sha256)).all())
        for sha in shas:  # every photo row has its bytes, whole
            data = Path(blobs[sha].path).read_bytes()
            assert hashlib.sha256(data).hexdigest() == sha
    finally:
        store.close()


@pytest.mark.timeout(600)
def test_an_app_killed_mid_write_keeps_everything_it_reported_saved(
    world: World, tmp_path: Path, clock: FakeClock
) -> None:
    db = tmp_path / "phone" / "app.db"
    app = PhoneApp(world, db, clock).sign_in("insp1")
    run_sync(app.store, app.client)  # templates and sites, as after the first sign-in
    app.store.close()
    rng, everything = random.Random(4), []
    for cycle in range(3):
        saved = run_until_killed(db, 100 + cycle, rng)
        everything += saved
        check_store(db, everything)
    app.store = Store(db, clock=clock)
    clean_orphans(db.parent / "photos", app.store.known_photo_hashes())  # as at app start
    report = run_sync(app.store, app.client)
    assert report.ok and report.rejected == 0, report
    assert app.store.sync_status().pending_records == 0
    assert app.store.sync_status().pending_photos == 0
    device = app.store.device_id()
    with Session(world.engine) as s:
        last = s.get(Device, device).last_mutation_seq  # type: ignore[union-attr]
        results = all_stored_results(s, [device])
        assert {seq for _, seq in results} == set(range(1, last + 1))
    assert last >= max(seq for _, _, seq in everything)
    app.store.close()
