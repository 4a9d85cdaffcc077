"""Validate a sites CSV completely before anything is imported.

Every problem is reported as `row N, column C: what is wrong` with spreadsheet row numbers
(the header is row 1). One bad row and nothing is imported. Excel's UTF-8 BOM is accepted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

REQUIRED = ("code", "name", "type", "region")
OPTIONAL = ("address", "lat", "lon")
LIMITS = {"code": 64, "name": 200, "type": 64, "region": 64, "address": 500}
MAX_ROWS = 100_000


@dataclass(frozen=True)
class SiteRow:
    code: str
    name: str
    type: str
    region: str
    address: str
    lat: float | None
    lon: float | None


def parse_sites(text: str, known_regions: set[str]) -> tuple[list[SiteRow], list[str]]:
    """(rows, problems): rows are usable only when problems is empty."""
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if not header:
        return [], ["row 1: the file is empty (expected a header: code,name,type,region,…)"]
    problems = [
        f"row 1, column {c}: required column is missing" for c in REQUIRED if c not in header
    ]
    problems += [
        f"row 1, column {c}: unknown column" for c in header if c not in REQUIRED + OPTIONAL
    ]
    if problems:
        return [], problems
    rows: list[SiteRow] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(reader, start=2):
        if n - 1 > MAX_ROWS:
            problems.append(f"row {n}: more than {MAX_ROWS} sites in one file")
            break
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        row_problems = _check_row(n, cells, known_regions, seen)
        problems += row_problems
        if not row_problems:
            rows.append(
                SiteRow(
                    cells["code"],
                    cells["name"],
                    cells["type"],
                    cells["region"],
                    cells.get("address", ""),
                    _number(cells.get("lat")),
                    _number(cells.get("lon")),
                )
            )
    if not rows and not problems:
        problems.append("row 2: no sites in the file")
    return rows, problems


def _check_row(n: int, cells: dict[str, str], regions: set[str], seen: dict[str, int]) -> list[str]:
    out = [f"row {n}, column {c}: is empty" for c in REQUIRED if not cells.get(c)]
    out += [
        f"row {n}, column {c}: longer than {limit} characters"
        for c, limit in LIMITS.items()
        if len(cells.get(c, "")) > limit
    ]
    code = cells.get("code", "")
    if code in seen:
        out.append(f"row {n}, column code: '{code}' is already on row {seen[code]}")
    elif code:
        seen[code] = n
    region = cells.get("region", "")
    if region and region not in regions:
        out.append(
            f"row {n}, column region: no region '{region}' (add it first: mingcha regions add)"
        )
    for column, bound in (("lat", 90), ("lon", 180)):
        value = cells.get(column, "")
        if value:
            number = _number(value)
            if number is None or not -bound <= number <= bound:
                out.append(
                    f"row {n}, column {column}: must be a number between -{bound} "
                    f"and {bound}, got '{value}'"
                )
    return out


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return number if number is None or number == number else None  # NaN is not a number
