"""门店/窗口明查暗访检查表 (store-patrol, newest v2): worked examples computed by hand.

Rules used below (see the template's description):
five categories of 20 = 100, each 扣完为止; fixed −2 per nonconformity, −4 for the major items
1.3/4.6/5.7/5.11 (1.3 counts per person-time), −1 for 4.2 and 5.5; per-occurrence items count
people or places with a cap; 1.9 泄露客户资料 is a veto without points; 5.8 与客户争吵 zeroes
服务用语. Subjects: clerk (categories 1, 2, 4 via 4.6, 5), site (3, 4), manager (1 via 1.2/1.4/
1.10/1.11, 3 via 3.6, 4 via 4.7/4.9). Overt-only items: 1.4, 1.10, 1.11, 3.6, 4.2, 5.12.
Pass mark 85; bands 优秀 96 / 优良 91 / 良好 81 / 合格 70 / 不合格 0.
The seeds give none of these values except 4.1-4.4's 一项不符扣1分 (001:L42-46), so v2 marks
every other one assumed (v1 did not); the rules themselves are unchanged from v1.
"""

from __future__ import annotations

from typing import Any

import pytest

from fieldcore.answers import AnswersError
from fieldcore.checklist import Mode, Template
from fieldcore.problems import ProblemCode
from tests.core.conftest import all_pass, card, category, subject

FAIL = {"result": "fail"}
NA = {"result": "na"}


def times(n: int) -> dict[str, Any]:
    return {"result": "fail", "count": n}


@pytest.fixture
def patrol(catalog: dict[str, Template]) -> Template:
    return catalog["store-patrol"]


def visit(t: Template, mode: Mode = "overt", /, **overrides: Any) -> dict[str, Any]:
    """Score a visit where every in-scope item passes except `overrides` ("2_2" → "2.2")."""
    answers = all_pass(t, mode, **{k.replace("_", "."): v for k, v in overrides.items()})
    return card(t, answers, mode)


def item_line(c: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for cat in c["categories"] for i in cat["items"] if i["code"] == code)


# A realistic 暗访: two clerks without a badge, three dirty spots, one product without its
# price tag, the opening-hours sign damaged, no farewell, dialect instead of Mandarin.
REALISTIC = {
    "2_2": times(2),  # 2 people × −2 = −4 (clerk)
    "3_1": times(3),  # 3 places × −1 = −3 (site)
    "4_3": times(1),  # 1 tag × −1 = −1 (site)
    "4_7": FAIL,  # −2 (manager)
    "5_4": FAIL,  # −2 (clerk)
    "5_5": FAIL,  # −1 (clerk: 宜讲普通话 is only recommended)
}


def test_the_five_requested_categories_of_20_points_hold_45_items(patrol: Template) -> None:
    assert [(c.code, c.title, c.max) for c in patrol.categories] == [
        ("1", "岗位", 20),
        ("2", "着装仪容", 20),
        ("3", "卫生", 20),
        ("4", "陈列/价签", 20),
        ("5", "服务用语", 20),
    ]
    items = [i for _, i in patrol.iter_items()]
    assert len(items) == 45
    assert [i.code for i in items if not i.covert_ok] == [
        "1.4",
        "1.10",
        "1.11",
        "3.6",
        "4.2",
        "5.12",
    ]
    assert [(i.code, i.deduction.kind) for i in items if i.severity == "critical"] == [
        ("1.9", "veto"),
        ("5.8", "zero_category"),
    ]


@pytest.mark.parametrize("mode", ["overt", "covert"])
def test_a_visit_without_faults_scores_100_and_is_excellent(patrol: Template, mode: Mode) -> None:
    c = visit(patrol, mode)
    assert (c["total"], c["max"], c["percent"], c["grade"], c["passed"], c["veto"]) == (
        100,
        100,
        100,
        "优秀",
        True,
        False,
    )
    assert c["complete"] is True


