"""Read a checklist workbook (.xlsx, layout: assets/checklists/XLSX.md) into a Template.

All or nothing: every problem — an unknown column, an unreadable cell, a 扣分标准 the
reader does not understand, and whatever the template's own validation finds — is reported
together, each at its sheet, row and column (`检查项!O12 分值: must be > 0`), and no
template is produced unless the whole workbook is valid.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Collection
from io import BytesIO
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from fieldcore.checklist import Template
from fieldcore.template_loader import TemplateError, parse_template
from sync_server.templates.workbook_cells import Location, Reading, match_column, read_table
from sync_server.templates.workbook_items import build_categories
from sync_server.templates.workbook_layout import (
    GRADE_COLUMNS,
    GRADES,
    ITEM_COLUMNS,
    ITEMS,
    SETTING_HEADERS,
    SETTING_ROWS,
    SETTINGS,
    SHEETS,
    SUBJECT_COLUMNS,
    SUBJECTS,
)
from sync_server.templates.workbook_repair import repaired
from sync_server.templates.workbook_values import CellProblem, blank, read_cell

MAX_BYTES = 20_000_000  # unpacked; a checklist workbook is well under 1 MB
NOT_XLSX = "not an Excel workbook (.xlsx; 请另存为 Excel 工作簿)"
_BROKEN = (ParseError, zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError)
_DUPLICATE = re.compile(r"duplicate code '(.*)'")
# Sheet-wide homes of paths that name no single cell.
_SHEET_PATHS = {"categories": ITEMS, "subjects": SUBJECTS, "scoring.grades": GRADES}


def read_workbook(data: bytes, source: str) -> Template:
    """The template a workbook describes.

    Raises:
        TemplateError: not an .xlsx file, or any problem in it (all of them, by cell).
    """
    book = _open(data, source)
    reading = Reading()
    try:
        template_data = _read_sheets(book, reading)
    except _BROKEN as exc:  # sheets are parsed as they are read: a broken one shows here
        raise TemplateError(source, [f"{NOT_XLSX}: {type(exc).__name__}: {exc}"]) from None
    finally:
        book.close()
    template = _validate(template_data, source, reading)
    if reading.problems or template is None:
        problems = reading.sorted_problems() or ["the workbook does not describe a valid template"]
        raise TemplateError(source, problems)
    return template


def _open(data: bytes, source: str) -> Workbook:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_BYTES:
            raise TemplateError(source, [f"{NOT_XLSX}: unpacks to more than {MAX_BYTES} bytes"])
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except TemplateError:
        raise
    except Exception as exc:
        raise TemplateError(source, [f"{NOT_XLSX}: {type(exc).__name__}: {exc}"]) from None


def _read_sheets(book: Workbook, reading: Reading) -> dict[str, Any]:
    for name in book.sheetnames:
        if name not in SHEETS:
            reading.problem(Location(name), f"unknown sheet (the sheets: {'、'.join(SHEETS)})")
    for name in SHEETS:
        if name not in book.sheetnames:
            reading.problem(Location(name), "required sheet is missing")

    def rows(name: str) -> Any:
        sheet = book[name] if name in book.sheetnames else None
        if not hasattr(sheet, "iter_rows"):  # missing, or a chart sheet
            return None
        # Some programs write a wrong size into the sheet; read every cell there is.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        return iter(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]

    data = _read_settings(rows(SETTINGS), reading)
    data["scoring"]["grades"] = _read_list(rows(GRADES), GRADES, GRADE_COLUMNS, reading)
    data["subjects"] = subjects = _read_list(rows(SUBJECTS), SUBJECTS, SUBJECT_COLUMNS, reading)
    codes = {s.get("code") for s in subjects}
    titles = {  # a subject named by its 名称; a code always means itself
        s["title"]: s["code"] for s in subjects if "code" in s and s.get("title") not in codes
    }
    item_rows = rows(ITEMS)
    if item_rows is None:
        reading.suppressed |= {"categories", "modes"}
        data["categories"] = []
    else:
        table, missing = read_table(ITEMS, item_rows, ITEM_COLUMNS, reading)
        if table and not {"rule", "deduction.kind"} & set(table[0].cells):
            at = Location(ITEMS, 1, None, "扣分标准")
            reading.problem(at, "give 扣分方式 or 扣分标准 (the columns are missing)")
            missing.add("deduction.kind")
        data["categories"] = build_categories(table, missing, reading, titles)
    for path, sheet in _SHEET_PATHS.items():
        reading.where.setdefault(path, Location(sheet))
    return data


def _read_settings(rows: Any, reading: Reading) -> dict[str, Any]:
    """The 设置 sheet: one setting per row, 项目 (its name) and 值 (its value)."""
    data: dict[str, Any] = {"document": {}, "scoring": {}}
    for rank, row_kind in enumerate(SETTING_ROWS):
        reading.place(row_kind.path, Location(SETTINGS, None, None, row_kind.zh, rank))
    if rows is None:
        reading.suppressed |= {s.path for s in SETTING_ROWS} | {"document", "scoring.pass_mark"}
        return data
    table, missing = read_table(SETTINGS, rows, SETTING_HEADERS, reading)
    if missing:
        reading.suppressed |= {s.path for s in SETTING_ROWS} | {"document", "scoring.pass_mark"}
        return data
    seen: dict[str, int] = {}
    name_col, value_col = SETTING_HEADERS
    for row in table:
        name = row.values.get(name_col.path, "")
        setting = match_column(SETTING_ROWS, name) if name else None
        at = row.cells.get(name_col.path, Location(SETTINGS, row.number))
        if not name:
            reading.problem(at, "a value without its setting's name")
            continue
        if setting is None:
            known = "、".join(s.zh for s in SETTING_ROWS)
            reading.problem(at, f"unknown setting {name!r} (the settings: {known})")
            continue
        if setting.path in seen:
            reading.problem(at, f"{setting.zh} given twice (also row {seen[setting.path]})")
            continue
        seen[setting.path] = row.number
        value_cell = row.cells.get(value_col.path, Location(SETTINGS, row.number))
        cell = Location(SETTINGS, row.number, value_cell.col, setting.zh)
        reading.place(setting.path, cell)
        _put_setting(
            data, setting.path, setting.kind, row.values.get(value_col.path), cell, reading
        )
    return data


def _put_setting(
    data: dict[str, Any], path: str, kind: str, raw: Any, at: Location, reading: Reading
) -> None:
    if blank(raw):
        return
    try:
        value = read_cell(kind, raw)
    except CellProblem as exc:
        reading.problem(at, str(exc))
        reading.suppressed.add(path)
        return
    *parents, leaf = path.split(".")
    target = data
    for parent in parents:
        target = target.setdefault(parent, {})
    target[leaf] = value


def _read_list(rows: Any, sheet: str, columns: Any, reading: Reading) -> list[dict[str, Any]]:
    """A sheet with one entry per row (等级, 责任对象)."""
    base = {GRADES: "scoring.grades", SUBJECTS: "subjects"}[sheet]
    if rows is None:
        reading.suppressed.add(base)
        return []
    table, missing = read_table(sheet, rows, columns, reading)
    out = []
    for i, row in enumerate(table):
        at = f"{base}[{i}]"
        reading.place(at, row.cells.get(columns[0].path, Location(sheet, row.number)))
        for column in columns:
            if column.path in missing or column.path in row.bad:
                reading.suppressed.add(f"{at}.{column.path}")
            elif column.path in row.cells:
                reading.place(f"{at}.{column.path}", row.cells[column.path])
        out.append(dict(row.values))
    return out


def _validate(data: dict[str, Any], source: str, reading: Reading) -> Template | None:
    """The template's own validation (parse_template), its problems moved to their cells.

    When fields are invalid, the template's rules (duplicates, references, per-kind
    fields) run again on a copy with stand-ins for them, so that they are reported too.
    """
    try:
        return parse_template(_json(data), source)
    except TemplateError as exc:
        first = [_split(p) for p in exc.problems]
    for path, message in first:
        _report(path, message, data, reading)
    invalid = [path for path, _ in first]
    stand_ins = repaired(data, invalid)
    if stand_ins is None:
        return None
    covered = set(invalid) | {p.removesuffix(".kind") for p in invalid if p.endswith(".kind")}
    try:
        parse_template(_json(stand_ins), source)
    except TemplateError as exc:
        for path, message in map(_split, exc.problems):
            if not any(path == c or path.startswith((f"{c}.", f"{c}[")) for c in covered):
                _report(path, message, data, reading, covered)
    return None


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def _split(problem: str) -> tuple[str, str]:
    path, _, message = problem.partition(": ")
    return path, message


def _report(
    path: str, message: str, data: dict[str, Any], reading: Reading, covered: Collection[str] = ()
) -> None:
    if reading.is_suppressed(path):
        return
    duplicate = _DUPLICATE.fullmatch(message)
    if duplicate:
        paths = [p for p in _paths_with(path, duplicate[1], data) if p not in covered]
        cells = [reading.where[p] for p in paths if p in reading.where]
        if len(paths) < 2:
            return  # the other one was invalid and is reported as such
        if cells:
            first = cells[0]
            where = ", ".join(c.coordinate for c in cells)
            reading.problems.append(
                (first.order(), f"{first.sheet}!{where} {first.label}: {message}")
            )
            return
    at, rest = reading.locate(path)
    if at is None:
        reading.problem(Location(SETTINGS), f"{path}: {message}")
    else:
        reading.problem(at, f"{rest}: {message}" if rest else message)


def _paths_with(collection: str, code: str, data: dict[str, Any]) -> list[str]:
    """The JSON paths of the codes check_template found twice in `collection`."""
    if collection == "items":
        return [
            f"categories[{ci}].items[{ii}].code"
            for ci, c in enumerate(data["categories"])
            for ii, i in enumerate(c["items"])
            if str(i.get("code")) == code
        ]
    field = "min" if collection.endswith("(min)") else "code"
    listed = {"categories": data["categories"], "subjects": data["subjects"]}
    entries = listed.get(collection, data["scoring"]["grades"] if "grades" in collection else [])
    base = collection.removesuffix(" (min)")
    return [f"{base}[{n}].{field}" for n, e in enumerate(entries) if str(e.get(field)) == code]
