"""`mingcha templates …`: list and check the checklist template files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from fieldcore.problems import DomainError, ProblemCode
from sync_server.cli.base import app, fail
from sync_server.cli.common import DataDir, write
from sync_server.core.changeset import ChangeSet
from sync_server.templates.catalog import checklist_dir, load_catalog, load_template_file
from sync_server.templates.versions import publish_template

templates_app = typer.Typer(help="Checklist templates.", no_args_is_help=True)
app.add_typer(templates_app, name="templates")


@templates_app.command("list")
def list_templates() -> None:
    """List the shipped templates with their size and maximum points."""
    try:
        catalog = load_catalog()
    except DomainError as exc:
        raise fail(exc) from None
    table = Table("key", "标题 title", "方式 modes", "类 categories", "条目 items", "满分 max")
    for t in catalog:
        table.add_row(
            t.key,
            t.title,
            "/".join(t.modes),
            str(len(t.categories)),
            str(sum(1 for _ in t.iter_items())),
            str(t.max_points),
        )
    Console().print(table)


@templates_app.command("check")
def check_templates(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files (default: all shipped).")
    ] = None,
) -> None:
    """Validate template files; prints every problem with its JSON path, exit 2 if any."""
    files = paths or sorted(checklist_dir().glob("*.json"))
    bad = 0
    for path in files:
        try:
            t = load_template_file(path)
            print(f"ok    {path.name}  {t.key}")
        except (DomainError, OSError) as exc:
            bad += 1
            print(f"FAIL  {path.name}\n{exc}")
    if bad:
        raise typer.Exit(code=2)


@templates_app.command("publish")
def publish(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or directories (default: the shipped checklists)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Publish template versions to the server; the whole batch or nothing."""
    files: list[Path] = []
    for path in paths or [checklist_dir()]:
        files += sorted(path.glob("*.json")) if path.is_dir() else [path]

    def work(session: Session) -> list[str]:
        changes = ChangeSet(session)
        lines = []
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise DomainError(
                    ProblemCode.TEMPLATE_NOT_FOUND, f"{path}: {exc.strerror}"
                ) from None
            row, new = publish_template(session, changes, data, path.name, by="cli")
            lines.append(f"{'published' if new else 'unchanged'}  {row.key}")
        changes.assign_seqs()
        return lines

    for line in write(data_dir, work):
        print(line)
