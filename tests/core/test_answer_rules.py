"""Rules on answers that the phone's store and the server's merge share (fieldcore.answers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fieldcore.answers import answers_from_findings, clear_stale_detail
from fieldcore.checklist import Template
from tests.core.factories import FindingRow

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
