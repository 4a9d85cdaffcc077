"""Small synthetic templates for rule tests, built as JSON-shaped dicts."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fieldcore.checklist import Template
from fieldcore.template_loader import parse_template

GRADES = [
    {"code": "优秀", "min": 96},
    {"code": "优良", "min": 91},
    {"code": "良好", "min": 81},
    {"code": "合格", "min": 70},
    {"code": "不合格", "min": 0},
]


def item(code: str, kind: str = "fixed", points: float | None = 1, **extra: Any) -> dict[str, Any]:
    deduction: dict[str, Any] = {"kind": kind}
    if points is not None:
        deduction["points"] = points
    deduction.update(extra.pop("deduction", {}))
    return {
        "code": code,
        "text": f"条目{code}",
        "deduction": deduction,
        "source": "001:L46",
        **extra,
    }


def template_dict(categories: list[dict[str, Any]] | None = None, **top: Any) -> dict[str, Any]:
    """A valid template; by default two categories of 10 points with fixed −1/−2 items."""
    data: dict[str, Any] = {
        "id": "rules",
        "version": 1,
        "title": "规则测试",
        "document": {"code": "T-1", "effective": "2026-01-01", "approver": "督察部"},
        "modes": ["overt", "covert"],
        "scoring": {"pass_mark": 85, "grades": copy.deepcopy(GRADES)},
        "subjects": [
            {"code": "site", "title": "门店"},
            {"code": "clerk", "title": "店员"},
        ],
        "categories": categories
        if categories is not None
        else [
            {"code": "A", "title": "甲", "max": 10, "items": [item("A.1"), item("A.2", points=2)]},
            {"code": "B", "title": "乙", "max": 10, "items": [item("B.1"), item("B.2")]},
        ],
    }
    data.update(top)
    return data


def make_template(categories: list[dict[str, Any]] | None = None, **top: Any) -> Template:
    return parse_template(json.dumps(template_dict(categories, **top)), "rules.v1.json")


@dataclass
class FindingRow:
    """A stored finding as the phone's and the server's rows hold it (fieldcore's
    FindingLike / StoredFinding protocols)."""

    item_code: str
    result: str | None
    count: int | None = None
    value: Decimal | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)
