"""考核表 (appraisal) exports from visits: the guard company's month and quarter (seed 000)
and tobacco's half-year (seed 001), the organisation's settings, the layout and the CLI.

The visits are stored scored (Visit.score as the engine stores it: pooled percent, veto and
each subject's percent), so every figure below is worked by hand from the seed formulas;
test_a_pushed_guard_visit_feeds_its_posts checks the same path from a real push.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from fieldcore.problems import DomainError, ProblemCode
from sync_server.cli import app as cli
from sync_server.core.changeset import ChangeSet
from sync_server.core.config import Settings
from sync_server.org import admin
from sync_server.org.appraisal_settings import change_settings, load_settings
from sync_server.reports import exports
from sync_server.tables import AuditLog, Site, User, Visit
from sync_server.templates.catalog import checklist_dir
from tests.reports.kit import run, sheet_rows
from tests.server.world import World

pytestmark = pytest.mark.postgres  # the dialect matters: CST months over UTC instants in SQL

GUARD = {"guard": "当班保安", "team-leader": "保安队长", "site": "岗亭及装备"}
TOBACCO = {"account-manager": "客户经理", "monopoly-officer": "专管员", "delivery-driver": "送货员"}


def scored(
    world: World,
    site: str,
    template: str,
    when: datetime,
    percents: dict[str, float],
    veto: bool = False,
    status: str = "submitted",
) -> uuid.UUID:
    """A visit stored as scored: each subject's percent, the pooled one their mean."""
    titles = {**GUARD, **TOBACCO}
    subjects = [{"code": c, "title": titles[c], "percent": p, "veto": False, "passed": p >= 85}
                for c, p in percents.items()]  # fmt: skip
    score = {"percent": sum(percents.values()) / len(percents), "veto": veto, "subjects": subjects}
    visit_id = uuid.uuid4()
    with Session(world.engine) as s, s.begin():
        s.add(
            Visit(
                id=visit_id,
                site_id=uuid.UUID(world.site(site)),
                template_key=template,
                mode="overt",
                inspector_id=world.ids["insp1"],
                status=status,
                submitted_at=when,
                score=score,
            )
        )
    return visit_id


def day(month: int, d: int = 15) -> datetime:
    return datetime(2026, month, d, 2, 0, tzinfo=UTC)  # 10:00 CST


@pytest.fixture
def guards(world: World) -> None:
    """S1 (R1): guard 92 / 88 (veto in November) / 95, leader 90 / 80 / 100; S3 (R2):
    guard 70 and 80 in October only; the site's equipment (岗亭及装备) is not a person."""
    with Session(world.engine) as s, s.begin():
        s1 = s.get(Site, uuid.UUID(world.site("S1")))
        assert s1 is not None
        admin.add_subject(s, ChangeSet(s), s1, "guard", "张三")
    for month, guard, leader, veto in (
        (10, 92, 90, False),
        (11, 88, 80, True),
        (12, 95, 100, False),
    ):
        scored(world, "S1", "guard-post.v1", day(month), {"guard": guard, "team-leader": leader,
               "site": 50}, veto=veto)  # fmt: skip
    scored(world, "S3", "guard-post.v1", day(10, 3), {"guard": 70})
    scored(world, "S3", "guard-post.v1", day(10, 4), {"guard": 80})
    scored(
        world, "S3", "guard-post.v1", day(10, 5), {"guard": 10}, status="returned"
    )  # not counted
    scored(world, "S3", "mall-property.v1", day(10, 6), {"guard": 10})  # not a guard template


def test_guard_month_lists_each_post_with_score_veto_and_bonus(
    world: World, guards: None, tmp_path: Path
) -> None:
    out = tmp_path / "m.xlsx"
    result = run(world, lambda s: exports.export_appraisal(s, "admin", "2026-11", out))
    rows = sheet_rows(out, "月度考核表")
    assert rows[0][0] == "保安月度绩效考核表 2026-11" and rows[1][4] == "检查次数 Visits"
    # November at S1: a veto → scores stay, bonuses 0 (000:L895); S3 has no November visit
    assert [r[:8] for r in rows[2:]] == [
        ("R1", "S1 门店S1", "当班保安", "张三", 1, 88, "是", 0),
        ("R1", "S1 门店S1", "保安队长", None, 1, 80, "是", 0),
    ]
    assert result.rows == 2
    depts = sheet_rows(out, "部门汇总")
    assert depts[2] == ("R1", "华北区", 2, 84, 2, 0)  # (88 + 80) / 2; both vetoed


