"""Options and plumbing shared by the operator commands: which database, one transaction."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
import typer
from sqlmodel import Session

from fieldcore.problems import DomainError
from sync_server.cli.base import fail
from sync_server.core import dbinit
from sync_server.core.config import Settings
from sync_server.core.db import write_session

T = TypeVar("T")
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Server data directory (default: MINGCHA_DATA_DIR or var/server)."
    ),
]


def settings_for(data_dir: Path | None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir else Settings()


def database(data_dir: Path | None) -> contextlib.AbstractContextManager[sa.Engine]:
    """The central database, upgraded to the current schema first."""
    return dbinit.upgraded_database(settings_for(data_dir))


def write(data_dir: Path | None, work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction; a DomainError prints its problem and exits 2."""
    with database(data_dir) as engine:
        try:
            with write_session(engine) as session:
                return work(session)
        except DomainError as exc:
            raise fail(exc) from None


def table(rows: list[list[Any]], headers: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Table(*headers)
    for row in rows:
        out.add_row(*[str(cell) for cell in row])
    Console().print(out)
