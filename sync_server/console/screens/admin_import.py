"""The 管理 page's imports, sites and accounts: a file picked (.xlsx or .csv) or CSV pasted,
a preview listing every row's problem, and an import that takes every row or none
(org/org_import.py, org/accounts_import.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import flet as ft

from fieldcore.problems import DomainError, ProblemCode
from sync_server.console.screens.widgets import action_button, form_section
from sync_server.console.shell import Console
from sync_server.org import accounts_import, org_import

Attempt = Callable[[str, Callable[[], Awaitable[Any]]], Awaitable[None]]


@dataclass(frozen=True)
class Kind:
    key: str  # "sites" or "accounts": the buttons' identifiers
    title: str
    columns: str


SITES = Kind("sites", "导入场所 Import sites", "code,name,type,region[,address,lat,lon]")
ACCOUNTS = Kind(
    "accounts",
    "导入账号 Import accounts",
    "username,role,name,password[,alias,regions,sites]",
)


async def preview_lines(console: Console, kind: Kind, name: str, data: bytes) -> list[str]:
    """Every row's problem, or what the import would do."""
    services = console.services
    if kind is SITES:
        sites = await services.read(org_import.preview_sites, data, name)
        return sites.problems or [f"可导入 Ready: 新建 {sites.created}, 更新 {sites.updated}"]
    try:
        text = org_import.sheet_text(data, name)
    except DomainError as exc:
        return list(exc.details.get("problems") or [exc.detail])
    rows, problems = await services.read(accounts_import.preview_accounts, text)
    return problems or [f"可导入 Ready: 新建账号 {len(rows)} accounts"]


async def run_import(console: Console, kind: Kind, name: str, data: bytes) -> None:
    services, user = console.services, console.user
    if kind is SITES:
        await services.org_write(lambda s, c: org_import.import_sites(s, c, user, data, name))
        return
    text = org_import.sheet_text(data, name)
    rows, problems = await services.read(accounts_import.preview_accounts, text)
    if problems:
        raise DomainError(ProblemCode.IMPORT_INVALID, problems[0], problems=problems)
    hashed = await asyncio.to_thread(accounts_import.hash_passwords, rows)  # argon2: slow
    await services.org_write(lambda s, c: accounts_import.import_accounts(s, user, rows, hashed))


def import_section(console: Console, kind: Kind, attempt: Attempt) -> list[ft.Control]:
    sheet = ft.TextField(label=f"CSV: {kind.columns}", width=640, multiline=True,
                         min_lines=3, max_lines=8)  # fmt: skip
    found = ft.Column([])
    chosen: dict[str, tuple[str, bytes]] = {}  # a picked file, used instead of the text

    def source() -> tuple[str, bytes]:
        return chosen.get("file") or ("console.csv", (sheet.value or "").encode())

    async def preview(e: Any) -> None:
        name, data = source()
        lines = [f"{name}:", *await preview_lines(console, kind, name, data)]
        found.controls = [
            ft.Semantics(content=ft.Text("\n".join(lines)), identifier=f"admin-{kind.key}-preview")
        ]
        console.page.update()

    async def pick(e: Any) -> None:
        files = await ft.FilePicker().pick_files(
            dialog_title=kind.title,
            file_type=ft.FilePickerFileType.CUSTOM,
            allowed_extensions=["xlsx", "csv"],
            with_data=True,
            allow_multiple=False,
        )
        if files and files[0].bytes is not None:  # the browser sends the bytes with the pick
            chosen["file"] = (files[0].name, bytes(files[0].bytes))
            await preview(e)

    async def run(e: Any) -> None:
        name, data = source()
        await attempt(f"已导入 Imported: {name}", lambda: run_import(console, kind, name, data))

    return form_section(
        kind.title,
        [
            sheet,
            action_button("选择文件 Choose .xlsx/.csv", pick, f"admin-{kind.key}-pick"),
            action_button("预览 Preview", preview, f"admin-{kind.key}-preview-button"),
            action_button("导入 Import", run, f"admin-{kind.key}-import"),
        ],
        found,
    )
