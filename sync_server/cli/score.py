"""`mingcha score TEMPLATE ANSWERS`: score one visit's answers and explain every point."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fieldcore.checklist import MODE_TITLES, MODES, Template
from fieldcore.headline import outcome_line, pooled_line, verdict
from fieldcore.literals import one_of
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.scorecard import ScoreCard, fmt
from fieldcore.scoring import score_raw
from sync_server.cli.base import app, fail
from sync_server.templates.catalog import resolve_template


@app.command("score")
def score_command(
    template: Annotated[str, typer.Argument(help="Template file, key (mall-property.v1) or id.")],
    answers: Annotated[str, typer.Argument(help="Answers JSON file, or - for standard input.")],
    mode: Annotated[str, typer.Option(help="overt (明查) or covert (暗访).")] = "overt",
    as_json: Annotated[bool, typer.Option("--json", help="Print the scorecard as JSON.")] = False,
) -> None:
    """Score answers against a checklist template (扣分制, floors, 不得分, veto, grades)."""
    try:
        chosen = one_of(mode, MODES)
    except ValueError:
        raise typer.BadParameter("--mode must be overt or covert") from None
    try:
        tpl = resolve_template(template)
        raw = _read_answers(answers)
        card = score_raw(tpl, raw, chosen)
    except DomainError as exc:
        raise fail(exc) from None
    if as_json:
        print(json.dumps(card.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_scorecard(card, tpl, Console(highlight=False))


def _read_answers(ref: str) -> object:
    try:
        text = sys.stdin.read() if ref == "-" else Path(ref).read_text(encoding="utf-8")
    except OSError as exc:
        raise DomainError(
            ProblemCode.ANSWERS_INVALID, f"cannot read {ref}: {exc.strerror}", file=ref
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DomainError(
            ProblemCode.ANSWERS_INVALID, f"{ref} is not valid JSON: {exc}", file=ref
        ) from None


def print_scorecard(card: ScoreCard, tpl: Template, console: Console) -> None:
    mode_zh, mode_en = MODE_TITLES[card.mode]
    console.print(
        f"[bold]{tpl.title}[/bold] {tpl.title_en}  ({card.template}, {mode_zh} {mode_en})"
    )
    table = Table("条目 Item", "结果 Result", "扣分 Points", show_lines=False)
    for cat in card.categories:
        table.add_row(
            f"[bold]{cat.code} {cat.title}[/bold]",
            "",
            f"[bold]{fmt(cat.score)} / {fmt(cat.max)}[/bold]",
        )
        for line in cat.lines:
            if line.failed:
                table.add_row(
                    f"  {line.item} {line.text[:40]}",
                    line.explanation(),
                    f"-{fmt(line.deducted)}" if line.deducted else "",
                )
        for note in cat.notes():
            table.add_row(f"  [italic]{note}[/italic]", "", "")
    console.print(table)
    if card.subjects:
        columns = ["对象 Subject", "得分 Score", "百分制 %", "等级 Grade"]
        subjects = Table(*columns, *(["达标 Passed"] if card.per_subject else []))
        for s in card.subjects:
            subjects.add_row(
                s.title + (" [red]一票否决[/red]" if s.veto else ""),
                f"{fmt(s.score)} / {fmt(s.max)}",
                fmt(s.percent) if s.percent is not None else "—",
                s.grade or "—",
                *([verdict(s.passed)] if card.per_subject else []),
            )
        console.print(subjects)
    percent = fmt(card.percent) if card.percent is not None else "—"
    if card.per_subject:  # each subject's result counts; the pool is for reference only
        console.print(outcome_line(card.to_dict()))
        console.print(pooled_line(card.to_dict()))
    else:
        verdicts = {
            True: "合格 passed",
            False: "不合格 failed",
            None: "无可评分条目 nothing scorable",
        }
        console.print(
            f"总分 Total {fmt(card.total)} / {fmt(card.max)}   百分制 {percent}   "
            f"等级 {card.grade or '—'}   {verdicts[card.passed]}"
        )
    if card.veto:
        console.print(f"[bold red]一票否决 veto:[/bold red] {', '.join(card.veto_items)}")
    if card.unanswered:
        console.print(
            f"未检查 not answered ({len(card.unanswered)}): "
            f"{', '.join(card.unanswered[:20])}{' …' if len(card.unanswered) > 20 else ''}"
        )
