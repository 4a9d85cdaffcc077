"""The visit PDF as a form (issue 14 §4): the header's document control and visit facts,
the category table against the stored ScoreCard, 自定 for assumed values, failed items
with several photos each, the signed acknowledgement and the hash appendix; a per-subject
visit gives each post's row and labels the pooled figure 合计(仅供参考).

Checked through the PDF's shown strings (tests/reports/pdf_text.py) and pypdf's image
count. The PDF and a PNG preview of each page are written to test-artifacts/reports/ to
look at; no PDF renderer (pdftoppm, pypdfium2) is installed here, so the previews are
drawn from the PDF's own operators (tests/reports/pdf_preview.py)."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pypdf.generic import ContentStream
from sqlmodel import Session

from fieldcore.workflow import finding_id
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import write_session
from sync_server.reports import exports
from sync_server.reports.pdf import THUMB_PX, _thumbnail
from sync_server.tables import Site
from sync_server.templates.catalog import checklist_dir, load_template_file
from sync_server.templates.versions import get_template, publish_template
from tests.reports.kit import OVERT_ITEMS, run, stored_score, visit
from tests.reports.pdf_preview import ARTIFACTS, keep_artifact, render_page
from tests.reports.pdf_text import strings
from tests.server.images import jpeg, sha
from tests.server.world import World

VERSION = 92  # the assumed copy of mall-property, published beside the shipped versions
FAILS = {"1.1": 2, "6.1": 1, "10.1": 12}  # 10.1: 12 × −1 in a 10-point category: floor
PHOTOS_PER_ITEM = {"1.1": 4, "6.1": 1, "10.1": 2}
START, FINISH = datetime(2026, 11, 20, 1, 0, tzinfo=UTC), datetime(2026, 11, 20, 2, 10, tzinfo=UTC)


def _photos(world: World):  # type: ignore[no-untyped-def]
    return world.client.app.state.photos  # type: ignore[attr-defined]


def _assumed_mall(world: World) -> str:
    """mall-property with its grades, category 2's points and item 6.1's rule marked as
    the organisation's own (自定)."""
    t = load_template_file(checklist_dir() / "mall-property.v1.json")
    cats = []
    for cat in t.categories:
        items = [
            i.model_copy(update={"assumed": True, "assumed_note": "扣分为本公司自定"})
            if i.code == "6.1"
            else i
            for i in cat.items
        ]
        extra = {"assumed": True, "assumed_note": "原规定未给分值"} if cat.code == "2" else {}
        cats.append(cat.model_copy(update={"items": items, **extra}))
    scoring = t.scoring.model_copy(update={"assumed": True, "assumed_note": "等级线自定"})
    t = t.model_copy(update={"version": VERSION, "categories": cats, "scoring": scoring})
    with write_session(world.engine) as session:
        changes = ChangeSet(session)
        text = t.model_dump_json(exclude_defaults=False).encode()
        publish_template(session, changes, text, f"{t.key}.json", by="test")
        changes.assign_seqs()
        site = session.get(Site, uuid.UUID(world.site("S1")))
        assert site is not None
        site.address = "银川市兴庆区解放东街88号"
    return t.key