def test_a_realistic_covert_visit_is_scored_out_of_the_full_100(patrol: Template) -> None:
    # 2: 20 − 4 = 16; 3: 20 − 3 = 17; 4: 20 − 1 − 2 = 17; 5: 20 − 2 − 1 = 17; 1: 20
    # total 87. The six overt-only items are out of scope, but every category keeps
    # covert-observable items, so no category leaves and max stays 100: 87 / 100 = 87.0%,
    # 良好 (81 ≤ 87 < 91), passed (87 ≥ 85).
    c = visit(patrol, "covert", **REALISTIC)
    assert [category(c, k)["score"] for k in "12345"] == [20, 16, 17, 17, 17]
    assert (c["total"], c["max"], c["percent"], c["grade"], c["passed"]) == (
        87,
        100,
        87,
        "良好",
        True,
    )
    in_scope = {i["code"] for cat in c["categories"] for i in cat["items"]}
    assert len(in_scope) == 39
    assert in_scope.isdisjoint({"1.4", "1.10", "1.11", "3.6", "4.2", "5.12"})


def test_each_subject_of_the_covert_visit_is_charged_only_with_its_own_faults(
    patrol: Template,
) -> None:
    # clerk, categories 1, 2, 4, 5 = 80: 20 + (20 − 4) + 20 + (20 − 2 − 1) = 73;
    #   73 / 80 = 91.25 → 91.3 (half up; half-even would give 91.2), 优良
    # site, categories 3, 4 = 40: (20 − 3) + (20 − 1) = 36; 36 / 40 = 90.0, 良好
    # manager, covert categories 1 (1.2) and 4 (4.7, 4.9) = 40: 20 + (20 − 2) = 38; 95.0, 优良
    c = visit(patrol, "covert", **REALISTIC)
    got = {
        code: (s["score"], s["max"], s["percent"], s["grade"])
        for code in ("clerk", "site", "manager")
        for s in [subject(c, code)]
    }
    assert got == {
        "clerk": (73, 80, 91.3, "优良"),
        "site": (36, 40, 90, "良好"),
        "manager": (38, 40, 95, "优良"),
    }


def test_the_same_faults_overt_give_the_same_visit_percent_but_the_manager_a_higher_one(
    patrol: Template,
) -> None:
    # Overt, the six overt-only items are in scope and pass here. The visit max is still
    # 100 (it only shrinks when a whole category leaves), so 87 / 100 = 87.0% again.
    # The manager is now also scored on 卫生 (3.6): (20 + 20 + 18) / 60 = 96.67 → 96.7, 优秀,
    # where covert it was 38 / 40 = 95.0, 优良.
    overt = visit(patrol, "overt", **REALISTIC)
    covert = visit(patrol, "covert", **REALISTIC)
    assert (overt["total"], overt["max"], overt["percent"]) == (87, 100, 87)
    assert overt["percent"] == covert["percent"]
    manager = subject(overt, "manager")
    assert (manager["score"], manager["max"], manager["percent"], manager["grade"]) == (
        58,
        60,
        96.7,
        "优秀",
    )
    assert subject(covert, "manager")["percent"] == 95


def test_overt_only_items_can_take_points_only_in_an_overt_visit(patrol: Template) -> None:
    # the realistic faults (−13) plus the weekly meeting not held (1.11, −2) and messy back
    # stock (4.2, −1): 100 − 16 = 84 → 84.0%, 良好 but below the pass mark
    c = visit(patrol, "overt", **REALISTIC, **{"1_11": FAIL, "4_2": FAIL})
    assert (c["total"], c["percent"], c["grade"], c["passed"]) == (84, 84, "良好", False)
    with pytest.raises(AnswersError) as exc:
        card(patrol, {"1.11": FAIL}, "covert")
    assert [(p.code, p.item) for p in exc.value.problems] == [
        (ProblemCode.ANSWERS_ITEM_NOT_IN_MODE, "1.11")
    ]


@pytest.mark.parametrize(
    ("code", "count", "deducted"),
    [
        ("2.2", 1, 2),  # 未佩戴工牌 1 person × 2
        ("2.2", 3, 6),  # 3 × 2 = 6, exactly the cap
        ("2.2", 5, 6),  # 5 × 2 = 10 → cap 6
        ("2.3", 4, 4),  # 仪容不整 4 × 1 = 4, the cap
        ("2.3", 6, 4),  # 6 × 1 → cap 4
        ("3.1", 7, 6),  # 7 dirty places × 1 → cap 6
        ("4.4", 2, 2),  # 2 damaged tags × 1
        ("4.4", 9, 3),  # 9 × 1 → cap 3
    ],
)
def test_counted_faults_take_points_per_person_or_place_up_to_the_cap(
    patrol: Template, code: str, count: int, deducted: int
) -> None:
    c = visit(patrol, **{code.replace(".", "_"): times(count)})
    line = item_line(c, code)
    assert (line["count"], line["deducted"]) == (count, deducted)
    assert category(c, code.split(".")[0])["score"] == 20 - deducted
    assert c["total"] == 100 - deducted


