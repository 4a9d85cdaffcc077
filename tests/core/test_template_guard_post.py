"""保安岗位检查表 (guard-post, newest version v2): worked examples computed by hand.

v2 follows the seed's appraisal areas (000 = 保安队绩效考核制度):
  guard (保安, 000:L893-903):  1 安保工作 30, 2 工作纪律 30, 3 工作业绩 10, 4 仪容仪表 20,
                               5 团队精神 10 = 100
  team leader (000:L905-923):  6 安保工作 40, 7 工作态度 20, 8 管理工作 40 = 100
  site (000:L857-865; 001:L298): 9 装备设施与岗亭 15
Each subject is scored on its own 百分制 (000:L929; scoring.per_subject). The seed gives
fines, not points, so every category maximum and deduction is assumed (自定):
  tier 1 (书面警告 / 50-100元)  -> -2, minor        e.g. 4.1 着装, 1.6 per visitor let in
  tier 2 (通报批评 / 100-200元) -> -5, major        e.g. 2.2 空岗, 2.3 打瞌睡
  严重违规违纪 / 一票否决        -> veto (the seed's), -category max (ours), critical
Grades 优秀 >=95, 良好 >=85, 合格 >=70, 不合格 below; pass mark 70 (all assumed).
"""

from __future__ import annotations

import re
from decimal import Decimal as D
from typing import Any

import pytest

from fieldcore.aggregate import bonus, quarter_total
from fieldcore.answers import AnswersError
from fieldcore.checklist import Mode, Template
from fieldcore.problems import ProblemCode
from sync_server.templates.catalog import resolve_template
from tests.core.conftest import all_pass, card, category, subject

VETO_ITEMS = ["1.1", "1.2", "1.3", "2.5", "2.10", "2.14", "2.15", "2.16", "2.17", "2.18", "4.9"]
VETO_ITEMS += ["6.1"]
COVERT_CATEGORIES = ["1", "2", "4", "9"]  # 工作业绩, 团队精神 and the leader's need records


@pytest.fixture
def guard(catalog: dict[str, Template]) -> Template:
    return catalog["guard-post"]


def failing(*codes: str, **counts: int) -> dict[str, dict[str, Any]]:
    """Fail each code once; keyword codes (1_6 for 1.6) fail that many times."""
    out: dict[str, dict[str, Any]] = {code: {"result": "fail"} for code in codes}
    for code, n in counts.items():
        out[code.replace("_", ".")] = {"result": "fail", "count": n}
    return out


def visit(
    t: Template, *codes: str, mode: Mode = "overt", counts: dict[str, int] | None = None
) -> dict[str, Any]:
    return card(t, all_pass(t, mode, **failing(*codes, **(counts or {}))), mode)


def subject_scores(c: dict[str, Any]) -> dict[str, tuple[Any, Any, Any, Any, Any]]:
    return {
        s["code"]: (s["score"], s["max"], s["percent"], s["grade"], s["veto"])
        for s in c["subjects"]
    }


def test_v2_is_the_newest_and_v1_stays_published_for_pinned_visits(guard: Template) -> None:
    assert guard.key == "guard-post.v2"
    v1 = resolve_template("guard-post.v1")
    assert v1.items_by_code["2.5"][1].deduction.kind == "veto"  # v1 unchanged (its 2.5 error)


