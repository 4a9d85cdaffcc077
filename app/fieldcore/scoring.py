"""The deduction scoring engine (减分制): template + answers → scorecard. Pure and exact.

Rules, applied in this order (each is tested in tests/core/test_scoring_rules.py):
1. An item's rule takes points only when it fails: fixed points, points × count, or points
   per step of the figure's shortfall (proportional); `cap` bounds one item.
2. A category scores max − Σ deductions, stopped at 0 (扣完为止) unless its floor is "none".
   A failed 不得分 (zero_category) item makes the category 0 whatever else happened.
3. N/A never deducts. A category whose items are all N/A drops out of both the total and
   the max, so the percent covers what was actually inspected. Unanswered items deduct
   nothing yet and are listed in `unanswered` (the visit is not complete).
4. In covert (暗访) mode, items that cannot be observed covertly are out of scope (as N/A).
5. total = Σ category scores (never below 0); percent = total / max × 100, rounded half up
   to 0.1 (四舍五入) — the only rounding; grade = the highest band whose min the percent
   reaches; passed = percent ≥ pass mark and no veto (一票否决) item failed.
6. Subjects (the posts or people a visit scores): each subject is scored against every
   category holding one of its items, using only its own items' deductions and its own
   不得分/veto, so one person is not charged with another's faults. A subject passes when
   its own percent reaches the pass mark and none of its own veto items failed.
7. Per-subject templates (scoring.per_subject; seed 001 scores each post on 百分制 on its
   own, 001:L24, L154-156): each subject's score, grade and pass are the result. The
   visit passes only when every subject passes (scorecard.visit_passed). A failed veto
   item fails its own subject (and so the visit) but not the other subjects: their
   results stand, as the seed charges each post with its own faults only. The pooled
   total/percent are still computed, for reference only (合计(仅供参考)); the visit has
   no grade of its own (grade None).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fieldcore.answers import Answer, figure_shortfall, parse_answers
from fieldcore.checklist import Category, Item, Mode, Template
from fieldcore.scorecard import (
    CategoryScore,
    Effect,
    ItemLine,
    ScoreCard,
    SubjectScore,
    describe_rule,
    round_half_up,
    visit_passed,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def score_raw(template: Template, raw_answers: Any, mode: Mode = "overt") -> ScoreCard:
    """Validate raw answers (see fieldcore.answers) and score them.

    Raises:
        AnswersError: the answers do not fit the template.
    """
    return score(template, parse_answers(raw_answers, template, mode), mode)


def score(template: Template, answers: Mapping[str, Answer], mode: Mode = "overt") -> ScoreCard:
    """Score validated answers; see the module docstring for the rules."""
    categories = []
    for category in template.categories:
        lines = [
            _line(template, category, item, answers.get(item.code))
            for item in category.items
            if template.in_mode(item, mode)
        ]
        if lines:
            categories.append(_category_score(category, lines))
    counted = [c for c in categories if not c.excluded]
    total = max(ZERO, sum((c.score for c in counted), ZERO))
    maximum = sum((c.max for c in counted), ZERO)
    percent = _percent(total, maximum)
    veto_items = tuple(
        li.item for c in categories for li in c.lines if li.failed and li.effect == "veto"
    )
    subjects = _subject_scores(template, categories)
    per_subject = template.scoring.per_subject
    grade = template.grade_for(percent).code if percent is not None else None
    return ScoreCard(
        template=template.key,
        mode=mode,
        total=total,
        max=maximum,
        percent=percent,
        grade=None if per_subject else grade,
        passed=(
            visit_passed(subjects) if per_subject else _passed(template, percent, bool(veto_items))
        ),
        veto=bool(veto_items),
        veto_items=veto_items,
        unanswered=tuple(li.item for c in categories for li in c.lines if li.result is None),
        categories=tuple(categories),
        subjects=subjects,
        per_subject=per_subject,
    )


def item_deduction(item: Item, answer: Answer | None) -> Decimal:
    """Points an item's own rule takes for this answer (0 unless it failed)."""
    d = item.deduction
    if answer is None or answer.result != "fail" or d.kind == "zero_category":
        return ZERO
    if d.kind == "per_occurrence":
        assert d.points is not None  # template_loader requires points for this kind
        taken = d.points * answer.count
    elif d.kind == "figure":
        assert d.points is not None  # template_loader requires points for this kind
        assert answer.value is not None  # parse_answers requires a value for figure items
        taken = d.points * figure_shortfall(item, answer.value) / d.step
    else:  # fixed, veto (whose points are optional)
        taken = d.points or ZERO
    return min(taken, d.cap) if d.cap is not None else taken