def _signature() -> bytes:
    image = Image.new("RGB", (400, 150), "white")
    ImageDraw.Draw(image).line([(20, 120), (120, 30), (200, 110), (380, 40)], "black", 5)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _push_signed_visit(world: World, key: str) -> tuple[uuid.UUID, list[str]]:
    """A submitted, signed visit: several photos on the failed items, a signature photo.
    Returns the visit id and every photo's sha256 (evidence first, the signature last)."""
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(
        world.site("S1"), template_key=key, started_at=START.isoformat(),
        finished_at=FINISH.isoformat(),
    )  # fmt: skip
    muts: list[dict[str, Any]] = [create]
    blobs: list[tuple[str, bytes]] = []
    for code in OVERT_ITEMS:
        if code not in FAILS:
            muts.append(phone.answer(visit_id, code, "pass"))
            continue
        note = "扶梯口有纸屑,已当场指出" if code == "1.1" else ""
        muts.append(phone.answer(visit_id, code, "fail", count=FAILS[code], note=note))
        for _ in range(PHOTOS_PER_ITEM[code]):
            data = jpeg(64 + 16 * len(blobs), 48, seed=visit_id.int % 100_000 + len(blobs))
            blobs.append((sha(data), data))
            muts.append(_photo_row(phone, visit_id, finding_id(visit_id, code), blobs[-1]))
    signature = _signature()
    blobs.append((sha(signature), signature))
    muts.append(_photo_row(phone, visit_id, None, blobs[-1]))
    muts.append(
        phone.mutation(
            "visit",
            visit_id,
            ack_name="王店长",
            ack_signature_sha256=blobs[-1][0],
            ack_at=datetime(2026, 11, 20, 3, 30, tzinfo=UTC).isoformat(),
            status="submitted",
        )
    )
    assert {r["status"] for r in phone.push(*muts)} == {"applied"}
    for digest, data in blobs:
        world.place_blob(digest, data, holder="insp1")
    return visit_id, [d for d, _ in blobs]


def _photo_row(phone: Any, visit_id: uuid.UUID, finding: Any, blob: tuple[str, bytes]) -> Any:
    digest, data = blob
    return phone.mutation("photo", uuid.uuid4(), visit_id=visit_id, finding_id=finding,
                          sha256=digest, byte_size=len(data), mime="image/jpeg")  # fmt: skip


@pytest.fixture
def signed(world: World, tmp_path: Path) -> tuple[uuid.UUID, list[str], Path]:
    """The signed visit of the assumed template, exported as PDF by a supervisor; a copy
    is kept in test-artifacts/reports/ to look at."""
    visit_id, hashes = _push_signed_visit(world, _assumed_mall(world))
    out = tmp_path / "visit-form.pdf"
    result = run(
        world, lambda s: exports.export_visit(s, "sup1", visit_id, "pdf", out, _photos(world))
    )
    assert result.missing_glyphs == []
    keep_artifact(out, "visit-form.pdf")
    return visit_id, hashes, out


def _after(shown: list[str], label: str, count: int = 1) -> list[str]:
    """The `count` strings after the first `label`: a label cell's value."""
    at = shown.index(label)
    return shown[at + 1 : at + 1 + count]


def test_the_header_gives_the_document_control_and_the_visit_facts(world, signed) -> None:  # type: ignore[no-untyped-def]
    visit_id, _, out = signed
    shown = strings(out)
    with Session(world.engine) as session:
        t = get_template(session, f"mall-property.v{VERSION}")
    assert shown[:2] == [t.document.issuer, t.title]  # the organisation, then the form's title
    facts = {
        "文件编号 Doc. no.": t.document.code,
        "版次 Revision": t.document.revision,
        "生效日期 Effective": t.document.effective.isoformat(),
        "批准 Approved by": t.document.approver,
        "站点 Site": "S1 门店S1",
        "检查方式 Mode": "明查 Announced",
        "地址 Address": "银川市兴庆区解放东街88号",
        "检查日期 Date": "2026-11-20",  # China Standard Time
        "时间 Time": "09:00 – 10:10",
        "检查员 Inspector": "insp1",
        "状态 Status": "已提交 submitted",
        "检查表 Template": t.title,
        "版本 Version": f"mall-property.v{VERSION}(第{VERSION}版)",
        "编号 Visit ID": str(visit_id),
    }
    assert {label: _after(shown, label)[0] for label in facts} == facts


