"""A site manager's phone fetches the evidence (整改前) of its corrective actions after a pull:
the right bytes, kept as downloads (never uploaded, never pending work, kept by the orphan
clean-up), fetched once, and a corrupted or interrupted transfer leaves nothing behind and
is tried again at the next sync. All against the real server, in process."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from fieldapp.annotate import annotate_photo
from fieldapp.photos import Stamp, clean_orphans, process
from fieldapp.store.capture import CapturedPhoto
from fieldapp.sync.downloads import Media
from fieldapp.sync.engine import run_sync
from fieldapp.sync.errors import Offline
from fieldcore.annotation import Mark
from fieldcore.workflow import finding_id
from sync_server.tables import Rectification
from tests.client.conftest import PhoneApp
from tests.server.images import jpeg
from tests.server.world import World

MALL = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]


def published_visit_with_evidence(
    world: World, insp: PhoneApp, marks: list[Mark] | None = None
) -> tuple[CapturedPhoto, uuid.UUID]:
    """insp1's phone deducts item 3.1 with a photo (marked up with `marks`, if given) and
    syncs; sup1 approves and publishes.
    Returns the evidence photo (as the inspector's phone stored it) and the action's id."""
    run_sync(insp.store, insp.client)
    visit = insp.store.start_visit(uuid.UUID(world.site("S1")), "mall-property.v1", "overt")
    for code in MALL:
        fail = code == "3.1"
        insp.store.record_answer(
            visit.id, code, "fail" if fail else "pass", count=1 if fail else None
        )
    root = insp.store.path.parent
    shot = process(
        jpeg(1200, 900, seed=7), Stamp(datetime.now(UTC), "S1", "insp1"), root / "p", root / "t"
    )
    row = insp.store.attach_photo(shot, visit_id=visit.id, finding_id_=finding_id(visit.id, "3.1"))
    if marks:
        annotate_photo(insp.store, row.id, marks, root / "p", root / "t")
    insp.store.submit_visit(visit.id)
    assert run_sync(insp.store, insp.client).photos_uploaded == (2 if marks else 1)
    sup = world.phone("sup1")
    for status in ("approved", "published"):
        assert sup.push(sup.mutation("visit", visit.id, status=status))[0]["status"] == "applied"
    with Session(world.engine) as s:
        rect = s.exec(select(Rectification).where(Rectification.visit_id == visit.id)).one()
    return shot, rect.id


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_the_managers_phone_fetches_the_evidence_once_and_never_sends_it_back(
    world: World, phone: Callable[[str], PhoneApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    shot, rect_id = published_visit_with_evidence(world, phone("insp1"))
    mgr = phone("mgr1")
    phases: list[tuple[str, int, int]] = []
    report = run_sync(
        mgr.store, mgr.client, lambda p: phases.append((p.phase, p.bytes_done, p.bytes_total))
    )
    assert (report.photos_downloaded, report.downloaded_bytes) == (1, shot.byte_size)
    assert report.ok, report.errors
    assert ("download", shot.byte_size, shot.byte_size) in phases  # shown in the progress

    media = Media.beside(mgr.store)
    arrived = media.blob_dir / shot.sha256[:2] / f"{shot.sha256}.jpg"
    assert arrived.read_bytes() == Path(shot.path).read_bytes()  # the inspector's very bytes
    view = mgr.store.rectification_view(rect_id)
    assert [b.sha256 for b in view.before] == [shot.sha256] and view.after == []
    assert view.before[0].data.startswith(b"\xff\xd8") and len(view.before[0].data) < shot.byte_size
    assert view.before_waiting == 0
    assert mgr.store.photo_file(shot.sha256) == arrived.read_bytes()  # the tap → full size

    # a download is no work of this phone: nothing to upload, nothing pending
    assert mgr.store.unsynced() == 0
    assert mgr.store.sync_status().pending_photos == 0
    assert mgr.store.blobs_to_upload() == []
    assert mgr.store.sync_detail() == ([], [])
    # the orphan clean-up at the next start keeps it (a photo row refers to it)
    assert clean_orphans(media.blob_dir, mgr.store.known_photo_hashes()) == 0
    assert arrived.exists()

    fetched: list[str] = []
    real = mgr.client.download

    def counting(sha256: str) -> Iterator[bytes]:
        fetched.append(sha256)
        return real(sha256)

    asked: list[str] = []
    real_pack = mgr.client.send_pack
    monkeypatch.setattr(mgr.client, "download", counting)

    def asking(parts: Any, on_bytes: Any) -> Any:
        asked.extend(p.sha256 for p in parts)
        return real_pack(parts, on_bytes)

    monkeypatch.setattr(mgr.client, "send_pack", asking)
    again = run_sync(mgr.store, mgr.client)
    assert (again.photos_downloaded, fetched) == (0, [])  # present and intact: not fetched

    # the manager answers with an after-photo: only that one goes up
    after = process(
        jpeg(800, 600, seed=8),
        Stamp(datetime.now(UTC), "S1", "mgr1"),
        media.blob_dir,
        media.thumb_dir,
    )
    mgr.store.attach_photo(after, rectification_id=rect_id)
    mgr.store.answer_rectification(rect_id, "已重新张贴价签", True)
    assert mgr.store.unsynced() == 3  # the photo row, the answer, the after-photo's bytes
    done = run_sync(mgr.store, mgr.client)
    assert (done.photos_uploaded, asked) == (1, [after.sha256])
    assert mgr.store.unsynced() == 0
    view = mgr.store.rectification_view(rect_id)
    assert ([b.sha256 for b in view.before], [a.sha256 for a in view.after]) == (
        [shot.sha256],
        [after.sha256],
    )


def test_a_corrupted_download_is_rejected_leaves_nothing_and_is_fetched_next_time(
    world: World, phone: Callable[[str], PhoneApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    shot, rect_id = published_visit_with_evidence(world, phone("insp1"))
    mgr = phone("mgr1")
    real = mgr.client.download

    def flipped(sha256: str) -> Iterator[bytes]:
        data = bytearray(b"".join(real(sha256)))
        data[len(data) // 2] ^= 0xFF  # one bit of damage on the way
        yield bytes(data)

    monkeypatch.setattr(mgr.client, "download", flipped)
    report = run_sync(mgr.store, mgr.client)
    assert report.photos_downloaded == 0
    assert [e.split(":")[0] for e in report.errors] == ["client.download_corrupt"]
    media = Media.beside(mgr.store)
    assert files_under(media.blob_dir) == []  # no half-written or wrong file anywhere
    view = mgr.store.rectification_view(rect_id)
    assert (view.before, view.before_waiting) == ([], 1)  # the screen says it is still coming
    assert mgr.store.unsynced() == 0

    monkeypatch.setattr(mgr.client, "download", real)  # the next sync, on a good line
    retry = run_sync(mgr.store, mgr.client)
    assert (retry.photos_downloaded, retry.errors) == (1, [])
    stored = mgr.store.photo_file(shot.sha256)
    assert stored is not None and hashlib.sha256(stored).hexdigest() == shot.sha256
    assert [b.sha256 for b in mgr.store.rectification_view(rect_id).before] == [shot.sha256]


def test_an_interrupted_or_damaged_download_is_fetched_again(
    world: World, phone: Callable[[str], PhoneApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    shot, rect_id = published_visit_with_evidence(world, phone("insp1"))
    mgr = phone("mgr1")
    real = mgr.client.download

    def dropped(sha256: str) -> Iterator[bytes]:
        yield next(iter(real(sha256)))[:1000]
        raise Offline("signal lost")

    monkeypatch.setattr(mgr.client, "download", dropped)
    with pytest.raises(Offline):
        run_sync(mgr.store, mgr.client)
    media = Media.beside(mgr.store)
    assert files_under(media.blob_dir) == []
    assert mgr.store.rectification_view(rect_id).before_waiting == 1

    monkeypatch.setattr(mgr.client, "download", real)
    assert run_sync(mgr.store, mgr.client).photos_downloaded == 1
    arrived = media.blob_dir / shot.sha256[:2] / f"{shot.sha256}.jpg"
    arrived.write_bytes(arrived.read_bytes()[:5000])  # the file got damaged on the phone
    for thumb in files_under(media.thumb_dir):
        thumb.unlink()  # and the cache was cleared
    assert run_sync(mgr.store, mgr.client).photos_downloaded == 1  # verified, so fetched again
    assert hashlib.sha256(arrived.read_bytes()).hexdigest() == shot.sha256
    assert [b.sha256 for b in mgr.store.rectification_view(rect_id).before] == [shot.sha256]
    assert files_under(media.thumb_dir)  # a thumbnail again


def test_an_inspectors_phone_fetches_nothing_and_keeps_its_own_photo_as_uploaded(
    world: World, phone: Callable[..., PhoneApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    shot, _ = published_visit_with_evidence(world, phone("insp1"))
    insp = phone("insp1", "second phone")
    monkeypatch.setattr(insp.client, "download", lambda sha: pytest.fail("no download"))
    report = run_sync(insp.store, insp.client)
    assert report.photos_downloaded == 0 and report.pulled > 0
    assert shot.sha256 not in insp.store.known_photo_hashes()


def test_a_download_no_photo_refers_to_any_more_is_forgotten_and_its_file_removed(
    world: World, phone: Callable[[str], PhoneApp]
) -> None:
    from fieldapp.store.db import transaction
    from fieldapp.store.tables import PhotoRow

    shot, _ = published_visit_with_evidence(world, phone("insp1"))
    mgr = phone("mgr1")
    assert run_sync(mgr.store, mgr.client).photos_downloaded == 1
    media = Media.beside(mgr.store)
    assert len(files_under(media.blob_dir)) == 1 and len(files_under(media.thumb_dir)) == 1
    with transaction(mgr.store.engine) as s:  # as a pull applies a deleted photo row
        for row in s.exec(select(PhotoRow).where(PhotoRow.sha256 == shot.sha256)).all():
            row.deleted = True
            s.add(row)
    assert run_sync(mgr.store, mgr.client).photos_downloaded == 0
    assert shot.sha256 not in mgr.store.known_photo_hashes()
    assert files_under(media.blob_dir) == [] and files_under(media.thumb_dir) == []
