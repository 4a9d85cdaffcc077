"""The scorecard the engine returns: every number with the rule that produced it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from fieldcore.answers import Result
from fieldcore.checklist import Deduction

Effect = Literal["", "zero_category", "veto"]


def round_half_up(value: Decimal, places: int = 1) -> Decimal:
    """The one rounding rule: half away from zero (四舍五入), 1 decimal for percents."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def num(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number: integral values as int, others as float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def fmt(value: Decimal) -> str:
    n = num(value)
    return str(n)


def describe_rule(d: Deduction, lang: str = "zh") -> str:
    p = fmt(d.points) if d.points is not None else ""
    cap = (
        (f"(最多扣{fmt(d.cap)}分)" if lang == "zh" else f" (at most −{fmt(d.cap)})")
        if d.cap is not None
        else ""
    )
    if d.kind == "fixed":
        return f"一项不符扣{p}分" if lang == "zh" else f"−{p} per nonconformity"
    if d.kind == "per_occurrence":
        return f"出现一次扣{p}分{cap}" if lang == "zh" else f"−{p} per occurrence{cap}"
    if d.kind == "zero_category":
        return "不得分(本类计0分)" if lang == "zh" else "category scores 0"
    if d.kind == "veto":
        extra = (f"并扣{p}分" if lang == "zh" else f", and −{p}") if p else ""
        return f"一票否决{extra}" if lang == "zh" else f"veto: the visit fails{extra}"
    step, unit = fmt(d.step), d.unit
    parts = []
    if d.min is not None:
        parts.append(
            f"低于{fmt(d.min)}{unit}每少{step}{unit}扣{p}分"
            if lang == "zh"
            else f"−{p} per {step}{unit} below {fmt(d.min)}{unit}"
        )
    if d.max is not None:
        parts.append(
            f"高于{fmt(d.max)}{unit}每超{step}{unit}扣{p}分"
            if lang == "zh"
            else f"−{p} per {step}{unit} above {fmt(d.max)}{unit}"
        )
    return ("、" if lang == "zh" else "; ").join(parts) + cap


@dataclass(frozen=True)
class ItemLine:
    category: str
    item: str
    text: str
    subject: str
    result: Result | None  # None: not answered yet
    count: int
    value: Decimal | None
    rule: str  # the rule in words (Chinese)
    deducted: Decimal  # what this item's rule takes, before the category floor
    effect: Effect
    severity: str

    @property
    def failed(self) -> bool:
        return self.result == "fail"

    def explanation(self, lang: str = "zh", rule: str | None = None) -> str:
        """This line in words; `rule` is the rule text in `lang` (describe_rule), since
        the stored one is Chinese."""
        en = lang == "en"
        if self.result is None:
            return "not checked" if en else "未检查"
        if self.result == "na":
            return "n/a, no deduction" if en else "不适用,不扣分"
        value = f"({fmt(self.value)})" if self.value is not None else ""
        if self.result == "pass":
            return ("pass" if en else "符合") + value
        what = ("fail" if en else "不符合") + (f" ×{self.count}" if self.count > 1 else "")
        if self.value is not None:
            what = f"fail (reported {fmt(self.value)})" if en else f"不符合(填报 {fmt(self.value)})"
        taken = f" → −{fmt(self.deducted)}" if self.deducted else ""
        return f"{what}{': ' if en else ':'}{rule or self.rule}{taken}"


@dataclass(frozen=True)
class CategoryScore:
    code: str
    title: str
    max: Decimal
    score: Decimal
    deducted: Decimal  # sum of the items' deductions, before floor and 不得分
    floored: bool  # 扣完为止 stopped the deductions at 0
    zeroed_by: str | None  # item whose 不得分 rule zeroed the category
    excluded: bool  # every item N/A: left out of total and max
    lines: tuple[ItemLine, ...]

    def notes(self) -> list[str]:
        if self.excluded:
            return ["全部不适用,本类不计入总分与满分"]
        out = []
        if self.zeroed_by:
            out.append(f"{self.zeroed_by} 不得分:本类计0分")
        elif self.floored:
            out.append(f"扣分{fmt(self.deducted)}超过满分{fmt(self.max)},扣完为止:本类计0分")
        return out


@dataclass(frozen=True)
class SubjectScore:
    code: str
    title: str
    score: Decimal
    max: Decimal
    percent: Decimal | None
    grade: str | None
    veto: bool  # one of the subject's own items with a veto (一票否决) rule failed
    passed: bool | None = None  # percent ≥ the pass mark and no veto of its own

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "score": num(self.score),
            "max": num(self.max),
            "percent": num(self.percent),
            "grade": self.grade,
            "passed": self.passed,
            "veto": self.veto,
        }


def visit_passed(subjects: tuple[SubjectScore, ...]) -> bool | None:
    """The visit's outcome when each subject is scored on its own (scoring.per_subject):
    it passes only when every subject scored in it passes; one failing post fails the
    visit. None when no subject had anything scorable. Phone and server both use this."""
    if not subjects:
        return None
    if any(s.passed is False for s in subjects):
        return False
    return None if any(s.passed is None for s in subjects) else True


@dataclass(frozen=True)
class ScoreCard:
    template: str
    mode: str
    total: Decimal
    max: Decimal
    percent: Decimal | None  # 百分制, rounded half up to 0.1; None when nothing was scorable
    grade: str | None
    passed: bool | None
    veto: bool
    veto_items: tuple[str, ...]
    unanswered: tuple[str, ...]
    categories: tuple[CategoryScore, ...]
    subjects: tuple[SubjectScore, ...]
    # The template scores each subject on its own (scoring.per_subject): `subjects` hold
    # the regulation's results, `passed` follows visit_passed, `grade` is None, and
    # total/max/percent are the pooled figure, shown only as 合计(仅供参考).
    per_subject: bool = False

    @property
    def complete(self) -> bool:
        return not self.unanswered

    @property
    def failed_lines(self) -> list[ItemLine]:
        return [line for c in self.categories for line in c.lines if line.failed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "mode": self.mode,
            "total": num(self.total),
            "max": num(self.max),
            "percent": num(self.percent),
            "grade": self.grade,
            "passed": self.passed,
            "veto": self.veto,
            "veto_items": list(self.veto_items),
            "complete": self.complete,
            "unanswered": list(self.unanswered),
            "categories": [_category_dict(c) for c in self.categories],
            "subjects": [s.to_dict() for s in self.subjects],
            "per_subject": self.per_subject,
        }


def _category_dict(c: CategoryScore) -> dict[str, Any]:
    return {
        "code": c.code,
        "title": c.title,
        "score": num(c.score),
        "max": num(c.max),
        "deducted": num(c.deducted),
        "floored": c.floored,
        "zeroed_by": c.zeroed_by,
        "excluded": c.excluded,
        "notes": c.notes(),
        "items": [
            {
                "code": li.item,
                "result": li.result,
                "count": li.count,
                "value": num(li.value),
                "subject": li.subject,
                "rule": li.rule,
                "deducted": num(li.deducted),
                "effect": li.effect,
                "explanation": li.explanation(),
            }
            for li in c.lines
        ],
    }


# How the pooled figure of a per-subject visit is labelled wherever it is shown (zh, en).
POOLED_LABEL = ("合计(仅供参考)", "Pooled total (for reference only)")