def test_guard_quarter_sums_months_and_a_veto_voids_the_quarter(
    world: World, guards: None, tmp_path: Path
) -> None:
    out = tmp_path / "q.xlsx"
    run(world, lambda s: exports.export_appraisal(s, "admin", "2026-Q4", out))
    rows = sheet_rows(out, "季度考核表")
    assert rows[1][4:7] == ("2026-10", "2026-11", "2026-12")
    # guard: 92 + 88 + 95 = 275 of 300; month bonuses 276 + 0 + 285 = 561; quarter voided
    # leader: 90 + 80 + 100 = 270; 270 + 0 + 300 = 570; quarter voided
    # S3 guard: October (70 + 80) / 2 = 75.0, bonus 225; no Nov/Dec → no quarter total
    assert [r[3:] for r in rows[2:]] == [
        ("张三", 92, 88, 95, 275, "是", 561, 0),
        (None, 90, 80, 100, 270, "是", 570, 0),
        (None, 75, None, None, None, "否", 225, None),
    ]
    depts = sheet_rows(out, "部门汇总")
    # R1: month averages 91, 84, 97.5; quarter average (275 + 270) / 2 = 272.5
    assert depts[2] == ("R1", "华北区", 2, 91, 84, 97.5, 2, 1131, 272.5, 0)
    assert depts[3] == ("R2", "华南区", 1, 75, None, None, 0, 225, None, 0)


def test_guard_quarter_without_a_veto_pays_the_quarter_bonus(world: World, tmp_path: Path) -> None:
    for month, percent in ((10, 92), (11, 88), (12, 95)):
        scored(world, "S3", "guard-post.v1", day(month), {"guard": percent})
    out = tmp_path / "q.xlsx"
    run(world, lambda s: exports.export_appraisal(s, "admin", "2026-Q4", out, "R2"))
    (row,) = sheet_rows(out, "季度考核表")[2:]
    assert row[4:] == (92, 88, 95, 275, "否", 825, 825)  # 900 × 275 / 300 (000:L933)


def test_changed_settings_change_the_bonuses_and_are_shown(world: World, tmp_path: Path) -> None:
    scored(world, "S3", "guard-post.v1", day(11), {"guard": 90})
    admin_user = _user(world, "admin")
    run(world, lambda s: change_settings(s, admin_user, {"guard.month_pool": "500"}))
    out = tmp_path / "m.xlsx"
    run(world, lambda s: exports.export_appraisal(s, "admin", "2026-11", out))
    assert sheet_rows(out, "月度考核表")[2][7] == 450  # 500 × 90 / 100
    shown = {r[0]: r[1:] for r in sheet_rows(out, "考核设置")[2:]}
    assert shown["月度绩效奖金总额(元) / Monthly bonus pool"] == ("500", "000:L933", "是",
        "the seed names the pool (月度绩效奖金总额) but not its amount")  # fmt: skip
    assert shown["部(所)达标分 / Department mark"][:3] == ("85", "001:L182", "否")


@pytest.mark.dialect_free  # access rules / validation only
def test_only_admins_change_settings_and_bad_values_change_nothing(world: World) -> None:
    sup = _user(world, "sup1")
    with pytest.raises(DomainError) as err:
        run(world, lambda s: change_settings(s, sup, {"guard.month_pool": "500"}))
    assert err.value.code == ProblemCode.AUTH_FORBIDDEN
    admin_user = _user(world, "admin")
    with pytest.raises(DomainError) as err:
        bad = {"guard.month_pool": "600", "tobacco.sample_share": "2"}
        run(world, lambda s: change_settings(s, admin_user, bad))
    assert err.value.code == ProblemCode.APPRAISAL_SETTING_INVALID
    with Session(world.engine) as s:
        assert load_settings(s).month_pool == 300  # the default still holds


