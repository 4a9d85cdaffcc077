"""Reports of a per-subject visit (issue 13): the visit's xlsx and PDF give each post's
score, grade and pass and label the pooled figure 合计(仅供参考); the 汇总表 counts such
visits per post (with passes) under their site, not in the pooled site and department
averages."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync_server.reports import exports
from tests.per_subject_example import (
    per_subject_tobacco,
    publish_per_subject,
    push_tobacco_visit,
    worked_answers,
)
from tests.reports.kit import padded, run, sheet_rows, visit
from tests.reports.pdf_preview import ARTIFACTS, keep_artifact, render_page
from tests.reports.pdf_text import strings
from tests.reports.test_period_exports import NOV
from tests.server.world import World

pytestmark = pytest.mark.postgres  # the dialect matters: numbers read back from JSON and SQL

POSTS = [
    ("岗位 Post 客户经理", "客户经理 120/120 · 100 · 优秀 · 达标"),
    ("岗位 Post 专管员", "专管员 100/100 · 100 · 优秀 · 达标"),
    ("岗位 Post 送货员", "送货员 70/110 · 63.6 · 不合格 · 未达标"),
]


def _photos(world: World):
    return world.state.photos


@pytest.fixture
def driver_fails(world: World):
    publish_per_subject(world.engine)
    return push_tobacco_visit(
        world, world.phone("insp1"), "S1", worked_answers(per_subject_tobacco())
    )


def test_the_visit_xlsx_gives_each_post_and_labels_the_pool(
    world: World, driver_fails, tmp_path: Path
) -> None:
    out = tmp_path / "visit.xlsx"
    run(world, lambda s: exports.export_visit(s, "sup1", driver_fails, "xlsx", out, _photos(world)))
    rows = sheet_rows(out, "明细测评表")
    header = {r[0]: r[1] for r in rows[1:20] if r}
    assert header["结果 Result"] == "结果:未达标(各岗位均达标方为达标)"
    assert [(k, header[k]) for k, _ in POSTS] == POSTS
    assert header["合计(仅供参考) Pooled total (for reference only)"] == "290/330 · 87.9"
    assert not {"百分制 Percent", "等级 Grade"} & set(header)  # no pooled headline
    total = rows[-1]  # the last row: the pooled total
    assert total[1:2] + total[6:8] == ("合计(仅供参考) Pooled total (for reference only)", 290, 330)
    posts = sheet_rows(out, "岗位得分")
    assert posts[1:] == [
        ("客户经理", "account-manager", 120, 120, 100, "优秀", "达标", "否"),
        ("专管员", "monopoly-officer", 100, 100, 100, "优秀", "达标", "否"),
        ("送货员", "delivery-driver", 70, 110, 63.6, "不合格", "未达标", "否"),
        ("结果 Result", None, None, None, None, None, "未达标"),
    ]


def test_the_visit_pdf_gives_each_post(world: World, driver_fails, tmp_path: Path) -> None:
    """Also kept, with a preview of its first page, in test-artifacts/reports/."""
    out = tmp_path / "visit.pdf"
    result = run(
        world, lambda s: exports.export_visit(s, "sup1", driver_fails, "pdf", out, _photos(world))
    )
    assert result.missing_glyphs == []
    shown = strings(out)
    at = shown.index("岗位得分")  # the table of posts: 岗位 / 满分 / 得分 / 百分制 / 等级 / 结果
    rows = shown[at + 14 : at + 14 + 18]
    assert rows == [
        "客户经理", "120", "120", "100", "优秀", "达标",
        "专管员", "100", "100", "100", "优秀", "达标",
        "送货员", "110", "70", "63.6", "不合格", "未达标",
    ]  # fmt: skip
    assert "结果:未达标(各岗位均达标方为达标)" in shown
    assert "合计(仅供参考) 290/330 · 87.9  (非规定结果 not the regulation's result)" in shown
    total = shown.index("合计(仅供参考) Pooled, reference only")  # the category table's total
    assert shown[total + 1 : total + 4] == ["330", "40", "290"]  # 满分 / 扣分 (lost) / 得分
    assert "百分制 Percent" not in shown and "等级 Grade" not in shown  # no pooled headline
    keep_artifact(out, "visit-per-subject.pdf")
    render_page(out, ARTIFACTS / "visit-per-subject-p1.png")


def test_the_summary_counts_posts_and_keeps_the_pool_out(
    world: World, driver_fails, tmp_path: Path
) -> None:
    answers = worked_answers(per_subject_tobacco())
    answers["DD.5.3"] = {"result": "pass"}
    push_tobacco_visit(world, world.phone("insp1"), "S1", answers)
    visit(world, world.phone("insp1"), "S1", {"1.1": 1})  # mall-property, pooled: 99
    out = tmp_path / "summary.xlsx"
    assert run(world, lambda s: exports.export_summary(s, "admin", *NOV, out)).rows == 3
    sites = [padded(r, 14) for r in sheet_rows(out, "站点汇总")[1:]]
    # S1's row holds the mall visit only; its posts follow: the tobacco posts from both
    # visits (the driver lost 40 to 不得分 in one, nothing in the other) after the mall's,
    # template by template
    assert [r[1:] for r in sites] == [
        ("S1", "门店S1", "全站 Whole site", None, 1, 99, 99, 99, 0, 1, 99, 100, None),
        ("S1", None, "物业公司", "property-company", 1, 99, 99, 99, 0, 1, 99, 100, None),
        ("S1", None, "客户经理", "account-manager", 2, 100, 100, 100, 0, 0, 240, 240, "2/2"),
        ("S1", None, "专管员", "monopoly-officer", 2, 100, 100, 100, 0, 0, 200, 200, "2/2"),
        ("S1", None, "送货员", "delivery-driver", 2, 81.8, 63.6, 100, 0, 40, 180, 220, "1/2"),
    ]


def test_a_site_with_per_subject_visits_only_has_its_posts_as_results(
    world: World, driver_fails, tmp_path: Path
) -> None:
    out = tmp_path / "summary.xlsx"
    assert run(world, lambda s: exports.export_summary(s, "admin", *NOV, out)).rows == 1
    sites = [padded(r, 14) for r in sheet_rows(out, "站点汇总")[1:]]
    assert sites[0][:6] == ("R1", "S1", "门店S1", "全站:按岗位计分 Scored per post", None, 0)
    assert sites[0][6:] == (None,) * 8  # no pooled figure: it is not the regulation's
    assert [(r[4], r[10], r[11], r[12], r[13]) for r in sites[1:]] == [
        ("account-manager", 0, 120, 120, "1/1"),
        ("monopoly-officer", 0, 100, 100, "1/1"),
        ("delivery-driver", 40, 70, 110, "0/1"),
    ]
    assert [r[0] for r in sheet_rows(out, "部门汇总")[2:]] == []  # no site figure to average