def test_categories_are_the_seeds_appraisal_areas_per_subject(guard: Template) -> None:
    assert [(c.code, c.title, c.max, c.subject) for c in guard.categories] == [
        ("1", "安保工作", 30, "guard"),
        ("2", "工作纪律", 30, "guard"),
        ("3", "工作业绩", 10, "guard"),
        ("4", "仪容仪表", 20, "guard"),
        ("5", "团队精神", 10, "guard"),
        ("6", "队长·安保工作", 40, "team-leader"),
        ("7", "队长·工作态度", 20, "team-leader"),
        ("8", "队长·管理工作", 40, "team-leader"),
        ("9", "装备设施与岗亭", 15, "site"),
    ]
    assert guard.scoring.per_subject is True  # 保安和保安队长 each on 百分制 (000:L929)
    assert all(guard.item_subject(c, i) == c.subject for c, i in guard.iter_items())
    assert len(list(guard.iter_items())) == 58


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("000:L965", "1.4"),  # 不执行安全保卫制度 (tier 1)
        ("000:L897", "2.11"),  # 服从命令、听从指挥;品行端正、诚实守信
        ("000:L997", "2.14"),  # 欺上瞒下 … 打架 (tier 3)
        ("000:L1001", "2.16"),  # 工作失职造成严重损失
        ("000:L1003", "2.17"),  # 明知故犯
        ("000:L1005", "2.18"),  # 监守自盗
        ("000:L903", "5.1"),  # 团队精神
        ("000:L909", "7.1"),  # 队长 工作态度
        ("000:L923", "8.7"),  # 队长 下属绩效改进
    ],
)
def test_the_seed_items_v1_missed_are_there(guard: Template, source: str, code: str) -> None:
    _, item = guard.items_by_code[code]
    seed, line = source.split(":")
    assert item.source.startswith(seed) and line in re.findall(r"L\d+", item.source)


def test_every_value_without_a_seed_source_is_marked_assumed(guard: Template) -> None:
    # the seed's 考核表 with the points is not attached (000:L929): nothing here is the seed's
    assert guard.scoring.assumed and guard.scoring.assumed_note
    assert all(c.assumed and c.assumed_note for c in guard.categories)
    assert all(i.assumed and i.assumed_note for _, i in guard.iter_items())
    _, register = guard.items_by_code["1.7"]  # v1's 6.1 不得分, now a fixed 10 of 安保工作
    assert (register.deduction.kind, register.deduction.points) == ("fixed", 10)


def test_each_penalty_tier_has_one_deduction_and_one_severity(guard: Template) -> None:
    for cat, item in guard.iter_items():
        d = item.deduction
        if d.kind == "veto":
            assert (item.severity, d.points, item.na_allowed) == ("critical", cat.max, False)
        else:
            assert d.kind in ("fixed", "per_occurrence"), item.code
            assert (d.points, item.severity) in {
                (2, "minor"),
                (4, "minor"),
                (5, "major"),
                (10, "major"),
            }, item.code
    assert [i.code for _, i in guard.iter_items() if i.deduction.kind == "veto"] == VETO_ITEMS


def test_a_perfect_visit_scores_every_subject_on_its_own_hundred(guard: Template) -> None:
    c = visit(guard)
    assert (c["total"], c["max"], c["percent"], c["passed"], c["veto"]) == (
        215,
        215,
        100,
        True,
        False,
    )
    assert subject_scores(c) == {
        "guard": (100, 100, 100, "优秀", False),
        "team-leader": (100, 100, 100, "优秀", False),
        "site": (15, 15, 100, "优秀", False),
    }


def test_kickbacks_or_obstruction_without_the_serious_qualifier_are_no_veto(
    guard: Template,
) -> None:
    # 000:L993 lists 索取好处费 / 贪小便宜 / 故意刁难 only 情节严重者 as 严重违规
    _, serious = guard.items_by_code["2.15"]
    assert "情节严重" in serious.text and serious.deduction.kind == "veto"
    assert serious.source == "000:L993"
    # not serious: 2.13 (索取好处费, tier 2 其他违规 000:L987) or 4.8 (故意刁难, 000:L979)
    for code, cat in (("2.13", "2"), ("4.8", "4")):
        c = visit(guard, code)
        assert (c["veto"], c["passed"], c["veto_items"]) == (False, True, [])
        assert category(c, cat)["deducted"] == 5
        assert subject(c, "guard")["percent"] == 95
    # serious: veto, 工作纪律 0, the guard 70 and the visit failed
    c = visit(guard, "2.15")
    assert (c["veto"], c["passed"], c["veto_items"]) == (True, False, ["2.15"])
    assert category(c, "2")["score"] == 0
    assert subject_scores(c)["guard"] == (70, 100, 70, "合格", True)