def _line(template: Template, category: Category, item: Item, answer: Answer | None) -> ItemLine:
    effect: Effect = ""
    if (
        answer is not None
        and answer.result == "fail"
        and item.deduction.kind in ("zero_category", "veto")
    ):
        effect = item.deduction.kind
    return ItemLine(
        category=category.code,
        item=item.code,
        text=item.text,
        subject=template.item_subject(category, item),
        result=answer.result if answer else None,
        count=answer.count if answer else 1,
        value=answer.value if answer else None,
        rule=describe_rule(item.deduction),
        deducted=item_deduction(item, answer),
        effect=effect,
        severity=item.severity,
    )


def _category_score(category: Category, lines: list[ItemLine]) -> CategoryScore:
    score, deducted, floored, zeroed_by = _score_lines(category, lines)
    return CategoryScore(
        code=category.code,
        title=category.title,
        max=category.max,
        score=score,
        deducted=deducted,
        floored=floored,
        zeroed_by=zeroed_by,
        excluded=all(li.result == "na" for li in lines),
        lines=tuple(lines),
    )


def _score_lines(
    category: Category, lines: list[ItemLine]
) -> tuple[Decimal, Decimal, bool, str | None]:
    """(score, raw deductions, floor reached, 不得分 item) of a category over some lines."""
    deducted = sum((li.deducted for li in lines), ZERO)
    zeroed_by = next((li.item for li in lines if li.effect == "zero_category"), None)
    raw = category.max - deducted
    floored = category.floor == "zero" and raw < 0
    score = ZERO if floored else raw
    if zeroed_by:  # 不得分 takes the category to 0, but never lifts a negative one
        score = min(score, ZERO)
    return score, deducted, floored, zeroed_by


def _subject_scores(
    template: Template, categories: list[CategoryScore]
) -> tuple[SubjectScore, ...]:
    by_code = {c.code: c for c in template.categories}
    out = []
    for subject in template.subjects:
        score = maximum = ZERO
        veto = False
        for cat in categories:
            own = [li for li in cat.lines if li.subject == subject.code]
            if not own or all(li.result == "na" for li in own):
                continue
            own_score, _, _, _ = _score_lines(by_code[cat.code], own)
            score += own_score
            maximum += cat.max
            veto = veto or any(li.failed and li.effect == "veto" for li in own)
        if maximum == 0:
            continue  # this visit holds nothing scorable for the subject
        percent = _percent(max(ZERO, score), maximum)
        out.append(
            SubjectScore(
                code=subject.code,
                title=subject.title,
                score=max(ZERO, score),
                max=maximum,
                percent=percent,
                grade=template.grade_for(percent).code if percent is not None else None,
                veto=veto,
                passed=_passed(template, percent, veto),
            )
        )
    return tuple(out)


def _percent(total: Decimal, maximum: Decimal) -> Decimal | None:
    return round_half_up(total * HUNDRED / maximum) if maximum > 0 else None


def _passed(template: Template, percent: Decimal | None, veto: bool) -> bool | None:
    if veto:
        return False
    return None if percent is None else percent >= template.scoring.pass_mark
