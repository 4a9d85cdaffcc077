"""Cell values to template values and back, one function pair per column kind.

Reading is forgiving about how a person typed a value (是/否/yes/1, 明查、暗访 or
overt, covert, a number stored as text) but never guesses: a word outside a kind's
vocabulary is a problem naming what the cell may hold. Numbers are passed on as Decimal
(or as the typed text, for the template's own validation to judge); blank cells are None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

CellValue = str | int | float | bool | date | datetime | Decimal | None


class CellProblem(ValueError):
    """A cell's value is outside what its column allows; the message says what is."""


YES = ("是", "yes")
NO = ("否", "no")
_TRUE = {"是", "yes", "y", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "no", "n", "false", "0", "×", "✗", "不"}

# (Chinese word written, English word) → value; both are accepted when reading.
SEVERITIES = {
    "minor": ("一般", "minor"),
    "major": ("较重", "major"),
    "critical": ("严重", "critical"),
}
DEDUCTION_KINDS = {
    "fixed": ("固定扣分", "fixed"),
    "per_occurrence": ("按次扣分", "per_occurrence"),
    "zero_category": ("本类不得分", "zero_category"),
    "veto": ("一票否决", "veto"),
    "figure": ("按数值扣分", "figure"),
}
MODES = {"overt": ("明查", "overt"), "covert": ("暗访", "covert")}
COVERT = {True: ("明查、暗访", "both"), False: ("仅明查", "overt only")}
FLOORS = {"zero": YES, "none": NO}
_COVERT_EXTRA = {"明查暗访": True, "均可": True, "overt, covert": True, "overt and covert": True}
_COVERT_EXTRA |= {"明查": False, "overt": False, "只明查": False}
_SEPARATORS = re.compile(r"[,,、;;\s]+")


def blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: CellValue) -> str:
    """A cell as text: numbers as typed (1.1, not 1.1000000000000001), text stripped."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _number(value: CellValue) -> Any:
    if isinstance(value, bool):
        raise CellProblem("must be a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    return as_text(value)  # the template's validation says "must be a number" if it is not


def _int(value: CellValue) -> Any:
    if isinstance(value, bool):
        raise CellProblem("must be a whole number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int | float) else as_text(value)


def _bool(value: CellValue) -> bool:
    if isinstance(value, bool):
        return value
    word = as_text(value).lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellProblem("must be 是 or 否 (yes or no)")


def _word(text: str) -> str:
    """Compared without case, spaces, or which list separator was typed (, , 、 /)."""
    return re.sub(r"\s*[,,、/]\s*", "、", text.strip()).lower()


def _lookup(
    vocabulary: dict[Any, tuple[str, str]], extra: dict[str, Any] | None = None
) -> Callable[[CellValue], Any]:
    words = {_word(w): v for v, names in vocabulary.items() for w in names} | {
        _word(k): v for k, v in (extra or {}).items()
    }
    allowed = ", ".join(f"{zh} ({en})" for zh, en in vocabulary.values())

    def read(value: CellValue) -> Any:
        word = _word(as_text(value))
        if word in words:
            return words[word]
        raise CellProblem(f"must be one of {allowed}")

    return read


def _list(value: CellValue) -> list[str]:
    return [w for w in _SEPARATORS.split(as_text(value)) if w]


def _modes(value: CellValue) -> list[str]:
    one = _lookup(MODES)
    return [one(w) for w in _list(value)]


def _date(value: CellValue) -> Any:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else as_text(value)


READERS: dict[str, Callable[[CellValue], Any]] = {
    "raw": lambda value: value,
    "text": as_text,
    "rule": as_text,
    "subject": as_text,
    "number": _number,
    "int": _int,
    "bool": _bool,
    "list": _list,
    "modes": _modes,
    "date": _date,
    "severity": _lookup(SEVERITIES),
    "deduction_kind": _lookup(DEDUCTION_KINDS, {"不得分": "zero_category"}),
    "covert": _lookup(COVERT, _COVERT_EXTRA),
    "floor": _lookup(FLOORS, dict.fromkeys(_TRUE, "zero") | dict.fromkeys(_FALSE, "none")),
}


def read_cell(kind: str, value: CellValue) -> Any:
    """The template value of a non-blank cell; raises CellProblem."""
    return READERS[kind](value)


def write_cell(kind: str, value: Any) -> Any:
    """The cell for a template value (None: leave the cell blank)."""
    if value is None:
        return None
    if kind == "number":
        if value == value.to_integral_value():
            return int(value)
        # a float that reads back as the same Decimal, else the exact digits as text
        return float(value) if Decimal(repr(float(value))) == value else str(value)
    if kind == "bool":
        return YES[0] if value else NO[0]
    if kind == "list":
        return ", ".join(value) or None
    if kind == "modes":
        return "、".join(MODES[m][0] for m in value)
    if kind == "date":
        return value.isoformat()
    vocabulary: dict[str, dict[Any, tuple[str, str]]] = {
        "severity": SEVERITIES,
        "deduction_kind": DEDUCTION_KINDS,
        "covert": COVERT,
    }
    if kind in vocabulary:
        return vocabulary[kind][value][0]
    if kind == "floor":
        return FLOORS[value][0]
    return value if value != "" else None


def choices(kind: str) -> list[str]:
    """The words the writer uses for a kind of cell (a dropdown's list; [] for free text)."""
    vocabulary: dict[str, dict[Any, tuple[str, str]]] = {
        "severity": SEVERITIES,
        "deduction_kind": DEDUCTION_KINDS,
        "covert": COVERT,
        "floor": FLOORS,
        "bool": {True: YES, False: NO},
    }
    return [zh for zh, _ in vocabulary[kind].values()] if kind in vocabulary else []
