"""Numbers and text as Chinese regulations write them, for the 扣分-rule reader.

A 扣分标准 may say 扣2分, 扣２分 (full width), 扣两分 or 扣零点五分, and a Traditional-script
seed says 扣罰 where a Simplified one says 扣罚. `normalise` brings a phrase to one spelling
(half-width, Simplified for the words the reader looks for, no spaces, no pinyin ruby residue)
and `NUMBER` / `parse_number` read a number in either script.

Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
_DIGIT_CHARS = "零〇一二两三四五六七八九"
_CHINESE = _DIGIT_CHARS + "十百千"
# One number (a non-capturing pattern): 2, 0.5, 两, 十二, 一百零五, 零点五, or 半 (half a point).
NUMBER = rf"(?:\d+(?:\.\d+)?|[{_CHINESE}]+(?:点[{_DIGIT_CHARS}]+)?|半)"

# Traditional forms of the characters the reader's patterns use (seeds 002 and 003 are
# Traditional); the rest of a phrase may stay as written.
_TRADITIONAL = str.maketrans(
    "項罰獎決現發當數個為處滿績點兩減戶違規達於計續額準評實確條從給際員務費",
    "项罚奖决现发当数个为处满绩点两减户违规达于计续额准评实确条从给际员务费",
)
# Pinyin ruby left after some characters in seeds 002/003: 服務(wù) is 服務.
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def normalise(text: str) -> str:
    """One spelling for a phrase: NFKC (full-width digits and punctuation to ASCII),
    Simplified forms of the rule words, no pinyin residue, no spaces, no trailing stop."""
    plain = unicodedata.normalize("NFKC", text).translate(_TRADITIONAL)
    plain = re.sub(r"\s+", "", _PINYIN.sub("", plain))
    return re.sub(r"[。.;,]+$", "", plain)


def parse_number(text: str) -> Decimal:
    """The value of a NUMBER match: "2" → 2, "0.5" → 0.5, "两" → 2, "十二" → 12,
    "一百零五" → 105, "零点五" → 0.5, "半" → 0.5."""
    if text == "半":
        return Decimal("0.5")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    whole, _, fraction = text.partition("点")
    value = Decimal(_chinese_integer(whole))
    if fraction:
        value += Decimal("0." + "".join(str(_DIGITS[c]) for c in fraction))
    return value


def _chinese_integer(text: str) -> int:
    """十二 → 12, 二十 → 20, 一百零五 → 105; a bare run of digits (一五) reads digit by digit."""
    if not any(c in _MULTIPLIERS for c in text):
        return int("".join(str(_DIGITS[c]) for c in text) or "0")
    total = current = 0
    for char in text:
        if char in _MULTIPLIERS:
            total += (current or 1) * _MULTIPLIERS[char]
            current = 0
        else:
            current = _DIGITS[char]
    return total + current
