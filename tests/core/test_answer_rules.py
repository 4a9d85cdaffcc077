"""Rules on answers that the phone's store and the server's merge share (fieldcore.answers)."""

from __future__ import annotations

from typing import Any

import pytest

from fieldcore.answers import clear_stale_detail

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
