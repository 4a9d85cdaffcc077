"""`mingcha export …`: 明细测评表 / PDF of one visit, 汇总表 of a period, 质检日报 of a day,
考核表 (appraisal) of a month, quarter or half-year."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.progress import Progress
from sqlmodel import Session

from fieldcore.literals import one_of
from fieldcore.problems import DomainError
from sync_server.cli.base import app, fail
from sync_server.cli.common import DataDir, database, settings_for
from sync_server.photos.store import PhotoStore
from sync_server.reports import exports

export_app = typer.Typer(help="Export reports (xlsx, PDF); every export is audited.")
app.add_typer(export_app, name="export")
As = Annotated[str, typer.Option("--as", help="Export as this user (scope and audit log).")]
Out = Annotated[Path, typer.Option("-o", "--output", help="File to write.")]
T = TypeVar("T")


def _day(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {text}") from None


@contextmanager
def _bar(label: str) -> Iterator[Callable[[int, int], None]]:
    with Progress(transient=True) as progress:
        task = progress.add_task(label, total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield step


def _export(data_dir: Path | None, work: Callable[[Session], T]) -> T:
    """Run an export with no database writer held (the server's pushes go on meanwhile)."""
    with database(data_dir) as engine:
        try:
            return exports.outside_the_writer(engine, work)
        except DomainError as exc:
            raise fail(exc) from None


@export_app.command("visit")
def export_visit(
    visit_id: uuid.UUID,
    as_user: As,
    output: Out,
    format: Annotated[str, typer.Option("--format", help="xlsx (明细测评表) or pdf")] = "xlsx",
    data_dir: DataDir = None,
) -> None:
    """One visit as 明细测评表 (xlsx) or PDF with its evidence photos."""
    try:
        chosen = one_of(format, exports.FORMATS)
    except ValueError:
        raise typer.BadParameter("--format must be xlsx or pdf") from None
    photos = PhotoStore.from_settings(settings_for(data_dir))
    with _bar("导出 exporting") as step:
        result = _export(
            data_dir,
            lambda s: exports.export_visit(
                s,
                as_user,
                visit_id,
                chosen,
                output,
                photos,
                step,
            ),
        )
    print(f"wrote {result.path} ({result.rows} items)")
    if result.missing_glyphs:
        print(f"note: the bundled font lacks {''.join(result.missing_glyphs)} (shown as boxes)")


@export_app.command("summary")
def export_summary(
    as_user: As,
    output: Out,
    from_: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
    to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD")],
    region: Annotated[str | None, typer.Option(help="Region or department code")] = None,
    data_dir: DataDir = None,
) -> None:
    """汇总表: averages by department/region, and by site with its posts (岗位), for a period."""
    first, last = _day(from_), _day(to)
    with _bar("汇总 summarising") as step:
        result = _export(
            data_dir,
            lambda s: exports.export_summary(s, as_user, first, last, output, region, step),
        )
    print(f"wrote {result.path} ({result.rows} visits)")


@export_app.command("appraisal")
def export_appraisal(
    as_user: As,
    output: Out,
    period: Annotated[
        str, typer.Option(help="2026-11 (guard month), 2026-Q4 (guard quarter), 2026-H2 (tobacco)")
    ],
    department: Annotated[str | None, typer.Option(help="Department (region) code")] = None,
    data_dir: DataDir = None,
) -> None:
    """考核表: each person's and department's appraisal for a month, quarter or half-year."""
    result = _export(
        data_dir, lambda s: exports.export_appraisal(s, as_user, period, output, department)
    )
    print(f"wrote {result.path} ({result.rows} people)")


@export_app.command("daily")
def export_daily(
    as_user: As,
    output: Out,
    day: Annotated[str, typer.Option("--date", help="The day, YYYY-MM-DD (China time)")],
    data_dir: DataDir = None,
) -> None:
    """质检日报: one day's failed items."""
    the_day = _day(day)
    with _bar("日报 daily report") as step:
        result = _export(
            data_dir, lambda s: exports.export_daily(s, as_user, the_day, output, step)
        )
    print(f"wrote {result.path} ({result.rows} findings)")
