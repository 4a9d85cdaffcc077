"""卷烟零售户走访测评 (seed 001:L16-204): three posts in one visit, totals 120/100/110."""

from __future__ import annotations

from typing import Any

import pytest

from fieldcore.answers import AnswersError
from fieldcore.checklist import Template
from fieldcore.problems import ProblemCode
from tests.core.conftest import all_pass, card, category, subject


@pytest.fixture
def tobacco(catalog: dict[str, Template]) -> Template:
    return catalog["tobacco-retail"]


def fail(count: int | None = None) -> dict[str, Any]:
    return {"result": "fail", **({"count": count} if count else {})}


def test_post_totals_are_the_seeds_120_100_110(tobacco: Template) -> None:
    by_subject: dict[str, float] = {}
    for c in tobacco.categories:
        by_subject[c.subject] = by_subject.get(c.subject, 0) + float(c.max)
    assert by_subject == {"account-manager": 120, "monopoly-officer": 100, "delivery-driver": 110}


def test_a_perfect_visit_scores_330_of_330(tobacco: Template) -> None:
    c = card(tobacco, all_pass(tobacco))
    assert (c["total"], c["max"], c["percent"], c["grade"], c["passed"]) == (
        330,
        330,
        100,
        "优秀",
        True,
    )
    assert [s["percent"] for s in c["subjects"]] == [100, 100, 100]


def test_each_post_is_normalized_to_a_hundred_from_its_own_total(tobacco: Template) -> None:
    # AM.1.3 库存 −2 (fixed); AM.5.4 铺货率 67.5% vs 70%: 2.5 × 1 = −2.5
    # account manager: 18 + 47.5 + 20 + 30 = 115.5 / 120 = 96.25 → 96.3 (half up)
    c = card(tobacco, all_pass(tobacco, **{"AM.1.3": fail(), "AM.5.4": {"value": 67.5}}))
    am = subject(c, "account-manager")
    assert (am["score"], am["max"], am["percent"], am["grade"]) == (115.5, 120, 96.3, "优秀")
    # the visit: 330 − 4.5 = 325.5 / 330 = 98.636… → 98.6
    assert (c["total"], c["percent"]) == (325.5, 98.6)


def test_substantiated_complaints_cost_two_points_each(tobacco: Template) -> None:
    c = card(tobacco, all_pass(tobacco, **{"AM.6": fail(3), "DD.6": fail(12)}))
    # AM: 20 − 3 × 2 = 14; DD: 20 − 12 × 2 = −4 → stopped at 0 (扣完为止)
    assert category(c, "AM.3")["score"] == 14
    assert (category(c, "DD.3")["score"], category(c, "DD.3")["floored"]) == (0, True)


def test_a_figure_far_below_target_takes_the_whole_category_but_no_more(tobacco: Template) -> None:
    # 毛利率 −20% vs 10%: 30 short × 2 = 60 > 50 → 提升服务 0 (扣完为止); others intact
    c = card(tobacco, all_pass(tobacco, **{"AM.5.1": {"value": -20}}))
    assert (category(c, "AM.2")["score"], category(c, "AM.2")["deducted"]) == (0, 60)
    assert subject(c, "account-manager")["score"] == 70  # 20 + 0 + 20 + 30


def test_the_stock_to_sales_band_deducts_on_both_sides(tobacco: Template) -> None:
    # 存销比 as % of the market ratio must stay within 80..100: 104 → 4 over × 2 = −8;
    # 77 → 3 under × 2 = −6
    assert (
        category(card(tobacco, all_pass(tobacco, **{"AM.5.2": {"value": 104}})), "AM.2")["score"]
        == 42
    )
    assert (
        category(card(tobacco, all_pass(tobacco, **{"AM.5.2": {"value": 77}})), "AM.2")["score"]
        == 44
    )


def test_a_delivery_safety_accident_zeroes_only_the_safety_indicator(tobacco: Template) -> None:
    # 001:L136-138: 不得分 is inside 货物、货款安全保障率, so it zeroes that indicator (DD.2S,
    # 10 points), not all of 提升服务 (v1 took the whole 40). DD: 20 + 30 + 0 + 20 + 30 = 100
    c = card(tobacco, all_pass(tobacco, **{"DD.5.3": fail()}))
    assert (category(c, "DD.2S")["score"], category(c, "DD.2S")["zeroed_by"]) == (0, "DD.5.3")
    assert (category(c, "DD.2")["score"], category(c, "DD.2")["zeroed_by"]) == (30, None)
    dd = subject(c, "delivery-driver")
    assert (dd["score"], dd["max"], dd["percent"]) == (100, 110, 90.9)
    assert subject(c, "account-manager")["percent"] == 100  # nobody else is charged


