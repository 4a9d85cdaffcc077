"""Where a workbook's values came from, and the problems found in them, by sheet and cell.

The reader records, for every JSON path of the template it builds
(`categories[2].items[4].deduction.points`), the cell it read (`检查项!O12 分值`), so that
a problem found later by the template's own validation is reported at that cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from sync_server.templates.workbook_layout import SHEETS, Column
from sync_server.templates.workbook_values import CellProblem, CellValue, as_text, blank, read_cell

MAX_ROWS = 5000  # rows read per sheet; a checklist has a few hundred at most


@dataclass(frozen=True)
class Location:
    """A cell (sheet, row, column) or, with row/column None, a whole row, column or sheet."""

    sheet: str
    row: int | None = None
    col: int | None = None
    label: str = ""
    rank: int = 0  # orders places without a row (settings not given) as the layout does

    @property
    def coordinate(self) -> str:
        """A1-style: "O12", "12:12" for a whole row, "" for the whole sheet."""
        if self.row is not None and self.col is not None:
            return f"{get_column_letter(self.col)}{self.row}"
        return f"{self.row}:{self.row}" if self.row is not None else ""

    def __str__(self) -> str:
        at = f"{self.sheet}!{self.coordinate}" if self.coordinate else self.sheet
        return f"{at} {self.label}".rstrip()

    def order(self) -> tuple[int, int, int, int]:
        sheet = SHEETS.index(self.sheet) if self.sheet in SHEETS else -1
        return sheet, self.row or 0, self.col or 0, self.rank


@dataclass
class Row:
    """One non-blank row of a table sheet: the values read and where each column's cell is."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)  # column path → value
    cells: dict[str, Location] = field(default_factory=dict)  # column path → its cell
    bad: set[str] = field(default_factory=set)  # column paths whose cell was not readable


class Reading:
    """The problems found so far and the cell behind each JSON path."""

    def __init__(self) -> None:
        self.problems: list[tuple[tuple[int, int, int, int], str]] = []
        self.where: dict[str, Location] = {}
        self.suppressed: set[str] = set()  # paths already reported in other words

    def problem(self, at: Location, message: str) -> None:
        self.problems.append((at.order(), f"{at}: {message}"))

    def sorted_problems(self) -> list[str]:
        return [text for _, text in sorted(self.problems, key=lambda p: p[0])]

    def place(self, path: str, at: Location) -> None:
        self.where[path] = at

    def locate(self, path: str) -> tuple[Location | None, str]:
        """The cell registered for `path` or its nearest ancestor, and the rest of the path."""
        probe = path
        while True:
            if probe in self.where:
                return self.where[probe], path[len(probe) :].lstrip(".")
            shorter = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", probe)
            if shorter == probe:
                return None, path
            probe = shorter

    def is_suppressed(self, path: str) -> bool:
        return any(path == s or path.startswith((f"{s}.", f"{s}[")) for s in self.suppressed)


def match_column(columns: tuple[Column, ...], header: str) -> Column | None:
    name = header.strip()
    return next((c for c in columns if name == c.zh or name.lower() == c.en), None)


def read_table(
    sheet: str, rows: Any, columns: tuple[Column, ...], reading: Reading
) -> tuple[list[Row], set[str]]:
    """The sheet's non-blank rows, columns matched by header; returns (rows, missing paths).

    Unknown, repeated and missing headers, values under no header and unreadable cells are
    reported to `reading`.
    """
    header = next(rows, ())
    by_index: dict[int, Column] = {}
    first_col: dict[str, int] = {}
    named: set[int] = set()  # columns with a header, known or not
    for i, raw in enumerate(header, 1):
        if blank(raw):
            continue
        named.add(i)
        name = as_text(raw)
        column = match_column(columns, name)
        if column is None:
            names = "、".join(c.zh for c in columns)
            reading.problem(Location(sheet, 1, i, name), f"unknown column (the columns: {names})")
        elif column.path in first_col:
            letter = get_column_letter(first_col[column.path])
            reading.problem(Location(sheet, 1, i, name), f"column given twice (also {letter}1)")
        else:
            by_index[i] = column
            first_col[column.path] = i
    missing = {c.path for c in columns if c.required and c.path not in first_col}
    for c in columns:
        if c.path in missing:
            reading.problem(Location(sheet, 1, None, c.zh), "required column is missing")
    out: list[Row] = []
    for number, raw_row in enumerate(rows, 2):
        if all(blank(v) for v in raw_row):
            continue
        if len(out) == MAX_ROWS:
            reading.problem(Location(sheet, number), f"too many rows (at most {MAX_ROWS})")
            break
        out.append(_read_row(sheet, number, raw_row, by_index, named, reading))
    return out, missing


def _read_row(
    sheet: str,
    number: int,
    raw_row: tuple[CellValue, ...],
    by_index: dict[int, Column],
    named: set[int],
    reading: Reading,
) -> Row:
    row = Row(number)
    for i, column in by_index.items():
        at = Location(sheet, number, i, column.zh)
        row.cells[column.path] = at
        value = raw_row[i - 1] if i <= len(raw_row) else None
        if blank(value):
            continue
        try:
            row.values[column.path] = read_cell(column.kind, value)
        except CellProblem as exc:
            reading.problem(at, str(exc))
            row.bad.add(column.path)
    for i, value in enumerate(raw_row, 1):
        if i not in named and not blank(value):
            named.add(i)  # said once per column
            reading.problem(Location(sheet, number, i), "a value in a column without a header")
    return row
