"""WCAG 2.x contrast ratio of two sRGB colours (pure; no Flet).

Used to check that every text of the phone app stays readable in sunlight: WCAG asks
4.5:1 for body text (AA) and 7:1 (AAA), which the high-contrast theme must meet.
See https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio and #dfn-relative-luminance.
"""

from __future__ import annotations

AA = 4.5
AAA = 7.0


def parse_hex(colour: str) -> tuple[int, int, int]:
    """#rgb, #rrggbb or #aarrggbb (Flutter's order; alpha must be opaque) → (r, g, b)."""
    digits = colour.strip().removeprefix("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    if len(digits) == 8:
        if digits[:2].lower() != "ff":
            raise ValueError(f"{colour!r} is translucent: its contrast depends on what is below")
        digits = digits[2:]
    if len(digits) != 6:
        raise ValueError(f"{colour!r} is not a hex colour")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance: 0 for black, 1 for white."""
    r, g, b = parse_hex(colour)
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(a: str, b: str) -> float:
    """(lighter + 0.05) / (darker + 0.05): 1 (same colour) to 21 (black on white)."""
    la, lb = luminance(a), luminance(b)
    lighter, darker = max(la, lb), min(la, lb)
    return (lighter + 0.05) / (darker + 0.05)
