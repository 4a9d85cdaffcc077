"""明细测评表 and the visit PDF, checked against the stored ScoreCard; access and audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.reports import exports
from sync_server.reports.data import RESULT_ZH
from sync_server.tables import AuditLog
from sync_server.templates.versions import get_template
from tests.reports.kit import publish, run, sheet_rows, stored_score, visit
from tests.s3kit import both_backends
from tests.server.world import World


def _photos(world: World):
    return world.state.photos


def test_xlsx_matches_the_scorecard_cell_by_cell(world: World, tmp_path: Path) -> None:
    fails = {"1.1": 3, "3.1": 1, "10.1": 12}  # 10.1: 12 × −1 in a 10-point category: floor
    visit_id, _ = visit(world, world.phone("insp1"), "S1", fails, notes={"1.1": "扶梯口有纸屑"})
    out = tmp_path / "visit.xlsx"
    run(world, lambda s: exports.export_visit(s, "sup1", visit_id, "xlsx", out, _photos(world)))
    score = stored_score(world, visit_id)
    with Session(world.engine) as session:
        template = get_template(session, "mall-property.v1")
    rows = sheet_rows(out, "明细测评表")
    header = {r[0]: r[1] for r in rows[1:17]}
    assert header["站点 Site"] == "S1 门店S1"
    assert header["模板 Template"] == template.title
    assert header["检查方式 Mode"] == "明查"
    assert header["检查员 Inspector"] == "insp1"
    assert (header["得分 Score"], header["满分 Max"]) == (score["total"], score["max"])
    assert (header["百分制 Percent"], header["等级 Grade"]) == (score["percent"], score["grade"])
    assert header["一票否决 Veto"] == "否"
    table = rows[rows.index(next(r for r in rows if r and r[0] == "类别 Category")) + 1 :]
    expected: list[tuple[Any, ...]] = []
    for cat in score["categories"]:
        label = f"{cat['code']} {cat['title']}"
        for item in cat["items"]:
            amount = item["value"] if item["value"] is not None else None
            if amount is None and item["result"] == "fail":
                amount = item["count"]
            text = template.items_by_code[item["code"]][1].text
            note = "扶梯口有纸屑" if item["code"] == "1.1" else None
            expected.append(
                (label, item["code"], text, RESULT_ZH[item["result"]], amount,
                 item["deducted"], None, None, item["rule"], note, "物业公司")
            )  # fmt: skip
        notes = ";".join(cat["notes"]) or None
        expected.append(
            (label, "小计 Subtotal", notes, None, None, cat["deducted"], cat["score"], cat["max"])
        )
    expected.append((None, "合计 Total", None, None, None, None, score["total"], score["max"]))
    got = [(*r, *[None] * 11)[: len(e)] for r, e in zip(table, expected, strict=True)]
    assert got == expected
    floored = next(c for c in score["categories"] if c["code"] == "10")
    assert floored["score"] == 0 and floored["deducted"] == 12  # the subtotal shows the floor


@both_backends  # the PDF reads its photos from the blob store, wherever it is
def test_pdf_shows_failed_items_in_chinese_and_every_photo_hash(
    world: World, tmp_path: Path
) -> None:
    visit_id, hashes = visit(world, world.phone("insp1"), "S1", {"1.1": 2, "6.1": 1})
    out = tmp_path / "visit.pdf"
    result = run(
        world, lambda s: exports.export_visit(s, "sup1", visit_id, "pdf", out, _photos(world))
    )
    assert result.missing_glyphs == []
    reader = PdfReader(out)
    # pypdf decodes fpdf2's CID-keyed CFF font with stray NULs and spaces between glyphs;
    # compare with those removed
    raw = "".join(page.extract_text() or "" for page in reader.pages).replace("\x00", "")
    text = "".join(raw.split())
    with Session(world.engine) as session:
        template = get_template(session, "mall-property.v1")
    for code in ("1.1", "6.1"):
        assert "".join(template.items_by_code[code][1].text.split()) in text
    assert "".join(template.title.split()) in text
    assert len(hashes) == 2 and all(h in text for h in hashes)
    assert sum(len(page.images) for page in reader.pages) == 2  # the evidence photos


def test_every_visit_export_leaves_an_audit_row(world: World, tmp_path: Path) -> None:
    visit_id, hashes = visit(world, world.phone("insp1"), "S1", {"2.1": 1})
    for fmt in ("xlsx", "pdf"):
        out = tmp_path / f"v.{fmt}"
        run(world, lambda s, f=fmt, o=out: exports.export_visit(
            s, "admin", visit_id, f, o, _photos(world)))  # fmt: skip
    with Session(world.engine) as session:
        rows = session.exec(select(AuditLog).where(AuditLog.action == "export")).all()
    assert [(r.entity, r.entity_id, r.details["format"]) for r in rows] == [
        ("visit", str(visit_id), "xlsx"),
        ("visit", str(visit_id), "pdf"),
    ]
    assert all(r.user_id == world.ids["admin"] and r.at is not None for r in rows)
    assert rows[1].details["photos"] == hashes


def _export_as(world: World, user: str, visit_id, out: Path):
    return run(
        world, lambda s: exports.export_visit(s, user, visit_id, "xlsx", out, _photos(world))
    )


def test_unpublished_covert_visit_is_for_supervisors_and_admins_only(
    world: World, tmp_path: Path
) -> None:
    visit_id, _ = visit(world, world.phone("insp1"), "S1", {"1.1": 1}, mode="covert")
    out = tmp_path / "v.xlsx"
    for user in ("mgr1", "insp1"):
        with pytest.raises(DomainError) as refused:
            _export_as(world, user, visit_id, out)
        assert refused.value.code == ProblemCode.REPORT_EMBARGOED
    with pytest.raises(DomainError) as outside:
        _export_as(world, "mgr3", visit_id, out)  # another site's manager: not even told
    assert outside.value.code == ProblemCode.SCOPE_DENIED
    with Session(world.engine) as session:
        assert session.exec(select(AuditLog)).all() == []  # refusals export nothing
    for user in ("sup1", "admin"):
        assert _export_as(world, user, visit_id, out).rows == 8
    publish(world, visit_id)
    assert _export_as(world, "mgr1", visit_id, out).rows == 8  # published: the site may read it