@pytest.mark.parametrize("code", ["1.1", "1.2", "1.3"])
def test_a_shift_incident_or_unauthorised_vehicle_release_fails_the_visit(
    guard: Template, code: str
) -> None:
    # veto −30 takes 安保工作 to 0: guard 70 / 100; visit 185 / 215 = 86.0 but failed
    c = visit(guard, code)
    assert (c["total"], c["percent"], c["passed"], c["veto_items"]) == (185, 86.0, False, [code])
    assert category(c, "1")["score"] == 0
    assert subject_scores(c)["guard"] == (70, 100, 70, "合格", True)
    assert subject_scores(c)["team-leader"] == (100, 100, 100, "优秀", False)


def test_the_team_leaders_area_veto_is_not_charged_to_the_guard(guard: Template) -> None:
    # 6.1 (team leader): 队长·安保工作 0 of 40 → leader 60 / 100 不合格 with veto
    c = visit(guard, "6.1")
    assert (c["passed"], c["veto_items"]) == (False, ["6.1"])
    assert subject_scores(c)["team-leader"] == (60, 100, 60, "不合格", True)
    assert subject_scores(c)["guard"] == (100, 100, 100, "优秀", False)


@pytest.mark.parametrize(
    ("code", "cat", "cat_max"),
    [("2.5", "2", 30), ("2.14", "2", 30), ("2.18", "2", 30), ("4.9", "4", 20)],
)
def test_a_serious_violation_zeroes_its_category_leaves_the_others_and_fails_the_visit(
    guard: Template, code: str, cat: str, cat_max: int
) -> None:
    c = visit(guard, code)
    assert category(c, cat)["score"] == 0
    others = [(x["code"], x["score"]) for x in c["categories"] if x["code"] != cat]
    assert others == [(x["code"], x["max"]) for x in c["categories"] if x["code"] != cat]
    assert (c["total"], c["passed"], c["veto"], c["veto_items"]) == (
        215 - cat_max,
        False,
        True,
        [code],
    )


def test_an_unkept_register_takes_ten_points_not_the_whole_security_area(
    guard: Template,
) -> None:
    # 1.7 −10 and 1.6 ×2 −4: 安保工作 30 − 14 = 16 (v1 made its 登记 category 0)
    c = visit(guard, "1.7", counts={"1_6": 2})
    sec = category(c, "1")
    assert (sec["score"], sec["deducted"], sec["zeroed_by"]) == (16, 14, None)
    assert subject_scores(c)["guard"] == (86, 100, 86, "良好", False)


def test_several_failures_stop_at_zero_in_their_category(guard: Template) -> None:
    # 2.1 + 2.2 + 2.3 + 2.4 + 2.6 + 2.7 = 6 × 5 = 30, + 2.9 −2 = 32 > 30 → 工作纪律 0
    c = visit(guard, "2.1", "2.2", "2.3", "2.4", "2.6", "2.7", "2.9")
    x = category(c, "2")
    assert (x["score"], x["deducted"], x["floored"]) == (0, 32, True)
    assert x["notes"] == ["扣分32超过满分30,扣完为止:本类计0分"]
    assert subject_scores(c)["guard"] == (70, 100, 70, "合格", False)


def test_missed_rounds_and_unregistered_visitors_cost_2_points_each(guard: Template) -> None:
    # 1.9 three missed rounds −6, 1.6 two visitors −4: 安保工作 30 − 10 = 20
    c = visit(guard, counts={"1_9": 3, "1_6": 2})
    assert category(c, "1")["score"] == 20
    assert subject(c, "guard")["percent"] == 90


@pytest.mark.parametrize(
    ("codes", "percent", "grade"),
    [
        (["4.1", "4.2", "4.3"], 94, "良好"),  # 3 × tier 1
        (["2.2"], 95, "优秀"),  # 1 × tier 2
        (["2.2", "2.3", "4.1", "4.2", "4.3"], 84, "合格"),  # 10 + 6
        (["2.2", "2.3", "2.4"], 85, "良好"),  # 15
        (["2.1", "2.2", "2.3", "2.4", "2.6", "4.8", "1.4"], 68, "不合格"),  # 30 + 2
        (["2.1", "2.2", "2.3", "2.4", "2.6", "4.8"], 70, "合格"),  # 6 × 5
    ],
)
def test_the_guards_grade_just_below_and_at_each_band(
    guard: Template, codes: list[str], percent: int, grade: str
) -> None:
    # no category reaches its floor, so the guard's score = 100 − Σ deductions = percent
    c = visit(guard, *codes)
    s = subject(c, "guard")
    assert (s["score"], s["percent"], s["grade"]) == (percent, percent, grade)


