"""Write a Template as a checklist workbook (.xlsx, layout: assets/checklists/XLSX.md).

Every value the template holds is written, so that reading the workbook back gives the
same template. 扣分方式 and the explicit deduction columns are always filled (they are what
the reader keeps); 扣分标准 gets the rule in words (`describe_rule`) for people to read.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from fieldcore.checklist import Category, Item, Template
from fieldcore.scorecard import describe_rule
from sync_server.templates.workbook_layout import (
    CATEGORY,
    GRADE_COLUMNS,
    GRADES,
    ITEM_COLUMNS,
    ITEMS,
    SETTING_HEADERS,
    SETTING_ROWS,
    SETTINGS,
    SUBJECT_COLUMNS,
    SUBJECTS,
    Column,
)
from sync_server.templates.workbook_values import choices, write_cell

_SPARE_ROWS = 200  # rows below the last item that still offer the dropdowns
_WIDE = {"检查内容": 50, "英文": 40, "检查方法": 50, "扣分标准": 24, "说明": 60, "值": 60}


def write_workbook(template: Template) -> bytes:
    """The template as .xlsx bytes: sheets 设置, 等级, 责任对象, 检查项."""
    book = Workbook()
    settings = book.active
    assert settings is not None  # a new workbook has one sheet
    settings.title = SETTINGS
    _write_settings(settings, template)
    grades = [g.model_dump() for g in template.scoring.grades]
    _write_table(book.create_sheet(GRADES), GRADE_COLUMNS, grades)
    subjects = [s.model_dump() for s in template.subjects]
    _write_table(book.create_sheet(SUBJECTS), SUBJECT_COLUMNS, subjects)
    rows = [
        _item_row(c, i, first=n == 0) for c in template.categories for n, i in enumerate(c.items)
    ]
    _write_table(book.create_sheet(ITEMS), ITEM_COLUMNS, rows)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _write_settings(sheet: Worksheet, template: Template) -> None:
    data = template.model_dump()
    rows = [{"name": s.zh, "value": _cell(s, _get(data, s.path))} for s in SETTING_ROWS]
    _write_table(sheet, SETTING_HEADERS, rows, converted=True)


def _get(data: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None  # type: ignore[assignment]
    return data


def _item_row(category: Category, item: Item, first: bool) -> dict[str, Any]:
    """One item's row; the category's columns on its first row only."""
    row: dict[str, Any] = {}
    if first:
        fields = category.model_dump(exclude={"items"})
        row |= {f"{CATEGORY}{k}": v for k, v in fields.items()}
    fields = item.model_dump(exclude={"deduction"})
    row |= fields
    deduction = item.deduction
    row |= {f"deduction.{k}": v for k, v in deduction.model_dump().items()}
    if deduction.kind != "figure" and deduction.step == Decimal(1) and deduction.unit == "%":
        row["deduction.step"] = row["deduction.unit"] = None  # the defaults; figures only
    row["rule"] = describe_rule(deduction)
    return row


def _write_table(
    sheet: Worksheet,
    columns: tuple[Column, ...],
    rows: list[dict[str, Any]],
    converted: bool = False,
) -> None:
    sheet.append([c.zh for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = [row.get(c.path) if converted else _cell(c, row.get(c.path)) for c in columns]
        sheet.append(values)
    for n, column in enumerate(columns, 1):
        letter = get_column_letter(n)
        sheet.column_dimensions[letter].width = _WIDE.get(
            column.zh, max(10, 2 * len(column.zh) + 2)
        )
        for cell in sheet[letter][1:]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text that starts with "=" is text, not a formula
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        _dropdown(sheet, letter, choices(column.kind), len(rows) + _SPARE_ROWS)
    sheet.freeze_panes = "A2"


def _dropdown(sheet: Worksheet, letter: str, words: list[str], last_row: int) -> None:
    """Offer the column's words in Excel; other accepted spellings may still be typed."""
    if not words:
        return
    offer = DataValidation(
        type="list", formula1=f'"{",".join(words)}"', allow_blank=True, showErrorMessage=False
    )
    offer.add(f"{letter}2:{letter}{last_row}")
    sheet.add_data_validation(offer)


def _cell(column: Column, value: Any) -> Any:
    return write_cell(column.kind, value)
