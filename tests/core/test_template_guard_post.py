"""保安岗位检查表 (guard-post.v1): worked examples computed by hand from the template's rules.

The rules, as the template states them (000 = 保安队绩效考核制度, 001 = 服务品质管理办法):
  tier 1 (书面警告 / 50–100元)  → −2, minor        e.g. 1.1 着装, 6.2 per visitor let in
  tier 2 (通报批评 / 100–200元) → −5, major        e.g. 3.1 空岗, 3.2 打瞌睡/玩游戏
  tier 3 and 一票否决           → veto, −category max, critical (bonus of month and quarter lost)
  6.1 登记制度未执行            → 不得分 (zero_category)
Categories 1–9: 10 + 15 + 20 + 10 + 10 + 10 + 10 + 5 + 10 = 100; pass mark 70;
grades 优秀 ≥95, 良好 ≥85, 合格 ≥70, 不合格 below.
Subjects: guard holds categories 1–8 (max 90), team-leader 3.7 and 7.4 (categories 3 and 7,
max 30), site 8.2 and 9.x (categories 8 and 9, max 15).
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from fieldcore.aggregate import bonus, quarter_total
from fieldcore.answers import AnswersError
from fieldcore.checklist import Template
from fieldcore.problems import ProblemCode
from tests.core.conftest import all_pass, card, category, subject

VETO_ITEMS = ["2.5", "2.6", "3.4", "4.4", "7.1", "7.2", "7.3", "7.4"]
NOT_COVERT = [
    "3.5",
    "3.6",
    "3.7",
    "4.1",
    "4.3",
    "4.4",
    "5.1",
    "6.1",
    "6.4",
    "7.1",
    "7.2",
    "7.4",
    "9.1",
    "9.2",
    "9.3",
    "9.4",
]


@pytest.fixture
def guard(catalog: dict[str, Template]) -> Template:
    return catalog["guard-post"]


def failing(*codes: str, **counts: int) -> dict[str, dict[str, Any]]:
    """Fail each code once; keyword codes (1_2 for 1.2) fail that many times."""
    out: dict[str, dict[str, Any]] = {code: {"result": "fail"} for code in codes}
    for code, n in counts.items():
        out[code.replace("_", ".")] = {"result": "fail", "count": n}
    return out


def visit(t: Template, *codes: str, mode: str = "overt", **counts: int) -> dict[str, Any]:
    return card(t, all_pass(t, mode, **failing(*codes, **counts)), mode)


def summary(c: dict[str, Any]) -> tuple[Any, ...]:
    return (c["total"], c["max"], c["percent"], c["grade"], c["passed"], c["veto"])


def subject_scores(c: dict[str, Any]) -> dict[str, tuple[Any, Any, Any, Any]]:
    return {s["code"]: (s["score"], s["max"], s["percent"], s["grade"]) for s in c["subjects"]}


def test_category_maxima_make_the_100_point_month(guard: Template) -> None:
    # 着装 10, 站姿 15, 岗位 20, 交接班 10, 巡查 10, 登记 10, 安全 10, 岗亭卫生 5, 装备 10
    assert [(c.code, c.max) for c in guard.categories] == [
        ("1", 10),
        ("2", 15),
        ("3", 20),
        ("4", 10),
        ("5", 10),
        ("6", 10),
        ("7", 10),
        ("8", 5),
        ("9", 10),
    ]
    assert guard.max_points == 100
    assert len(list(guard.iter_items())) == 38


def test_each_penalty_tier_has_one_deduction_and_one_severity(guard: Template) -> None:
    # tier 1 → −2 minor, tier 2 → −5 major, tier 3 / veto → −category max critical
    for cat, item in guard.iter_items():
        d = item.deduction
        if d.kind == "veto":
            assert (item.severity, d.points, item.na_allowed) == ("critical", cat.max, False)
        elif d.kind == "zero_category":
            assert item.severity == "major"
        else:
            assert (d.points, item.severity) in {(2, "minor"), (5, "major")}, item.code
    vetoes = [i.code for _, i in guard.iter_items() if i.deduction.kind == "veto"]
    assert vetoes == VETO_ITEMS


def test_a_perfect_visit_scores_100_for_the_visit_and_for_every_subject(guard: Template) -> None:
    c = visit(guard)
    assert summary(c) == (100, 100, 100, "优秀", True, False)
    assert (c["complete"], c["veto_items"]) == (True, [])
    # guard: categories 1–8 = 90; team leader: 3 + 7 = 30; site: 8 + 9 = 15
    assert subject_scores(c) == {
        "guard": (90, 90, 100, "优秀"),
        "team-leader": (30, 30, 100, "优秀"),
        "site": (15, 15, 100, "优秀"),
    }


@pytest.mark.parametrize("code", ["7.1", "7.2", "7.3"])
def test_a_shift_incident_or_unauthorised_vehicle_release_fails_a_90_point_visit(
    guard: Template, code: str
) -> None:
    # veto −10 takes 安全 to 0: 100 − 10 = 90 (良好, above the pass mark) but the visit fails
    c = visit(guard, code)
    assert summary(c) == (90, 100, 90, "良好", False, True)
    assert c["veto_items"] == [code]
    assert category(c, "7")["score"] == 0
    assert (subject(c, "guard")["veto"], subject(c, "team-leader")["veto"]) == (True, False)


def test_the_team_leaders_area_veto_is_not_charged_to_the_guard(guard: Template) -> None:
    # 7.4 (team leader): 安全 0 → visit 90 but failed; leader 20 + 0 = 20 / 30 = 66.7 不合格;
    # the guard keeps 90 / 90 and no veto
    c = visit(guard, "7.4")
    assert summary(c) == (90, 100, 90, "良好", False, True)
    assert c["veto_items"] == ["7.4"]
    leader, guard_ = subject(c, "team-leader"), subject(c, "guard")
    assert (leader["score"], leader["percent"], leader["grade"], leader["veto"]) == (
        20,
        66.7,
        "不合格",
        True,
    )
    assert (guard_["score"], guard_["percent"], guard_["veto"]) == (90, 100, False)


@pytest.mark.parametrize(
    ("code", "cat", "cat_max"),
    [("2.5", "2", 15), ("2.6", "2", 15), ("3.4", "3", 20), ("4.4", "4", 10)],
)
def test_a_tier_3_violation_zeroes_its_category_leaves_the_others_and_fails_the_visit(
    guard: Template, code: str, cat: str, cat_max: int
) -> None:
    # 严重违规: veto taking the category's max → that category 0, total 100 − max; no pass
    c = visit(guard, code)
    assert category(c, cat)["score"] == 0
    others = [(x["code"], x["score"]) for x in c["categories"] if x["code"] != cat]
    assert others == [(x["code"], x["max"]) for x in c["categories"] if x["code"] != cat]
    assert (c["total"], c["passed"], c["veto"], c["veto_items"]) == (
        100 - cat_max,
        False,
        True,
        [code],
    )


def test_asleep_on_duty_with_an_empty_post_still_leaves_the_category_at_zero(
    guard: Template,
) -> None:
    # 3.4 −20 and 3.1 −5 = 25 > 20 → 坚守岗位 0 (not −5); total 100 − 20 = 80
    c = visit(guard, "3.4", "3.1")
    cat = category(c, "3")
    assert (cat["score"], cat["deducted"], cat["floored"]) == (0, 25, True)
    assert (c["total"], c["veto_items"]) == (80, ["3.4"])


def test_an_unkept_register_zeroes_registration_but_no_other_category(guard: Template) -> None:
    # 6.1 不得分: 登记 0 although 6.2 ×2 only deducts 4; others full: 100 − 10 = 90, no veto
    c = visit(guard, "6.1", **{"6_2": 2})
    reg = category(c, "6")
    assert (reg["score"], reg["deducted"], reg["zeroed_by"]) == (0, 4, "6.1")
    assert reg["notes"] == ["6.1 不得分:本类计0分"]
    assert [x["score"] for x in c["categories"] if x["code"] != "6"] == [
        10,
        15,
        20,
        10,
        10,
        10,
        5,
        10,
    ]
    assert summary(c) == (90, 100, 90, "良好", True, False)


@pytest.mark.parametrize(
    ("codes", "counts", "cat", "deducted", "total"),
    [
        # 3.1 + 3.2 + 3.3 + 3.5 + 3.6 = 5 × 5 = 25 > 20 → 0; total 100 − 20 = 80
        (["3.1", "3.2", "3.3", "3.5", "3.6"], {}, "3", 25, 80),
        # 6.2 ×4 = 8, 6.3 2, 6.4 2 → 12 > 10 → 0; total 100 − 10 = 90
        (["6.3", "6.4"], {"6_2": 4}, "6", 12, 90),
    ],
)
def test_several_failures_stop_at_zero_in_their_category(
    guard: Template,
    codes: list[str],
    counts: dict[str, int],
    cat: str,
    deducted: int,
    total: int,
) -> None:
    c = visit(guard, *codes, **counts)
    x = category(c, cat)
    assert (x["score"], x["deducted"], x["floored"]) == (0, deducted, True)
    assert x["notes"] == [f"扣分{deducted}超过满分{x['max']},扣完为止:本类计0分"]
    assert (c["total"], c["veto"]) == (total, False)


def test_missed_rounds_and_unregistered_visitors_cost_2_points_each(guard: Template) -> None:
    # 5.1 three missed rounds: 10 − 6 = 4; 6.2 two visitors: 10 − 4 = 6; total 100 − 10 = 90
    c = visit(guard, **{"5_1": 3, "6_2": 2})
    assert (category(c, "5")["score"], category(c, "6")["score"]) == (4, 6)
    assert (c["total"], c["grade"]) == (90, "良好")


@pytest.mark.parametrize(
    ("codes", "percent", "grade", "passed"),
    [
        (["1.1", "1.2", "1.3"], 94, "良好", True),  # 3 × tier 1: 100 − 6
        (["3.1"], 95, "优秀", True),  # 1 × tier 2: 100 − 5
        (["3.1", "3.2", "1.1", "1.2", "1.3"], 84, "合格", True),  # 10 + 6 = 16
        (["3.1", "3.2", "3.3"], 85, "良好", True),  # 3 × 5 = 15
        (["2.4", "3.1", "3.2", "3.3", "4.1", "1.1", "1.2", "1.3"], 69, "不合格", False),  # 25 + 6
        (["2.4", "3.1", "3.2", "3.3", "4.1", "9.3"], 70, "合格", True),  # 6 × 5 = 30
    ],
)
def test_grade_boundaries_just_below_and_at_each_band(
    guard: Template, codes: list[str], percent: int, grade: str, passed: bool
) -> None:
    # no category reaches its floor, so total = 100 − Σ deductions = percent
    c = visit(guard, *codes)
    assert (c["total"], c["percent"], c["grade"], c["passed"]) == (percent, percent, grade, passed)


def test_a_post_without_patrol_duty_is_scored_out_of_90(guard: Template) -> None:
    # 巡查 all N/A leaves total and max: 3.1 −5 → 85 / 90 = 94.44… → 94.4, just below 优秀
    na = {code: {"result": "na"} for code in ("5.1", "5.2", "5.3")}
    c = card(guard, all_pass(guard, **na, **failing("3.1")))
    assert category(c, "5")["excluded"] is True
    assert (c["total"], c["max"], c["percent"], c["grade"]) == (85, 90, 94.4, "良好")


def test_covert_visits_leave_out_records_roster_incidents_and_equipment(guard: Template) -> None:
    assert [i.code for _, i in guard.iter_items() if not i.covert_ok] == NOT_COVERT
    # 装备设施 has no covert item → max 100 − 10 = 90; the team leader has nothing covert
    c = visit(guard, mode="covert")
    assert [x["code"] for x in c["categories"]] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert summary(c) == (90, 90, 100, "优秀", True, False)
    assert subject_scores(c) == {"guard": (90, 90, 100, "优秀"), "site": (5, 5, 100, "优秀")}


def test_a_covert_visit_outside_handover_time_is_scored_on_what_was_seen(
    guard: Template,
) -> None:
    # covert, 4.2 交接仪式 N/A → 交接班 leaves (max 90 − 10 = 80); 3.2 −5, 6.2 ×2 −4:
    # 71 / 80 = 88.75 → 88.8 (half up) 良好
    answers = all_pass(guard, "covert", **failing("3.2", **{"6_2": 2}), **{"4.2": {"result": "na"}})
    c = card(guard, answers, "covert")
    assert category(c, "4")["excluded"] is True
    assert summary(c) == (71, 80, 88.8, "良好", True, False)


@pytest.mark.parametrize("code", ["3.5", "4.3", "6.1", "7.1", "9.3"])
def test_answering_an_item_that_needs_an_announced_check_in_covert_mode_is_refused(
    guard: Template, code: str
) -> None:
    answers = all_pass(guard, "covert", **{code: {"result": "pass"}})
    with pytest.raises(AnswersError) as err:
        card(guard, answers, "covert")
    assert [(p.code, p.item) for p in err.value.problems] == [
        (ProblemCode.ANSWERS_ITEM_NOT_IN_MODE, code)
    ]
    assert str(err.value.problems[0].code) == "answers.item_not_in_mode"


@pytest.mark.parametrize("code", VETO_ITEMS)
def test_a_veto_item_cannot_be_marked_not_applicable(guard: Template, code: str) -> None:
    # "no incident" is a pass (it deducts nothing), so N/A would only skip the question
    with pytest.raises(AnswersError) as err:
        card(guard, all_pass(guard, **{code: {"result": "na"}}))
    assert [(p.code, p.item) for p in err.value.problems] == [
        (ProblemCode.ANSWERS_NA_NOT_ALLOWED, code)
    ]


def test_the_guard_is_not_charged_with_the_sites_or_the_team_leaders_faults(
    guard: Template,
) -> None:
    # 1.1 guard −2, 3.7 leader −5, 8.2 site −2, 9.3 site −5: visit 100 − 14 = 86 良好
    # guard 90 − 2 = 88 / 90 = 97.8 优秀; leader 30 − 5 = 25 / 30 = 83.3 合格;
    # site 15 − 7 = 8 / 15 = 53.3 不合格
    c = visit(guard, "1.1", "3.7", "8.2", "9.3")
    assert (c["total"], c["grade"]) == (86, "良好")
    assert subject_scores(c) == {
        "guard": (88, 90, 97.8, "优秀"),
        "team-leader": (25, 30, 83.3, "合格"),
        "site": (8, 15, 53.3, "不合格"),
    }


@pytest.mark.parametrize(
    ("code", "guard_score", "site_score"),
    [("8.1", 88, 15), ("8.2", 90, 13)],  # 门卫室15米 is the guard's duty; 岗亭整洁 the site's
)
def test_sentry_box_hygiene_is_split_between_guard_and_site(
    guard: Template, code: str, guard_score: int, site_score: int
) -> None:
    c = visit(guard, code)
    assert category(c, "8")["score"] == 3  # 5 − 2 either way
    assert (subject(c, "guard")["score"], subject(c, "site")["score"]) == (
        guard_score,
        site_score,
    )


def test_a_quarter_sums_three_months_and_a_veto_month_cancels_the_bonus(
    guard: Template,
) -> None:
    # months: 3.1 −5 → 95; perfect → 100; 7.3 擅自放行 → 90 with veto
    months = [visit(guard, "3.1"), visit(guard), visit(guard, "7.3")]
    scores = [D(str(m["percent"])) for m in months]
    assert scores == [D(95), D(100), D(90)]
    # quarter: 95 + 100 + 90 = 285 / 300; 3000 × 285 / 300 = 2850, but the veto makes it 0
    assert quarter_total(scores) == D(285)
    assert bonus(D(3000), D(285), D(300)) == D("2850.00")
    assert bonus(D(3000), D(285), D(300), veto=any(m["veto"] for m in months)) == 0
    # month 1: 1000 × 95 / 100 = 950; month 3: 0 after the veto
    assert bonus(D(1000), scores[0], veto=months[0]["veto"]) == D("950.00")
    assert bonus(D(1000), scores[2], veto=months[2]["veto"]) == 0
