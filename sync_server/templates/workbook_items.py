"""The 检查项 sheet's rows to the template's categories and items.

A row with a 类别编号 other than the current category's starts a category; its category
columns are given on that first row (later rows may repeat them unchanged). A row with
only category columns is a heading; every other row is an item. An item's deduction is
its explicit columns when 扣分方式 is given; otherwise `read_deduction(扣分标准)` says
what it is, and a phrase the reader does not understand is that row's error.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fieldcore.deduction_rules import read_deduction
from sync_server.templates.workbook_cells import Location, Reading, Row
from sync_server.templates.workbook_layout import CATEGORY, ITEM_COLUMNS, ITEMS

_DEDUCTION = "deduction."


def build_categories(
    rows: list[Row], missing: set[str], reading: Reading, subject_titles: dict[str, str]
) -> list[dict[str, Any]]:
    """The categories (as template JSON) the rows describe; problems go to `reading`."""
    if f"{CATEGORY}code" in missing:  # reported once, as a missing column
        reading.suppressed.add("categories")
        return []
    categories: list[dict[str, Any]] = []
    first_rows: list[Row] = []
    for row in rows:
        _subjects_by_title(row, subject_titles)
        code = row.values.get(f"{CATEGORY}code")
        if code is not None and (not categories or code != categories[-1]["code"]):
            categories.append(_start_category(row, len(categories), missing, reading))
            first_rows.append(row)
        elif not categories:
            at = row.cells.get(f"{CATEGORY}code", Location(ITEMS, row.number))
            if f"{CATEGORY}code" not in row.bad:
                reading.problem(at, "the first row needs the category's 类别编号")
            continue
        else:
            _same_category(row, first_rows[-1], reading)
        if _is_item(row):
            ci = len(categories) - 1
            path = f"categories[{ci}].items[{len(categories[-1]['items'])}]"
            categories[-1]["items"].append(_item(row, path, missing, reading))
    return categories


def _subjects_by_title(row: Row, subject_titles: dict[str, str]) -> None:
    """A subject may be named by its 名称 as well as its 编码."""
    for path in (f"{CATEGORY}subject", "subject"):
        if path in row.values:
            row.values[path] = subject_titles.get(row.values[path], row.values[path])


def _is_item(row: Row) -> bool:
    item_paths = [c.path for c in ITEM_COLUMNS if not c.path.startswith(CATEGORY)]
    return any(p in row.values or p in row.bad for p in item_paths)


def _start_category(row: Row, ci: int, missing: set[str], reading: Reading) -> dict[str, Any]:
    at = f"categories[{ci}]"
    reading.place(at, row.cells[f"{CATEGORY}code"])
    category: dict[str, Any] = {}
    for column in ITEM_COLUMNS:
        if not column.path.startswith(CATEGORY):
            continue
        name = column.path.removeprefix(CATEGORY)
        _place(reading, f"{at}.{name}", row, column.path, missing)
        if column.path in row.values:
            category[name] = row.values[column.path]
    category["items"] = []
    reading.place(
        f"{at}.items", Location(ITEMS, row.number, row.cells[f"{CATEGORY}code"].col, "类别编号")
    )
    return category


def _same_category(row: Row, first: Row, reading: Reading) -> None:
    """Later rows of a category may repeat its columns, but not change them."""
    for path, value in row.values.items():
        if path.startswith(CATEGORY) and first.values.get(path) != value:
            reading.problem(
                row.cells[path],
                f"differs from row {first.number}, the category's first row "
                "(give a category's columns on its first row)",
            )


def _item(row: Row, at: str, missing: set[str], reading: Reading) -> dict[str, Any]:
    reading.place(at, row.cells.get("code", Location(ITEMS, row.number)))
    item: dict[str, Any] = {}
    deduction: dict[str, Any] = {}
    for column in ITEM_COLUMNS:
        if column.path.startswith(CATEGORY) or column.path == "rule":
            continue
        _place(reading, f"{at}.{column.path}", row, column.path, missing)
        if column.path in row.values:
            target, name = (
                (deduction, column.path.removeprefix(_DEDUCTION))
                if column.path.startswith(_DEDUCTION)
                else (item, column.path)
            )
            target[name] = row.values[column.path]
    kind_cell = row.cells.get(f"{_DEDUCTION}kind") or row.cells.get("rule")
    reading.place(f"{at}.deduction", kind_cell or Location(ITEMS, row.number))
    if f"{_DEDUCTION}kind" in missing:
        reading.suppressed.add(f"{at}.deduction")
    elif "kind" not in deduction and f"{_DEDUCTION}kind" not in row.bad:
        _deduction_from_rule(row, at, deduction, reading)
    item["deduction"] = deduction
    return item


def _place(reading: Reading, path: str, row: Row, column: str, missing: set[str]) -> None:
    if column in missing:
        reading.suppressed.add(path)  # "required column is missing" says it once
    elif column in row.cells:
        reading.place(path, row.cells[column])
    if column in row.bad:
        reading.suppressed.add(path)


def _deduction_from_rule(row: Row, at: str, deduction: dict[str, Any], reading: Reading) -> None:
    """Fill a blank 扣分方式 from 扣分标准; explicit columns given too must agree with it."""
    rule_cell = row.cells.get("rule") or row.cells.get(f"{_DEDUCTION}kind")
    rule_cell = rule_cell or Location(ITEMS, row.number, None, "扣分标准")
    rule = row.values.get("rule")
    reading.suppressed.add(f"{at}.deduction")
    if rule is None:
        if "rule" not in row.bad:
            reading.problem(rule_cell, "give 扣分方式 or 扣分标准 (how a failed item takes points)")
        return
    understood = read_deduction(rule)
    if understood.deduction is None:
        why = understood.problem or "the reader does not know this phrasing"
        reading.problem(rule_cell, f"'{rule}' not understood: {why}")
        return
    reading.suppressed.discard(f"{at}.deduction")
    read = understood.deduction
    for name in sorted(read.model_fields_set, key=list(type(read).model_fields).index):
        value = getattr(read, name)
        if value is None:
            continue  # the phrase does not say (no cap): an explicit column may
        if name in deduction:
            if not _same(deduction[name], value):
                reading.problem(
                    row.cells[f"{_DEDUCTION}{name}"],
                    f"{deduction[name]} disagrees with 扣分标准, read as "
                    f"{understood.explanation} ({row.cells[f'{_DEDUCTION}{name}'].label} "
                    f"{value}); fill 扣分方式 to make the columns count, or correct one",
                )
            continue
        deduction[name] = value
        reading.place(f"{at}.deduction.{name}", rule_cell)


def _same(given: Any, read: Any) -> bool:
    if isinstance(read, Decimal):
        try:
            return Decimal(str(given)) == read
        except InvalidOperation:
            return True  # not a number: the template's validation reports the cell
    return str(given) == str(read)
