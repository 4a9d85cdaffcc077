"""The 扣分-rule reader: what it understands, and that it says when it does not."""

from __future__ import annotations

from decimal import Decimal

from fieldcore.deduction_rules import read_deduction


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
