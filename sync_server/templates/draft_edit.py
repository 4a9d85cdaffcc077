"""Edits to a draft body (the template JSON as a dict), as the editor's form makes them.

The form hands over what the author typed; these functions put it in the body without
judging it: a number that does not parse stays as typed, so validation (preview and
publish) names it with its JSON path instead of it being dropped. An emptied field is
removed, so an optional field falls back to its default and a required one is reported
missing. Pure: the console calls these on its working copy, then saves the whole body.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from fieldcore.checklist import Deduction
from fieldcore.deduction_rules import RuleReading

Kind = Literal["text", "number", "bool"]
Body = dict[str, Any]

# The fields of an item the form edits: (path inside the item, kind, label).
ITEM_FIELDS: list[tuple[str, Kind, str]] = [
    ("code", "text", "编号 Code"),
    ("text", "text", "检查内容 Text (中文)"),
    ("text_en", "text", "英文 Text (English)"),
    ("guidance", "text", "检查方法 Guidance"),
    ("deduction.kind", "text", "扣分方式 Deduction kind"),
    ("deduction.points", "number", "分值 Points"),
    ("deduction.cap", "number", "上限 Cap"),
    ("deduction.min", "number", "下限值 Min"),
    ("deduction.max", "number", "上限值 Max"),
    ("deduction.step", "number", "步长 Step"),
    ("deduction.unit", "text", "单位 Unit"),
    ("severity", "text", "严重程度 Severity"),
    ("subject", "text", "责任对象 Subject"),
    ("source", "text", "来源 Source"),
    ("covert_ok", "bool", "暗访可查 Covert OK"),
    ("photo_on_fail", "bool", "不合格需拍照 Photo on fail"),
    ("camera_only", "bool", "仅限现场拍照 Camera only"),
    ("na_allowed", "bool", "可不适用 N/A allowed"),
    ("assumed", "bool", "自定分值 Assumed points"),
    ("assumed_note", "text", "自定说明 Assumed note"),
]
CATEGORY_FIELDS: list[tuple[str, Kind, str]] = [
    ("code", "text", "类别编号 Code"),
    ("title", "text", "类别 Title (中文)"),
    ("title_en", "text", "英文 Title (English)"),
    ("max", "number", "类别分值 Max points"),
    ("subject", "text", "责任对象 Subject"),
    ("floor", "text", "扣完为止 Floor (zero/none)"),
    ("assumed", "bool", "自定分值 Assumed"),
    ("assumed_note", "text", "自定说明 Assumed note"),
]
SCORING_FIELDS: list[tuple[str, Kind, str]] = [
    ("pass_mark", "number", "合格线 Pass mark"),
    ("per_subject", "bool", "分主体评分 Per subject"),
    ("assumed", "bool", "等级/合格线自定 Assumed"),
    ("assumed_note", "text", "自定说明 Assumed note"),
]
GRADE_FIELDS: list[tuple[str, Kind, str]] = [
    ("code", "text", "等级 Grade"),
    ("title_en", "text", "英文 English"),
    ("min", "number", "最低分 Min %"),
]
NUMBER_KEYS = {"points", "cap", "min", "max", "step", "pass_mark"}  # decimals in the schema
NEW_ITEM_NOTE = "编辑器新增条目,分值为自定,请核对来源条文"


def as_number(text: Any) -> Any:
    """A typed number as a JSON number (exact for decimal text); anything else as typed."""
    if isinstance(text, bool) or not isinstance(text, str | int | float | Decimal):
        return text
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return text
    if not value.is_finite():
        return text
    return int(value) if value == value.to_integral_value() else float(value)


def get_value(node: Body, path: str) -> Any:
    for key in path.split(".")[:-1]:
        node = node.get(key) or {}
    return node.get(path.split(".")[-1])


def set_value(node: Body, path: str, kind: Kind, typed: str | bool | None) -> None:
    """Put what the author typed (or ticked) at a dotted path; empty text removes it."""
    *parents, last = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    if kind == "bool":
        node[last] = bool(typed)
    elif typed is None or (isinstance(typed, str) and not typed.strip()):
        node.pop(last, None)
    else:
        node[last] = as_number(str(typed)) if kind == "number" else str(typed)


def apply_reading(item: Body, reading: RuleReading) -> bool:
    """Fill the item's deduction from an understood 扣分标准; False (nothing changed) if not."""
    if reading.deduction is None:
        return False
    item["deduction"] = deduction_json(reading.deduction)
    return True


