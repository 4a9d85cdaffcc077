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


def test_a_delivery_safety_accident_scores_the_enhanced_service_zero(tobacco: Template) -> None:
    c = card(tobacco, all_pass(tobacco, **{"DD.5.3": fail()}))
    # 不得分: DD 提升服务 0 of 40; DD standard, complaints, satisfaction keep 70 → 70/110
    assert (category(c, "DD.2")["score"], category(c, "DD.2")["zeroed_by"]) == (0, "DD.5.3")
    dd = subject(c, "delivery-driver")
    assert (dd["score"], dd["max"], dd["percent"]) == (70, 110, 63.6)
    assert subject(c, "account-manager")["percent"] == 100  # nobody else is charged


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


def test_breakage_above_its_ceiling_counts_per_tenth_of_a_permille(tobacco: Template) -> None:
    # 破损率 0.35‰ vs ≤ 0.1‰: 0.25 over, in steps of 0.1 at 3 points = −7.5
    c = card(tobacco, all_pass(tobacco, **{"DD.5.5": {"value": 0.35}}))
    assert category(c, "DD.2")["score"] == 32.5


def test_a_count_on_a_fixed_rule_and_a_covert_visit_are_refused(tobacco: Template) -> None:
    with pytest.raises(AnswersError) as err:
        card(tobacco, {"AM.1.3": fail(2)})
    assert err.value.problems[0].code == ProblemCode.ANSWERS_INVALID_COUNT
    with pytest.raises(AnswersError) as err:
        card(tobacco, {}, mode="covert")
    assert err.value.problems[0].code == ProblemCode.ANSWERS_MODE_NOT_ALLOWED
