"""`mingcha regions …` and `mingcha sites import`: the organisation inspectors visit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from sqlmodel import Session

from fieldcore.problems import DomainError, ProblemCode
from sync_server.cli.base import app, fail
from sync_server.cli.common import DataDir, write
from sync_server.core.changeset import ChangeSet
from sync_server.org import admin
from sync_server.org.org_import import write_sites

regions_app = typer.Typer(help="Regions and departments.", no_args_is_help=True)
sites_app = typer.Typer(help="Sites (shops, halls, hotels, posts…).", no_args_is_help=True)
app.add_typer(regions_app, name="regions")
app.add_typer(sites_app, name="sites")


@regions_app.command("add")
def add_region(
    code: str,
    name: str,
    parent: Annotated[str | None, typer.Option(help="Parent region code")] = None,
    data_dir: DataDir = None,
) -> None:
    """Add (or rename) a region; with --parent, a department under it."""
    write(data_dir, lambda s: admin.add_region(s, code, name, parent))
    print(f"region {code} {name}")


@sites_app.command("import")
def import_sites(path: Path, data_dir: DataDir = None) -> None:
    """Import sites from .xlsx (first sheet) or CSV (code,name,type,region[,address,lat,lon]);
    all or nothing."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(DomainError(ProblemCode.IMPORT_INVALID, f"cannot read {path}: {exc}")) from None

    def work(session: Session) -> tuple[int, int]:
        changes = ChangeSet(session)
        with Progress(transient=True) as bar:
            task = bar.add_task("importing", total=None)
            done = write_sites(
                session, changes, data, path.name, lambda n: bar.update(task, total=n, advance=1)
            )
        changes.assign_seqs()
        return done.created, done.updated

    created, updated = write(data_dir, work)
    print(f"imported {created + updated} sites: {created} created, {updated} updated")
