"""A Template as the JSON text of a checklist file (`<id>.v<N>.json`), formatted as the
shipped files are: two-space indent, Chinese as is, keys in the model's order, numbers as
numbers, and the optional fields left out while they hold their defaults."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from fieldcore.checklist import DEFAULT_RECTIFICATION_DAYS, Template

# Left out while at their default (the shipped files do not spell them out).
_QUIET = {
    "assumed": False,
    "assumed_note": "",
    "per_subject": False,
    "issuer": "",
    "camera_only": False,
    "covert_camera_only": False,
}
_QUIET_DEDUCTION = {"step": 1, "unit": "%"}


def template_json(template: Template) -> str:
    """The file text; `parse_template` reads it back as the same template."""
    data = template.model_dump(exclude_none=True)
    _drop_quiet(data)  # the template's own optional flags (covert_camera_only)
    if data["rectification_days"] == DEFAULT_RECTIFICATION_DAYS:
        del data["rectification_days"]
    _drop_quiet(data["document"])
    _drop_quiet(data["scoring"])
    for category in data["categories"]:
        _drop_quiet(category)
        for item in category["items"]:
            _drop_quiet(item)
            deduction = item["deduction"]
            if deduction["kind"] != "figure":
                _drop_quiet(deduction, _QUIET_DEDUCTION)
    return json.dumps(data, ensure_ascii=False, indent=2, default=_plain) + "\n"


def _drop_quiet(data: dict[str, Any], quiet: dict[str, Any] = _QUIET) -> None:
    for key, default in quiet.items():
        if key in data and data[key] == default:
            del data[key]


def _plain(value: object) -> Any:
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        exact = float(value)
        return exact if Decimal(repr(exact)) == value else str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