def test_duty_discipline_stops_at_zero_when_faults_exceed_its_20_points(patrol: Template) -> None:
    # 岗位: 1.1 three late (3 × 2 = 6), 1.3 three absences (6), 1.6 three on phones (6),
    # 1.5 chatting (2), 1.7 friends at the counter (2): 22 > 20 → 0 (扣完为止), not −2.
    # total 0 + 4 × 20 = 80 → 80.0%, 合格 (70 ≤ 80 < 81), not passed.
    # clerk: (0 + 20 + 20 + 20) / 80 = 75.0 合格; the manager's 1.2/1.4/1.10/1.11 all passed.
    c = visit(
        patrol,
        **{"1_1": times(3), "1_3": times(3), "1_6": times(3), "1_5": FAIL, "1_7": FAIL},
    )
    duty = category(c, "1")
    assert (duty["score"], duty["deducted"], duty["floored"]) == (0, 22, True)
    assert duty["notes"] == ["扣分22超过满分20,扣完为止:本类计0分"]
    assert (c["total"], c["percent"], c["grade"], c["passed"]) == (80, 80, "合格", False)
    assert (subject(c, "clerk")["score"], subject(c, "clerk")["percent"]) == (60, 75)
    assert subject(c, "manager")["percent"] == 100


@pytest.mark.parametrize("mode", ["overt", "covert"])
def test_leaking_customer_data_fails_the_visit_whatever_its_score(
    patrol: Template, mode: Mode
) -> None:
    # 1.9 is a veto without points: the total stays 100 (优秀) but the visit fails,
    # and only the clerk carries the veto
    c = visit(patrol, mode, **{"1_9": FAIL})
    assert (c["total"], c["percent"], c["grade"]) == (100, 100, "优秀")
    assert (c["passed"], c["veto"], c["veto_items"]) == (False, True, ["1.9"])
    assert {s["code"]: s["veto"] for s in c["subjects"]} == {
        "clerk": True,
        "site": False,
        "manager": False,
    }


def test_a_quarrel_with_a_customer_zeroes_service_language_and_the_visit_cannot_pass(
    patrol: Template,
) -> None:
    # 5.8 不得分: 服务用语 0 whatever else (5.2's −2 is recorded but changes nothing);
    # total 80 → 80.0%, 合格, below 85 — a quarrel alone keeps any visit from passing.
    # clerk: (20 + 20 + 20 + 0) / 80 = 75.0
    c = visit(patrol, "covert", **{"5_8": FAIL, "5_2": FAIL})
    speech = category(c, "5")
    assert (speech["score"], speech["deducted"], speech["zeroed_by"]) == (0, 2, "5.8")
    assert speech["notes"] == ["5.8 不得分:本类计0分"]
    assert (c["total"], c["percent"], c["grade"], c["passed"], c["veto"]) == (
        80,
        80,
        "合格",
        False,
        False,
    )
    assert subject(c, "clerk")["percent"] == 75


def test_a_site_fault_lowers_the_site_and_not_the_clerk_or_the_manager(patrol: Template) -> None:
    # 3.1 six dirty places (−6) and 4.5 no price list (−2): site (14 + 18) / 40 = 80.0, 合格;
    # clerk 80 / 80 and manager 60 / 60 untouched; visit 92 → 优良
    c = visit(patrol, **{"3_1": times(6), "4_5": FAIL})
    assert (subject(c, "site")["score"], subject(c, "site")["percent"]) == (32, 80)
    assert (subject(c, "clerk")["percent"], subject(c, "manager")["percent"]) == (100, 100)
    assert (c["total"], c["grade"]) == (92, "优良")