def deduction_json(d: Deduction) -> Body:
    dumped = d.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    dumped["kind"] = d.kind
    return {
        k: as_number(v) if isinstance(v, str) and k != "kind" and k != "unit" else v
        for k, v in dumped.items()
    }


# ---- adding, removing, reordering ------------------------------------------------------
def categories(body: Body) -> list[Body]:
    found: list[Body] = body.setdefault("categories", [])
    return found


def items(body: Body, ci: int) -> list[Body]:
    found: list[Body] = categories(body)[ci].setdefault("items", [])
    return found


def add_item(body: Body, ci: int) -> int:
    """A new item at the end of category `ci`, with a free code; its index."""
    category = categories(body)[ci]
    entries = items(body, ci)
    entries.append(
        {
            "code": _free_code(body, str(category.get("code", ci + 1))),
            "text": "新条目",
            "deduction": {"kind": "fixed", "points": 1},
            "assumed": True,
            "assumed_note": NEW_ITEM_NOTE,
        }
    )
    return len(entries) - 1


def add_category(body: Body) -> int:
    cats = categories(body)
    taken = {str(c.get("code")) for c in cats}
    code = next(str(n) for n in range(len(cats) + 1, 1000) if str(n) not in taken)
    subjects = [s.get("code") for s in body.get("subjects", []) if isinstance(s, dict)]
    cats.append(
        {
            "code": code,
            "title": "新类别",
            "max": 10,
            "subject": "site" if "site" in subjects or not subjects else subjects[0],
            "items": [],
            "assumed": True,
            "assumed_note": "编辑器新增类别,分值为自定",
        }
    )
    add_item(body, len(cats) - 1)
    return len(cats) - 1


def remove(entries: list[Any], index: int) -> int:
    """Remove one entry; the index to show next (-1 when none is left)."""
    del entries[index]
    return min(index, len(entries) - 1)


def move(entries: list[Any], index: int, delta: int) -> int:
    """Move one entry up (-1) or down (+1); its new index (unchanged at either end)."""
    to = index + delta
    if 0 <= to < len(entries):
        entries[index], entries[to] = entries[to], entries[index]
        return to
    return index


def add_grade(body: Body) -> int:
    grades = body.setdefault("scoring", {}).setdefault("grades", [])
    grades.append({"code": "新等级", "min": 50})
    return len(grades) - 1


def working_copy(body: Body) -> Body:
    return copy.deepcopy(body)


def _free_code(body: Body, prefix: str) -> str:
    taken = {str(i.get("code")) for c in categories(body) for i in c.get("items", [])}
    return next(f"{prefix}.{n}" for n in range(1, 10_000) if f"{prefix}.{n}" not in taken)


def new_body(template_id: str, title: str, approver: str, today: date) -> Body:
    """A new template's first body: no categories yet; every default it sets (document,
    mode, pass mark, grades, subject) is the editor's, so the scoring is marked assumed."""
    note = "新模板的默认值,不是制度给出的,请按制度修改"
    return {
        "id": template_id,
        "version": 1,
        "title": title,
        "document": {
            "code": template_id.upper(),
            "effective": today.isoformat(),
            "approver": approver,
        },
        "modes": ["overt"],
        "scoring": {
            "pass_mark": 85,
            "grades": [{"code": "合格", "min": 85}, {"code": "不合格", "min": 0}],
            "assumed": True,
            "assumed_note": note,
        },
        "subjects": [{"code": "site", "title": "门店"}],
        "categories": [],
    }


def numbers_as_json(node: Any) -> Any:
    """A model dump's decimal strings (points, bounds, marks) back as JSON numbers."""
    if isinstance(node, dict):
        return {
            k: as_number(v) if k in NUMBER_KEYS and isinstance(v, str) else numbers_as_json(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [numbers_as_json(v) for v in node]
    return node
