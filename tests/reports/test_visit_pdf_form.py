"""The visit PDF as a form (issue 14 §4): the header's document control and visit facts,
the category table against the stored ScoreCard, 自定 for assumed values, failed items
with several photos each, the signed acknowledgement and the hash appendix; a per-subject
visit gives each post's row and labels the pooled figure 合计(仅供参考).

Checked through the PDF's shown strings (tests/reports/pdf_text.py) and pypdf's image
count. The PDF and a PNG of each page, rendered by PDFium (tests/reports/pdf_preview.py),
are written to test-artifacts/reports/ to look at."""

from __future__ import annotations

import uuid
from pathlib import Path

from pypdf import PdfReader
from sqlmodel import Session

from sync_server.reports import exports
from sync_server.templates.versions import get_template
from tests.reports.kit import publish, run, sheet_rows, stored_score, visit
from tests.reports.pdf_text import strings
from tests.reports.signed_visit import FAILS, PHOTOS_PER_ITEM, VERSION, after, photos
from tests.server.world import World


def test_the_header_gives_the_document_control_and_the_visit_facts(world, signed) -> None:
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
        "审核 Reviewed": "—",  # submitted, not reviewed yet
    }
    assert {label: after(shown, label)[0] for label in facts} == facts


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
    assert after(shown, "百分制 Percent") == [str(score["percent"])]
    assert after(shown, "等级 Grade") == [f"{score['grade']} 自定"]  # scoring.assumed
    assert after(shown, "合格线 Pass mark")[0].endswith("自定")
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
        assert after(block, "扣分标准 Rule") == [rule]
        assert after(block, "扣分 Deducted") == [f"−{count}"]
        assert after(block, "责任人 Responsible") == ["物业公司"]
        assert after(block, "数量/数值 Count") == [str(count)]
        note = "扶梯口有纸屑,已当场指出" if code == "1.1" else "—"
        assert after(block, "备注 Note") == [note]
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
    assert after(shown, "确认人 Name") == ["王店长"]
    assert after(shown, "确认 Acknowledged") == ["已签字确认 Signed"]
    assert after(shown, "签名校验 Sig. hash") == [hashes[-1][:16]]
    appendix = shown[shown.index("附录:照片校验值") :]
    assert f"Appendix: SHA-256 of every photo ({len(hashes)})" in appendix
    listed = [s for s in appendix if len(s) == 64]
    assert sorted(listed) == sorted(hashes)
    assert all(after(appendix, digest) == ["已上传"] for digest in hashes)
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


def test_a_covert_visit_says_there_was_no_acknowledgement(world: World, tmp_path: Path) -> None:
    visit_id, hashes = visit(world, world.phone("insp1"), "S1", {"1.1": 1}, mode="covert")
    publish(world, visit_id)  # approved and published by sup1
    out = tmp_path / "covert.pdf"
    run(world, lambda s: exports.export_visit(s, "sup1", visit_id, "pdf", out, photos(world)))
    shown = strings(out)
    assert after(shown, "检查方式 Mode") == ["暗访 Covert"]
    assert "暗访,不作现场确认 Covert visit: no acknowledgement" in shown
    assert "确认人 Name" not in shown
    assert after(shown, "状态 Status") == ["已通报 published"]
    assert after(shown, "审核 Reviewed")[0].startswith("sup1 ")  # by name, with the time
    assert [s for s in shown if len(s) == 64] == hashes


def test_the_visit_workbook_marks_the_same_assumed_values(
    world: World, signed: tuple[uuid.UUID, list[str], Path], tmp_path: Path
) -> None:
    """明细测评表 says 自定 where the PDF does: an assumed item's rule, an assumed
    category maximum, and every note below the table."""
    visit_id, *_ = signed
    out = tmp_path / "visit.xlsx"
    run(world, lambda s: exports.export_visit(s, "sup1", visit_id, "xlsx", out, photos(world)))
    rows = [(*r, *([None] * 11))[:11] for r in sheet_rows(out, "明细测评表")]  # ragged rows
    rule = {r[1]: r[8] for r in rows if r[1] in ("1.1", "6.1")}
    assert rule["6.1"].endswith(" 自定") and not rule["1.1"].endswith("自定")  # 6.1 is assumed
    [green] = [r for r in rows if r[0] == "2 环境绿化" and r[1] == "小计 Subtotal"]
    assert "满分自定 max assumed" in green[2]
    at = next(n for n, r in enumerate(rows) if r[0] == "自定 Assumed")
    assert [r[1] for r in rows[at + 1 :]] == [
        "评分等级/合格线 Grades, pass mark: 等级线自定",
        "2 环境绿化 满分: 原规定未给分值",
        "6.1 扣分标准: 扣分为本公司自定",
    ]