@pytest.fixture
def tobacco(world: World) -> None:
    """H2 at S1 (R1): 客户经理 90, 专管员 80 and 76/82, 送货员 79; at S3 (R2) all 95."""
    scored(
        world, "S1", "tobacco-retail.v1", day(7), {"account-manager": 90, "monopoly-officer": 76}
    )
    scored(world, "S1", "tobacco-retail.v1", day(12, 20),
           {"monopoly-officer": 84, "delivery-driver": 79})  # fmt: skip
    scored(world, "S3", "tobacco-retail.v1", day(9), {"account-manager": 95})
    scored(world, "S1", "tobacco-retail.v1", day(6, 29), {"account-manager": 10})  # H1


def test_tobacco_department_below_85_costs_the_head_and_short_staff(
    world: World, tobacco: None, tmp_path: Path
) -> None:
    out = tmp_path / "h.xlsx"
    result = run(world, lambda s: exports.export_appraisal(s, "admin", "2026-H2", out))
    people = sheet_rows(out, "测评汇总表")
    assert people[0][0] == "客户服务质量测评汇总表 2026-H2"
    # R1: 90, (76 + 84) / 2 = 80, 79 → (90 + 80 + 79) / 3 = 83.0, 2 short (001:L182):
    # the head loses 2; 专管员 loses 85 − 80 = 5, 送货员 6; R2 at 95 loses nothing
    assert [(r[2], r[4], r[5], r[6], r[7]) for r in people[2:]] == [
        ("客户经理", 1, 90, "是", 0),
        ("送货员", 1, 79, "否", 6),
        ("专管员", 2, 80, "否", 5),
        ("客户经理", 1, 95, "是", 0),
    ]
    depts = sheet_rows(out, "部(所)汇总")
    # R1 has 1 active site (S1; S2 is in D1): 5 % of 1 → a sample of 1, 1 taken
    assert depts[2] == ("R1", "华北区", 3, 1, 1, 1, 83, "否", 2)
    assert depts[3] == ("R2", "华南区", 1, 1, 1, 1, 95, "是", 0)
    assert result.rows == 4


def test_a_lower_mark_spares_the_department(world: World, tobacco: None, tmp_path: Path) -> None:
    admin_user = _user(world, "admin")
    run(world, lambda s: change_settings(s, admin_user, {"tobacco.department_mark": "80"}))
    out = tmp_path / "h.xlsx"
    run(world, lambda s: exports.export_appraisal(s, "admin", "2026-H2", out))
    assert sheet_rows(out, "部(所)汇总")[2][6:] == (83, "是", 0)
    assert [r[7] for r in sheet_rows(out, "测评汇总表")[2:]] == [0, 0, 0, 0]


def test_the_cli_writes_the_appraisal_and_refuses_a_bad_period(
    world: World, guards: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINGCHA_DATABASE_URL", settings.database_url)
    runner, base = CliRunner(), ["--data-dir", str(settings.data_dir)]
    out = tmp_path / "q.xlsx"
    r = runner.invoke(cli, ["export", "appraisal", "--period", "2026-Q4", "--department", "R2",
                            "--as", "sup1", "-o", str(out), *base])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "0 people" in r.output  # sup1 covers R1 only: R2's guard is out of scope
    r = runner.invoke(cli, ["export", "appraisal", "--period", "2026-Q4", "--as", "sup1",
                            "-o", str(out), *base])  # fmt: skip
    assert r.exit_code == 0 and "2 people" in r.output, r.output
    assert [row[3] for row in sheet_rows(out, "季度考核表")[2:]] == ["张三", None]
    r = runner.invoke(cli, ["export", "appraisal", "--period", "2026-Q5", "--as", "sup1",
                            "-o", str(tmp_path / "x.xlsx"), *base])  # fmt: skip
    assert r.exit_code == 2 and "appraisal.period_invalid" in r.output, r.output
    r = runner.invoke(cli, ["export", "appraisal", "--period", "2026-H2", "--department", "NOPE",
                            "--as", "sup1", "-o", str(tmp_path / "x.xlsx"), *base])  # fmt: skip
    assert r.exit_code == 2 and "request.not_found" in r.output, r.output
    assert not (tmp_path / "x.xlsx").exists()
    with Session(world.engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.entity == "appraisal")).all()
        assert [(a.entity_id, a.details["department"]) for a in rows] == [
            ("2026-Q4", "R2"), ("2026-Q4", None)]  # fmt: skip


