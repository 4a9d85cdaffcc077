"""fieldcore.submission: which failed items still lack the photo their template requires;
what a rectification answer needs; when an owed rectification is overdue."""

from __future__ import annotations

from datetime import date

import pytest

from fieldcore.checklist import Template
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.submission import check_rectification_answer, missing_photos
from fieldcore.workflow import rectification_overdue
from tests.core.factories import FindingRow


def test_only_failed_in_scope_items_that_require_a_photo_are_missing_one(
    catalog: dict[str, Template],
) -> None:
    template = catalog["mall-property"]  # 1.3 and 1.5 not covert
    shot = FindingRow("1.4", "fail", 1)
    findings = [
        FindingRow("2.1", "fail", 1),
        FindingRow("1.1", "fail", 1),
        FindingRow("1.2", "pass"),
        FindingRow("1.3", "fail", 1),
        FindingRow("1.5", "fail", 1),  # no photo_on_fail
        shot,
    ]
    assert missing_photos(findings, {shot.id}, template, "covert") == ["1.1", "2.1"]
    assert missing_photos(findings, {shot.id}, template, "overt") == ["1.1", "1.3", "2.1"]


@pytest.mark.parametrize(
    ("note", "photos", "missing"),
    [
        ("已整改", 1, None),
        ("已整改", 0, ["after_photo"]),
        (" \n", 2, ["response_note"]),  # blanks are no note
        ("", 0, ["response_note", "after_photo"]),
    ],
)
def test_a_rectification_answer_needs_a_note_and_an_after_photo(
    note: str, photos: int, missing: list[str] | None
) -> None:
    if missing is None:
        check_rectification_answer(note, photos)
        return
    with pytest.raises(DomainError) as caught:
        check_rectification_answer(note, photos)
    assert (caught.value.code, caught.value.details) == (
        ProblemCode.WORKFLOW_INCOMPLETE,
        {"missing": missing},
    )


DUE = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("status", "today", "overdue"),
    [
        ("open", date(2026, 3, 15), False),  # due today: not yet
        ("open", date(2026, 3, 16), True),
        ("reopened", date(2026, 4, 1), True),
        ("submitted", date(2026, 4, 1), False),  # answered: the reviewer owes the next step
        ("verified", date(2026, 4, 1), False),
    ],
)
def test_an_owed_rectification_is_overdue_the_day_after_it_is_due(
    status: str, today: date, overdue: bool
) -> None:
    assert rectification_overdue(status, DUE, today) is overdue
