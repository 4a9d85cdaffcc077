"""Problem codes: the one catalogue of stable error codes shared by phone, server and CLI.

A code never changes meaning once released; retired codes stay here as comments. Every
code has a Chinese and an English default message; callers add specifics in `details`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ProblemCode(StrEnum):
    # checklist templates
    TEMPLATE_INVALID = "template.invalid"
    TEMPLATE_NOT_FOUND = "template.not_found"
    # answers given to the scoring engine
    ANSWERS_INVALID = "answers.invalid"
    ANSWERS_NOT_OBJECT = "answers.not_object"
    ANSWERS_UNKNOWN_ITEM = "answers.unknown_item"
    ANSWERS_UNKNOWN_FIELD = "answers.unknown_field"
    ANSWERS_INVALID_RESULT = "answers.invalid_result"
    ANSWERS_NA_NOT_ALLOWED = "answers.na_not_allowed"
    ANSWERS_INVALID_COUNT = "answers.invalid_count"
    ANSWERS_INVALID_VALUE = "answers.invalid_value"
    ANSWERS_VALUE_REQUIRED = "answers.value_required"
    ANSWERS_RESULT_CONTRADICTS_VALUE = "answers.result_contradicts_value"
    ANSWERS_ITEM_NOT_IN_MODE = "answers.item_not_in_mode"
    ANSWERS_MODE_NOT_ALLOWED = "answers.mode_not_allowed"
    # aggregation of scores
    AGGREGATE_INVALID = "aggregate.invalid"


MESSAGES: dict[ProblemCode, tuple[str, str]] = {
    ProblemCode.TEMPLATE_INVALID: ("检查表模板无效", "The checklist template is invalid"),
    ProblemCode.TEMPLATE_NOT_FOUND: ("找不到检查表模板", "Checklist template not found"),
    ProblemCode.ANSWERS_INVALID: ("检查结果有误", "The answers are invalid"),
    ProblemCode.ANSWERS_NOT_OBJECT: (
        "检查结果必须是以条目编号为键的对象",
        "Answers must be an object keyed by item code",
    ),
    ProblemCode.ANSWERS_UNKNOWN_ITEM: ("模板中没有该条目", "No such item in the template"),
    ProblemCode.ANSWERS_UNKNOWN_FIELD: ("不认识的字段", "Unknown field"),
    ProblemCode.ANSWERS_INVALID_RESULT: (
        "结果只能是 pass、fail 或 na",
        "Result must be pass, fail or na",
    ),
    ProblemCode.ANSWERS_NA_NOT_ALLOWED: ("该条目不允许“不适用”", "This item cannot be N/A"),
    ProblemCode.ANSWERS_INVALID_COUNT: ("次数无效", "Invalid count"),
    ProblemCode.ANSWERS_INVALID_VALUE: ("数值无效", "Invalid value"),
    ProblemCode.ANSWERS_VALUE_REQUIRED: ("该条目需要填写数值", "This item needs a value"),
    ProblemCode.ANSWERS_RESULT_CONTRADICTS_VALUE: (
        "结果与填写的数值矛盾",
        "The result contradicts the value entered",
    ),
    ProblemCode.ANSWERS_ITEM_NOT_IN_MODE: (
        "暗访时不检查该条目",
        "This item is not checked in this mode",
    ),
    ProblemCode.ANSWERS_MODE_NOT_ALLOWED: (
        "该模板不支持此检查方式",
        "The template does not allow this mode",
    ),
    ProblemCode.AGGREGATE_INVALID: ("汇总数据无效", "Invalid data for aggregation"),
}


def message(code: ProblemCode, lang: str = "zh") -> str:
    """Default user-facing message of a code, Chinese first."""
    zh, en = MESSAGES[code]
    return en if lang == "en" else zh


class DomainError(Exception):
    """A rule of the domain was broken; carries a stable code and machine-readable details."""

    def __init__(self, code: ProblemCode, detail: str = "", **details: Any) -> None:
        self.code = code
        self.detail = detail
        self.details = details
        super().__init__(f"{code}: {detail}" if detail else str(code))

    def to_problem(self, lang: str = "zh") -> dict[str, Any]:
        """The wire shape every edge uses: {"code", "message", "details"}."""
        msg = message(self.code, lang)
        return {
            "code": str(self.code),
            "message": f"{msg}: {self.detail}" if self.detail else msg,
            "details": self.details,
        }
