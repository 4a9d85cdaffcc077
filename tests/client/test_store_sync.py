"""The phone's store and sync engine against the real server, in process."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, select

from fieldapp.sync.engine import run_sync
from fieldcore.problems import DomainError, ProblemCode, message
from sync_server.photos import packs
from sync_server.tables import Finding, Visit
from tests.client.conftest import PhoneApp
from tests.server.world import World

MALL = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]


def test_first_sync_downloads_templates_and_the_inspectors_sites(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    app = phone("insp1")
    report = run_sync(app.store, app.client)
    assert report.pulled > 0
    codes = {s.code for s in app.store.search_sites("")}
    assert codes == {"S1", "S2"}
    assert [c.key for c in app.store.templates_for(uuid.UUID(world.site("S1")), "covert")]


def test_an_offline_visit_reaches_the_server_with_the_engines_score(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    site = uuid.UUID(world.site("S1"))
    visit = app.store.start_visit(site, "mall-property.v1", "overt")
    for code in MALL:
        app.store.record_answer(
            visit.id, code, "fail" if code == "3.1" else "pass", count=2 if code == "3.1" else None
        )
    with pytest.raises(DomainError) as err:  # a failed item that needs a photo has none
        app.store.submit_visit(visit.id)
    assert err.value.details["missing_photos"] == ["3.1"]
    app.store.record_answer(visit.id, "3.1", "pass")
    app.store.submit_visit(visit.id)
    report = run_sync(app.store, app.client)
    assert (report.pushed, report.rejected) == (len(MALL) + 3, 0)
    with Session(world.engine) as s:
        row = s.get(Visit, visit.id)
        assert row is not None and row.status == "submitted"
        assert row.score is not None and row.score["total"] == 100
        assert len(s.exec(select(Finding).where(Finding.visit_id == visit.id)).all()) == len(MALL)
    assert app.store.sync_status().pending_records == 0


def test_a_rejected_change_is_undone_locally_and_listed_with_its_reason(
    world: World, phone: Callable[..., PhoneApp]
) -> None:
    a, b = phone("insp1"), phone("insp1", "b")
    run_sync(a.store, a.client)
    visit = a.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    for code in MALL:
        a.store.record_answer(visit.id, code, "pass")
    run_sync(a.store, a.client)
    run_sync(b.store, b.client)  # device b now has the draft too
    a.store.submit_visit(visit.id)
    run_sync(a.store, a.client)
    b.store.set_visit_fields(visit.id, note="b writes after a submitted")
    report = run_sync(b.store, b.client)
    assert report.rejected == 1
    status = b.store.sync_status()
    assert status.rejected[0]["code"] == "workflow.locked"
    view = b.store.visit_view(visit.id)
    assert view.visit.note == "" and view.visit.status == "submitted"
    assert view.visit.sync_error.startswith(message(ProblemCode.WORKFLOW_LOCKED))


def capture(app: PhoneApp, tmp_path, seed: int = 1):
    from datetime import UTC, datetime

    from fieldapp.photos import Stamp, process
    from tests.server.images import jpeg

    stamp = Stamp(datetime.now(UTC), "S1", "insp1")
    root = app.store.path.parent
    return process(jpeg(2000, 1500, seed), stamp, root / "photos", root / "thumbs")


def test_photos_reach_the_server_with_matching_sha256(
    world: World, phone: Callable[[str], PhoneApp], tmp_path
) -> None:
    from fieldcore.workflow import finding_id
    from sync_server.tables import Blob, Photo

    app = phone("insp1")
    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    app.store.record_answer(visit.id, "3.1", "fail", count=1)
    shot = capture(app, tmp_path)
    app.store.attach_photo(shot, visit_id=visit.id, finding_id_=finding_id(visit.id, "3.1"))
    report = run_sync(app.store, app.client)
    assert report.photos_uploaded == 1 and report.uploaded_bytes == shot.byte_size
    with Session(world.engine) as s:
        assert s.get(Blob, shot.sha256) is not None
        assert s.exec(select(Photo)).one().blob_present
    stored = world.state.photos.read(shot.sha256)
    assert __import__("hashlib").sha256(stored).hexdigest() == shot.sha256
    assert app.store.sync_status().pending_photos == 0


def _photo_synced_without_bytes(world: World, app: PhoneApp, tmp_path, monkeypatch, seed=3):
    """A finding photo whose row reached the server; its bytes have not."""
    from fieldapp.sync import engine
    from fieldcore.workflow import finding_id

    run_sync(app.store, app.client)
    visit = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    app.store.record_answer(visit.id, "3.1", "fail", count=1)
    shot = capture(app, tmp_path, seed=seed)
    app.store.attach_photo(shot, visit_id=visit.id, finding_id_=finding_id(visit.id, "3.1"))
    with monkeypatch.context() as m:
        m.setattr(engine, "upload_photos", lambda *a: None)
        run_sync(app.store, app.client)
    return shot


def test_a_pack_cut_off_resumes_from_the_servers_last_chunk(
    world: World, phone: Callable[[str], PhoneApp], tmp_path, monkeypatch
) -> None:
    """The server commits a pack's bytes chunk by chunk; a pack that ends half way leaves
    them there, `missing` tells the phone how far, and only the rest is sent again."""
    import json

    app = phone("insp1")
    shot = _photo_synced_without_bytes(world, app, tmp_path, monkeypatch)
    monkeypatch.setattr(packs, "CHUNK", 16 * 1024)
    raw = Path(shot.path).read_bytes()
    header = json.dumps({"sha256": shot.sha256, "length": len(raw), "offset": 0}).encode()
    cut = len(raw) // 2
    r = world.client.post(
        "/v1/blobs/pack",
        content=header + b"\n" + raw[:cut],
        headers={**_headers(app), "Content-Type": "application/vnd.mingcha.pack"},
    )
    assert r.status_code == 422 and r.json()["details"]["part"] == 0, r.text
    committed = cut - cut % (16 * 1024)
    answer = app.client.missing([shot.sha256])
    assert answer.missing == [shot.sha256] and answer.partial == {shot.sha256: committed}

    sent_parts: list[tuple[int, int]] = []
    real = app.client.send_pack

    def recording(parts, on_bytes):
        sent_parts.extend((p.offset, p.length) for p in parts)
        return real(parts, on_bytes)

    monkeypatch.setattr(app.client, "send_pack", recording)
    report = run_sync(app.store, app.client)
    assert report.photos_uploaded == 1 and report.uploaded_bytes == len(raw) - committed
    assert sent_parts == [(committed, len(raw))]  # only the rest went again
    assert app.store.sync_detail() == ([], [])
    blob = world.client.get(f"/v1/blobs/{shot.sha256}", headers=_headers(app))
    assert blob.status_code == 200 and blob.content == raw


def _headers(app: PhoneApp) -> dict[str, str]:
    return app.client._headers()


def test_an_interrupted_single_upload_resumes_without_resending_what_arrived(
    world: World, phone: Callable[[str], PhoneApp], tmp_path, monkeypatch
) -> None:
    """The single-photo path (used when a pack part must go alone): resumes at the offset."""
    from fieldapp.sync import uploads
    from fieldapp.sync.errors import Offline

    monkeypatch.setattr(uploads, "CHUNK", 16 * 1024)
    app = phone("insp1")
    shot = _photo_synced_without_bytes(world, app, tmp_path, monkeypatch)
    sent: list[int] = []
    real = app.client.upload_chunk

    def flaky(upload_id, offset, chunk):
        if len(sent) == 3:
            sent.append(-1)
            raise Offline("signal lost")
        sent.append(len(chunk))
        return real(upload_id, offset, chunk)

    monkeypatch.setattr(app.client, "upload_chunk", flaky)
    [job] = app.store.blobs_to_upload()
    with pytest.raises(Offline):
        uploads.upload_one(app.store, app.client, job)
    assert app.store.blobs_to_upload()[0].offset == sum(sent[:3])
    visits, photos = app.store.sync_detail()  # what the sync screen lists
    assert visits == [] and [(p.sha256, p.sent, p.byte_size) for p in photos] == [
        (shot.sha256, sum(sent[:3]), shot.byte_size)
    ]
    uploads.upload_one(app.store, app.client, app.store.blobs_to_upload()[0])
    chunks = [n for n in sent if n >= 0]
    assert sum(chunks) == shot.byte_size  # every byte sent exactly once
    assert app.store.sync_detail() == ([], [])


def test_sync_detail_counts_unsent_changes_per_visit_and_names_covert_ones_by_code(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    overt = app.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    covert = app.store.start_visit(uuid.UUID(world.site("S2")), "store-patrol.v1", "covert")
    app.store.record_answer(overt.id, "1.1", "pass")
    app.store.record_answer(overt.id, "1.2", "pass")
    app.store.record_answer(covert.id, "1.1", "pass")
    visits, photos = app.store.sync_detail()
    assert {(v.visit_id, v.pending) for v in visits} == {(overt.id, 3), (covert.id, 2)}
    labels = {v.visit_id: v.label for v in visits}
    assert labels[covert.id] == "S2" and labels[overt.id].startswith("S1 ")
    assert photos == []
    run_sync(app.store, app.client)
    assert app.store.sync_detail() == ([], [])


def test_home_lists_assigned_tasks_by_template_title_and_hides_covert_shop_names(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    from tests.server.test_pull import add_task

    overt, covert = (
        add_task(world, "S1", "insp1", "overt"),
        add_task(world, "S2", "insp1", "covert"),
    )
    app = phone("insp1")
    run_sync(app.store, app.client)
    tasks = {str(t.id): t for t in app.store.home().tasks}
    assert set(tasks) == {overt, covert}
    title = next(
        t.title
        for t in app.store.templates_for(tasks[overt].site_id, "overt")
        if t.key.startswith("store-patrol.")
    )
    assert tasks[overt].template_title == title != "store-patrol"
    assert tasks[covert].site_code == "S2"
    started = app.store.start_visit(
        tasks[overt].site_id, "store-patrol.v1", "overt", task_id=tasks[overt].id
    )
    assert started is not None and [str(t.id) for t in app.store.home().tasks] == [covert]


def test_pass_the_rest_marks_only_unanswered_non_figure_items_in_one_action(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    app = phone("insp1")
    run_sync(app.store, app.client)
    site = uuid.UUID(world.site("S1"))
    visit = app.store.start_visit(site, "tobacco-retail.v1", "overt")
    template = app.store.visit_view(visit.id).template
    codes = [i.code for _, i in template.iter_items()]
    figures = {i.code for _, i in template.iter_items() if i.deduction.kind == "figure"}
    first = next(c for c in codes if c not in figures)
    app.store.record_answer(visit.id, first, "fail", note="kept")
    before = app.store.sync_status().pending_records
    marked = app.store.pass_unanswered(visit.id)
    assert set(marked) == set(codes) - figures - {first} and figures
    assert app.store.sync_status().pending_records == before + len(marked)
    card = app.store.visit_view(visit.id).card
    assert set(card.unanswered) == figures  # the figures still wait for their values
    line = next(li for c in card.categories for li in c.lines if li.item == first)
    assert line.result == "fail"  # an answer already given is never overwritten
    assert app.store.pass_unanswered(visit.id) == []


def test_a_full_upload_quota_keeps_the_photo_pending_still_pulls_and_says_so(
    world: World, phone: Callable[..., PhoneApp], tmp_path, monkeypatch
) -> None:
    """`upload.quota_exceeded` is the server's cap on this user's unfinished uploads, not
    a fault of the photo: it stays pending (not failed for good), the pull still runs, and
    the sync ends with that code (shown; retried with backoff)."""
    from fieldapp.sync.errors import SyncError

    app = phone("insp1")
    shot = _photo_synced_without_bytes(world, app, tmp_path, monkeypatch)
    other = phone("insp1", "b")  # a change for the pull to bring
    run_sync(other.store, other.client)
    theirs = other.store.start_visit(uuid.UUID(world.site("S2")), "mall-property.v1", "overt")
    run_sync(other.store, other.client)
    settings = world.state.settings
    monkeypatch.setattr(settings, "upload_quota", 1024)
    with pytest.raises(SyncError) as stopped:
        run_sync(app.store, app.client)
    assert stopped.value.code == "upload.quota_exceeded"
    assert app.store.visit_view(theirs.id).visit.id == theirs.id  # pulled all the same
    status = app.store.sync_status()
    assert status.pending_photos == 1 and status.last_error.startswith("upload.quota_exceeded")
    monkeypatch.setattr(settings, "upload_quota", 256 * 1024 * 1024)  # room again
    report = run_sync(app.store, app.client)
    assert report.photos_uploaded == 1 and app.store.sync_status().pending_photos == 0
    assert world.state.photos.exists(shot.sha256)


def test_photos_the_server_holds_part_of_go_first_so_a_tight_quota_still_drains(
    world: World, phone: Callable[[str], PhoneApp], tmp_path, monkeypatch
) -> None:
    from fieldapp.sync import engine

    app = phone("insp1")
    with monkeypatch.context() as m:  # two photos whose bytes have not been sent
        m.setattr(engine, "upload_photos", lambda *a: None)
        _photo_synced_without_bytes(world, app, tmp_path, monkeypatch, seed=4)
        _photo_synced_without_bytes(world, app, tmp_path, monkeypatch, seed=5)
    first, second = app.store.blobs_to_upload()
    started = app.client.create_upload(second.sha256, second.byte_size)  # a cut-off upload
    with open(second.path, "rb") as f:
        app.client.upload_chunk(str(started.id), 0, f.read(1000))
    settings = world.state.settings
    monkeypatch.setattr(settings, "upload_quota", max(first.byte_size, second.byte_size) + 10)
    report = run_sync(app.store, app.client)  # the held one first frees the room for the other
    assert report.photos_uploaded == 2 and app.store.sync_status().pending_photos == 0
