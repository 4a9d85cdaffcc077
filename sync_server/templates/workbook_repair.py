"""Stand-ins for a workbook's invalid values, so the template's own rules still run.

`parse_template` checks the rules a schema cannot state (duplicate codes, unknown subjects,
a cap on a fixed deduction, a note on an unassumed value) only once every field is valid.
A workbook with a bad number and a duplicate code should report both at once: so after a
first validation fails, each invalid value is left out (an optional field) or replaced by
a harmless stand-in, and the repaired copy is validated again. Problems the second pass
finds at the stand-ins' own paths are dropped; the stand-ins never reach a template.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any

_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
# Fields a template may leave out: an invalid one is dropped and its default applies.
_OPTIONAL = {
    "title_en", "description", "site_types", "guidance", "text_en", "subject", "na_allowed",
    "photo_on_fail", "covert_ok", "severity", "points", "cap", "step", "unit", "assumed",
    "assumed_note", "per_subject", "floor", "revision", "issuer", "minor", "major", "critical",
    "camera_only", "covert_camera_only",
}  # fmt: skip
_STAND_INS: dict[str, Any] = {
    "id": "invalid",
    "version": 1,
    "title": "?",
    "text": "?",
    "approver": "?",
    "effective": "2000-01-01",
    "pass_mark": 0,
    "modes": ["overt"],
    "source": "000:L1",
    "kind": "fixed",
}


def repaired(data: dict[str, Any], paths: list[str]) -> dict[str, Any] | None:
    """A copy of `data` without the invalid values at `paths`, or None when one cannot be
    stood in for (an empty list, a missing sheet's worth of values)."""
    out = copy.deepcopy(data)
    for n, path in enumerate(paths):
        steps = _steps(path)
        if steps is None:
            return None
        *parents, leaf = steps
        holder: Any = out
        try:
            for step in parents:
                holder = holder[step]
        except (KeyError, IndexError, TypeError):
            return None
        if isinstance(leaf, int) and isinstance(holder, list) and parents[-1:] == ["site_types"]:
            holder[leaf] = "invalid"
            continue
        stand_in = _stand_in(parents, leaf, n)
        if stand_in is _DROP:
            if isinstance(holder, dict):
                holder.pop(leaf, None)
        elif stand_in is None or not isinstance(holder, dict):
            return None
        else:
            holder[leaf] = stand_in
    return out


_DROP = object()


def _stand_in(parents: list[str | int], leaf: str | int, n: int) -> Any:
    if not isinstance(leaf, str):
        return None
    parent = parents[-1] if parents else ""
    if leaf in _OPTIONAL or (leaf in ("min", "max") and parent == "deduction"):
        return _DROP
    if leaf == "code":
        if parent == "document":
            return "?"
        return f"invalid-{n}" if parents[:1] == ["subjects"] else f"invalid{n}"
    if leaf == "max":
        return 1  # a category's points
    if leaf == "min":
        return Decimal(100) - Decimal(n + 1) / 10_000  # a grade band nobody else starts at
    return _STAND_INS.get(leaf)


def _steps(path: str) -> list[str | int] | None:
    """`categories[2].items[4].code` → ["categories", 2, "items", 4, "code"]."""
    head = re.match(r"[^.\[\]]+", path)
    if head is None:
        return None
    steps: list[str | int] = [head[0]]
    steps += [m[1] if m[1] is not None else int(m[2]) for m in _STEP.finditer(path, head.end())]
    rebuilt = head[0] + "".join(f".{s}" if isinstance(s, str) else f"[{s}]" for s in steps[1:])
    return steps if rebuilt == path else None
