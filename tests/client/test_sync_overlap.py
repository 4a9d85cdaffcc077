"""The photo bytes go beside the records' push and pull (fieldapp/sync/alongside.py): the
progress shown stays one story (push, then upload to its total, then done — the pull in
between only when it outlasts the upload), and the phone
ends with its photos present though the server does not send that change back to it."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, select

from fieldapp.store.tables import PhotoRow
from fieldapp.sync.engine import SyncProgress, run_sync
from fieldcore.workflow import finding_id
from sync_server.tables import Photo
from tests.client.conftest import PhoneApp
from tests.client.test_store_sync import capture
from tests.server.world import World


def test_progress_tells_push_then_upload_then_done_and_the_photos_end_present(
    world: World, phone: Callable[[str], PhoneApp], tmp_path: Path
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    app.store.record_answer(visit.id, "3.1", "fail", count=1)
    shots = [capture(app, tmp_path, seed) for seed in (1, 2, 3)]
    for shot in shots:
        app.store.attach_photo(shot, visit_id=visit.id, finding_id_=finding_id(visit.id, "3.1"))
    seen: list[SyncProgress] = []
    report = run_sync(app.store, app.client, seen.append)
    assert report.ok and report.photos_uploaded == 3 and report.pulled == 0  # nothing echoed
    phases = [p.phase for p in seen]
    order = [ph for n, ph in enumerate(phases) if n == 0 or phases[n - 1] != ph]
    # the pull runs beside the upload: shown only if it outlasts it, never before it
    assert order in (["push", "upload", "done"], ["push", "upload", "pull", "done"])
    uploads = [p for p in seen if p.phase == "upload"]
    total = sum(s.byte_size for s in shots)
    assert uploads[-1].bytes_done == uploads[-1].bytes_total == total
    assert all(a.bytes_done <= b.bytes_done for a, b in itertools.pairwise(uploads))
    with Session(app.store.engine) as s:
        assert all(p.blob_present for p in s.exec(select(PhotoRow)).all())
    with Session(world.engine) as s:
        assert all(p.blob_present for p in s.exec(select(Photo)).all())