@pytest.mark.parametrize(
    ("faults", "total", "passed"),
    [
        # 2.1 three out of uniform (6) + 2.2 three without badge (6) + 5.1 no greeting (2)
        # + 5.5 dialect (1) = 15 → 85.0%: exactly the pass mark, passes
        ({"2_1": times(3), "2_2": times(3), "5_1": FAIL, "5_5": FAIL}, 85, True),
        # the same plus 4.2 messy back stock (1) = 16 → 84.0%: fails
        ({"2_1": times(3), "2_2": times(3), "5_1": FAIL, "5_5": FAIL, "4_2": FAIL}, 84, False),
    ],
)
def test_the_pass_mark_is_85_and_84_is_the_nearest_failing_percent(
    patrol: Template, faults: dict[str, Any], total: int, passed: bool
) -> None:
    # Every deduction is a whole number and the max is always 100 (no category can be
    # all N/A or all overt-only: 1.3, 2.1, 3.1, 4.5 and 5.1 are covert and never N/A),
    # so the percent is the whole total: 84.9 cannot occur, 84.0 is the closest below 85.
    c = visit(patrol, **faults)
    assert (c["total"], c["max"], c["percent"], c["passed"]) == (total, 100, total, passed)
    assert c["grade"] == "良好"


def test_na_items_deduct_nothing_and_keep_their_category_in_the_max(patrol: Template) -> None:
    # a service hall with no goods on display: 4.1, 4.3, 4.4 N/A; no water dispenser: 3.5 N/A.
    # 4.5–4.10 still apply, so 陈列/价签 stays in: 100 / 100
    c = visit(patrol, **{"4_1": NA, "4_3": NA, "4_4": NA, "3_5": NA})
    assert (c["total"], c["max"], c["percent"]) == (100, 100, 100)
    assert category(c, "4")["excluded"] is False
    assert [(item_line(c, k)["result"], item_line(c, k)["deducted"]) for k in ("4.1", "3.5")] == [
        ("na", 0),
        ("na", 0),
    ]


def test_na_on_the_managers_only_covert_duty_item_drops_that_category_from_the_manager(
    patrol: Template,
) -> None:
    # covert, visit not at opening time: 1.2 N/A. The manager's covert items are then only
    # 4.7 and 4.9, so the manager is scored on 陈列/价签 alone: 4.7 fails, (20 − 2) / 20 = 90.0.
    # The visit keeps 岗位 (the clerk's items): 98 / 100.
    c = visit(patrol, "covert", **{"1_2": NA, "4_7": FAIL})
    manager = subject(c, "manager")
    assert (manager["score"], manager["max"], manager["percent"]) == (18, 20, 90)
    assert (c["total"], c["max"]) == (98, 100)


@pytest.mark.parametrize("code", ["1.9", "2.2", "3.1", "4.5", "5.8"])
def test_na_is_refused_on_items_that_always_apply(patrol: Template, code: str) -> None:
    with pytest.raises(AnswersError) as exc:
        card(patrol, all_pass(patrol, **{code: NA}))
    assert [(p.code, p.item) for p in exc.value.problems] == [
        (ProblemCode.ANSWERS_NA_NOT_ALLOWED, code)
    ]


@pytest.mark.parametrize("code", ["6.1", "1.12", "2"])
def test_an_unknown_item_code_is_refused(patrol: Template, code: str) -> None:
    with pytest.raises(AnswersError) as exc:
        card(patrol, all_pass(patrol, **{code: FAIL}))
    assert [(p.code, p.item) for p in exc.value.problems] == [
        (ProblemCode.ANSWERS_UNKNOWN_ITEM, code)
    ]


def test_every_value_without_a_seed_source_is_marked_assumed(patrol: Template) -> None:
    assert patrol.key == "store-patrol.v2"
    # 85 is borrowed from 001:L310, the bands from 001:L246: neither is this checklist's
    assert patrol.scoring.assumed and "001:L310" in patrol.scoring.assumed_note
    assert all(c.assumed and c.assumed_note for c in patrol.categories)
    seed_rate = [i.code for _, i in patrol.iter_items() if not i.assumed]
    assert seed_rate == ["4.1", "4.2"]  # 一项不符扣1分 (001:L42-44)
    assert all(i.assumed_note for _, i in patrol.iter_items() if i.assumed)
    for code, kind in (("1.9", "veto"), ("5.8", "zero_category")):
        _, item = patrol.items_by_code[code]
        assert (item.deduction.kind, item.assumed) == (kind, True)
        assert "自定" in item.assumed_note


def test_the_fee_item_quotes_the_seeds_wording(patrol: Template) -> None:
    _, fee = patrol.items_by_code["4.6"]
    assert fee.text.startswith("严格按照物价管理部门颁布的各类收费标准和公司相关收费规定收费")
