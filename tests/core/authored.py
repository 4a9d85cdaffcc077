"""What every checklist authored as a workbook must show, and answers for its worked
examples (tests/core/test_template_courier_service.py, …_property_services.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldcore.checklist import Template
from fieldcore.deduction_rules import read_deduction
from fieldcore.template_loader import parse_template
from sync_server.templates.template_json import template_json
from sync_server.templates.workbook import read_workbook
from tests.core.seed_lines import rules_in_workbook


def assert_the_workbook_is_the_source(workbook: Path, template_file: Path) -> None:
    """The committed workbook imports to exactly the committed JSON, byte for byte."""
    from_book = read_workbook(workbook.read_bytes(), workbook.name)
    assert from_book == parse_template(template_file.read_bytes(), template_file.name)
    assert template_json(from_book) == template_file.read_text(encoding="utf-8")


def assert_every_rule_is_read_from_its_words(workbook: Path, t: Template) -> None:
    """扣分方式 is blank on every row: each deduction is what read_deduction makes of the
    row's 扣分标准."""
    rules = rules_in_workbook(workbook.read_bytes())
    assert sorted(rules) == sorted(i.code for _, i in t.iter_items())
    for _, item in t.iter_items():
        phrase, kind = rules[item.code]
        assert kind is None, item.code
        assert read_deduction(phrase).deduction == item.deduction, (item.code, phrase)


def failing(t: Template, **counts: int) -> dict[str, dict[str, Any]]:
    """Fail each code (2_1 for 2.1); a counted item that many times, any other once."""
    counted = {i.code for _, i in t.iter_items() if i.deduction.kind == "per_occurrence"}
    out: dict[str, dict[str, Any]] = {}
    for key, n in counts.items():
        code = key.replace("_", ".")
        out[code] = {"result": "fail", "count": n} if code in counted else {"result": "fail"}
    return out
