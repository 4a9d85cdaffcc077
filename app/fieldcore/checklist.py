"""Checklist templates as typed, immutable models (loading and validation: template_loader)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["overt", "covert"]  # 明查 / 暗访
MODES: tuple[Mode, ...] = get_args(Mode)
MODE_TITLES: dict[str, tuple[str, str]] = {
    "overt": ("明查", "Announced"),
    "covert": ("暗访", "Covert"),
}
Severity = Literal["minor", "major", "critical"]  # 警告 / 通报批评 / 严重, after seed 000:L957-1009
# Days a site has to rectify a finding of each severity, unless the template says otherwise.
DEFAULT_RECTIFICATION_DAYS: dict[Severity, int] = {"minor": 14, "major": 7, "critical": 2}
DeductionKind = Literal["fixed", "per_occurrence", "zero_category", "veto", "figure"]

CODE = r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$"
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_LINES = r"00[0-4]:L\d+([–-]\d+)?(, ?L\d+([–-]\d+)?)*"
SOURCE = rf"^{_LINES}(; ?{_LINES})*$"  # "001:L42, L84" or "001:L42; 003:L157"
Points = Annotated[Decimal, Field(gt=0, max_digits=8, decimal_places=2)]
Text = Annotated[str, Field(min_length=1, max_length=500)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentControl(_Model):
    """Document-control block of the regulation a template implements (001:L10-12)."""

    code: Text
    revision: Text = "A/0"
    effective: date
    approver: Text
    issuer: str = ""


class Grade(_Model):
    code: Text  # e.g. 优秀
    title_en: str = ""
    min: Annotated[Decimal, Field(ge=0, le=100)]  # lower bound on the 百分制 percent


class Scoring(_Model):
    pass_mark: Annotated[Decimal, Field(ge=0, le=100)]
    grades: list[Grade] = Field(min_length=1)
    # The pass mark and the bands are the organisation's choice, not the seed's (自定).
    assumed: bool = False
    assumed_note: str = ""
    # Each subject (post) is scored, graded and passed on its own, as seed 001 scores each
    # post on 百分制 (001:L24); the pooled figure over all subjects is not the regulation's.
    per_subject: bool = False


class Subject(_Model):
    """Who an item's result is attributed to: a post (客户经理) or the site itself."""

    code: Annotated[str, Field(pattern=SLUG)]
    title: Text
    title_en: str = ""


class Deduction(_Model):
    """How a failed item takes points. Which fields apply depends on `kind`.

    fixed          `points` per nonconformity (一项不符扣1分)
    per_occurrence `points` × the counted occurrences (出现一次扣1分, 每起扣2分)
    zero_category  the whole category scores 0 (不得分)
    veto           the visit fails whatever its score (一票否决); may also take `points`
    figure         an entered figure: `points` per `step` units below `min` or above `max`
                   (每少1%扣2分); the shortfall counts proportionally, so 0.5% short of a
                   1-point-per-1% rule takes 0.5 points
    `cap` bounds what one item can take; the category floor (扣完为止) applies on top.
    """

    kind: DeductionKind
    points: Points | None = None
    cap: Points | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    step: Points = Decimal(1)
    unit: str = "%"


class Item(_Model):
    code: Annotated[str, Field(pattern=CODE)]
    text: Text
    text_en: str = ""
    guidance: str = ""
    subject: Annotated[str, Field(pattern=SLUG)] | None = None  # None: the category's subject
    na_allowed: bool = True
    photo_on_fail: bool = False
    covert_ok: bool = True  # can be observed during a covert (暗访) visit
    # Evidence of this item must be shot with the camera in the app, never picked from the
    # gallery (a staged or old photo cannot pass as evidence): fieldcore/evidence.py
    camera_only: bool = False
    severity: Severity = "minor"
    deduction: Deduction
    source: Annotated[str, Field(pattern=SOURCE)]  # seed and line, e.g. "001:L46"
    # The seed gives no points (or no rule) for this item: its deduction is the
    # organisation's own (自定分值); `assumed_note` says what was assumed and why.
    assumed: bool = False
    assumed_note: str = ""


class Category(_Model):
    code: Annotated[str, Field(pattern=CODE)]
    title: Text
    title_en: str = ""
    max: Points
    floor: Literal["zero", "none"] = "zero"  # zero: 扣完为止, deductions stop at 0
    subject: Annotated[str, Field(pattern=SLUG)] = "site"
    items: list[Item] = Field(min_length=1)
    assumed: bool = False  # `max` is not given by the seed (自定分值)
    assumed_note: str = ""


class Template(_Model):
    id: Annotated[str, Field(pattern=SLUG)]
    version: Annotated[int, Field(ge=1)]
    title: Text
    title_en: str = ""
    description: str = ""
    site_types: list[str] = Field(default_factory=list)
    document: DocumentControl
    modes: list[Mode] = Field(min_length=1)
    # In 暗访 every photo of the visit must be shot with the camera (fieldcore/evidence.py)
    covert_camera_only: bool = False
    scoring: Scoring
    rectification_days: dict[Severity, Annotated[int, Field(ge=0, le=365)]] = Field(
        default_factory=lambda: dict(DEFAULT_RECTIFICATION_DAYS)
    )
    subjects: list[Subject] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)

    @property
    def key(self) -> str:
        return f"{self.id}.v{self.version}"

    @property
    def max_points(self) -> Decimal:
        return sum((c.max for c in self.categories), Decimal(0))

    @cached_property
    def items_by_code(self) -> dict[str, tuple[Category, Item]]:
        return {item.code: (category, item) for category, item in self.iter_items()}

    @property
    def item_codes(self) -> set[str]:
        return set(self.items_by_code)

    def iter_items(self) -> Iterator[tuple[Category, Item]]:
        for category in self.categories:
            for item in category.items:
                yield category, item

    def item_subject(self, category: Category, item: Item) -> str:
        return item.subject or category.subject

    def subject(self, code: str) -> Subject:
        return next(s for s in self.subjects if s.code == code)

    def in_mode(self, item: Item, mode: Mode) -> bool:
        return mode == "overt" or item.covert_ok

    def grade_for(self, percent: Decimal) -> Grade:
        """Highest band whose lower bound the percent reaches; bands are lower bounds."""
        for grade in sorted(self.scoring.grades, key=lambda g: g.min, reverse=True):
            if percent >= grade.min:
                return grade
        raise AssertionError("validated templates have a band starting at 0")
