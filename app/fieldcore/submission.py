"""When a visit may be submitted — one rule for the phone's store and the server's merge.

A visit is complete when every item in scope for its mode is answered and each failed
item whose template sets `photo_on_fail` has at least one photo of that finding. An item out
of scope in the mode (`covert_ok: false` on a covert visit) asks for nothing, like it
counts for nothing in the score (see `answers.answers_from_findings`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from typing import Protocol

from fieldcore.answers import FindingLike
from fieldcore.checklist import Mode, Template
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