def test_the_category_table_gives_the_scorecard_figures_and_marks_assumed_values(
    world: World, signed: tuple[uuid.UUID, list[str], Path]
) -> None:
    visit_id, _, out = signed
    shown, score = strings(out), stored_score(world, visit_id)
    heading = [
        "分类",
        "Category",
        "满分",
        "Max",
        "扣分",
        "Deducted",
        "得分",
        "Score",
        "备注",
        "Notes",
    ]
    at = shown.index("分类")
    assert shown[at : at + 10] == heading
    expected = []  # 扣分 is what the category lost (满分 − 得分); the notes say why
    for cat in score["categories"]:
        points = f"{cat['max']} 自定" if cat["code"] == "2" else str(cat["max"])
        expected += [f"{cat['code']} {cat['title']}", points, str(cat["max"] - cat["score"])]
        expected += [str(cat["score"]), *cat["notes"]]
    lost = score["max"] - score["total"]
    expected += ["合计 Total", str(score["max"]), str(lost), str(score["total"])]
    assert shown[at + 10 : at + 10 + len(expected)] == expected
    floored = expected.index("10 劳动纪律")  # 12 × −1 in 10 points: lost 10, and why
    assert expected[floored : floored + 5] == [
        "10 劳动纪律", "10", "10", "0", "扣分12超过满分10,扣完为止:本类计0分"
    ]  # fmt: skip
    assert _after(shown, "百分制 Percent") == [str(score["percent"])]
    assert _after(shown, "等级 Grade") == [f"{score['grade']} 自定"]  # scoring.assumed
    assert _after(shown, "合格线 Pass mark")[0].endswith("自定")
    assert "· 2 环境绿化 满分: 原规定未给分值" in shown  # each assumed value's note


def test_failed_items_give_rule_note_person_and_a_grid_of_their_photos(
    world: World, signed: tuple[uuid.UUID, list[str], Path]
) -> None:
    _, hashes, out = signed
    shown = strings(out)
    with Session(world.engine) as session:
        t = get_template(session, f"mall-property.v{VERSION}")
    assert "Failed items (3)" in shown
    starts = [shown.index(f"{c}  {t.items_by_code[c][1].text}") for c in FAILS]
    ends = [*starts[1:], shown.index("现场确认")]  # each item's strings, up to the next
    for (code, count), at, end in zip(FAILS.items(), starts, ends, strict=True):
        block = shown[at:end]
        rule = "出现一次扣1分" + (" 自定" if code == "6.1" else "")  # 6.1's rule is assumed
        assert _after(block, "扣分标准 Rule") == [rule]
        assert _after(block, "扣分 Deducted") == [f"−{count}"]
        assert _after(block, "责任人 Responsible") == ["物业公司"]
        assert _after(block, "数量/数值 Count") == [str(count)]
        note = "扶梯口有纸屑,已当场指出" if code == "1.1" else "—"
        assert _after(block, "备注 Note") == [note]
        captions = [s for s in block if s.startswith("照片 ")]
        assert [c.split(" · ")[0] for c in captions] == [
            f"照片 {n}" for n in range(1, PHOTOS_PER_ITEM[code] + 1)
        ]
        assert all(c.split(" · ")[1][:12] in " ".join(hashes) for c in captions)
    images = sum(len(page.images) for page in PdfReader(out).pages)
    assert images == sum(PHOTOS_PER_ITEM.values()) + 1  # the evidence and the signature


def test_the_acknowledgement_and_the_appendix_of_every_hash(
    world: World, signed: tuple[uuid.UUID, list[str], Path]
) -> None:
    _, hashes, out = signed
    shown = strings(out)
    assert _after(shown, "确认人 Name") == ["王店长"]
    assert _after(shown, "确认 Acknowledged") == ["已签字确认 Signed"]
    assert _after(shown, "签名校验 Sig. hash") == [hashes[-1][:16]]
    appendix = shown[shown.index("附录:照片校验值") :]
    assert f"Appendix: SHA-256 of every photo ({len(hashes)})" in appendix
    listed = [s for s in appendix if len(s) == 64]
    assert sorted(listed) == sorted(hashes)
    assert all(_after(appendix, digest) == ["已上传"] for digest in hashes)
    signature_row = appendix.index(hashes[-1])
    assert appendix[signature_row - 1] == "签名 Signature"


