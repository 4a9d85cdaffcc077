"""When a visit, or a site manager's answer to a rectification, may be submitted — one rule
for the phone's store and the server's merge.

A visit is complete when every item in scope for its mode is answered and each failed
item whose template sets `photo_on_fail` has at least one photo of that finding. An item out
of scope in the mode (`covert_ok: false` on a covert visit) asks for nothing, like it
counts for nothing in the score (see `findings.answers_from_findings`). A rectification is
answered with a note (not only blanks) and at least one after-photo.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from typing import Protocol

from fieldcore.checklist import Mode, Template
from fieldcore.findings import FindingLike
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.scorecard import ScoreCard


class StoredFinding(FindingLike, Protocol):
    """A finding row with its id (photos name the finding they show)."""

    id: uuid.UUID


def missing_photos(
    findings: Iterable[StoredFinding],
    photographed: Collection[uuid.UUID | None],
    template: Template,
    mode: Mode,
) -> list[str]:
    """Item codes, sorted, of live failed findings lacking the photo their item requires.

    `photographed` holds the finding ids that have at least one live photo.
    """
    missing = []
    for f in findings:
        found = template.items_by_code.get(f.item_code)
        if f.result != "fail" or found is None or f.id in photographed:
            continue
        if found[1].photo_on_fail and template.in_mode(found[1], mode):
            missing.append(f.item_code)
    return sorted(missing)


def check_complete(card: ScoreCard, missing: list[str]) -> None:
    """Refuse a submit while items are unanswered or failed items lack their photo.

    Raises:
        DomainError(workflow.incomplete): details `unanswered` (item codes, template order)
            and `missing_photos` (item codes, sorted).
    """
    if card.unanswered or missing:
        raise DomainError(
            ProblemCode.WORKFLOW_INCOMPLETE,
            f"{len(card.unanswered)} unanswered, {len(missing)} without photo",
            unanswered=list(card.unanswered),
            missing_photos=missing,
        )


def check_rectification_answer(response_note: str, after_photos: int) -> None:
    """Refuse to submit a rectification answer without its note or an after-photo.

    `after_photos`: how many live photos the answer has.

    Raises:
        DomainError(workflow.incomplete): details `missing`, of "response_note" and
            "after_photo" in that order.
    """
    missing = [
        name
        for name, given in (("response_note", response_note.strip()), ("after_photo", after_photos))
        if not given
    ]
    if missing:
        raise DomainError(ProblemCode.WORKFLOW_INCOMPLETE, ", ".join(missing), missing=missing)
