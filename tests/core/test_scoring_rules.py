"""Each scoring rule of fieldcore.scoring, on small synthetic templates with hand-made numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fieldcore.answers import AnswersError
from fieldcore.checklist import Template
from fieldcore.problems import ProblemCode
from tests.core.conftest import card, category, subject
from tests.core.factories import item, make_template


def fail(**extra: object) -> dict[str, object]:
    return {"result": "fail", **extra}


PASS = {"result": "pass"}
NA = {"result": "na"}


def test_fixed_deductions_add_up_within_a_category() -> None:
    t = make_template()  # A: A.1 −1, A.2 −2 (max 10); B: B.1 −1, B.2 −1 (max 10)
    c = card(t, {"A.1": fail(), "A.2": fail(), "B.1": PASS, "B.2": fail()})
    # A: 10 − 1 − 2 = 7; B: 10 − 1 = 9; total 16 / 20 = 80.0%
    assert (category(c, "A")["score"], category(c, "B")["score"]) == (7, 9)
    assert (c["total"], c["max"], c["percent"], c["grade"], c["passed"]) == (
        16,
        20,
        80,
        "合格",
        False,
    )


def test_category_floor_stops_deductions_at_zero_and_says_so() -> None:
    t = make_template(
        [
            {"code": "A", "title": "甲", "max": 5, "items": [item("A.1", "per_occurrence", 1)]},
            {"code": "B", "title": "乙", "max": 5, "items": [item("B.1")]},
        ]
    )
    c = card(t, {"A.1": fail(count=8), "B.1": PASS})
    # A: 5 − 8 → stopped at 0 (扣完为止); B keeps 5; total 5 / 10 = 50%
    a = category(c, "A")
    assert (a["score"], a["deducted"], a["floored"], c["total"]) == (0, 8, True, 5)
    assert a["notes"] == ["扣分8超过满分5,扣完为止:本类计0分"]


def test_category_without_floor_can_go_negative_but_total_cannot() -> None:
    t = make_template(
        [
            {
                "code": "A",
                "title": "甲",
                "max": 5,
                "floor": "none",
                "items": [item("A.1", "per_occurrence", 2)],
            },
            {"code": "B", "title": "乙", "max": 5, "items": [item("B.1")]},
        ]
    )
    c = card(t, {"A.1": fail(count=4), "B.1": PASS})
    # A: 5 − 8 = −3 (no floor); total = max(0, −3 + 5) = 2
    assert (category(c, "A")["score"], c["total"]) == (-3, 2)
    c = card(t, {"A.1": fail(count=6), "B.1": fail()})
    # A: 5 − 12 = −7; B: 4; the total stops at 0
    assert c["total"] == 0


def test_per_occurrence_multiplies_by_count_up_to_its_cap() -> None:
    t = make_template(
        [
            {
                "code": "A",
                "title": "甲",
                "max": 20,
                "items": [
                    item("A.1", "per_occurrence", 2, deduction={"cap": 5}),
                    item("A.2", "per_occurrence", 1),
                ],
            }
        ]
    )
    c = card(t, {"A.1": fail(count=2), "A.2": fail()})
    assert category(c, "A")["score"] == 20 - 4 - 1  # 2 × 2, then count defaults to 1
    c = card(t, {"A.1": fail(count=9), "A.2": fail(count=3)})
    assert category(c, "A")["score"] == 20 - 5 - 3  # 2 × 9 = 18 capped at 5


def test_zero_category_item_zeroes_only_its_category() -> None:
    t = make_template(
        [
            {
                "code": "A",
                "title": "甲",
                "max": 10,
                "items": [item("A.1"), item("A.2", "zero_category", None)],
            },
            {"code": "B", "title": "乙", "max": 10, "items": [item("B.1")]},
        ]
    )
    c = card(t, {"A.1": PASS, "A.2": fail(), "B.1": fail()})
    a = category(c, "A")
    assert (a["score"], a["zeroed_by"], category(c, "B")["score"], c["total"]) == (0, "A.2", 9, 9)
    assert a["notes"] == ["A.2 不得分:本类计0分"]
    assert card(t, {"A.1": PASS, "A.2": PASS, "B.1": PASS})["total"] == 20


def test_zero_category_never_lifts_a_category_that_is_already_negative() -> None:
    # found by the monotonicity property: without a floor, 5 − 8 = −3 must stay −3 when the
    # 不得分 item also fails, or a second failure would raise the visit's total
    t = make_template(
        [
            {
                "code": "A",
                "title": "甲",
                "max": 5,
                "floor": "none",
                "items": [item("A.1", "per_occurrence", 2), item("A.2", "zero_category", None)],
            },
            {"code": "B", "title": "乙", "max": 10, "items": [item("B.1")]},
        ]
    )
    before = card(t, {"A.1": fail(count=4), "A.2": PASS, "B.1": PASS})
    after = card(t, {"A.1": fail(count=4), "A.2": fail(), "B.1": PASS})
    assert (category(before, "A")["score"], category(after, "A")["score"]) == (-3, -3)
    assert after["total"] == before["total"] == 7


def test_veto_fails_the_visit_whatever_the_score_and_may_also_deduct() -> None:
    t = make_template(
        [
            {
                "code": "A",
                "title": "甲",
                "max": 100,
                "items": [item("A.1", "veto", None), item("A.2", "veto", 3), item("A.3")],
            }
        ]
    )
    c = card(t, {"A.1": fail(), "A.2": PASS, "A.3": PASS})
    assert (c["percent"], c["grade"], c["veto"], c["passed"], c["veto_items"]) == (
        100,
        "优秀",
        True,
        False,
        ["A.1"],
    )
    c = card(t, {"A.1": PASS, "A.2": fail(), "A.3": PASS})
    assert (c["total"], c["veto_items"], c["passed"]) == (97, ["A.2"], False)
    assert card(t, {"A.1": PASS, "A.2": PASS, "A.3": fail()})["passed"] is True


FIGURE = [
    {
        "code": "K",
        "title": "指标",
        "max": 10,
        "items": [
            item("K.1", "figure", 2, deduction={"min": 70}),
            item("K.2", "figure", 1, deduction={"max": 5, "step": 0.5, "unit": "‰"}),
            item("K.3", "figure", 2, deduction={"min": 80, "max": 100}),
        ],
    }
]


@pytest.mark.parametrize(
    ("answers", "score"),
    [
        ({"K.1": {"value": 70}, "K.2": {"value": 5}, "K.3": {"value": 100}}, 10),  # on the bounds
        ({"K.1": {"value": 67.5}}, 10 - 5),  # 2.5 short × 2 per 1% = 5
        ({"K.1": {"value": 69.75}}, 9.5),  # proportional: 0.25 × 2 = 0.5
        ({"K.2": {"value": 6}}, 10 - 2),  # 1‰ over, in steps of 0.5‰ at 1 each = 2
        ({"K.3": {"value": 78}}, 10 - 4),  # band 80..100: 2 under × 2
        ({"K.3": {"value": 103}}, 10 - 6),  # band: 3 over × 2
        ({"K.1": {"value": 50}}, 0),  # 20 × 2 = 40 > 10: 扣完为止
    ],
)
def test_figure_rules_take_points_per_step_outside_their_band(answers: dict, score: float) -> None:
    t = make_template(FIGURE)
    full = {"K.1": {"value": 70}, "K.2": {"value": 5}, "K.3": {"value": 90}} | answers
    assert category(card(t, full), "K")["score"] == score


def test_figure_result_is_derived_and_a_contradiction_is_refused() -> None:
    t = make_template(FIGURE)
    c = card(t, {"K.1": {"value": 60}})
    assert category(c, "K")["items"][0]["result"] == "fail"
    assert card(t, {"K.1": {"value": 60, "result": "fail"}})["total"] == 0 + 10 - 10
    with pytest.raises(AnswersError) as err:
        card(t, {"K.1": {"value": 60, "result": "pass"}})
    assert err.value.problems[0].code == ProblemCode.ANSWERS_RESULT_CONTRADICTS_VALUE


def test_na_deducts_nothing_and_an_all_na_category_leaves_total_and_max() -> None:
    t = make_template()
    c = card(t, {"A.1": NA, "A.2": fail(), "B.1": NA, "B.2": NA})
    # A: 10 − 2 = 8 (A.1 N/A deducts nothing); B all N/A: excluded → 8 / 10 = 80%
    assert (c["total"], c["max"], c["percent"], category(c, "B")["excluded"]) == (8, 10, 80, True)


def test_a_visit_with_everything_na_has_no_score() -> None:
    t = make_template()
    c = card(t, dict.fromkeys(("A.1", "A.2", "B.1", "B.2"), NA))
    assert (c["max"], c["percent"], c["grade"], c["passed"]) == (0, None, None, None)


def test_unanswered_items_deduct_nothing_yet_and_make_the_visit_incomplete() -> None:
    c = card(make_template(), {"A.1": fail()})
    assert (c["total"], c["complete"], c["unanswered"]) == (19, False, ["A.2", "B.1", "B.2"])


def test_covert_mode_leaves_out_items_that_cannot_be_observed_covertly() -> None:
    t = make_template(
        [
            {
                "code": "A",
                "title": "甲",
                "max": 10,
                "items": [item("A.1"), item("A.2", covert_ok=False)],
            },
            {"code": "B", "title": "乙", "max": 10, "items": [item("B.1", covert_ok=False)]},
        ]
    )
    c = card(t, {"A.1": fail()}, mode="covert")
    # B has no covert item at all: it leaves the visit; A keeps its full max
    assert ([x["code"] for x in c["categories"]], c["total"], c["max"]) == (["A"], 9, 10)
    assert c["complete"] is True
    with pytest.raises(AnswersError) as err:
        card(t, {"A.2": fail()}, mode="covert")
    assert err.value.problems[0].code == ProblemCode.ANSWERS_ITEM_NOT_IN_MODE


def test_a_mode_the_template_does_not_allow_is_refused() -> None:
    t = make_template(modes=["overt"])
    with pytest.raises(AnswersError) as err:
        card(t, {}, mode="covert")
    assert err.value.problems[0].code == ProblemCode.ANSWERS_MODE_NOT_ALLOWED


def one_category(points: float) -> tuple[Template, dict[str, Any]]:
    """A 1000-point category with one fixed item: failing it gives (1000 − points) / 10 %."""
    t = make_template(
        [
            {
                "code": "A",
                "title": "甲",
                "max": 1000,
                "items": [item("A.1", points=points), item("A.2")],
            }
        ]
    )
    return t, {"A.1": fail(), "A.2": PASS}


@pytest.mark.parametrize(
    ("points", "percent", "grade", "passed"),
    [
        (40, 96.0, "优秀", True),
        (41, 95.9, "优良", True),
        (90, 91.0, "优良", True),
        (91, 90.9, "良好", True),
        (150, 85.0, "良好", True),
        (151, 84.9, "良好", False),  # pass mark 85
        (190, 81.0, "良好", False),
        (191, 80.9, "合格", False),
        (300, 70.0, "合格", False),
        (301, 69.9, "不合格", False),
    ],
)
def test_grade_bands_are_lower_bounds_and_the_pass_mark_is_inclusive(
    points: int, percent: float, grade: str, passed: bool
) -> None:
    t, answers = one_category(points)
    c = card(t, answers)
    assert (c["percent"], c["grade"], c["passed"]) == (percent, grade, passed)


@pytest.mark.parametrize(
    ("points", "percent"),
    [(151.5, 84.9), (150.49, 85.0), (150.51, 84.9), (0.5, 100.0), (999.5, 0.1), (999.51, 0.0)],
)
def test_percent_rounds_half_up_to_one_decimal(points: float, percent: float) -> None:
    # (1000 − 151.5) / 10 = 84.85 → 84.9 half up (banker's rounding would give 84.8);
    # 150.49 → 84.951 → 85.0; 150.51 → 84.949 → 84.9; 999.5 → 0.05 → 0.1
    t, answers = one_category(points)
    assert card(t, answers)["percent"] == percent


def test_subjects_are_scored_on_their_own_items_only() -> None:
    t = make_template(
        [
            {
                "code": "A",
                "title": "着装",
                "max": 10,
                "subject": "clerk",
                "items": [item("A.1", "per_occurrence", 4), item("A.2", subject="site")],
            },
            {
                "code": "B",
                "title": "卫生",
                "max": 10,
                "items": [item("B.1", "zero_category", None)],
            },
        ]
    )
    c = card(t, {"A.1": fail(count=3), "A.2": fail(), "B.1": fail()})
    # visit: A = max(0, 10 − 12 − 1) = 0, B zeroed = 0 → 0 / 20
    # clerk: only A.1 in A → 10 − 12 → 0 / 10; site: A.2 in A → 9 / 10, B zeroed → 0 / 10
    assert (c["total"], c["max"]) == (0, 20)
    assert (subject(c, "clerk")["score"], subject(c, "clerk")["max"]) == (0, 10)
    assert (
        subject(c, "site")["score"],
        subject(c, "site")["max"],
        subject(c, "site")["percent"],
    ) == (9, 20, 45)


def test_a_subject_with_only_na_items_gets_no_score() -> None:
    t = make_template(
        [
            {
                "code": "A",
                "title": "甲",
                "max": 10,
                "items": [item("A.1"), item("A.2", subject="clerk")],
            }
        ]
    )
    c = card(t, {"A.1": fail(), "A.2": NA})
    assert [s["code"] for s in c["subjects"]] == ["site"]


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({"Z.9": PASS}, ProblemCode.ANSWERS_UNKNOWN_ITEM),
        ({"A.1": {"result": "bad"}}, ProblemCode.ANSWERS_INVALID_RESULT),
        ({"A.1": {}}, ProblemCode.ANSWERS_INVALID_RESULT),
        ({"A.1": "fail"}, ProblemCode.ANSWERS_NOT_OBJECT),
        ({"A.1": {"result": "fail", "colour": 1}}, ProblemCode.ANSWERS_UNKNOWN_FIELD),
        ({"A.1": {"result": "fail", "count": 2}}, ProblemCode.ANSWERS_INVALID_COUNT),
        ({"P.1": {"result": "fail", "count": 0}}, ProblemCode.ANSWERS_INVALID_COUNT),
        ({"P.1": {"result": "fail", "count": True}}, ProblemCode.ANSWERS_INVALID_COUNT),
        ({"P.1": {"result": "fail", "count": 1.5}}, ProblemCode.ANSWERS_INVALID_COUNT),
        ({"P.1": {"result": "pass", "count": 2}}, ProblemCode.ANSWERS_INVALID_COUNT),
        ({"A.1": {"result": "fail", "value": 3}}, ProblemCode.ANSWERS_INVALID_VALUE),
        ({"F.1": {"result": "fail"}}, ProblemCode.ANSWERS_VALUE_REQUIRED),
        ({"F.1": {"value": "many"}}, ProblemCode.ANSWERS_INVALID_VALUE),
        ({"F.1": {"value": float("nan")}}, ProblemCode.ANSWERS_INVALID_VALUE),
        ({"F.1": {"value": 1e300}}, ProblemCode.ANSWERS_INVALID_VALUE),
        ({"F.1": {"result": "na", "value": 3}}, ProblemCode.ANSWERS_INVALID_VALUE),
        ({"N.1": NA}, ProblemCode.ANSWERS_NA_NOT_ALLOWED),
    ],
)
def test_bad_answers_are_refused_with_a_stable_code(answers: dict, code: ProblemCode) -> None:
    t = make_template(
        [
            {
                "code": "A",
                "title": "甲",
                "max": 10,
                "items": [
                    item("A.1"),
                    item("P.1", "per_occurrence", 1),
                    item("F.1", "figure", 1, deduction={"min": 90}),
                    item("N.1", na_allowed=False),
                ],
            }
        ]
    )
    with pytest.raises(AnswersError) as err:
        card(t, answers)
    assert [p.code for p in err.value.problems] == [code]


def test_every_bad_answer_is_reported_not_just_the_first() -> None:
    with pytest.raises(AnswersError) as err:
        card(make_template(), {"Z.1": PASS, "A.1": {"result": "x"}, "B.1": PASS, "Z.2": NA})
    assert [p.item for p in err.value.problems] == ["Z.1", "A.1", "Z.2"]


def test_answers_must_be_an_object() -> None:
    with pytest.raises(AnswersError) as err:
        card(make_template(), [PASS])  # type: ignore[arg-type]
    assert err.value.problems[0].code == ProblemCode.ANSWERS_NOT_OBJECT


def test_each_line_explains_which_rule_took_which_points() -> None:
    t = make_template(
        [
            {
                "code": "A",
                "title": "甲",
                "max": 10,
                "items": [
                    item("A.1", "per_occurrence", 2),
                    item("A.2", "figure", 2, deduction={"min": 90}),
                    item("A.3"),
                ],
            }
        ]
    )
    c = card(t, {"A.1": fail(count=3), "A.2": {"value": 88.5}, "A.3": NA})
    lines = {i["code"]: i["explanation"] for i in category(c, "A")["items"]}
    assert lines == {
        "A.1": "不符合 ×3:出现一次扣2分 → −6",
        "A.2": "不符合(填报 88.5):低于90%每少1%扣2分 → −3",
        "A.3": "不适用,不扣分",
    }


def test_decimal_points_stay_exact() -> None:
    t = make_template(
        [
            {
                "code": "A",
                "title": "甲",
                "max": 1,
                "items": [item("A.1", points=0.1), item("A.2", points=0.2)],
            }
        ]
    )
    c = card(t, {"A.1": fail(), "A.2": fail()})
    assert c["total"] == 0.7 and Decimal(str(c["total"])) == Decimal("0.7")
