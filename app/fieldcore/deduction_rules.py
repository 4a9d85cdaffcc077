"""Read a 扣分标准 written in Chinese (as in the seeds' tables) into a Deduction.

An organisation's spreadsheet says how an item takes points in words: 一项不符扣1分,
出现一次扣2分,最多扣6分, 每少1%扣2分, 不得分, 一票否决. The workbook importer fills a blank
扣分方式 cell from these words, and the editor shows what was understood. A phrase the
reader does not understand is an error for the author to fix, never a silent guess:
`read_deduction` then returns a reading without a deduction and says why.

deduction_clauses finds the pieces of a phrase; this module puts them together: one rule,
its cap, and for a figure rule its bound (标准值) and direction, and says in Chinese what was
understood (scorecard.describe_rule's wording) and what was left to the author.
The phrasing understood, and the seed phrases that are not: DEDUCTION_RULES.md.

Pure: no I/O; shared by the server's importer and any client that previews a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import ValidationError

from fieldcore.checklist import Deduction
from fieldcore.chinese_numerals import normalise
from fieldcore.deduction_clauses import Bound, Findings, Rule, scan
from fieldcore.scorecard import describe_rule, fmt


@dataclass(frozen=True)
class RuleReading:
    """What the reader understood of one phrase.

    deduction   the rule, or None when the phrase was not understood
    explanation what was understood, in Chinese (e.g. "一项不符扣1分"), for the author
    problem     why the phrase was not understood (None when it was)
    """

    text: str
    deduction: Deduction | None
    explanation: str = ""
    problem: str | None = None

    @property
    def understood(self) -> bool:
        return self.deduction is not None


class _NotUnderstood(Exception):
    """Why a phrase cannot become a Deduction (the message is the reading's problem)."""


def read_deduction(text: str) -> RuleReading:
    """The deduction a 扣分标准 phrase describes, or a reading that says it was not understood."""
    phrase = normalise(text)
    if not phrase:
        return RuleReading(text, None, problem="扣分标准为空")
    found = scan(phrase)
    try:
        _refuse_what_is_not_points(found)
        rule = _one_rule(found, text)
        deduction, notes = _deduction(rule, found)
    except _NotUnderstood as why:
        return RuleReading(text, None, problem=str(why))
    return RuleReading(text, deduction, explanation=";".join([describe_rule(deduction), *notes]))


def _refuse_what_is_not_points(found: Findings) -> None:
    """Fines in 元, performance points, several tiers, words not understood: the author's."""
    problems = []
    money, levels = list(dict.fromkeys(found.money)), list(dict.fromkeys(_tiers(found.sanctions)))
    tiers = money if len(money) > 1 else levels
    if len(tiers) > 1:
        problems.append(f"包含多档处理({'、'.join(tiers)}),请拆分为多项")
    problems += found.not_points
    if found.sanctions and not any(r.kind == "veto" for r in found.rules):
        problems.append(f"“{'、'.join(found.sanctions)}”是处理方式,不是扣分:请写明扣几分")
    problems += [f"未能识别:{clause}" for clause in found.unknown]
    if problems:
        raise _NotUnderstood(";".join(problems))


def _tiers(sanctions: list[str]) -> list[str]:
    """The sanctions that are levels of one scale (警告, 通报批评 …), not extras of a veto."""
    return [s for s in sanctions if s.endswith(("警告", "批评", "批评教育", "过", "处分"))]


def _one_rule(found: Findings, text: str) -> Rule:
    """The phrase's one rule; a veto may also take fixed points (一票否决并扣5分)."""
    vetoes = [r for r in found.rules if r.kind == "veto"]
    others = _merged([r for r in found.rules if r.kind != "veto"])
    if vetoes and len(others) == 1 and others[0].kind == "fixed":
        words = "、".join(r.words for r in vetoes)
        return Rule("veto", words, points=others[0].points)
    if vetoes and others:
        listed = "、".join(r.words for r in others)
        raise _NotUnderstood(f"一票否决之外还有“{listed}”:一票否决只能另扣固定分值,请拆分为多项")
    if vetoes:
        return Rule("veto", "、".join(dict.fromkeys(r.words for r in vetoes)))
    if len(others) > 1:
        listed = ";".join(r.words for r in others)
        raise _NotUnderstood(f"包含多条扣分规则({listed}),请拆分为多项")
    if others:
        return others[0]
    if found.generic or found.caps or found.floors:
        raise _NotUnderstood("未写明扣几分(如 一项不符扣1分)")
    raise _NotUnderstood(f"未能识别扣分标准:{text.strip()}")


def _merged(rules: list[Rule]) -> list[Rule]:
    """不得分(本类计0分) is one rule; so is 低于80%每少1%扣2分、高于100%每超1%扣2分
    (describe_rule's wording of a two-sided figure rule)."""
    if len(rules) > 1 and all(r.kind == "zero_category" for r in rules):
        return [Rule("zero_category", "、".join(r.words for r in rules))]
    if len(rules) == 2 and all(r.kind == "figure" for r in rules):
        below, above = sorted(rules, key=lambda r: r.direction != "below")
        same = (below.points, below.step, below.unit) == (above.points, above.step, above.unit)
        if same and (below.direction, above.direction) == ("below", "above"):
            words = f"{below.words}、{above.words}"
            return [Rule("figure", words, below.points, below.step, below.unit, "both")]
    return rules


def _deduction(rule: Rule, found: Findings) -> tuple[Deduction, list[str]]:
    """The Deduction for the rule, its cap and bounds, and the notes on what else was read."""
    cap = _cap(rule, found)
    notes = []
    fields: dict[str, object] = {"kind": rule.kind, "points": rule.points, "cap": cap}
    if rule.kind == "figure":
        low, high = _figure_bounds(rule, found)
        fields |= {"min": low, "max": high, "step": rule.step, "unit": rule.unit}
    elif found.bounds:
        figures = "、".join(b.words for b in found.bounds)
        notes.append(f"{figures}是判定符合与否的要求,不参与扣分计算")
    strays = [f for f in found.stray if rule.kind != "figure" or not f.endswith(rule.unit)]
    if strays:
        notes.append(f"未读入的数值:{'、'.join(strays)}(如为本项分值上限,请在“上限”中填写)")
    if rule.kind == "veto" and rule.words != "一票否决":
        notes.append(f"原文:{rule.words}")
    if found.sanctions:
        notes.append(f"另有处理({'、'.join(found.sanctions)})不属于评分,未读入")
    if found.floors:
        notes.append(
            f"{found.floors[0]}:按所在类别扣完为止(类别得分不低于0)计;"
            "如本项另有分值上限,请在“上限”中填写"
        )
    try:
        return Deduction.model_validate(fields), notes
    except ValidationError as error:
        wrong = "、".join(f"{e['loc'][0]}: {e['msg']}" for e in error.errors())
        raise _NotUnderstood(f"扣分数值不合规({wrong})") from error


def _cap(rule: Rule, found: Findings) -> Decimal | None:
    if not found.caps:
        return None
    if len(found.caps) > 1:
        raise _NotUnderstood(f"给出了多个上限({'、'.join(w for _, w in found.caps)}),请只保留一个")
    cap, words = found.caps[0]
    if rule.kind in ("zero_category", "veto"):
        raise _NotUnderstood(f"“{words}”:{rule.words}不按分值扣分,不能设上限")
    if rule.kind == "fixed":
        raise _NotUnderstood(
            f"“{words}”只对按次扣分有意义(一项不符只扣一次):"
            f"如按次扣分,请写 出现一次扣{fmt(rule.points or Decimal(0))}分,{words}"
        )
    if rule.points is not None and cap < rule.points:
        raise _NotUnderstood(f"上限{fmt(cap)}分小于每次扣分{fmt(rule.points)}分")
    return cap


def _figure_bounds(rule: Rule, found: Findings) -> tuple[Decimal | None, Decimal | None]:
    """min and max of a figure rule: each bound in the rule's unit, placed by its wording
    (不得低于 → min, 不超过 → max) or, for a bare target (达到90%, 低于95%), by the rate's
    direction (每少 → min, 每超 → max)."""
    unit, direction = rule.unit, rule.direction
    problems = []
    others = [b for b in found.bounds if b.unit != unit]
    if others:
        listed = "、".join(b.words for b in others)
        problems.append(f"标准值单位与扣分步长单位({unit})不一致:{listed}")
    strays = [f for f in found.stray if f.endswith(unit)]
    if strays:
        listed = "、".join(strays)
        problems.append(f"含有未能识别的数值({listed}):如为另一标准值,请拆分为多项")
    lows, highs, targets = _sides(found.bounds, direction)
    problems += _wrong_side(rule, lows, highs, targets)
    if problems:
        raise _NotUnderstood(";".join(problems))
    if len(lows) > 1 or len(highs) > 1:
        listed = "、".join(b.words for b in lows + highs)
        raise _NotUnderstood(f"包含多个标准值({listed}),请拆分为多项,每项一个标准值")
    low = lows[0].value if lows else None
    high = highs[0].value if highs else None
    if direction == "both" and (low is None or high is None):
        have = "未读到标准值"
        if low is not None:
            have = f"只读到下限{fmt(low)}{unit}"
        elif high is not None:
            have = f"只读到上限{fmt(high)}{unit}"
        raise _NotUnderstood(
            f"“{rule.words}”需要上下两个标准值,{have}:请写明(如 不低于80{unit}、不高于100{unit})"
        )
    if low is None and high is None:
        example = f"低于95{unit}" if direction == "below" else f"高于5{unit}"
        raise _NotUnderstood(f"未给出标准值(如 {example})")
    return low, high


def _sides(
    bounds: list[Bound], direction: str | None
) -> tuple[list[Bound], list[Bound], list[Bound]]:
    """The lower bounds, the upper bounds, and the targets that could be either."""
    lows, highs, unsure = [], [], []
    for b in bounds:
        target_low = direction == "below" or (direction == "both" and b.side == "low")
        target_high = direction == "above" or (direction == "both" and b.side == "high")
        if b.role == "min" or (b.role == "target" and target_low):
            lows.append(b)
        elif b.role == "max" or (b.role == "target" and target_high):
            highs.append(b)
        else:
            unsure.append(b)
    return lows, highs, unsure


def _wrong_side(
    rule: Rule, lows: list[Bound], highs: list[Bound], targets: list[Bound]
) -> list[str]:
    """每少 with only an upper bound (破损率低于0.1‰以内, 每少1%扣3分) contradicts itself."""
    if targets:
        listed = "、".join(b.words for b in targets)
        return [f"“{listed}”未说明是下限还是上限(写 不低于… 或 不高于…)"]
    if rule.direction == "below" and highs:
        return [f"“{highs[0].words}”是上限,而“{rule.words}”按低于标准值扣分"]
    if rule.direction == "above" and lows:
        return [f"“{lows[0].words}”是下限,而“{rule.words}”按高于标准值扣分"]
    return []