def _user(world: World, name: str) -> Any:
    with Session(world.engine) as s:
        user = s.exec(select(User).where(User.username == name)).one()
        s.expunge(user)
        return user


def test_a_pushed_guard_visit_feeds_its_posts(world: World, tmp_path: Path) -> None:
    """A real push of a guard-post visit, 7.1 (a veto item) failed: each post's appraisal
    score is its percent in the stored ScoreCard, and the veto marks the month."""
    phone = world.phone("insp1")
    visit_id, create = phone.new_visit(world.site("S1"), template_key="guard-post.v1")
    codes = [i["code"] for c in _guard_template()["categories"] for i in c["items"]]
    answers = [phone.answer(visit_id, c, "fail" if c == "7.1" else "pass") for c in codes]
    submit = phone.mutation("visit", visit_id, status="submitted")
    assert {r["status"] for r in phone.push(create, *answers, submit)} == {"applied"}
    with Session(world.engine) as s:
        stored = s.get(Visit, visit_id)
        assert stored is not None and stored.score is not None and stored.score["veto"]
        percent = {p["code"]: p["percent"] for p in stored.score["subjects"]}
    out = tmp_path / "m.xlsx"
    run(world, lambda s: exports.export_appraisal(s, "admin", "2026-11", out))
    rows = sheet_rows(out, "月度考核表")[2:]
    assert [(r[2], r[5], r[6], r[7]) for r in rows] == [
        ("当班保安", percent["guard"], "是", 0),
        ("保安队长", percent["team-leader"], "是", 0),
    ]


def _guard_template() -> Any:
    return json.loads((checklist_dir() / "guard-post.v1.json").read_text(encoding="utf-8"))


def test_a_visit_counts_in_its_china_time_month(world: World, tmp_path: Path) -> None:
    # 2026-10-31 17:00 UTC is 2026-11-01 01:00 CST: November's, not October's
    scored(world, "S3", "guard-post.v1", datetime(2026, 10, 31, 17, 0, tzinfo=UTC), {"guard": 90})
    october, november = tmp_path / "10.xlsx", tmp_path / "11.xlsx"
    run(world, lambda s: exports.export_appraisal(s, "admin", "2026-10", october))
    run(world, lambda s: exports.export_appraisal(s, "admin", "2026-11", november))
    assert sheet_rows(october, "月度考核表")[2:] == []
    assert [r[5] for r in sheet_rows(november, "月度考核表")[2:]] == [90]
    quarter = tmp_path / "q.xlsx"
    run(world, lambda s: exports.export_appraisal(s, "admin", "2026-Q4", quarter))
    assert sheet_rows(quarter, "季度考核表")[2][4:7] == (None, 90, None)


def test_a_veto_visit_that_scored_only_the_equipment_voids_the_posts_month(
    world: World, tmp_path: Path
) -> None:
    # S3's guard: 92 / 88 / 95; a December visit scored only 岗亭及装备 (the guard's items
    # not scorable) but had a veto: the guard's December and quarter bonuses are void
    for month, percent in ((10, 92), (11, 88), (12, 95)):
        scored(world, "S3", "guard-post.v1", day(month), {"guard": percent})
    scored(world, "S3", "guard-post.v1", day(12, 20), {"site": 40}, veto=True)
    out = tmp_path / "q.xlsx"
    result = run(world, lambda s: exports.export_appraisal(s, "admin", "2026-Q4", out))
    (row,) = sheet_rows(out, "季度考核表")[2:]
    assert row[4:] == (92, 88, 95, 275, "是", 540, 0)  # 276 + 264 + 0; quarter void
    assert result.rows == 1