def test_the_appendix_lists_evidence_in_item_order_and_the_signature_last(
    signed: tuple[uuid.UUID, list[str], Path],
) -> None:
    _, hashes, out = signed
    appendix = strings(out)
    appendix = appendix[appendix.index("附录:照片校验值") :]
    uses = [appendix[appendix.index(h) - 1] for h in sorted(hashes, key=appendix.index)]
    assert uses == [
        *["1.1 证据 Evidence"] * 4, "6.1 证据 Evidence", *["10.1 证据 Evidence"] * 2,
        "签名 Signature",
    ]  # fmt: skip


def test_nothing_is_drawn_off_the_page_or_over_a_photo(
    signed: tuple[uuid.UUID, list[str], Path],
) -> None:
    """No renderer here, so the layout is checked from the drawing operators: every text
    starts inside the margins, every picture lies inside them and above the footer, no
    two pictures overlap and no text starts on a picture."""
    *_, out = signed
    reader = PdfReader(out)
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    margin, foot = 15 * 72 / 25.4, 16 * 72 / 25.4
    for page in reader.pages:
        texts, pictures = [], []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Td":
                texts.append((float(operands[0]), float(operands[1])))
            elif operator == b"cm":  # fpdf2 places each image with its own matrix
                w, _, _, h, x, y = (float(o) for o in operands)
                pictures.append((x, y, x + w, y + h))
        assert texts
        for x, y in texts:
            assert margin - 1 <= x < width - margin and 20 < y < height - margin, (x, y)
        for x0, y0, x1, y1 in pictures:
            assert margin <= x0 < x1 <= width - margin and foot <= y0 < y1 <= height - margin
            for x, y in texts:
                assert not (x0 < x < x1 and y0 < y < y1), (x, y)
        for i, a in enumerate(pictures):
            for b in pictures[i + 1 :]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_each_page_is_previewed_as_png_to_look_at(
    signed: tuple[uuid.UUID, list[str], Path],
) -> None:
    """Page previews in test-artifacts/reports/ (tests/reports/pdf_preview.py draws them
    from the PDF's own operators): look at them after a layout change. Each is A4 at 144
    dpi with ink on it; the photo page has its pictures where the PDF placed them."""
    *_, out = signed
    pages = len(PdfReader(out).pages)
    assert pages == 4  # header and scores; items; last item and acknowledgement; appendix
    for number in range(pages):
        png = render_page(out, ARTIFACTS / f"visit-form-p{number + 1}.png", number)
        with Image.open(png) as image:
            assert image.size == (1191, 1684)
            grey = image.convert("L")
            assert grey.getextrema()[0] < 64  # something dark was drawn
            if number == 1:  # item 1.1's first photo: inside its box, not white
                box = grey.crop((100, 400, 300, 500))
                assert box.getextrema() != (255, 255)


def test_a_covert_visit_says_there_was_no_acknowledgement(world: World, tmp_path: Path) -> None:
    visit_id, hashes = visit(world, world.phone("insp1"), "S1", {"1.1": 1}, mode="covert")
    out = tmp_path / "covert.pdf"
    run(world, lambda s: exports.export_visit(s, "sup1", visit_id, "pdf", out, _photos(world)))
    shown = strings(out)
    assert _after(shown, "检查方式 Mode") == ["暗访 Covert"]
    assert "暗访,不作现场确认 Covert visit: no acknowledgement" in shown
    assert "确认人 Name" not in shown
    assert [s for s in shown if len(s) == 64] == hashes


def test_the_grid_embeds_a_large_photo_as_a_thumbnail_and_a_small_one_as_it_is() -> None:
    big, small = jpeg(2000, 1500, seed=3), jpeg(64, 48, seed=4)
    with Image.open(io.BytesIO(_thumbnail(big))) as thumb:
        assert thumb.size == (THUMB_PX, THUMB_PX * 3 // 4)
    assert _thumbnail(small) == small
