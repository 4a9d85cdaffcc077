"""`mingcha templates …`: list and check the checklist template files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fieldcore.problems import DomainError
from sync_server.catalog import checklist_dir, load_catalog, load_template_file
from sync_server.cli.base import app, fail

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
