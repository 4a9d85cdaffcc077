"""The visit PDF says beside each photo what the console and the phone say: where it came
from (camera, gallery, not recorded) and the phone's warnings — taken outside the visit's
start–finish window ± 10 min, taken more than 500 m from the site — by the same rule
(fieldcore/evidence.py through sync_server/photos/flags.py), read back from the PDF text."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from fieldcore.workflow import finding_id
from sync_server.core.db import write_session
from sync_server.reports import exports
from sync_server.supervision.visit_detail import visit_detail
from sync_server.tables import Site, User
from tests.reports.kit import OVERT_ITEMS, run
from tests.reports.pdf_preview import ARTIFACTS, keep_artifact, render_page
from tests.reports.pdf_text import strings
from tests.reports.signed_visit import photos
from tests.server.annotated import push_annotated_visit
from tests.server.images import jpeg, sha
from tests.server.world import World

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FINISH = START + timedelta(hours=1)
SITE = (38.4872, 106.2309)
# item: (source, when the camera took it, longitude offset in degrees: 0.01° ≈ 871 m here)
PHOTOS: dict[str, tuple[str | None, datetime, float]] = {
    "1.1": ("camera", START + timedelta(minutes=5), 0.0),
    "2.1": ("gallery", START - timedelta(days=20), 0.0),
    "3.1": (None, FINISH + timedelta(minutes=9), 0.01),  # within the tolerance, but far
}


def _flagged_visit(world: World) -> tuple[uuid.UUID, dict[str, str]]:
    with write_session(world.engine) as s:
        site = s.exec(select(Site).where(Site.code == "S1")).one()
        site.lat, site.lon = SITE
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(
        world.site("S1"), started_at=START.isoformat(), finished_at=FINISH.isoformat()
    )
    muts: list[dict[str, Any]] = [create]
    hashes: dict[str, str] = {}
    for code in OVERT_ITEMS:
        if code not in PHOTOS:
            muts.append(phone.answer(visit_id, code, "pass"))
            continue
        muts.append(phone.answer(visit_id, code, "fail", count=1))
        source, taken, east = PHOTOS[code]
        data = jpeg(64, 48, seed=len(hashes) + 1)
        hashes[code] = sha(data)
        world.place_blob(hashes[code], data, holder="insp1")
        extra: dict[str, Any] = {"source": source} if source else {}
        muts.append(
            phone.mutation(
                "photo", uuid.uuid4(), visit_id=visit_id,
                finding_id=finding_id(visit_id, code), sha256=hashes[code],
                byte_size=len(data), mime="image/jpeg",
                captured_at=(START + timedelta(minutes=5)).isoformat(),
                exif_taken_at=taken.isoformat(), lat=SITE[0], lon=SITE[1] + east, **extra,
            )
        )  # fmt: skip
    muts.append(phone.mutation("visit", visit_id, status="submitted"))
    assert {r["status"] for r in phone.push(*muts)} == {"applied"}
    return visit_id, hashes


def _under_caption(shown: list[str], sha256: str, lines: int) -> list[str]:
    """The `lines` printed under a photo's caption; the line after them is no warning."""
    at = next(i for i, s in enumerate(shown) if s.startswith("照片 ") and sha256[:12] in s)
    assert not shown[at + 1 + lines].startswith("!")
    return shown[at + 1 : at + 1 + lines]


def test_each_photo_shows_its_source_and_the_consoles_warnings(
    world: World, tmp_path: Path
) -> None:
    visit_id, hashes = _flagged_visit(world)
    out = tmp_path / "visit.pdf"
    result = run(
        world, lambda s: exports.export_visit(s, "sup1", visit_id, "pdf", out, photos(world))
    )
    assert result.missing_glyphs == []
    keep_artifact(out, "visit-photo-flags.pdf")  # to look at: page 2 holds the photos
    render_page(out, ARTIFACTS / "visit-photo-flags-p2.png", 1)
    shown = strings(out)
    assert _under_caption(shown, hashes["1.1"], 1) == ["现场拍摄 camera"]
    assert _under_caption(shown, hashes["2.1"], 2) == [
        "相册选取 from the gallery",
        "! 拍摄时间不在本次检查时间内",
    ]
    assert _under_caption(shown, hashes["3.1"], 2) == [
        "来源未记录 source not recorded",
        "! 拍摄地点距场所超过 500 米",
    ]
    with write_session(world.engine) as s:  # the console's own checks of the same photos
        sup = s.exec(select(User).where(User.username == "sup1")).one()
        checks = {c.sha256: c for c in visit_detail(s, sup, visit_id).photos}
    assert [checks[hashes[c]].warnings for c in ("1.1", "2.1", "3.1")] == [
        (),
        ("outside_visit",),
        ("far_from_site",),
    ]


def test_a_marked_up_copy_carries_its_originals_flags_and_both_hashes(
    world: World, tmp_path: Path
) -> None:
    made = push_annotated_visit(world)  # no source recorded, no position, no window issue
    out = tmp_path / "visit.pdf"
    run(world, lambda s: exports.export_visit(s, "sup1", made.visit_id, "pdf", out, photos(world)))
    shown = strings(out)
    caption = f"标注 1 · 原 {made.original_sha[:8]}… 标 {made.copy_sha[:8]}…"
    assert shown[shown.index(caption) + 1] == "来源未记录 source not recorded"
    listed = [s for s in shown[shown.index("附录:照片校验值") :] if len(s) == 64]
    assert listed == [made.original_sha, made.copy_sha]
