"""The pieces of a 扣分标准 phrase: rules, caps, floors, bounds, and what is not a score.

`scan` splits a normalised phrase into clauses (at , ; 。 :) and finds in each, in a fixed
order, the pieces the reader knows: a figure rate (每少1%扣2分), a cap (最多扣6分), a floor
(扣完为止), a counted rule (出现一次扣2分, 每起扣2分, 一户不符扣2分), a fixed rule
(一项不符扣1分, 未完成扣5分), 不得分, 一票否决 / 取消…奖金, a target figure (不得低于95%,
达到85%以上), and sanctions that are not points (扣罚工资50-100元, 书面警告). Each piece found
is cut out of the clause, so a later pattern never reads the same words twice. What is left
is checked: a stray percentage or a left-over rule word (扣, 罚, 否决) is reported, never
dropped. deduction_rules assembles the pieces into one Deduction or a problem.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from fieldcore.checklist import DeductionKind
from fieldcore.chinese_numerals import NUMBER, parse_number

Direction = Literal["below", "above", "both"]
Role = Literal["min", "max", "target"]  # target: min or max, as the rate's direction says


@dataclass(frozen=True)
class Rule:
    """One way of taking points, as written (words) and as read."""

    kind: DeductionKind
    words: str
    points: Decimal | None = None
    step: Decimal = Decimal(1)
    unit: str = "%"
    direction: Direction | None = None  # figure rules: 每少 below, 每超 above, 每超(减) both


@dataclass(frozen=True)
class Bound:
    """A target figure. A bare target's role comes from the rate's direction; `side` is
    what its verb says (低于 low, 高于 high), which places it when the rate goes both ways."""

    role: Role
    value: Decimal
    unit: str
    words: str
    side: Literal["low", "high"] | None = None


@dataclass
class Findings:
    rules: list[Rule] = field(default_factory=list)
    caps: list[tuple[Decimal, str]] = field(default_factory=list)
    floors: list[str] = field(default_factory=list)  # 扣完为止, as written
    bounds: list[Bound] = field(default_factory=list)
    not_points: list[str] = field(default_factory=list)  # why a deduction is not in points
    money: list[str] = field(default_factory=list)  # 扣罚工资100元/人次, as written
    sanctions: list[str] = field(default_factory=list)  # 书面警告, 解除劳动关系 …
    stray: list[str] = field(default_factory=list)  # figures (95%, 10分) nothing explained
    unknown: list[str] = field(default_factory=list)  # clauses with rule words not understood
    generic: bool = False  # 进行考核扣分: says points are taken, not how many


_N = NUMBER
_UNIT = r"(?P<unit>%|‰|个百分点|百分点|分(?!钟))"
_TAKE = r"扣(?:除|减|罚)?(?:考核成绩|考核分|得分|分数)?"
_COUNTER = r"人次|次|起|户|处|例|件|人|项|个|台|辆|宗|单|条"
_DIRECTIONS: dict[str, Direction] = {
    "超(减)": "both", "超(少)": "both", "超或减": "both", "超/减": "both", "增减": "both",
    "偏离": "both", "少": "below", "低": "below", "差": "below", "减少": "below",
    "下降": "below", "降低": "below", "超过": "above", "超出": "above", "超": "above",
    "高出": "above", "高": "above", "多": "above",
}  # fmt: skip
_DIRECTION = "|".join(re.escape(d) for d in sorted(_DIRECTIONS, key=len, reverse=True))
_MIN_VERBS = ("≥", ">=", "至少")
_MAX_VERBS = ("≤", "<=")
_LOW_VERBS = ("低于", "少于", "小于")
_HIGH_VERBS = ("高于", "超过", "超出", "大于")


def scan(phrase: str) -> Findings:
    """The pieces of a normalised phrase (chinese_numerals.normalise)."""
    found = Findings()
    without_formulas = re.sub(r"=[^,;。]*", "", phrase)  # 明码实价执行率=(…)/…*100%
    for clause in re.split(r"[,;。:!?]", without_formulas):
        segments = [clause] if clause else []
        for pattern, record in _PIECES:
            segments = _cut(segments, pattern, record, found)
        _check_leftovers(clause, segments, found)
    return found


def _cut(
    segments: list[str],
    pattern: re.Pattern[str],
    record: Callable[[re.Match[str], Findings], None],
    found: Findings,
) -> list[str]:
    """Record each match and keep the text around it, as separate segments."""
    kept: list[str] = []
    for segment in segments:
        start = 0
        for match in pattern.finditer(segment):
            record(match, found)
            kept.append(segment[start : match.start()])
            start = match.end()
        kept.append(segment[start:])
    return [s for s in kept if s]


def _check_leftovers(clause: str, segments: list[str], found: Findings) -> None:
    rest = "".join(segments)
    found.stray += re.findall(r"\d+(?:\.\d+)?(?:%|‰|分(?!钟))", rest)
    if re.search(r"扣|罚|否决|不得分|奖金", rest):
        found.unknown.append(clause)


def _money(m: re.Match[str], found: Findings) -> None:
    found.money.append(m[0])
    found.not_points.append(f"“{m[0]}”以元计,不是扣分:请写明扣几分")


def _other_unit(m: re.Match[str], found: Findings) -> None:
    hint = f":如按分计,请写作扣{m['n']}分" if m["n"] else ""
    found.not_points.append(f"“{m[0]}”扣的是{m['what']},不是检查得分{hint}")


def _rate(m: re.Match[str], found: Findings) -> None:
    unit = "%" if "百分点" in m["unit"] else m["unit"]
    found.rules.append(
        Rule(
            "figure",
            m[0],
            points=parse_number(m["points"]),
            step=parse_number(m["step"]),
            unit=unit,
            direction=_DIRECTIONS[m["dir"]],
        )
    )


def _cap(m: re.Match[str], found: Findings) -> None:
    found.caps.append((parse_number(m["cap"]), m[0]))


def _floor(m: re.Match[str], found: Findings) -> None:
    found.floors.append(m[0])


def _rule(kind: DeductionKind) -> Callable[[re.Match[str], Findings], None]:
    def record(m: re.Match[str], found: Findings) -> None:
        count = m.groupdict().get("count")
        if count and parse_number(count) != 1:
            found.not_points.append(f"“{m[0]}”不是按每次扣分:请写作出现一次扣几分")
            return
        points = parse_number(m["points"]) if "points" in m.re.groupindex else None
        found.rules.append(Rule(kind, m[0], points=points))

    return record


def _sanction(m: re.Match[str], found: Findings) -> None:
    found.sanctions.append(m[0])


def _generic(m: re.Match[str], found: Findings) -> None:
    found.generic = True


def _bound(m: re.Match[str], found: Findings) -> None:
    groups = m.groupdict()
    neg, verb, suffix = groups.get("neg"), groups.get("verb") or "", groups.get("suffix")
    role: Role = "target"
    if suffix == "以上" or verb in _MIN_VERBS or (neg and verb in _LOW_VERBS):
        role = "min"
    elif suffix in ("以下", "以内") or verb in _MAX_VERBS or (neg and verb in _HIGH_VERBS):
        role = "max"
    unit = "%" if "百分点" in m["unit"] else m["unit"]
    side: Literal["low", "high"] | None = None
    if verb in _LOW_VERBS:
        side = "low"
    elif verb in _HIGH_VERBS:
        side = "high"
    value, words = parse_number(m["value"]), m[0].lstrip("率度")
    found.bounds.append(Bound(role, value, unit, words, side))


_THIS = "(?:该项|本项|此项|本类|该类|本指标|该指标|全项)"
_OCCURRED = "(?:发生|发现|出现|有|查出|查到)"
_POINTS = rf"{_TAKE}(?P<points>{_N})分(?!钟)"
_LEVELS = "书面警告|口头警告|警告|通报批评|批评教育|记大过|记过|行政处分|纪律处分|处分"
# In this order: a piece found is cut out before the next pattern looks (扣6分 inside
# 最多扣6分 is a cap, not a fixed rule; 每少1% is a rate, not a counted rule).
_PATTERNS: list[tuple[str, Callable[[re.Match[str], Findings], None]]] = [
    # 扣罚当月工资50-100元, 扣罚当月工资100元/人次
    (rf"(?:扣罚|扣发|罚款|扣除|罚|扣)[^,;。扣罚]*?{_N}(?:-{_N})?元(?:/(?:{_COUNTER}))?", _money),
    # 扣罚2个绩效点数, 扣除第二次服务的工作系数
    (
        rf"扣(?:罚|除|减|发)?[^,;。扣]*?(?:(?P<n>{_N})个?)?"
        r"(?P<what>绩效点数|绩效点|工作系数|系数|工资)",
        _other_unit,
    ),
    # 每少1%扣2分, 每超(减)1%扣2分, 每少1分扣考核成绩1分
    (rf"每(?P<dir>{_DIRECTION})(?P<step>{_N}){_UNIT}的?{_POINTS}", _rate),
    # 最多扣6分, 上限10分, 扣满10分为止
    (rf"(?:累计)?(?:最多|最高|至多)(?:累计)?扣(?:除)?(?P<cap>{_N})分(?:为止)?", _cap),
    (rf"(?:上限|封顶)为?(?P<cap>{_N})分", _cap),
    (rf"扣满(?P<cap>{_N})分为?止", _cap),
    (r"扣完为止|直至扣完|扣完即止|扣完本项(?:分值|分数)?为止|扣至(?:0|零)分为止|扣光为止", _floor),
    # 每起扣2分, 每发生一起有理投诉扣2分, 每发现一项不合格扣1分, 每人次扣1分
    (
        rf"每{_OCCURRED}?(?P<count>{_N})?(?P<counter>{_COUNTER})[^,;。扣]*?{_POINTS}",
        _rule("per_occurrence"),
    ),
    (rf"{_TAKE}(?P<points>{_N})分/(?:{_COUNTER})", _rule("per_occurrence")),  # 扣2分/次
    # 出现一次扣2分, 一户不符扣2分 (一项不符 is the fixed rule below)
    (
        rf"{_OCCURRED}?(?<![\d.第])(?P<count>{_N})(?P<counter>人次|次|起|户|处|例|件|人|台|辆|宗)"
        rf"[^,;。扣]*?{_POINTS}",
        _rule("per_occurrence"),
    ),
    # 一项不符扣1分, 未完成扣5分, 扣0.5分
    (rf"(?:一项不符合?|不符合|未完成|未做到|违反)?{_POINTS}", _rule("fixed")),
    (
        r"(?:该项|本项|此项|本类|该类|本指标|该指标|全项)?(?:不得分|[计记得](?:0|零)分)",
        _rule("zero_category"),
    ),
    (r"一票否决制?|否决|取消[^,;。]*奖金(?:资格)?", _rule("veto")),
    (rf"{_LEVELS}|解除劳动(?:关系|合同)|辞退|开除|追究[^,;。]*?责任", _sanction),
    (r"扣分", _generic),  # 进行考核扣分: points are taken, the amount is elsewhere
    # 不得低于10%, 达到85%以上, 低于0.1‰以内, 不能低于社会存销比的80%
    (
        r"(?P<neg>不得|不能|不应|不可|不)?(?P<verb>低于|少于|小于|高于|超过|超出|大于|达到|达|"
        rf"≥|≤|>=|<=|>|<|至少)(?:[^,;。\d%‰()于]*?的)?(?P<value>{_N}){_UNIT}(?P<suffix>以上|以下|以内)?",
        _bound,
    ),
    (rf"(?P<value>{_N}){_UNIT}(?P<suffix>以上|以下|以内)", _bound),  # 户数的70%以上
    (rf"[率度](?:为|应为|应达|要求)?(?P<value>{_N})(?P<unit>%|‰)", _bound),  # 送货及时率100%
]
_PIECES = [(re.compile(pattern), record) for pattern, record in _PATTERNS]
