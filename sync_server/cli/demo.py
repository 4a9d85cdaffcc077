"""`mingcha demo`: show the product on its embedded defaults.

Until the server and the phone app exist, the demo scores one sample visit per shipped
template, so a new user sees the checklists and the engine's explanations.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from fieldcore.checklist import Template
from fieldcore.problems import DomainError
from fieldcore.scoring import score_raw
from sync_server.catalog import load_catalog
from sync_server.cli.base import app, fail
from sync_server.cli.score import print_scorecard


def sample_answers(template: Template, every: int = 4) -> dict[str, Any]:
    """A deterministic sample visit: every `every`-th item fails, the rest pass."""
    answers: dict[str, Any] = {}
    for n, (_, item) in enumerate(template.iter_items()):
        failing = n % every == every - 1
        d = item.deduction
        if d.kind == "figure":  # on the bound when passing, 3 units outside when failing
            bound = d.min if d.min is not None else d.max
            assert bound is not None
            miss = -3 if d.min is not None else 3
            answers[item.code] = {"value": float(bound + miss if failing else bound)}
        elif failing and d.kind == "per_occurrence":
            answers[item.code] = {"result": "fail", "count": 2}
        else:
            answers[item.code] = {"result": "fail" if failing else "pass"}
    return answers


@app.command("demo")
def demo() -> None:
    """Score a sample visit on every shipped checklist template."""
    console = Console(highlight=False)
    try:
        for template in load_catalog():
            card = score_raw(template, sample_answers(template))
            print_scorecard(card, template, console)
            console.print()
    except DomainError as exc:
        raise fail(exc) from None
    console.print("Score your own answers: mingcha score TEMPLATE ANSWERS.json [--json]")
