"""The 扣分-rule reader: what it understands, and that it says when it does not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fieldcore.checklist import Deduction, DeductionKind
from fieldcore.chinese_numerals import parse_number
from fieldcore.deduction_rules import read_deduction
from fieldcore.scorecard import describe_rule, fmt
from tests.core.seed_deduction_phrases import CASES, DIGEST_CASES, SeedPhrase


def test_fixed_points_are_understood_with_full_width_digits() -> None:
    reading = read_deduction("一项不符扣2分。")
    assert reading.understood
    assert reading.deduction is not None
    assert (reading.deduction.kind, reading.deduction.points) == ("fixed", Decimal(2))
    assert reading.explanation == "一项不符扣2分"


def test_an_unknown_phrase_is_a_problem_not_a_guess() -> None:
    reading = read_deduction("视情况酌情处理")
    assert not reading.understood
    assert reading.problem == "未能识别扣分标准:视情况酌情处理"


def test_a_blank_phrase_is_a_problem() -> None:
    assert read_deduction("  ").problem == "扣分标准为空"


# --- every deduction phrase of the seeds ----------------------------------------------


@pytest.mark.parametrize("case", CASES + DIGEST_CASES, ids=lambda c: f"{c.source} {c.phrase[:24]}")
def test_each_seed_phrase_reads_as_expected(case: SeedPhrase) -> None:
    reading = read_deduction(case.phrase)
    assert reading.deduction == case.expected
    assert reading.problem == case.problem
    if case.expected is None:
        assert reading.explanation == ""
    else:
        assert reading.explanation.startswith(describe_rule(case.expected))


def test_the_seed_cases_cover_every_kind_and_both_outcomes() -> None:
    kinds = {c.expected.kind for c in CASES if c.expected is not None}
    assert kinds == {"fixed", "per_occurrence", "figure", "zero_category", "veto"}
    understood = [c for c in CASES if c.expected is not None]
    assert len(understood) > 2 * (len(CASES) - len(understood))
    assert all((c.expected is None) == (c.problem is not None) for c in CASES + DIGEST_CASES)


# --- what the explanation says beyond the rule ----------------------------------------


def test_a_floor_is_left_to_the_category_and_said_so() -> None:
    reading = read_deduction("平均经营毛利率不得低于10%,每少1%扣2分,扣完为止。")
    assert reading.explanation == (
        "低于10%每少1%扣2分;扣完为止:按所在类别扣完为止(类别得分不低于0)计;"
        "如本项另有分值上限,请在“上限”中填写"
    )


def test_a_veto_names_its_own_words_and_the_sanctions_it_leaves_out() -> None:
    reading = read_deduction("公司可依法与其解除劳动关系,随即取消当月/当季绩效考核奖金")
    assert reading.deduction == Deduction(kind="veto")
    assert reading.explanation == (
        "一票否决;原文:取消当月/当季绩效考核奖金;另有处理(解除劳动关系)不属于评分,未读入"
    )


def test_a_target_of_a_pass_fail_item_is_named_as_a_requirement() -> None:
    reading = read_deduction("货物、货款安全保障率100%,一项不符扣10分")
    assert reading.deduction == Deduction(kind="fixed", points=Decimal(10))
    assert reading.explanation == "一项不符扣10分;100%是判定符合与否的要求,不参与扣分计算"


def test_figures_nothing_explained_are_named_not_dropped() -> None:
    reading = read_deduction("总分为100分,每项为10分,每发现一项不合格扣1分")
    assert reading.explanation == (
        "出现一次扣1分;未读入的数值:100分、10分(如为本项分值上限,请在“上限”中填写)"
    )


# --- phrasing beyond the seeds ---------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("扣两分", Deduction(kind="fixed", points=Decimal(2))),
        ("违反规定扣三分", Deduction(kind="fixed", points=Decimal(3))),
        ("扣0.5分", Deduction(kind="fixed", points=Decimal("0.5"))),
        ("未做到扣零点五分", Deduction(kind="fixed", points=Decimal("0.5"))),
        ("每起扣2分", Deduction(kind="per_occurrence", points=Decimal(2))),
        ("每人次扣1分", Deduction(kind="per_occurrence", points=Decimal(1))),
        ("每处扣半分", Deduction(kind="per_occurrence", points=Decimal("0.5"))),
        ("扣2分/次", Deduction(kind="per_occurrence", points=Decimal(2))),
        ("出现一次扣三分", Deduction(kind="per_occurrence", points=Decimal(3))),
        (
            "每次扣二分，最多扣十分。",
            Deduction(kind="per_occurrence", points=Decimal(2), cap=Decimal(10)),
        ),
        (
            "出现1次扣2分 上限6分",
            Deduction(kind="per_occurrence", points=Decimal(2), cap=Decimal(6)),
        ),
        ("低于95%每少1%扣1分", Deduction(kind="figure", points=Decimal(1), min=Decimal(95))),
        ("高于5%每超1%扣2分", Deduction(kind="figure", points=Decimal(2), max=Decimal(5))),
        ("不超过5%,每超1%扣2分", Deduction(kind="figure", points=Decimal(2), max=Decimal(5))),
        ("高于90%,每少1%扣1分", Deduction(kind="figure", points=Decimal(1), min=Decimal(90))),
        (
            "达到95%,每少一个百分点扣两分",
            Deduction(kind="figure", points=Decimal(2), min=Decimal(95)),
        ),
        (
            "每少0.5%扣1分,低于95%",
            Deduction(kind="figure", points=Decimal(1), min=Decimal(95), step=Decimal("0.5")),
        ),
        (
            "破损率不超过0.1‰,每超0.1‰扣3分,最多扣9分",
            Deduction(
                kind="figure",
                points=Decimal(3),
                max=Decimal("0.1"),
                step=Decimal("0.1"),
                unit="‰",
                cap=Decimal(9),
            ),
        ),
        (
            "不低于80%、不高于100%,每超(减)1%扣2分",
            Deduction(kind="figure", points=Decimal(2), min=Decimal(80), max=Decimal(100)),
        ),
        (
            "低于80%、高于100%,每超(减)1%扣2分",
            Deduction(kind="figure", points=Decimal(2), min=Decimal(80), max=Decimal(100)),
        ),
        ("该项不得分", Deduction(kind="zero_category")),
        ("本项计0分", Deduction(kind="zero_category")),
        ("一票否决", Deduction(kind="veto")),
        ("取消当月考核奖金", Deduction(kind="veto")),
        ("一票否决并扣5分", Deduction(kind="veto", points=Decimal(5))),
        ("服務(wù)人員當月出現(xiàn)事故,一票否決", Deduction(kind="veto")),
        ("一項不符扣1分", Deduction(kind="fixed", points=Decimal(1))),
    ],
)
def test_phrasing_beyond_the_seeds(phrase: str, expected: Deduction) -> None:
    reading = read_deduction(phrase)
    assert reading.problem is None
    assert reading.deduction == expected


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("每超1%扣2分", "未给出标准值(如 高于5%)"),
        ("每少1%扣2分,最多扣10分", "未给出标准值(如 低于95%)"),
        (
            "达到90%,每超(减)1%扣2分",
            "“达到90%”未说明是下限还是上限(写 不低于… 或 不高于…)",
        ),
        (
            "不低于90%,每超1%扣2分",
            "“不低于90%”是下限,而“每超1%扣2分”按高于标准值扣分",
        ),
        ("出现两次扣1分", "“出现两次扣1分”不是按每次扣分:请写作出现一次扣几分"),
        ("出现一次扣2分,最多扣1分", "上限1分小于每次扣分2分"),
        ("每次扣1分,最多扣3分,上限5分", "给出了多个上限(最多扣3分、上限5分),请只保留一个"),
        (
            "一项不符扣1分,最多扣2分",
            "“最多扣2分”只对按次扣分有意义(一项不符只扣一次):"
            "如按次扣分,请写 出现一次扣1分,最多扣2分",
        ),
        ("不得分,最多扣5分", "“最多扣5分”:不得分不按分值扣分,不能设上限"),
        (
            "一票否决,该项不得分",
            "一票否决之外还有“该项不得分”:一票否决只能另扣固定分值,请拆分为多项",
        ),
        ("第一次扣2分,第二次扣4分", "包含多条扣分规则(扣2分;扣4分),请拆分为多项"),
        ("扣0分", "扣分数值不合规(points: Input should be greater than 0)"),
        (
            "警告、通报批评",
            "包含多档处理(警告、通报批评),请拆分为多项;"
            "“警告、通报批评”是处理方式,不是扣分:请写明扣几分",
        ),
        ("罚款200元", "“罚款200元”以元计,不是扣分:请写明扣几分"),
        ("视情节扣罚", "未能识别:视情节扣罚"),
    ],
)
def test_phrases_it_refuses_and_why(phrase: str, problem: str) -> None:
    reading = read_deduction(phrase)
    assert reading.deduction is None
    assert reading.problem == problem


# --- properties ------------------------------------------------------------------------

HALVES = st.integers(1, 40).map(lambda n: Decimal(n) / 2)  # 0.5 … 20 points
_FULL_WIDTH = str.maketrans("0123456789.,;%()", "０１２３４５６７８９．，；％（）")
_CHINESE_DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """An integer in Chinese numerals as people write them (十二, 二十, 一百零五)."""
    if n < 10:
        return _CHINESE_DIGITS[n]
    if n < 20:
        return "十" + (_CHINESE_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CHINESE_DIGITS[n // 10] + "十" + (_CHINESE_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + chinese(rest) if rest < 10 else _ten_after_hundred(rest))
    return _CHINESE_DIGITS[n // 100] + "百" + tail


def _ten_after_hundred(n: int) -> str:
    return _CHINESE_DIGITS[n // 10] + "十" + (_CHINESE_DIGITS[n % 10] if n % 10 else "")


def written(value: Decimal, style: str) -> str:
    text = str(value.normalize()) if value != value.to_integral_value() else str(int(value))
    if style == "full":
        return text.translate(_FULL_WIDTH)
    if style == "chinese" and value == value.to_integral_value():
        return chinese(int(value))
    return text


@given(st.integers(0, 999))
def test_chinese_numerals_read_back(n: int) -> None:
    assert parse_number(chinese(n)) == n


@given(HALVES, HALVES, st.sampled_from(["arabic", "full", "chinese"]))
def test_any_counted_rule_with_a_cap_at_least_its_points(
    points: Decimal, extra: Decimal, style: str
) -> None:
    cap = points + extra
    phrase = f"出现一次扣{written(points, style)}分,最多扣{written(cap, style)}分"
    reading = read_deduction(phrase.translate(_FULL_WIDTH) if style == "full" else phrase)
    assert reading.deduction == Deduction(kind="per_occurrence", points=points, cap=cap)
    assert reading.explanation == describe_rule(reading.deduction)


@given(HALVES, HALVES)
def test_a_cap_below_the_points_is_refused(points: Decimal, short: Decimal) -> None:
    assume(short < points)
    cap = points - short
    reading = read_deduction(f"每次扣{points}分,最多扣{cap}分")
    assert reading.deduction is None
    assert reading.problem == f"上限{fmt(cap)}分小于每次扣分{fmt(points)}分"


@given(
    st.integers(0, 100),
    st.sampled_from([Decimal("0.5"), Decimal(1), Decimal(2), Decimal(5)]),
    HALVES,
    st.sampled_from(["below", "above"]),
)
def test_any_one_sided_figure_rule(bound: int, step: Decimal, points: Decimal, side: str) -> None:
    if side == "below":
        phrase = f"不得低于{bound}%,每少{step}%扣{points}分"
        expected = Deduction(kind="figure", points=points, step=step, min=Decimal(bound))
    else:
        phrase = f"不超过{bound}%,每超{step}%扣{points}分"
        expected = Deduction(kind="figure", points=points, step=step, max=Decimal(bound))
    assert read_deduction(phrase).deduction == expected


@st.composite
def deductions(draw: st.DrawFn) -> Deduction:
    kinds: list[DeductionKind] = ["fixed", "per_occurrence", "zero_category", "veto", "figure"]
    kind = draw(st.sampled_from(kinds))
    if kind in ("zero_category", "veto"):
        points = draw(st.none() | HALVES) if kind == "veto" else None
        return Deduction(kind=kind, points=points)
    points = draw(HALVES)
    cap = points + draw(HALVES) if kind != "fixed" and draw(st.booleans()) else None
    if kind != "figure":
        return Deduction(kind=kind, points=points, cap=cap)
    low = Decimal(draw(st.integers(0, 90)))
    sides = draw(st.sampled_from(["min", "max", "both"]))
    return Deduction(
        kind="figure",
        points=points,
        cap=cap,
        step=draw(st.sampled_from([Decimal("0.1"), Decimal("0.5"), Decimal(1)])),
        unit=draw(st.sampled_from(["%", "‰", "分"])),
        min=low if sides != "max" else None,
        max=low + draw(st.integers(1, 10)) if sides != "min" else None,
    )


@given(deductions())
def test_the_explanation_reads_back_as_the_same_rule(deduction: Deduction) -> None:
    """What the editor shows (describe_rule) is itself a phrase the reader understands."""
    assert read_deduction(describe_rule(deduction)).deduction == deduction


RULE_CHARACTERS = list(
    "扣罚分每少超减一两十半点0123456789.%‰,;。:()、最多不得低于高于达到以上内次起户项元否决取消奖金警告"
)


@given(st.text(max_size=40) | st.text(st.sampled_from(RULE_CHARACTERS), max_size=30))
def test_any_text_is_read_or_refused_with_a_reason(text: str) -> None:
    """Never an exception, never silence: a deduction with an explanation, or a problem."""
    reading = read_deduction(text)
    assert (reading.deduction is None) == (reading.problem is not None)
    assert bool(reading.explanation) == reading.understood


@given(st.sampled_from([c for c in CASES + DIGEST_CASES if c.expected is not None]))
def test_full_width_writing_reads_the_same(case: SeedPhrase) -> None:
    assert read_deduction(case.phrase.translate(_FULL_WIDTH)).deduction == case.expected
