"""Check a draft body and score sample answers with it, as an inspector's phone would.

The editor's live preview: the body is validated exactly as publishing will validate it
(fieldcore.template_loader: every problem at once, each with its JSON path), and when it
is valid, fieldcore.scoring scores a few sample visits (overt mode, every item answered):
all pass; for each category, its first item failed (a non-veto one when there is one);
and each veto (一票否决) item failed. Pure: no database, no UI.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fieldcore.answers import Answer
from fieldcore.checklist import Item, Template
from fieldcore.scorecard import ScoreCard, fmt
from fieldcore.scoring import score
from fieldcore.template_loader import TemplateError, parse_template


@dataclass(frozen=True)
class Scenario:
    title: str  # what was answered, e.g. "类别 1 岗位: 1.1 不符合"
    card: ScoreCard

    @property
    def summary(self) -> str:
        """The score as the inspector sees it: 得分 96/100 (96.0%) 优秀 合格."""
        c = self.card
        percent = f"({fmt(c.percent)}%)" if c.percent is not None else ""
        verdict = "合格" if c.passed else "不合格"
        veto = " 一票否决" if c.veto else ""
        return f"得分 {fmt(c.total)}/{fmt(c.max)} {percent} {c.grade or ''} {verdict}{veto}"

    def subjects(self) -> list[str]:
        """Per-subject scores (when the template scores each subject on its own)."""
        return [
            f"{s.title}: {fmt(s.score)}/{fmt(s.max)} {s.grade or ''}{' 一票否决' if s.veto else ''}"
            for s in self.card.subjects
        ]


@dataclass(frozen=True)
class Preview:
    template: Template | None
    problems: list[str] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)


def template_text(body: Mapping[str, Any]) -> bytes:
    """The JSON a draft publishes as (UTF-8, Chinese kept readable, two-space indent)."""
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def source_name(body: Mapping[str, Any]) -> str:
    """The file name messages name: `<id>.v<version>.json` (checked against the body)."""
    return f"{body.get('id', '')}.v{body.get('version', '')}.json"


def check_body(body: Mapping[str, Any]) -> tuple[Template | None, list[str]]:
    """The template, or every problem with its JSON path (as publishing reports them)."""
    try:
        return parse_template(template_text(body), source_name(body)), []
    except TemplateError as exc:
        return None, list(exc.problems)


def preview(body: Mapping[str, Any]) -> Preview:
    template, problems = check_body(body)
    if template is None:
        return Preview(None, problems)
    return Preview(template, [], sample_scenarios(template))


def sample_scenarios(t: Template) -> list[Scenario]:
    passing = {item.code: passed(item) for _, item in t.iter_items()}
    out = [Scenario("全部符合 All pass", score(t, passing))]
    for category in t.categories:
        plain = [i for i in category.items if i.deduction.kind != "veto"]
        item = (plain or category.items)[0]
        title = f"类别 {category.code} {category.title}: {item.code} 不符合"
        out.append(Scenario(title, score(t, {**passing, item.code: failed(item)})))
    for _, item in t.iter_items():
        if item.deduction.kind == "veto":
            title = f"一票否决 Veto: {item.code} 不符合"
            out.append(Scenario(title, score(t, {**passing, item.code: failed(item)})))
    return out


def passed(item: Item) -> Answer:
    d = item.deduction
    if d.kind != "figure":
        return Answer("pass")
    return Answer("pass", value=d.min if d.min is not None else d.max)


def failed(item: Item) -> Answer:
    """One nonconformity: a count of 1, or a figure one step outside its bounds."""
    d = item.deduction
    if d.kind != "figure":
        return Answer("fail")
    value = d.min - d.step if d.min is not None else (d.max or Decimal(0)) + d.step
    return Answer("fail", value=value)
