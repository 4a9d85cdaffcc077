"""Roll-ups of seed 001 and 000: person, department, quarter, bonus, appraisal deduction."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from fieldcore.aggregate import (
    appraisal_deduction,
    bonus,
    department_scores,
    mean_score,
    person_scores,
    quarter_total,
)
from fieldcore.problems import DomainError, ProblemCode


def test_a_person_scores_the_mean_of_their_visits_rounded_half_up() -> None:
    # (90 + 85.5 + 80.2) / 3 = 85.2333… → 85.2; (88 + 91.15) / 2 = 89.575 → 89.6
    people = person_scores(
        {"王店员": [D("90"), D("85.5"), D("80.2")], "李店员": [D("88"), D("91.15")]}
    )
    assert people == {"王店员": D("85.2"), "李店员": D("89.6")}


def test_a_department_scores_the_mean_of_its_people_as_the_summary_table_shows_them() -> None:
    people = {"a": D("85.2"), "b": D("89.6"), "c": D("70.0")}
    # 一部: (85.2 + 89.6) / 2 = 87.4; 二部: c only = 70.0; d has no score and is left out
    assert department_scores({"一部": ["a", "b"], "二部": ["c", "d"]}, people) == {
        "一部": D("87.4"),
        "二部": D("70.0"),
    }


def test_a_department_without_any_scored_person_is_an_error() -> None:
    with pytest.raises(DomainError) as err:
        department_scores({"三部": ["x"]}, {})
    assert err.value.code == ProblemCode.AGGREGATE_INVALID


def test_a_quarter_is_the_sum_of_exactly_three_months_out_of_300() -> None:
    assert quarter_total([D("95"), D("88.5"), D("100")]) == D("283.5")
    with pytest.raises(DomainError):
        quarter_total([D("95"), D("88.5")])


def test_bonus_is_proportional_to_the_score_and_zero_after_a_veto() -> None:
    assert bonus(D("1000"), D("87.5")) == D("875.00")
    assert bonus(D("3000"), D("283.5"), out_of=D("300")) == D("2835.00")
    assert bonus(D("1000"), D("99"), veto=True) == 0


def test_each_point_below_85_costs_one_appraisal_point() -> None:
    assert appraisal_deduction(D("82.5")) == D("2.5")
    assert appraisal_deduction(D("85")) == 0
    assert appraisal_deduction(D("91")) == 0


@pytest.mark.parametrize("bad", [[], [D("101")], [D("-1")]])
def test_means_refuse_nothing_or_out_of_range_scores(bad: list) -> None:
    with pytest.raises(DomainError) as err:
        mean_score(bad)
    assert err.value.code == ProblemCode.AGGREGATE_INVALID