def test_the_delivery_drivers_enhanced_service_still_totals_the_seeds_40(
    tobacco: Template,
) -> None:
    cats = {c.code: c for c in tobacco.categories}
    assert (cats["DD.2"].max, cats["DD.2S"].max) == (30, 10)
    assert [i.code for i in cats["DD.2S"].items] == ["DD.5.2", "DD.5.3"]
    assert cats["DD.2"].assumed and cats["DD.2S"].assumed and cats["DD.2S"].assumed_note
    # one 安全保障率 nonconformity (一项不符扣10分) takes the indicator's 10, nothing more
    c = card(tobacco, all_pass(tobacco, **{"DD.5.2": fail(2)}))
    assert (category(c, "DD.2S")["score"], category(c, "DD.2")["score"]) == (0, 30)


def test_each_post_is_scored_on_its_own_and_the_grades_are_marked_assumed(
    tobacco: Template,
) -> None:
    assert tobacco.key == "tobacco-retail.v2"
    assert tobacco.scoring.per_subject is True  # 001:L24, L154-156
    # pass mark 85 is the seed's (001:L182); the bands are not
    assert tobacco.scoring.pass_mark == 85
    assert tobacco.scoring.assumed and "001:L182" in tobacco.scoring.assumed_note
    # the seed gives every other category maximum and item rule
    assumed = [c.code for c in tobacco.categories if c.assumed]
    assert assumed == ["DD.2", "DD.2S"]
    assert [i.code for _, i in tobacco.iter_items() if i.assumed] == ["DD.5.5"]


def test_a_plain_shop_visit_can_leave_the_data_indicators_out(tobacco: Template) -> None:
    data_items = [i.code for c in tobacco.categories if not c.code.endswith(".1") for i in c.items]
    answers = all_pass(tobacco, **{code: {"result": "na"} for code in data_items})
    answers["AM.1.3"] = fail()
    c = card(tobacco, answers)
    # only the three standard-service parts count: 20 + 30 + 20 = 70; AM.1.3 −2 → 68/70
    assert (c["total"], c["max"], c["percent"]) == (68, 70, 97.1)
    assert subject(c, "account-manager")["max"] == 20


@pytest.mark.parametrize(
    ("driver_on_time", "percent", "passed"),
    [
        (95.25, 85.0, True),  # AM.5.1 −10% margin: 20 short × 2 = 40; DD.5.1: 4.75 × 2 = 9.5
        (95.1, 84.9, False),  # → 330 − 49.5 = 280.5 / 330 = 85.0; with 4.9 short: 280.2 → 84.9
    ],
)
def test_the_pass_mark_85_is_inclusive(
    tobacco: Template, driver_on_time: float, percent: float, passed: bool
) -> None:
    c = card(
        tobacco,
        all_pass(tobacco, **{"AM.5.1": {"value": -10}, "DD.5.1": {"value": driver_on_time}}),
    )
    assert (c["percent"], c["passed"], c["grade"]) == (
        percent,
        passed,
        "良好" if passed else "合格",
    )


@pytest.mark.parametrize(
    ("permille", "taken"),
    [
        (0.1, 0),  # on the ceiling
        (10.1, 3),  # 1% (= 10‰) over: 3 points, the seed's 每1%扣3分
        (5.1, 1.5),  # 0.5% over: proportional
        (1.1, 0.3),  # 1‰ over; v1 took 30 points here (3 per 0.1‰)
    ],
)
def test_breakage_takes_the_seeds_3_points_per_percent_over_the_ceiling(
    tobacco: Template, permille: float, taken: float
) -> None:
    # 001:L142 破损率 ≤ 0.1‰, 每少1%扣3分: entered in ‰, 3 points per 10‰ beyond 0.1‰
    c = card(tobacco, all_pass(tobacco, **{"DD.5.5": {"value": permille}}))
    assert category(c, "DD.2")["score"] == 30 - taken
    _, item = tobacco.items_by_code["DD.5.5"]
    assert item.assumed and "001:L142" in item.assumed_note


def test_a_count_on_a_fixed_rule_and_a_covert_visit_are_refused(tobacco: Template) -> None:
    with pytest.raises(AnswersError) as err:
        card(tobacco, {"AM.1.3": fail(2)})
    assert err.value.problems[0].code == ProblemCode.ANSWERS_INVALID_COUNT
    with pytest.raises(AnswersError) as err:
        card(tobacco, {}, mode="covert")
    assert err.value.problems[0].code == ProblemCode.ANSWERS_MODE_NOT_ALLOWED
