"""Rules on answers that the phone's store and the server's merge share (fieldcore.answers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fieldcore.answers import (
    Answer,
    check_answer,
    check_mode,
    clear_stale_detail,
)
from fieldcore.checklist import Template
from fieldcore.findings import answers_from_findings
from fieldcore.problems import DomainError, ProblemCode
from tests.core.factories import FindingRow, item, make_template

# (changes to a finding, the changes with the detail the new verdict drops)
STALE_DETAIL_CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"result": "pass"}, {"result": "pass", "count": None}),
    ({"result": "na"}, {"result": "na", "count": None, "value": None}),
    ({"result": "fail"}, {"result": "fail"}),
    ({"result": None}, {"result": None, "count": None}),
    ({"result": "pass", "count": 2}, {"result": "pass", "count": 2}),  # sent: validated
    ({"result": "na", "value": "3"}, {"result": "na", "value": "3", "count": None}),
    ({"note": "x"}, {"note": "x"}),  # no new verdict: nothing cleared
    ({"count": 4}, {"count": 4}),
]


@pytest.mark.parametrize(("changes", "expected"), STALE_DETAIL_CASES)
def test_a_new_verdict_clears_the_detail_it_does_not_use(
    changes: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert clear_stale_detail(changes) == expected


def test_clearing_leaves_the_given_changes_untouched() -> None:
    changes = {"result": "na"}
    clear_stale_detail(changes)
    assert changes == {"result": "na"}


def test_answers_from_findings_keep_only_what_counts_in_the_mode(
    catalog: dict[str, Template],
) -> None:
    template = catalog["mall-property"]  # 1.3 has covert_ok: false
    findings = [
        FindingRow("1.1", "pass", count=2),  # a count without a failure is left out
        FindingRow("1.2", "fail", count=3),
        FindingRow("1.3", "fail", count=1),  # out of scope when covert
        FindingRow("1.4", None),  # no verdict yet
        FindingRow("2.1", "na", value=Decimal("5")),  # a figure on N/A is left out
        FindingRow("no.such", "pass"),  # kept: parse_answers names it
    ]
    expected = {
        "1.1": {"result": "pass"},
        "1.2": {"result": "fail", "count": 3},
        "2.1": {"result": "na"},
        "no.such": {"result": "pass"},
    }
    assert answers_from_findings(findings, template, "covert") == expected
    overt = answers_from_findings(findings, template, "overt")
    assert overt == {**expected, "1.3": {"result": "fail", "count": 1}}


CHECKED = make_template(
    [
        {
            "code": "A",
            "title": "甲",
            "max": 10,
            "items": [
                item("P.1", "per_occurrence", 1),
                item("F.1", "figure", 1, deduction={"min": 90}),
                item("N.1", na_allowed=False),
                item("C.1", covert_ok=False),
            ],
        }
    ]
)

# (item, result, count, value) of a stored finding → the normalised answer, None for
# "no verdict yet", or the problem code refusing it
ANSWER_CASES: list[tuple[str, str | None, int | None, Decimal | None, Answer | str | None]] = [
    ("P.1", None, None, None, None),  # a note or photo before the verdict
    ("P.1", "fail", 3, None, Answer("fail", count=3)),
    ("P.1", "pass", None, None, Answer("pass")),
    ("P.1", None, 3, None, ProblemCode.ANSWERS_INVALID_RESULT),  # a count is no verdict
    ("P.1", "pass", 3, None, ProblemCode.ANSWERS_INVALID_COUNT),
    ("P.1", "fail", None, Decimal("5"), ProblemCode.ANSWERS_INVALID_VALUE),
    ("F.1", None, None, Decimal("95"), Answer("pass", value=Decimal("95"))),  # derived
    ("F.1", None, None, Decimal("80"), Answer("fail", value=Decimal("80"))),
    ("F.1", "pass", None, Decimal("80"), ProblemCode.ANSWERS_RESULT_CONTRADICTS_VALUE),
    ("F.1", "fail", None, None, ProblemCode.ANSWERS_VALUE_REQUIRED),
    ("F.1", None, 2, None, ProblemCode.ANSWERS_INVALID_COUNT),
    ("N.1", "na", None, None, ProblemCode.ANSWERS_NA_NOT_ALLOWED),
    ("Z.9", None, None, None, ProblemCode.ANSWERS_UNKNOWN_ITEM),  # even without a verdict
    ("Z.9", "pass", None, None, ProblemCode.ANSWERS_UNKNOWN_ITEM),
]


@pytest.mark.parametrize(("code", "result", "count", "value", "expected"), ANSWER_CASES)
def test_one_stored_finding_is_checked_as_an_answer(
    code: str,
    result: str | None,
    count: int | None,
    value: Decimal | None,
    expected: Answer | str | None,
) -> None:
    if isinstance(expected, str):
        with pytest.raises(DomainError) as caught:
            check_answer(CHECKED, "overt", code, result, count, value)
        assert (caught.value.code, caught.value.details) == (expected, {"item": code})
    else:
        assert check_answer(CHECKED, "overt", code, result, count, value) == expected


def test_an_item_out_of_scope_in_the_mode_takes_no_answer_but_a_note() -> None:
    assert check_answer(CHECKED, "overt", "C.1", "fail", None, None) == Answer("fail")
    assert check_answer(CHECKED, "covert", "C.1", None, None, None) is None
    with pytest.raises(DomainError) as caught:
        check_answer(CHECKED, "covert", "C.1", "pass", None, None)
    assert caught.value.code == ProblemCode.ANSWERS_ITEM_NOT_IN_MODE


def test_a_visit_takes_only_a_mode_its_template_allows(catalog: dict[str, Template]) -> None:
    check_mode(catalog["tobacco-retail"], "overt")
    with pytest.raises(DomainError) as caught:
        check_mode(catalog["tobacco-retail"], "covert")  # overt only
    assert (caught.value.code, caught.value.details) == (
        ProblemCode.ANSWERS_MODE_NOT_ALLOWED,
        {"field": "mode", "mode": "covert"},
    )
