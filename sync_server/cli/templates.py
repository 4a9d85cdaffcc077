"""`mingcha templates …`: list, check and publish the checklist template files, and bring
them in from (import) and out to (export) Excel workbooks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from fieldcore.checklist import Template
from fieldcore.problems import DomainError, ProblemCode
from sync_server.cli.base import app, fail
from sync_server.cli.common import DataDir, write
from sync_server.core.changeset import ChangeSet
from sync_server.templates.catalog import (
    checklist_dir,
    load_catalog,
    load_template_file,
    resolve_template,
)
from sync_server.templates.template_json import template_json
from sync_server.templates.versions import publish_template
from sync_server.templates.workbook import read_workbook, write_workbook

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


@templates_app.command("import")
def import_workbook(
    file: Annotated[
        Path, typer.Argument(help="The workbook (.xlsx; layout: assets/checklists/XLSX.md).")
    ],
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "-o", "--out-dir", help="Where to write <id>.v<N>.json (default: the checklist dir)."
        ),
    ] = None,
    publish_it: Annotated[
        bool, typer.Option("--publish", help="Also publish the version to the server.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Read a checklist workbook into a template file; every problem by sheet, row and
    column (exit 2, nothing written) unless the whole workbook is valid."""
    try:
        template = read_workbook(_read(file), file.name)
    except DomainError as exc:
        raise fail(exc) from None
    text = template_json(template)
    target = (out_dir or checklist_dir()) / f"{template.key}.json"
    same = _check_target(target, text, template)
    if publish_it:
        body = text.encode("utf-8")

        def work(session: Session) -> str:
            changes = ChangeSet(session)
            row, new = publish_template(session, changes, body, target.name, by="cli")
            changes.assign_seqs()
            return f"{'published' if new else 'unchanged'}  {row.key}"

        print(write(data_dir, work))
    if not same:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    print(f"{'unchanged' if same else 'wrote'}  {target}")


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise DomainError(ProblemCode.TEMPLATE_NOT_FOUND, f"{file}: {exc.strerror}") from None


def _check_target(target: Path, text: str, template: Template) -> bool:
    """True when the file already holds this text; another text there is an error
    (a version never changes: the workbook's 版本 must go up)."""
    if not target.exists():
        return False
    if target.read_text(encoding="utf-8") == text:
        return True
    raise fail(
        DomainError(
            ProblemCode.TEMPLATE_VERSION_EXISTS,
            f"{target} exists with other content; a version never changes: "
            f"set 版本 to {template.version + 1} in the workbook",
            key=template.key,
        )
    )


@templates_app.command("export")
def export_workbook(
    template_id: Annotated[str, typer.Argument(help="Template id (or id.vN, or a .json file).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx file to write.")],
    version: Annotated[
        int | None, typer.Option("--version", help="Which version (default: the newest).")
    ] = None,
) -> None:
    """Write a shipped template as a checklist workbook (the layout import reads)."""
    ref = f"{template_id}.v{version}" if version is not None else template_id
    try:
        template = resolve_template(ref)
    except DomainError as exc:
        raise fail(exc) from None
    output.write_bytes(write_workbook(template))
    print(f"wrote  {output}  ({template.key})")
