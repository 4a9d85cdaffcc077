"""Answers to a checklist: what the inspector marked per item, validated against a template.

Input shape (what the phone stores and `mingcha score` reads):
    {"1.1.2": {"result": "fail", "count": 2}, "4.2": {"value": 68.5}, "3.1": {"result": "na"}}
Nothing is ignored: an unknown item, field or result is an error naming the item, and all
errors are reported together.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from fieldcore.checklist import Item, Mode, Template
from fieldcore.literals import one_of
from fieldcore.problems import DomainError, ProblemCode

Result = Literal["pass", "fail", "na"]
RESULTS: tuple[Result, ...] = ("pass", "fail", "na")
FIELDS = {"result", "count", "value", "note"}


@dataclass(frozen=True)
class Answer:
    result: Result
    count: int = 1  # occurrences, for per_occurrence rules; 1 otherwise
    value: Decimal | None = None  # the entered figure, for figure rules
    note: str = ""


@dataclass(frozen=True)
class AnswerProblem:
    code: ProblemCode
    item: str
    detail: str

    def __str__(self) -> str:
        return f"{self.item}: {self.detail}" if self.item else self.detail


class AnswersError(DomainError):
    def __init__(self, problems: list[AnswerProblem]) -> None:
        self.problems = problems
        super().__init__(
            ProblemCode.ANSWERS_INVALID,
            "; ".join(str(p) for p in problems),
            problems=[{"code": str(p.code), "item": p.item, "detail": p.detail} for p in problems],
        )

    def __str__(self) -> str:
        return "\n".join(f"{p.code}: {p}" for p in self.problems)


def parse_answers(raw: Any, template: Template, mode: Mode = "overt") -> dict[str, Answer]:
    """Validate raw answers for `template` in `mode`; item codes map to `Answer`s.

    Raises:
        AnswersError: listing every problem found (unknown items or fields, bad results,
            counts or values, N/A where not allowed, items outside the mode).
    """
    if mode not in template.modes:
        raise AnswersError(
            [
                AnswerProblem(
                    ProblemCode.ANSWERS_MODE_NOT_ALLOWED,
                    "",
                    f"{template.key} does not allow mode {mode!r}",
                )
            ]
        )
    if not isinstance(raw, Mapping):
        raise AnswersError(
            [AnswerProblem(ProblemCode.ANSWERS_NOT_OBJECT, "", f"got {type(raw).__name__}")]
        )
    answers: dict[str, Answer] = {}
    problems: list[AnswerProblem] = []
    for code, entry in raw.items():
        found = template.items_by_code.get(code)
        item = found[1] if found else None
        if item is None:
            problems.append(
                AnswerProblem(
                    ProblemCode.ANSWERS_UNKNOWN_ITEM,
                    str(code),
                    f"no item {code!r} in {template.key}",
                )
            )
        elif not template.in_mode(item, mode):
            problems.append(
                AnswerProblem(
                    ProblemCode.ANSWERS_ITEM_NOT_IN_MODE, code, "cannot be observed covertly (暗访)"
                )
            )
        else:
            answer, item_problems = _parse_one(item, entry)
            problems += item_problems
            if answer is not None and not item_problems:
                answers[code] = answer
    if problems:
        raise AnswersError(problems)
    return answers


def check_mode(template: Template, mode: str) -> Mode:
    """A visit (or a task) may use only a mode its template allows (a template without
    `covert` has items that cannot be checked unseen). Returns it as a Mode.

    Raises:
        DomainError(answers.mode_not_allowed): details `field` ("mode") and `mode`.
    """
    if mode not in template.modes:
        raise DomainError(
            ProblemCode.ANSWERS_MODE_NOT_ALLOWED,
            f"{template.key} does not allow mode {mode!r}",
            field="mode",
            mode=mode,
        )
    return one_of(mode, template.modes)


def check_answer(
    template: Template,
    mode: Mode,
    item_code: str,
    result: str | None,
    count: int | None,
    value: Decimal | None,
) -> Answer | None:
    """One stored finding — its result, count and value after a change — as an answer.

    The phone's store and the server's merge both call this on the whole finding before
    keeping a change. Nothing set yet (a note or photo before the verdict) is no answer:
    None, allowed while the item exists. Anything else must be a valid answer to the item in
    `mode` (a count alone is no verdict); the normalised `Answer` is returned — a figure
    item's result follows from its value, and that derived result is the one to store.

    Raises:
        DomainError: the first problem's answers.* code (as `parse_answers` finds it), its
            detail, and `details.item` = `item_code`.
    """
    entry = {
        name: given
        for name, given in (("result", result), ("count", count), ("value", value))
        if given is not None
    }
    if not entry:
        if item_code not in template.items_by_code:
            raise DomainError(
                ProblemCode.ANSWERS_UNKNOWN_ITEM,
                f"no item {item_code!r} in {template.key}",
                item=item_code,
            )
        return None
    try:
        return parse_answers({item_code: entry}, template, mode)[item_code]
    except AnswersError as exc:
        first = exc.problems[0]
        raise DomainError(first.code, first.detail, item=item_code) from None


def _parse_one(item: Item, entry: Any) -> tuple[Answer | None, list[AnswerProblem]]:
    def problem(code: ProblemCode, detail: str) -> tuple[None, list[AnswerProblem]]:
        return None, [AnswerProblem(code, item.code, detail)]

    if not isinstance(entry, Mapping):
        return problem(ProblemCode.ANSWERS_NOT_OBJECT, "must be an object with a result")
    unknown = sorted(set(entry) - FIELDS)
    if unknown:
        return problem(ProblemCode.ANSWERS_UNKNOWN_FIELD, f"unknown field(s) {unknown}")
    note = entry.get("note", "")
    if not isinstance(note, str):
        return problem(ProblemCode.ANSWERS_UNKNOWN_FIELD, "note must be text")
    result = entry.get("result")
    if result is not None and result not in RESULTS:
        return problem(
            ProblemCode.ANSWERS_INVALID_RESULT, f"result {result!r} is not one of pass, fail, na"
        )
    if result == "na" and not item.na_allowed:
        return problem(ProblemCode.ANSWERS_NA_NOT_ALLOWED, "N/A is not allowed for this item")
    if item.deduction.kind == "figure":
        return _parse_figure(item, entry, result, note)
    if result is None:
        return problem(ProblemCode.ANSWERS_INVALID_RESULT, "result is required")
    if "value" in entry:
        return problem(ProblemCode.ANSWERS_INVALID_VALUE, "only figure items take a value")
    count = entry.get("count")
    if count is not None:
        if item.deduction.kind != "per_occurrence":
            return problem(
                ProblemCode.ANSWERS_INVALID_COUNT, "only per-occurrence items take a count"
            )
        if result != "fail":
            return problem(ProblemCode.ANSWERS_INVALID_COUNT, "a count needs result fail")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 10_000:
            return problem(
                ProblemCode.ANSWERS_INVALID_COUNT,
                f"count must be a whole number 1..10000, got {count!r}",
            )
    return Answer(result=result, count=count or 1, note=note), []


def _parse_figure(
    item: Item, entry: Mapping[str, Any], result: str | None, note: str
) -> tuple[Answer | None, list[AnswerProblem]]:
    def problem(code: ProblemCode, detail: str) -> tuple[None, list[AnswerProblem]]:
        return None, [AnswerProblem(code, item.code, detail)]

    if "count" in entry:
        return problem(ProblemCode.ANSWERS_INVALID_COUNT, "figure items take a value, not a count")
    if result == "na":
        if "value" in entry:
            return problem(ProblemCode.ANSWERS_INVALID_VALUE, "an N/A item takes no value")
        return Answer(result="na", note=note), []
    raw = entry.get("value")
    if raw is None:
        return problem(
            ProblemCode.ANSWERS_VALUE_REQUIRED, f"enter the figure in {item.deduction.unit}"
        )
    value = _to_decimal(raw)
    if value is None:
        return problem(ProblemCode.ANSWERS_INVALID_VALUE, f"value must be a number, got {raw!r}")
    derived: Result = "pass" if figure_shortfall(item, value) == 0 else "fail"
    if result is not None and result != derived:
        return problem(
            ProblemCode.ANSWERS_RESULT_CONTRADICTS_VALUE,
            f"result {result} contradicts value {value} (that is a {derived})",
        )
    return Answer(result=derived, value=value, note=note), []


def figure_shortfall(item: Item, value: Decimal) -> Decimal:
    """How far an entered figure lies outside the item's [min, max] band (0 inside)."""
    d = item.deduction
    if d.min is not None and value < d.min:
        return d.min - value
    if d.max is not None and value > d.max:
        return value - d.max
    return Decimal(0)


def _to_decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        return None
    if isinstance(raw, float) and not math.isfinite(raw):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < Decimal(10) ** 9 else None


def clear_stale_detail(changes: Mapping[str, Any]) -> dict[str, Any]:
    """`changes` to a finding, plus the detail a new verdict drops.

    A count belongs to a failure and a figure to an answered item, so a change of verdict
    clears the one the new verdict does not use — unless the same change sets it, in which
    case it is validated with the verdict. Without a new verdict nothing is cleared. The
    phone's store and the server's merge both apply this before validating the answer.
    """
    cleared = dict(changes)
    if "result" not in cleared:
        return cleared
    if cleared["result"] != "fail":
        cleared.setdefault("count", None)
    if cleared["result"] == "na":
        cleared.setdefault("value", None)
    return cleared
