"""Fixtures for the pure domain tests: shipped templates, scoring shortcuts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fieldcore.checklist import Mode, Template
from fieldcore.scoring import score_raw
from sync_server.templates.catalog import load_catalog


@pytest.fixture(scope="session")
def catalog() -> dict[str, Template]:
    """Every shipped template by id (newest version)."""
    return {t.id: t for t in load_catalog()}


def card(template: Template, answers: dict[str, Any], mode: Mode = "overt") -> dict[str, Any]:
    """Score and return the JSON-shaped scorecard (what `mingcha score --json` prints)."""
    return score_raw(template, answers, mode).to_dict()


def all_pass(template: Template, mode: Mode = "overt", /, **overrides: Any) -> dict[str, Any]:
    """Answers passing every in-scope item (figures on their bound), then `overrides`.

    `mode` is positional-only so an item code can never be taken for it."""
    answers: dict[str, Any] = {}
    for _, item in template.iter_items():
        if not template.in_mode(item, mode):
            continue
        d = item.deduction
        if d.kind == "figure":
            bound = d.min if d.min is not None else d.max
            answers[item.code] = {"value": float(bound or Decimal(0))}
        else:
            answers[item.code] = {"result": "pass"}
    answers.update(overrides)
    return answers


def category(card_dict: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c for c in card_dict["categories"] if c["code"] == code)


def subject(card_dict: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in card_dict["subjects"] if s["code"] == code)
