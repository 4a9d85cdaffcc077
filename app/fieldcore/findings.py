"""A visit's stored findings as checklist answers: the raw answers (`answers.parse_answers`'s
input) that what the phone's and the server's finding rows hold gives, for scoring a visit
and checking it can be submitted. Validating one change to a finding stays in answers.py
(`check_answer`, `clear_stale_detail`).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from fieldcore.checklist import Mode, Template


class FindingLike(Protocol):
    """A stored answer to one item, as the phone's and the server's finding rows hold it."""

    item_code: str
    result: str | None
    count: int | None
    value: Decimal | None


def answers_from_findings(
    findings: Iterable[FindingLike], template: Template, mode: Mode
) -> dict[str, dict[str, Any]]:
    """The raw answers (input of `parse_answers`) that a visit's live findings give.

    A finding without a verdict is no answer yet. An item the template puts out of scope in
    this mode (`covert_ok: false` on a covert visit, FORMAT.md scoring rule 3) does not
    count, whatever is stored for it. Detail the verdict does not use (a count without a
    failure, a figure on N/A) is left out. An item unknown to the template stays in, so
    `parse_answers` names it instead of it silently vanishing.
    """
    answers: dict[str, dict[str, Any]] = {}
    for f in findings:
        found = template.items_by_code.get(f.item_code)
        if f.result is None or (found is not None and not template.in_mode(found[1], mode)):
            continue
        entry: dict[str, Any] = {"result": f.result}
        if f.count is not None and f.result == "fail":
            entry["count"] = f.count
        if f.value is not None and f.result != "na":
            entry["value"] = f.value
        answers[f.item_code] = entry
    return answers