def test_the_team_leader_is_scored_on_the_management_areas(guard: Template) -> None:
    # 8.1 −5 and 7.2 −5: leader 90 良好; the guard is not charged
    c = visit(guard, "8.1", "7.2")
    assert subject_scores(c)["team-leader"] == (90, 100, 90, "良好", False)
    assert subject_scores(c)["guard"] == (100, 100, 100, "优秀", False)


def test_a_post_without_patrol_duty_leaves_the_patrol_items_out(guard: Template) -> None:
    # 巡查 N/A deducts nothing; 安保工作 stays in (its other items apply)
    na = {code: {"result": "na"} for code in ("1.9", "1.10", "1.11")}
    c = card(guard, all_pass(guard, **na, **failing("2.2")))
    assert category(c, "1")["score"] == 30
    assert subject(c, "guard")["percent"] == 95


def test_covert_visits_leave_out_records_performance_the_leader_and_equipment_checks(
    guard: Template,
) -> None:
    c = visit(guard, mode="covert")
    assert [x["code"] for x in c["categories"]] == COVERT_CATEGORIES
    assert (c["total"], c["max"], c["percent"]) == (95, 95, 100)
    assert subject_scores(c) == {
        "guard": (80, 80, 100, "优秀", False),
        "site": (15, 15, 100, "优秀", False),
    }


@pytest.mark.parametrize("code", ["2.1", "3.1", "6.1", "8.1", "9.3"])
def test_answering_an_item_that_needs_an_announced_check_in_covert_mode_is_refused(
    guard: Template, code: str
) -> None:
    answers = all_pass(guard, "covert", **{code: {"result": "pass"}})
    with pytest.raises(AnswersError) as err:
        card(guard, answers, "covert")
    assert [(p.code, p.item) for p in err.value.problems] == [
        (ProblemCode.ANSWERS_ITEM_NOT_IN_MODE, code)
    ]


@pytest.mark.parametrize("code", VETO_ITEMS)
def test_a_veto_item_cannot_be_marked_not_applicable(guard: Template, code: str) -> None:
    # "no incident" is a pass (it deducts nothing), so N/A would only skip the question
    with pytest.raises(AnswersError) as err:
        card(guard, all_pass(guard, **{code: {"result": "na"}}))
    assert [(p.code, p.item) for p in err.value.problems] == [
        (ProblemCode.ANSWERS_NA_NOT_ALLOWED, code)
    ]


def test_sentry_box_and_equipment_are_the_sites_not_the_guards(guard: Template) -> None:
    # 4.6 门卫室15米 is the guard's duty (000:L961); 9.5 岗亭整洁 the site's (001:L298)
    c = visit(guard, "4.6", "9.5", "9.3")
    assert subject_scores(c)["guard"] == (98, 100, 98, "优秀", False)
    assert subject_scores(c)["site"] == (8, 15, 53.3, "不合格", False)


def test_a_quarter_sums_three_months_and_a_veto_month_cancels_the_bonus(
    guard: Template,
) -> None:
    # the guard's months: 2.2 −5 → 95; perfect → 100; 1.3 擅自放行 → 70 with veto
    months = [visit(guard, "2.2"), visit(guard), visit(guard, "1.3")]
    scores = [D(str(subject(m, "guard")["percent"])) for m in months]
    assert scores == [D(95), D(100), D(70)]
    # quarter: 95 + 100 + 70 = 265 / 300; 3000 × 265 / 300 = 2650, but the veto makes it 0
    assert quarter_total(scores) == D(265)
    assert bonus(D(3000), D(265), D(300)) == D("2650.00")
    assert bonus(D(3000), D(265), D(300), veto=any(m["veto"] for m in months)) == 0
    assert bonus(D(1000), scores[0], veto=months[0]["veto"]) == D("950.00")
    assert bonus(D(1000), scores[2], veto=months[2]["veto"]) == 0
