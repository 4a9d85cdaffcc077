"""After-photos belong to their rectification only (issue 11 §2): a site manager can never
attach a photo to the inspector's visit or finding, and nothing shows an after-photo (or a
row that only names someone else's hash) as the inspector's evidence: console visit detail,
the rectification's 整改前 column, the visit PDF."""

from __future__ import annotations

import uuid
from pathlib import Path

from pypdf import PdfReader
from sqlmodel import Session, select

from fieldcore.workflow import finding_id
from sync_server.core.db import write_session
from sync_server.reports import exports
from sync_server.reports.data import load_visit_report
from sync_server.supervision import rectifications
from sync_server.supervision.visit_detail import visit_detail
from sync_server.tables import Photo, Visit
from tests.reports.kit import OVERT_ITEMS, run, visit
from tests.reports.pdf_text import strings
from tests.server.images import jpeg, sha
from tests.server.test_manager_photos import photo, publish, submitted_visit
from tests.server.test_photo_uploads import upload_all
from tests.server.test_review_queue import user
from tests.server.world import World


def test_a_site_manager_cannot_attach_an_after_photo_to_the_visit_or_its_finding(
    world: World,
) -> None:
    visit = submitted_visit(world)
    rect_id = publish(world, visit.visit_id)
    mgr = world.phone("mgr1")
    for links in (
        {"visit_id": visit.visit_id},
        {"finding_id": finding_id(visit.visit_id, "1.1")},
    ):
        [result] = mgr.push(photo(mgr, jpeg(seed=51), rectification_id=rect_id, **links))
        assert (result["status"], result["code"]) == ("rejected", "sync.field_not_owned")
        assert result["details"]["field"] == next(iter(links))
    [plain] = mgr.push(photo(mgr, jpeg(seed=51), rectification_id=rect_id))
    assert plain["status"] == "applied"  # the after-photo itself is welcome
    with Session(world.engine) as s:
        rows = s.exec(select(Photo).where(Photo.rectification_id == rect_id)).all()
        assert [(p.visit_id, p.finding_id) for p in rows] == [(None, None)]


def legacy_after_photo(world: World, visit_id: uuid.UUID, rect_id: uuid.UUID) -> str:
    """An after-photo that an older server let through with the visit and finding ids, its
    bytes uploaded by the site manager."""
    mgr, data = world.phone("mgr1"), jpeg(seed=52)
    mgr.push(photo(mgr, data, rectification_id=rect_id))
    upload_all(mgr, data)
    with write_session(world.engine) as s:
        row = s.exec(select(Photo).where(Photo.sha256 == sha(data))).one()
        row.visit_id, row.finding_id = visit_id, finding_id(visit_id, "1.1")
    return sha(data)


def test_after_photos_never_show_as_the_visits_evidence(world: World) -> None:
    visit = submitted_visit(world)
    rect_id = publish(world, visit.visit_id)
    after = legacy_after_photo(world, visit.visit_id, rect_id)
    evidence = {sha(d) for d in (visit.evidence, visit.passed, visit.overall)}
    with Session(world.engine) as s:
        detail = visit_detail(s, user(world, "sup1"), visit.visit_id)
        assert {p.sha256 for p in detail.photos} == evidence
        report = load_visit_report(s, s.get_one(Visit, visit.visit_id))
        assert {p.sha256 for p in report.photos} == evidence
        rect = rectifications.rectification_detail(s, user(world, "sup1"), rect_id, world.clock())
        assert (rect.before, rect.after) == ([sha(visit.evidence)], [after])
        assert rect.readable == {sha(visit.evidence), after}


def test_a_row_naming_a_hash_it_did_not_upload_shows_no_bytes_in_console_or_pdf(
    world: World, tmp_path: Path
) -> None:
    """insp1 names, on their own visit, the hash of insp2's covert photo in another region:
    the console tile and the visit PDF show it as not uploaded, never the bytes."""
    _, [stolen] = visit(world, world.phone("insp2"), "S3", {"1.1": 1}, mode="covert")
    insp = world.phone("insp1")
    visit_id, create = insp.new_visit(world.site("S1"))
    muts = [create, *[insp.answer(visit_id, c, "pass") for c in OVERT_ITEMS if c != "1.1"]]
    muts += [
        insp.answer(visit_id, "1.1", "fail", count=1),
        insp.mutation(
            "photo",
            uuid.uuid4(),
            visit_id=visit_id,
            finding_id=finding_id(visit_id, "1.1"),
            sha256=stolen,
            byte_size=100,
            mime="image/jpeg",
        ),
        insp.mutation("visit", visit_id, status="submitted"),
    ]
    assert {r["status"] for r in insp.push(*muts)} == {"applied"}
    out = tmp_path / "visit.pdf"
    store = world.state.photos
    run(world, lambda s: exports.export_visit(s, "insp1", visit_id, "pdf", out, store))
    assert sum(len(page.images) for page in PdfReader(out).pages) == 0
    shown = strings(out)  # the grid's empty box says so, and so does the hash appendix
    assert "照片未上传 not uploaded" in shown
    assert shown[shown.index(stolen) + 1] == "未上传 missing"
    with Session(world.engine) as s:  # the console lists the row; its tile shows no bytes
        detail = visit_detail(s, user(world, "sup1"), visit_id)
        assert [(p.sha256, p.blob_present) for p in detail.photos] == [(stolen, False)]
