"""What changed between two template bodies (the JSON as dicts), in the editor's words.

Items and categories are matched by their code, not their position, so moving an item
shows as a change of order (or of category), not as every later item changing. Used for
the editor's diff against the published version and for a refused save, to say which
fields the other editor changed. Pure: dicts in, a list of `Change`s out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import BaseModel

from fieldcore.checklist import Category, Deduction, Grade, Item, Scoring, Template
from sync_server.templates.draft_edit import NUMBER_KEYS, as_number

ADDED, REMOVED, ORDER, CATEGORY = "新增 added", "删除 removed", "顺序 order", "所属类别 category"


@dataclass(frozen=True)
class Change:
    where: str  # "模板 template", "评分 scoring", "类别 1", "条目 1.2"
    field: str  # a dotted field path ("deduction.points"), or ADDED / REMOVED / ORDER / CATEGORY
    old: Any = None
    new: Any = None

    @property
    def label(self) -> str:
        """Where and which field, without the values (what a refused save lists)."""
        return f"{self.where} {self.field}"

    def __str__(self) -> str:
        if self.field in (ADDED, REMOVED):
            return self.label
        return f"{self.label}: {_show(self.old)} → {_show(self.new)}"


def normalised(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body with each model's defaults filled in and numbers as JSON numbers, valid or
    not: a field left out and the same field at its default compare equal, and "2", 2 and
    2.0 are one value."""
    out = _filled(Template, body)
    out["scoring"] = _filled(Scoring, out.get("scoring"))
    out["scoring"]["grades"] = [_filled(Grade, g) for g in out["scoring"].get("grades") or []]
    out["categories"] = [_category(c) for c in out.get("categories") or []]
    return out


def _category(node: Any) -> dict[str, Any]:
    cat = _filled(Category, node)
    cat["items"] = [_item(i) for i in cat.get("items") or []]
    return cat


def _item(node: Any) -> dict[str, Any]:
    item = _filled(Item, node)
    item["deduction"] = _filled(Deduction, item.get("deduction"))
    return item


def _filled(model: type[BaseModel], node: Any) -> dict[str, Any]:
    out = {**_defaults(model), **(node if isinstance(node, Mapping) else {})}
    return {k: as_number(v) if k in NUMBER_KEYS else v for k, v in out.items() if v is not None}


@cache
def _defaults(model: type[BaseModel]) -> dict[str, Any]:
    found = {}
    for name, info in model.model_fields.items():
        if not info.is_required():
            value = info.get_default(call_default_factory=True)
            found[name] = str(value) if isinstance(value, Decimal) else value
    return found


def diff_bodies(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from `old` to `new`: header fields, scoring, categories, items."""
    a, b = normalised(old), normalised(new)
    skip = {"categories", "scoring", "version"}  # a draft's version is always the next one
    out = list(_fields("模板 template", _drop(a, skip), _drop(b, skip)))
    out += _fields("评分 scoring", a.get("scoring") or {}, b.get("scoring") or {})
    out += _categories(_coded(a.get("categories")), _coded(b.get("categories")))
    out += _items(_item_homes(a), _item_homes(b))
    return out


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The labels of what changed, without values (kept in a draft's history)."""
    return [c.label for c in diff_bodies(old, new)]


def _categories(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[Change]:
    out: list[Change] = []
    for code, cat in new.items():
        where = f"类别 {code}"
        if code not in old:
            out.append(Change(where, ADDED, None, cat.get("title")))
        else:
            out += _fields(where, _drop(old[code], {"items"}), _drop(cat, {"items"}))
            out += _order(where, _codes(old[code].get("items")), _codes(cat.get("items")))
    gone = [c for c in old if c not in new]
    out += [Change(f"类别 {c}", REMOVED, old[c].get("title")) for c in gone]
    out += _order("模板 template", list(old), list(new), field=f"类别{ORDER}")
    return out


def _items(
    old: dict[str, tuple[str, dict[str, Any]]], new: dict[str, tuple[str, dict[str, Any]]]
) -> list[Change]:
    out: list[Change] = []
    for code, (cat, item) in new.items():
        where = f"条目 {code}"
        if code not in old:
            out.append(Change(where, ADDED, None, item.get("text")))
            continue
        old_cat, old_item = old[code]
        if old_cat != cat:
            out.append(Change(where, CATEGORY, old_cat, cat))
        out += _fields(where, old_item, item)
    gone = [c for c in old if c not in new]
    out += [Change(f"条目 {c}", REMOVED, old[c][1].get("text")) for c in gone]
    return out


def _fields(where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    a, b = dict(_flat(old)), dict(_flat(new))
    return [
        Change(where, path, a.get(path), b.get(path))
        for path in [*a, *(p for p in b if p not in a)]
        if a.get(path) != b.get(path)
    ]


def _order(where: str, old: list[str], new: list[str], field: str = ORDER) -> list[Change]:
    """A change of order among the codes both lists hold (additions and removals aside)."""
    kept_old = [c for c in old if c in new]
    kept_new = [c for c in new if c in old]
    return [Change(where, field, kept_old, kept_new)] if kept_old != kept_new else []


def _flat(node: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flat(value, f"{path}.")
        else:
            yield path, value


def _coded(entries: Any) -> dict[str, dict[str, Any]]:
    """Dict entries of a list by their code (entries without one by their position)."""
    if not isinstance(entries, list):
        return {}
    return {
        str(e.get("code") or f"#{i + 1}"): e for i, e in enumerate(entries) if isinstance(e, dict)
    }


def _codes(entries: Any) -> list[str]:
    return list(_coded(entries))


def _item_homes(body: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        code: (cat_code, item)
        for cat_code, cat in _coded(body.get("categories")).items()
        for code, item in _coded(cat.get("items")).items()
    }


def _drop(node: Mapping[str, Any], keys: set[str]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k not in keys}


def _show(value: Any) -> str:
    if value is None:
        return "(空)"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):  # grades, subjects: by code (and min)
            return "、".join(_entry(v) for v in value)
        return "、".join(_show(v) for v in value)
    return str(value)


def _entry(value: Any) -> str:
    if not isinstance(value, dict):
        return _show(value)
    floor = f"≥{value['min']}" if "min" in value else ""
    return f"{value.get('code', '?')}{floor}"
