"""What the demo's inspectors find: per site a failure rate that drifts over the 90 days
(some sites improve, some slip), one site that fails the same item every time, and answers
shaped by each item's rule (a count for 每处扣分, a figure for 每少/每多 items).

Veto (否决) and whole-category (该类不得分) items never fail here: one such failure zeroes a
visit, which would drown the trends the demo is meant to show.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from fieldcore.checklist import Item, Mode, Template

# The checklist each kind of demo site is inspected with, by template id: visits use its
# newest version, as the phones do.
TEMPLATE_FOR_SITE_TYPE = {
    "shop": "store-patrol",
    "service-hall": "store-patrol",
    "hotel": "hotel-daily",
    "mall": "mall-property",
    "guard-post": "guard-post",
    "retail": "tobacco-retail",
    "courier-station": "courier-service",
    "office-campus": "property-services",
}
REPEAT_SITE = "S011"  # 丽景街便利店 keeps failing the same item (the repeat-offender panel)
SLOW_SITE = "S007"  # 西夏宾馆 answers at once, is always reopened, then never answers again
NEVER_FAILED = ("veto", "zero_category")


@dataclass(frozen=True)
class SiteHabits:
    """How a site does over the demo period: its failure rate on day 0 and on the last day."""

    start_rate: float
    end_rate: float

    def rate(self, progress: float) -> float:
        return self.start_rate + (self.end_rate - self.start_rate) * progress


def habits(rng: random.Random, codes: list[str]) -> dict[str, SiteHabits]:
    """Per site: a few good ones, a few that slip, most improve a little after the 通报."""
    out = {}
    for code in codes:
        start = rng.uniform(0.02, 0.08)
        end = start * rng.choice((0.4, 0.6, 0.8, 1.0, 1.5))
        out[code] = SiteHabits(round(start, 3), round(min(end, 0.15), 3))
    return out


def repeat_item(template: Template) -> str:
    """The item REPEAT_SITE always fails: the first ordinary item checkable unseen."""
    for _, item in template.iter_items():
        if item.deduction.kind not in NEVER_FAILED and item.covert_ok and item.photo_on_fail:
            return item.code
    raise AssertionError(f"{template.key} has no item for the repeat offender")


def answer(item: Item, failing: bool, rng: random.Random) -> dict[str, Any]:
    """The finding fields an inspector enters for `item` (as in `mingcha demo --scores`)."""
    d = item.deduction
    if d.kind == "figure":  # on the bound when passing, a few units outside when failing
        bound = d.min if d.min is not None else d.max
        assert bound is not None
        miss = rng.randint(1, 5) * (-1 if d.min is not None else 1)
        return {"value": str(bound + miss if failing else bound)}
    if failing and d.kind == "per_occurrence":
        return {"result": "fail", "count": rng.choice((1, 1, 2, 3))}
    return {"result": "fail" if failing else "pass"}


def visit_answers(
    template: Template, mode: Mode, fail_rate: float, rng: random.Random, always: str | None
) -> list[tuple[Item, dict[str, Any], bool]]:
    """(item, finding fields, failed) for every item checkable in `mode`."""
    out = []
    for _, item in template.iter_items():
        if not template.in_mode(item, mode):
            continue
        failing = item.code == always or (
            item.deduction.kind not in NEVER_FAILED and rng.random() < fail_rate
        )
        fields = answer(item, failing, rng)
        if failing:
            fields["note"] = f"现场发现：{item.text[:24]}未落实"
        out.append((item, fields, failing))
    return out


RETURN_COMMENTS = (
    "照片看不清，请补充说明",
    "扣分依据不足，请核实后重新提交",
    "备注与照片不一致，请复核",
)
REOPEN_REASONS = ("整改照片未体现整改结果", "整改说明过于简单，请补充", "现场复查仍未整改到位")
RESPONSES = ("已整改，见照片", "已按要求整改完毕并组织员工学习", "已更换并加强日常检查")
