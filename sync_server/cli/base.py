"""The `mingcha` Typer application and the shared error exit; commands add themselves to it."""

from __future__ import annotations

import sys

import typer

from fieldcore.problems import DomainError

app = typer.Typer(
    name="mingcha",
    help="明察 Mingcha — 明查暗访 field inspections. Run `mingcha COMMAND --help` for details.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _group() -> None:
    """Keeps `mingcha` a group of commands when `main` has loaded only one of them (a Typer
    app with a single command would otherwise run it without its name)."""


def fail(error: DomainError) -> typer.Exit:
    """Print a domain error as `error: code: …` lines on stderr; exit status 2."""
    lines = str(error).splitlines() or [str(error.code)]
    print(f"error: {error.code}", file=sys.stderr)
    for line in lines:
        print(f"  {line}", file=sys.stderr)
    return typer.Exit(code=2)
