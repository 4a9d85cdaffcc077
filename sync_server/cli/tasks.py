"""`mingcha tasks add|sample`: schedule visits (one site, or a random N% of a region)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from sqlmodel import Session

from sync_server.cli.base import app
from sync_server.cli.common import DataDir, table, write
from sync_server.org import admin
from sync_server.supervision import scheduling
from sync_server.tables import Site, User, VisitTask

tasks_app = typer.Typer(help="Visit tasks: what to inspect, where, when, by whom.")
app.add_typer(tasks_app, name="tasks")

By = Annotated[str, typer.Option("--by", help="Supervisor or admin creating the tasks")]
Template = Annotated[str, typer.Option(help="Template id, e.g. store-patrol")]
Mode = Annotated[str, typer.Option(help="overt (明查) or covert (暗访)")]
Days = Annotated[int, typer.Option(min=1, help="Window length in days, from --start")]
Start = Annotated[datetime | None, typer.Option(help="Window start, UTC if no zone (default: now)")]


def window(start: datetime | None, days: int) -> scheduling.Window:
    begin = start or datetime.now(UTC)
    begin = begin if begin.tzinfo else begin.replace(tzinfo=UTC)
    return scheduling.Window(begin, begin + timedelta(days=days))


def show(session: Session, tasks: list[VisitTask]) -> None:
    rows = []
    for task in tasks:
        site, who = session.get(Site, task.site_id), session.get(User, task.assignee_id)
        rows.append(
            [
                task.id,
                site.code if site else "?",
                task.template_id,
                task.mode,
                who.username if who else "?",
                f"{task.window_start:%Y-%m-%d %H:%M} → {task.window_end:%Y-%m-%d %H:%M}",
            ]
        )
    table(rows, ["task", "site", "template", "mode", "assignee", "window (UTC)"])


@tasks_app.command("add")
def add(
    site: Annotated[str, typer.Option(help="Site code")],
    template: Template,
    mode: Mode,
    assignee: Annotated[str, typer.Option(help="Inspector username")],
    by: By = "admin",
    days: Days = 7,
    start: Start = None,
    note: str = "",
    data_dir: DataDir = None,
) -> None:
    """Ask an inspector for one visit at one site."""

    def work(session: Session) -> None:
        creator = admin.get_user(session, by)
        task = scheduling.create_task(
            session, creator, site, template, mode, assignee, window(start, days), note=note
        )
        show(session, [task])

    write(data_dir, work)
    print("created 1 task")


@tasks_app.command("sample")
def sample(
    region: Annotated[str, typer.Option(help="Region code (its departments included)")],
    percent: Annotated[float, typer.Option(help="Share of active sites, rounded up")],
    template: Template,
    mode: Mode,
    assignee: Annotated[list[str], typer.Option(help="Inspector username; repeat for several")],
    by: By = "admin",
    days: Days = 7,
    start: Start = None,
    seed: Annotated[int | None, typer.Option(help="Draw the same sample again")] = None,
    data_dir: DataDir = None,
) -> None:
    """Tasks for a random N% of a region's active sites (at least one), in one go."""

    def work(session: Session) -> scheduling.Sample:
        creator = admin.get_user(session, by)
        drawn = scheduling.sample_tasks(
            session, creator, region, percent, template, mode, assignee, window(start, days), seed
        )
        show(session, drawn.tasks)
        return drawn

    drawn = write(data_dir, work)
    print(
        f"created {len(drawn.tasks)} tasks for {percent:g}% of {drawn.population} sites "
        f"in {region} (seed {drawn.seed})"
    )
