"""Load checklist templates from JSON text, all or nothing.

`parse_template` collects every problem, each named by the file and the JSON path of the
field (`hotel-daily.v1.json: categories[2].items[4].deduction.points: must be > 0`), and
raises them together, so a bad file never loads partially. Pure: the caller reads the file.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from pydantic import ValidationError

from fieldcore.checklist import Deduction, Template
from fieldcore.problems import DomainError, ProblemCode

FILE_NAME = re.compile(r"(?:.*/)?([a-z0-9-]+)\.v(\d+)\.json")


class TemplateError(DomainError):
    """A template failed to load; `problems` lists every "path: what is wrong"."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(
            ProblemCode.TEMPLATE_INVALID,
            "; ".join(problems),
            file=source,
            problems=problems,
        )

    def __str__(self) -> str:
        return "\n".join(f"{self.source}: {p}" for p in self.problems)


def parse_template(text: str | bytes, source: str = "<template>") -> Template:
    """Parse and fully validate one template file's text.

    `source` is the file name used in messages; a name of the form `<id>.v<version>.json`
    must match the id and version inside.

    Raises:
        TemplateError: malformed JSON, wrong types, unknown fields or broken rules.
    """
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TemplateError(source, [f"not valid JSON: {exc}"]) from None
    try:
        template = Template.model_validate(data)
    except ValidationError as exc:
        raise TemplateError(source, [_format_error(e) for e in exc.errors()]) from None
    problems = check_template(template)
    match = FILE_NAME.fullmatch(source)
    if match and (match[1], int(match[2])) != (template.id, template.version):
        problems.append(
            f"id: file name says {match[1]} v{match[2]}, "
            f"the file says {template.id} v{template.version}"
        )
    if problems:
        raise TemplateError(source, problems)
    return template


def check_template(t: Template) -> list[str]:
    """Rules a JSON schema cannot state: uniqueness, references, per-kind fields."""
    problems = _duplicates("subjects", [s.code for s in t.subjects])
    problems += _duplicates("modes", list(t.modes))
    problems += _duplicates("categories", [c.code for c in t.categories])
    problems += _duplicates("items", [i.code for _, i in t.iter_items()])
    problems += _check_scoring(t)
    problems += _check_assumptions(t)
    subjects = {s.code for s in t.subjects}
    for ci, category in enumerate(t.categories):
        where = f"categories[{ci}]"
        if category.subject not in subjects:
            problems.append(f"{where}.subject: '{category.subject}' is not in subjects")
        for ii, item in enumerate(category.items):
            at = f"{where}.items[{ii}]"
            if item.subject is not None and item.subject not in subjects:
                problems.append(f"{at}.subject: '{item.subject}' is not in subjects")
            problems += [f"{at}.deduction.{p}" for p in check_deduction(item.deduction)]
    if "covert" in t.modes and not any(i.covert_ok for _, i in t.iter_items()):
        problems.append("modes: covert is allowed but no item has covert_ok")
    return problems


def check_deduction(d: Deduction) -> list[str]:
    """Which fields each kind needs and which it must not have."""
    out: list[str] = []
    needs_points = d.kind in ("fixed", "per_occurrence", "figure")
    if needs_points and d.points is None:
        out.append(f"points: is required for kind {d.kind}")
    if d.kind == "zero_category" and d.points is not None:
        out.append("points: not allowed for kind zero_category (the category scores 0)")
    if d.cap is not None and d.kind not in ("per_occurrence", "figure"):
        out.append(f"cap: only per_occurrence and figure deductions can be capped, not {d.kind}")
    if d.kind == "figure":
        if d.min is None and d.max is None:
            out.append("min: a figure rule needs min, max or both")
        if d.min is not None and d.max is not None and d.min >= d.max:
            out.append(f"max: must be > min ({d.min})")
    else:
        out += [
            f"{f}: only figure deductions have {f}"
            for f in ("min", "max")
            if getattr(d, f) is not None
        ]
    return out


def _check_scoring(t: Template) -> list[str]:
    grades = t.scoring.grades
    problems = _duplicates("scoring.grades", [g.code for g in grades])
    problems += _duplicates("scoring.grades (min)", [str(g.min) for g in grades])
    if not any(g.min == 0 for g in grades):
        problems.append("scoring.grades: one band must start at min 0 so every score has a grade")
    return problems


def _check_assumptions(t: Template) -> list[str]:
    """A note on an assumption is only meaningful when the value is marked assumed."""
    marked: list[tuple[str, bool, str]] = [("scoring", t.scoring.assumed, t.scoring.assumed_note)]
    for ci, category in enumerate(t.categories):
        marked.append((f"categories[{ci}]", category.assumed, category.assumed_note))
        for ii, item in enumerate(category.items):
            marked.append((f"categories[{ci}].items[{ii}]", item.assumed, item.assumed_note))
    return [
        f"{where}.assumed_note: only an assumed value has a note (set assumed: true)"
        for where, assumed, note in marked
        if note and not assumed
    ]


def _duplicates(path: str, codes: list[str]) -> list[str]:
    return [f"{path}: duplicate code '{c}'" for c, n in Counter(codes).items() if n > 1]


def json_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(root)"


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "unknown field",
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than_equal": "must be <= {le}",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
    "string_too_long": "is too long (at most {max_length} characters)",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "decimal_type": "must be a number",
    "decimal_parsing": "must be a number",
    "date_from_datetime_parsing": "must be a date YYYY-MM-DD",
    "date_parsing": "must be a date YYYY-MM-DD",
    "dict_type": "must be an object",
    "string_pattern_mismatch": "has the wrong format (expected {pattern})",
    "literal_error": "must be one of {expected}",
    "decimal_max_places": "at most {decimal_places} decimal places",
    "model_type": "must be an object",
    "list_type": "must be a list",
}


def _format_error(error: Any) -> str:
    fmt = _MESSAGES.get(error["type"])
    try:
        text = fmt.format(**(error.get("ctx") or {})) if fmt else error["msg"]
    except KeyError:
        text = error["msg"]
    return f"{json_path(tuple(error['loc']))}: {text}"
