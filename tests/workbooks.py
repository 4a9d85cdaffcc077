"""Checklist workbooks for tests, made the way an author would: the newest shipped
store-patrol written with write_workbook, then cells changed with openpyxl (so no binary
file is committed)."""

from __future__ import annotations

import io
from typing import Any, cast

from openpyxl import load_workbook

from sync_server.templates.catalog import resolve_template
from sync_server.templates.workbook import write_workbook

PATROL = resolve_template("store-patrol")  # the newest shipped version
NEWEST, NEXT = PATROL.version, PATROL.version + 1
NEWEST_KEY, NEXT_KEY = f"store-patrol.v{NEWEST}", f"store-patrol.v{NEXT}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What the reader says of patrol_workbook(2, {("分值", 2): None, ("严重程度", 3): "很严重"}).
TWO_PROBLEMS = [
    "检查项!O2 分值: is required for kind per_occurrence",
    "检查项!X3 严重程度: must be one of 一般 (minor), 较重 (major), 严重 (critical)",
]
TWO_MISTAKES: dict[tuple[str, int], Any] = {("分值", 2): None, ("严重程度", 3): "很严重"}


def patrol_workbook(version: int, cells: dict[tuple[str, int], Any] | None = None) -> bytes:
    """The newest store-patrol's workbook with 设置 版本 = `version` and 检查项 cells set, each
    named by (column header, row)."""
    book = load_workbook(io.BytesIO(write_workbook(PATROL)))
    [setting] = [r for r in book["设置"].iter_rows() if r[0].value == "版本"]
    setting[1].value = version
    items = book["检查项"]
    headers = {c.value: cast(int, c.column) for c in items[1]}  # a header row: no merged cells
    for (header, row), value in (cells or {}).items():
        items.cell(row, headers[header]).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
