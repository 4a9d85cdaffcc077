"""汇总表 (averages as seed 001 computes them), 质检日报, their audit rows and the CLI."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from fieldcore.aggregate import appraisal_deduction, mean_score
from sync_server.cli import app as cli
from sync_server.core.config import Settings
from sync_server.reports import exports
from sync_server.tables import AuditLog
from tests.reports.kit import padded, run, sheet_names, sheet_rows, stored_score, visit
from tests.server.world import World

pytestmark = pytest.mark.postgres  # the dialect matters: averages over date ranges in SQL

NOV = (date(2026, 11, 1), date(2026, 11, 30))


def _percent(world: World, visit_id) -> Decimal:
    return Decimal(str(stored_score(world, visit_id)["percent"]))


@pytest.fixture
def month(world: World):
    """Two visits at S1 (R1), one at S2 (D1, under R1), one at S3 (R2); one in December."""
    insp1, insp2 = world.phone("insp1"), world.phone("insp2")
    s1a, _ = visit(world, insp1, "S1", {"1.1": 3, "3.1": 1})
    s1b, _ = visit(world, insp1, "S1", {"10.1": 20})  # floored category: 90 of 100
    s2, _ = visit(world, insp1, "S2", {"2.1": 1})
    s3, _ = visit(world, insp2, "S3", {"6.1": 2})
    world.clock.advance(days=29)  # 2026-12-01: outside November
    visit(world, insp1, "S1", {"1.2": 9})
    return {"s1": [s1a, s1b], "s2": [s2], "s3": [s3]}


def test_summary_averages_visits_per_site_and_sites_per_department(
    world: World, month, tmp_path: Path
) -> None:
    out = tmp_path / "summary.xlsx"
    result = run(world, lambda s: exports.export_summary(s, "admin", *NOV, out))
    assert result.rows == 4  # the December visit is outside the period
    s1 = mean_score([_percent(world, v) for v in month["s1"]])
    s2, s3 = _percent(world, month["s2"][0]), _percent(world, month["s3"][0])
    regions = sheet_rows(out, "部门汇总")[2:]
    assert [r[:5] for r in regions] == [("D1", "华北一部", 1, 1, float(s2)),
                                        ("R1", "华北区", 1, 2, float(s1)),
                                        ("R2", "华南区", 1, 1, float(s3))]  # fmt: skip
    assert [r[5] for r in regions] == ["是" if x >= 85 else "否" for x in (s2, s1, s3)]
    assert [r[6] for r in regions] == [float(appraisal_deduction(x)) for x in (s2, s1, s3)]
    sites = sheet_rows(out, "站点汇总")
    assert sites[0][3:6] == ("岗位 Post", "岗位编码 Post code", "抽查数 Visits")
    # each site, then its posts (岗位) under it; mall-property has the one post. S1's
    # second visit floors category 10 (20 deducted, 扣完为止): it lost 10, and 扣分 says 10
    post, whole = ("物业公司", "property-company"), ("全站 Whole site", None)
    assert [padded(r, 14)[1:] for r in sites[1:]] == [
        ("S1", "门店S1", *whole, 2, float(s1), 90, 96, 0, 14, 186, 200, None),
        ("S1", None, *post, 2, float(s1), 90, 96, 0, 14, 186, 200, None),
        ("S2", "门店S2", *whole, 1, float(s2), 99, 99, 0, 1, 99, 100, None),
        ("S2", None, *post, 1, float(s2), 99, 99, 0, 1, 99, 100, None),
        ("S3", "门店S3", *whole, 1, float(s3), 98, 98, 0, 2, 98, 100, None),
        ("S3", None, *post, 1, float(s3), 98, 98, 0, 2, 98, 100, None),
    ]
    assert [r[0] for r in sites[1:]] == ["R1", "R1", "D1", "D1", "R2", "R2"]
    assert "对象汇总" not in sheet_names(out)  # the posts moved under their sites


def test_summary_follows_region_filter_and_scope(world: World, month, tmp_path: Path) -> None:
    out = tmp_path / "r1.xlsx"
    assert run(world, lambda s: exports.export_summary(s, "admin", *NOV, out, "R1")).rows == 3
    assert [r[0] for r in sheet_rows(out, "部门汇总")[2:]] == ["D1", "R1"]
    assert run(world, lambda s: exports.export_summary(s, "sup1", *NOV, out)).rows == 3
    assert run(world, lambda s: exports.export_summary(s, "mgr1", *NOV, out)).rows == 0
    with Session(world.engine) as session:
        rows = session.exec(select(AuditLog).order_by(col(AuditLog.id))).all()
    assert [(r.entity, r.entity_id, r.details["username"], r.details["region"]) for r in rows] == [
        ("summary", "2026-11-01..2026-11-30", "admin", "R1"),
        ("summary", "2026-11-01..2026-11-30", "sup1", None),
        ("summary", "2026-11-01..2026-11-30", "mgr1", None),
    ]
    assert sorted(rows[1].details["visits"]) == sorted(map(str, month["s1"] + month["s2"]))


def test_daily_report_lists_the_days_failed_items(world: World, month, tmp_path: Path) -> None:
    out = tmp_path / "daily.xlsx"
    result = run(world, lambda s: exports.export_daily(s, "admin", date(2026, 11, 2), out))
    rows = sheet_rows(out, "质检日报")[2:]
    assert result.rows == len(rows) == 5  # 1.1, 3.1 | 10.1 | 2.1 | 6.1
    assert sorted((r[2], r[5]) for r in rows) == [
        ("S1 门店S1", "1.1"), ("S1 门店S1", "10.1"), ("S1 门店S1", "3.1"),
        ("S2 门店S2", "2.1"), ("S3 门店S3", "6.1"),
    ]  # fmt: skip
    first = next(r for r in rows if r[5] == "1.1")
    assert (first[0], first[3], first[7], first[10], first[11]) == (
        "2026-11-02 17:00", "明查", 3, "insp1", 1
    )  # fmt: skip
    with Session(world.engine) as session:
        (audit,) = session.exec(select(AuditLog)).all()
    assert (audit.entity, audit.entity_id, audit.details["findings"]) == ("daily", "2026-11-02", 5)


def test_cli_exports_and_refuses_with_the_problem_code(
    world: World, month, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINGCHA_DATABASE_URL", settings.database_url)
    runner, base = CliRunner(), ["--data-dir", str(settings.data_dir)]
    out = tmp_path / "d.xlsx"
    r = runner.invoke(cli, ["export", "daily", "--as", "sup1", "--date", "2026-11-02",
                            "-o", str(out), *base])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "4 findings" in r.output and out.exists()
    visit_id = str(month["s1"][0])
    r = runner.invoke(cli, ["export", "visit", visit_id, "--format", "pdf", "--as", "mgr1",
                            "-o", str(tmp_path / "v.pdf"), *base])  # fmt: skip
    assert r.exit_code == 2 and "report.embargoed" in r.output
    r = runner.invoke(cli, ["export", "summary", "--from", "2026-11-01", "--to", "2026-11-30",
                            "--region", "R2", "--as", "admin", "-o", str(out), *base])  # fmt: skip
    assert r.exit_code == 0 and "1 visits" in r.output, r.output


def test_summary_gives_each_post_its_subtotal_under_its_site(world: World, tmp_path: Path) -> None:
    """hotel-daily scores five posts in one pooled visit: each post's row has what its own
    items cost (the engine's SubjectScore), under the site's row."""
    insp1 = world.phone("insp1")
    hotel = "hotel-daily.v2"
    a, _ = visit(world, insp1, "S1", {"1.3": 2, "4.6": 1, "4.4": 1}, template=hotel)
    b, _ = visit(world, insp1, "S1", {"4.5": 3}, template=hotel)
    out = tmp_path / "summary.xlsx"
    assert run(world, lambda s: exports.export_summary(s, "admin", *NOV, out)).rows == 2
    rows = [padded(r, 14) for r in sheet_rows(out, "站点汇总")[1:]]
    site, posts = rows[0], {r[4]: r for r in rows[1:]}
    assert site[3:6] == ("全站 Whole site", None, 2) and site[9:13] == (0, 11, 189, 200)
    assert list(posts) == ["front-office", "housekeeping", "food-beverage", "engineering",
                           "security"]  # fmt: skip  # the template's order
    cards = [stored_score(world, v) for v in (a, b)]
    for code, row in posts.items():  # each post: its SubjectScores, added up
        mine = [s for c in cards for s in c["subjects"] if s["code"] == code]
        points, full = sum(s["score"] for s in mine), sum(s["max"] for s in mine)
        assert row[5] == len(mine) and (row[11], row[12]) == (points, full)
        assert row[10] == full - points
    # 1.3 ×2 and 4.5 ×3 | 4.4 | 4.6 (fixed 5): the 11 the site lost, each at its post
    assert [posts[c][10] for c in posts] == [0, 5, 1, 0, 5]
