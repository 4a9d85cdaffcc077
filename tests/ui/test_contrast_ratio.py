"""The WCAG contrast ratio against pairs whose ratio is known."""

from __future__ import annotations

import pytest

from fieldapp.ui.contrast import contrast_ratio, luminance, parse_hex


def test_black_on_white_is_21_and_order_does_not_matter() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#000") == pytest.approx(21.0)


def test_a_colour_against_itself_is_1() -> None:
    assert contrast_ratio("#3366cc", "#3366CC") == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("fg", "bg", "ratio"),
    [
        ("#777777", "#ffffff", 4.48),  # the classic "just fails AA" grey
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#595959", "#ffffff", 7.0),  # about the lightest grey that passes AAA
        ("#ff0000", "#ffffff", 4.0),
        ("#0000ff", "#ffffff", 8.59),
    ],
)
def test_known_pairs(fg: str, bg: str, ratio: float) -> None:
    assert contrast_ratio(fg, bg) == pytest.approx(ratio, abs=0.01)


def test_luminance_ends_and_alpha() -> None:
    assert luminance("#000000") == 0.0 and luminance("#ffffff") == pytest.approx(1.0)
    assert parse_hex("#ff102030") == (0x10, 0x20, 0x30)  # opaque #aarrggbb


@pytest.mark.parametrize("bad", ["#80102030", "#12345", "white", ""])
def test_what_is_not_an_opaque_hex_colour_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_hex(bad)
