"""酒店质检日检表 (001:L234): five categories of 20 points, worked examples computed by hand.

The scheme (see the template's description; newest version v2): a fixed item takes 2 points
(通报批评级 5); a counted item takes 1 point per person or spot, at most 5 per item; 严重违规违纪
(当班酗酒或睡觉, 000:L989) is a veto taking the category's 20, as in guard-post; each category
stops at 0 (扣完为止); grades 优秀 96 / 优良 91 / 良好 81 / 合格 70 / 不合格 0, pass mark 70.
The seed (001:L234) gives none of these values, so all of them are marked assumed (自定).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fieldcore.answers import AnswersError
from fieldcore.checklist import Mode, Template
from fieldcore.problems import ProblemCode
from sync_server.templates.catalog import resolve_template
from tests.core.conftest import all_pass, card, category, subject

NA = {"result": "na"}
FAIL = {"result": "fail"}
COURTESY = ("2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8")
# counted items (−1 each, at most 5) spread over four categories, at most 15 per category,
# so up to 45 points can be taken without any category reaching its floor
SPREAD = ("1.1", "1.2", "1.3", "3.1", "3.2", "3.3", "4.4", "4.5", "5.1")


@pytest.fixture
def hotel(catalog: dict[str, Template]) -> Template:
    return catalog["hotel-daily"]


def times(n: int) -> dict[str, Any]:
    return {"result": "fail", "count": n}


def visit(hotel: Template, overrides: dict[str, Any], mode: Mode = "overt") -> dict[str, Any]:
    """Score a visit where everything in scope passes except `overrides`."""
    return card(hotel, all_pass(hotel, mode, **overrides), mode)


def spread(points: int) -> dict[str, Any]:
    """`points` one-point occurrences, filling the SPREAD items up to their cap of 5 in turn."""
    out: dict[str, Any] = {}
    for code in SPREAD:
        n = min(5, points)
        if n:
            out[code] = times(n)
        points -= n
    assert points == 0, "spread() can place at most 45 points"
    return out


def scores(c: dict[str, Any]) -> list[int | float]:
    return [x["score"] for x in c["categories"]]


def test_every_item_follows_the_point_scheme_of_the_description(hotel: Template) -> None:
    assert [(c.title, c.max, c.floor) for c in hotel.categories] == [
        ("仪容仪表", 20, "zero"),
        ("礼节礼貌", 20, "zero"),
        ("清洁卫生", 20, "zero"),
        ("劳动纪律", 20, "zero"),
        ("设施设备", 20, "zero"),
    ]
    rules = {
        (i.deduction.kind, i.deduction.points, i.deduction.cap, i.severity)
        for _, i in hotel.iter_items()
    }
    assert rules == {
        ("fixed", 2, None, "minor"),
        ("per_occurrence", 1, 5, "minor"),
        ("fixed", 5, None, "major"),
        ("veto", 20, None, "critical"),
    }
    assert len(list(hotel.iter_items())) == 38


def test_a_perfect_patrol_scores_100_with_every_category_at_20(hotel: Template) -> None:
    c = visit(hotel, {})
    assert scores(c) == [20, 20, 20, 20, 20]
    assert (c["total"], c["max"], c["percent"], c["grade"], c["passed"], c["complete"]) == (
        100,
        100,
        100,
        "优秀",
        True,
        True,
    )


def test_a_mod_patrol_with_failures_in_three_categories(hotel: Template) -> None:
    # 仪容仪表: 1.2 two front-desk staff without badges, 2 × 1 = 2        → 20 − 2 = 18
    # 清洁卫生: 3.1 litter in 3 spots, 3 × 1 = 3; 3.4 noisy cleaning −2    → 20 − 5 = 15
    # 设施设备: 5.1 one broken lamp −1; 5.5 extinguisher not working −5    → 20 − 6 = 14
    # total 18 + 20 + 15 + 20 + 14 = 87 / 100 = 87.0% → 良好 (81 ≤ 87 < 91), passed (≥ 70)
    c = visit(hotel, {"1.2": times(2), "3.1": times(3), "3.4": FAIL, "5.1": times(1), "5.5": FAIL})
    assert scores(c) == [18, 20, 15, 20, 14]
    assert (c["total"], c["max"], c["percent"], c["grade"], c["passed"]) == (
        87,
        100,
        87,
        "良好",
        True,
    )
    assert [(x["code"], x["deducted"]) for x in category(c, "5")["items"] if x["deducted"]] == [
        ("5.1", 1),
        ("5.5", 5),
    ]


@pytest.mark.parametrize(
    ("count", "taken"),
    [(1, 1), (4, 4), (5, 5), (6, 5), (12, 5)],
)
def test_litter_takes_one_point_a_spot_but_at_most_five(
    hotel: Template, count: int, taken: int
) -> None:
    # 3.1 地面有垃圾/污渍: min(count × 1, cap 5); 清洁卫生 20 − taken; total 100 − taken
    c = visit(hotel, {"3.1": times(count)})
    line = next(x for x in category(c, "3")["items"] if x["code"] == "3.1")
    assert (line["count"], line["deducted"]) == (count, taken)
    assert (category(c, "3")["score"], c["total"]) == (20 - taken, 100 - taken)


def test_the_cap_bounds_one_item_so_two_capped_items_take_ten(hotel: Template) -> None:
    # 3.1 × 9 → 5 (cap); 3.2 × 7 → 5 (cap); 清洁卫生 20 − 10 = 10; total 90 → 良好
    c = visit(hotel, {"3.1": times(9), "3.2": times(7)})
    assert (category(c, "3")["score"], category(c, "3")["deducted"], c["total"]) == (10, 10, 90)
    assert c["grade"] == "良好"


def test_labour_discipline_stops_at_zero_while_other_categories_keep_their_points(
    hotel: Template,
) -> None:
    # 劳动纪律: 4.6 post empty −5, 4.5 seven staff chatting → cap 5, 4.4 six snacking → cap 5,
    # 4.1 side tasks while serving −2, 4.2 friends at the desk −2, 4.3 swap unapproved −2:
    # 21 > 20 → 0 (扣完为止), not −1
    # 礼节礼貌: 2.1 guest not called by surname −2 → 18
    # total 20 + 18 + 20 + 0 + 20 = 78 / 100 = 78.0% → 合格 (70 ≤ 78 < 81), passed
    c = visit(
        hotel,
        {
            "4.6": FAIL,
            "4.5": times(7),
            "4.4": times(6),
            "4.1": FAIL,
            "4.2": FAIL,
            "4.3": FAIL,
            "2.1": FAIL,
        },
    )
    discipline = category(c, "4")
    assert (discipline["score"], discipline["deducted"], discipline["floored"]) == (0, 21, True)
    assert discipline["notes"] == ["扣分21超过满分20,扣完为止:本类计0分"]
    assert scores(c) == [20, 18, 20, 0, 20]
    assert (c["total"], c["percent"], c["grade"], c["passed"]) == (78, 78, "合格", True)


def test_a_guard_asleep_or_drunk_on_duty_fails_the_patrol_as_in_guard_post(
    hotel: Template,
) -> None:
    # 4.7 is 严重违规违纪 (000:L989: dismissal, bonus cancelled): veto −20 → 劳动纪律 0;
    # total 80 (合格 by points) but the patrol fails; only 保安部 carries the veto.
    # v1 took 10 points and the patrol passed at 90.
    c = visit(hotel, {"4.7": FAIL})
    assert scores(c) == [20, 20, 20, 0, 20]
    assert (c["total"], c["grade"], c["passed"], c["veto"], c["veto_items"]) == (
        80,
        "合格",
        False,
        True,
        ["4.7"],
    )
    assert (subject(c, "security")["veto"], subject(c, "front-office")["veto"]) == (True, False)
    _, asleep = hotel.items_by_code["4.7"]
    _, guard_asleep = resolve_template("guard-post").items_by_code["2.5"]
    assert asleep.source == "000:L989" and guard_asleep.source == "000:L897, L989"
    assert asleep.deduction.kind == guard_asleep.deduction.kind == "veto"


def test_every_value_without_a_seed_source_is_marked_assumed(hotel: Template) -> None:
    # 001:L234 gives the 质检小组's remit, no points, bands or pass mark
    assert hotel.key == "hotel-daily.v2"
    assert hotel.scoring.assumed and "001:L246" in hotel.scoring.assumed_note
    assert all(c.assumed and c.assumed_note for c in hotel.categories)
    assert all(i.assumed and i.assumed_note for _, i in hotel.iter_items())


def test_an_na_item_deducts_nothing(hotel: Template) -> None:
    # 3.2 no forecourt: N/A, nothing taken; 3.1 two dirty spots −2 → 清洁卫生 18; total 98 / 100
    c = visit(hotel, {"3.2": NA, "3.1": times(2)})
    line = next(x for x in category(c, "3")["items"] if x["code"] == "3.2")
    assert (line["result"], line["deducted"]) == ("na", 0)
    assert (category(c, "3")["score"], c["total"], c["max"], c["percent"]) == (18, 98, 100, 98)


def test_public_floors_cannot_be_marked_na(hotel: Template) -> None:
    with pytest.raises(AnswersError) as exc:
        visit(hotel, {"3.1": NA})
    assert [(p.code, p.item) for p in exc.value.problems] == [
        (ProblemCode.ANSWERS_NA_NOT_ALLOWED, "3.1")
    ]


@pytest.mark.parametrize(
    ("taken", "total", "percent", "grade", "passed"),
    [
        (0, 80, 100, "优秀", True),  # 80 / 80 = 100.0
        (3, 77, 96.3, "优秀", True),  # 77 / 80 = 96.25 → 96.3 (half up)
        (4, 76, 95, "优良", True),  # 76 / 80 = 95.0
        (7, 73, 91.3, "优良", True),  # 73 / 80 = 91.25 → 91.3
        (8, 72, 90, "良好", True),  # 72 / 80 = 90.0
        (15, 65, 81.3, "良好", True),  # 65 / 80 = 81.25 → 81.3
        (16, 64, 80, "合格", True),  # 64 / 80 = 80.0
        (24, 56, 70, "合格", True),  # 56 / 80 = 70.0, exactly the pass mark
        (25, 55, 68.8, "不合格", False),  # 55 / 80 = 68.75 → 68.8
    ],
)
def test_a_patrol_without_guest_contact_is_scored_over_80(
    hotel: Template,
    taken: int,
    total: int,
    percent: float,
    grade: str,
    passed: bool,
) -> None:
    # every 礼节礼貌 item N/A → the category leaves both total and max: max 100 − 20 = 80;
    # `taken` one-point findings in the other four categories, none reaching its floor
    c = visit(hotel, {**dict.fromkeys(COURTESY, NA), **spread(taken)})
    courtesy = category(c, "2")
    assert (courtesy["excluded"], courtesy["notes"]) == (True, ["全部不适用,本类不计入总分与满分"])
    assert (c["total"], c["max"], c["percent"], c["grade"], c["passed"]) == (
        total,
        80,
        percent,
        grade,
        passed,
    )


def test_a_covert_visit_leaves_out_kitchen_roster_and_records_items(hotel: Template) -> None:
    # 暗查 cannot enter the kitchen (3.7), read the roster (4.3), the repair log (5.3), the
    # CCTV room (5.6, 5.7) or go behind the front desk (5.8); every category keeps other
    # items, so the max stays 100. 2.1 −2, 3.1 two spots −2 → 96 / 100 = 96.0% → 优秀
    c = visit(hotel, {"2.1": FAIL, "3.1": times(2)}, mode="covert")
    in_scope = {x["code"] for cat in c["categories"] for x in cat["items"]}
    everything = {i.code for _, i in hotel.iter_items()}
    assert everything - in_scope == {"3.7", "4.3", "5.3", "5.6", "5.7", "5.8"}
    assert [x["code"] for x in category(c, "5")["items"]] == ["5.1", "5.2", "5.4", "5.5"]
    assert (c["mode"], c["total"], c["max"], c["percent"], c["grade"]) == (
        "covert",
        96,
        100,
        96,
        "优秀",
    )


def test_a_covert_visit_cannot_answer_the_cctv_room(hotel: Template) -> None:
    with pytest.raises(AnswersError) as exc:
        card(hotel, {"5.6": FAIL}, "covert")
    assert [(p.code, p.item) for p in exc.value.problems] == [
        (ProblemCode.ANSWERS_ITEM_NOT_IN_MODE, "5.6")
    ]


def test_each_department_is_charged_only_with_its_own_findings(hotel: Template) -> None:
    # 前厅部: 1.2 two staff without badges −2, 2.5 quarrel with a guest −5
    # 保安部: 4.6 gate post empty −5, 5.5 fire equipment −5
    # visit: 18 + 15 + 20 + 15 + 15 = 83 / 100 → 良好
    # 前厅部 has items in all five categories: 100 − 2 − 5 = 93 / 100 → 93.0 优良
    # 保安部 has items in all five categories: 100 − 5 − 5 = 90 / 100 → 90.0 良好
    # 客房部 (categories 1–4) 80 / 80, 餐饮部 (1–4) 80 / 80, 工程部 (1, 5) 40 / 40: 100.0 优秀
    c = visit(hotel, {"1.2": times(2), "2.5": FAIL, "4.6": FAIL, "5.5": FAIL})
    assert scores(c) == [18, 15, 20, 15, 15]
    assert (c["total"], c["grade"]) == (83, "良好")
    by_subject = {
        code: tuple(subject(c, code)[k] for k in ("score", "max", "percent", "grade"))
        for code in ("front-office", "security", "housekeeping", "food-beverage", "engineering")
    }
    assert by_subject == {
        "front-office": (93, 100, 93, "优良"),
        "security": (90, 100, 90, "良好"),
        "housekeeping": (80, 80, 100, "优秀"),
        "food-beverage": (80, 80, 100, "优秀"),
        "engineering": (40, 40, 100, "优秀"),
    }


@pytest.mark.parametrize(
    ("taken", "grade", "passed"),
    [
        (4, "优秀", True),  # 96: exactly 优秀
        (5, "优良", True),  # 95: just below 优秀
        (9, "优良", True),  # 91: exactly 优良
        (10, "良好", True),  # 90: just below 优良
        (19, "良好", True),  # 81: exactly 良好
        (20, "合格", True),  # 80: just below 良好
        (30, "合格", True),  # 70: exactly 合格 and the pass mark
        (31, "不合格", False),  # 69: just below
    ],
)
def test_grade_boundaries_on_a_full_patrol(
    hotel: Template, taken: int, grade: str, passed: bool
) -> None:
    # `taken` one-point findings spread so no category floors: total = percent = 100 − taken
    c = visit(hotel, spread(taken))
    assert (c["total"], c["percent"], c["grade"], c["passed"]) == (
        100 - taken,
        100 - taken,
        grade,
        passed,
    )


@pytest.mark.parametrize(
    ("percent", "grade"),
    [("95.9", "优良"), ("90.9", "良好"), ("80.9", "合格"), ("69.9", "不合格")],
)
def test_bands_are_lower_bounds_one_tenth_below_each_min(
    hotel: Template, percent: str, grade: str
) -> None:
    # whole points over 100 or 80 never land on x.9, so the band edges are checked directly
    assert hotel.grade_for(Decimal(percent)).code == grade


def test_a_patrol_failing_everything_floors_every_category_at_zero(hotel: Template) -> None:
    # every item fails, counted items 5 times: deductions 32, 22, 28, 41, 22 per category,
    # each over 20 → every category 0; total 0 / 100 = 0.0% → 不合格 (min 0), not passed
    answers = {
        i.code: times(5) if i.deduction.kind == "per_occurrence" else FAIL
        for _, i in hotel.iter_items()
    }
    c = card(hotel, answers)
    assert [(x["score"], x["deducted"], x["floored"]) for x in c["categories"]] == [
        (0, 32, True),
        (0, 22, True),
        (0, 28, True),
        (0, 41, True),
        (0, 22, True),
    ]
    assert (c["total"], c["percent"], c["grade"], c["passed"]) == (0, 0, "不合格", False)
