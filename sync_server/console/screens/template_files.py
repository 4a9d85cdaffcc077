"""Checklist workbooks on the templates page: 上传 Excel (an .xlsx becomes a draft that
opens in the editor) and 下载 Excel (a published version as a workbook).

Upload: the file is picked with Flet's FilePicker service (in the browser `with_data=True`
hands over the bytes; there is no path) and read off the event loop
(ConsoleServices.upload_workbook). A workbook with problems creates nothing; every problem
is listed as the reader words it — sheet, cell and column first ("检查项!O3 分值: must be
> 0") — so the author can fix the file in Excel and upload it again. A version that is
already published or has an open draft is refused the same way, with its problem code.

Download: the workbook is written in a worker thread into the exports' download store and
offered like a report (screens/exports.py): a short-lived link for this user, each click of
the button carrying a fresh one-time ticket.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import flet as ft

from fieldcore.problems import DomainError, message
from fieldcore.template_loader import TemplateError
from sync_server.console import transfers
from sync_server.console.screens import widgets
from sync_server.console.shell import Console
from sync_server.reports.delivery import Download
from sync_server.templates import published

EXPIRY_NOTE = "链接 15 分钟内有效,仅限本人 The link works for 15 minutes, for you only"


def problem_lines(filename: str, problems: list[str]) -> list[str]:
    """What the page shows for a refused workbook: a count, then every problem verbatim."""
    return [
        f"未创建草稿:{filename} 有 {len(problems)} 处问题(工作表!单元格 列: 问题),"
        f"请在 Excel 中修改后重新上传 Nothing created: fix these and upload again",
        *(f"{n}. {p}" for n, p in enumerate(problems, 1)),
    ]


def refusal_lines(filename: str, exc: DomainError) -> list[str]:
    """What the page shows for a workbook whose version cannot become a draft."""
    return [
        f"未创建草稿 Nothing created: {filename}",
        f"{message(exc.code, 'zh')} [{exc.code}]",
        exc.detail,
    ]


async def picked_workbook() -> tuple[str, bytes] | None:
    """The .xlsx the user chose (name, bytes), or None when they cancelled."""
    files = await ft.FilePicker().pick_files(
        dialog_title="选择 Excel 工作簿 Choose a workbook",
        file_type=ft.FilePickerFileType.CUSTOM,
        allowed_extensions=["xlsx"],
        with_data=True,
        allow_multiple=False,
    )
    if not files:
        return None
    chosen = files[0]
    if chosen.bytes is not None:  # the browser: the bytes came with the pick
        return chosen.name, bytes(chosen.bytes)
    if chosen.path:  # a desktop client: read from its path, off the event loop
        return chosen.name, await asyncio.to_thread(Path(chosen.path).read_bytes)
    return None


class WorkbookFiles:
    """The upload section and the per-version download buttons of the templates page."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.status = ft.Text("")
        self.problems = ft.Column([], spacing=2)
        self.links = ft.Column([], visible=False)

    def upload_section(self) -> list[ft.Control]:
        button = ft.FilledButton(
            "上传 Excel Upload a workbook (.xlsx)", icon=ft.Icons.UPLOAD_FILE, on_click=self.upload
        )
        return [
            ft.Semantics(content=button, identifier="template-upload"),
            ft.Text(
                "每个工作簿一个模板版本;格式见 assets/checklists/XLSX.md。"
                "One template version per workbook.",
                size=12,
            ),
            ft.Semantics(content=self.status, identifier="upload-status"),
            ft.Semantics(content=self.problems, identifier="upload-problems"),
        ]

    async def upload(self, e: Any) -> None:
        console = self.console
        picked = await picked_workbook()
        if picked is None:
            return
        name, data = picked
        self.status.value, self.problems.controls = f"正在读取 Reading {name}…", []
        console.page.update()
        try:
            draft = await transfers.upload_workbook(console.services, console.user, data, name)
        except TemplateError as exc:
            self.show(problem_lines(name, exc.problems))
            return
        except DomainError as exc:
            self.show(refusal_lines(name, exc))
            console.fail(exc)
            return
        await console.go(f"/templates/draft/{draft.id}")
        console.toast(f"已从 {name} 创建草稿 {draft.key} Draft created from the workbook")

    def show(self, lines: list[str]) -> None:
        self.status.value = ""
        self.problems.controls = [ft.Text(line, color=ft.Colors.ERROR) for line in lines if line]
        self.console.page.update()

    # ---- download ---------------------------------------------------------------------------
    def download_button(self, p: published.Published) -> ft.Control:
        async def make(e: Any) -> None:
            try:
                download = await transfers.template_workbook(
                    self.console.services, self.console.user, p.key
                )
            except DomainError as exc:
                self.console.fail(exc)
                return
            self.offer(download)

        return ft.Semantics(
            content=ft.OutlinedButton("下载 Excel Download", icon=ft.Icons.DOWNLOAD, on_click=make),
            identifier=f"workbook-{p.template_id}",
        )

    def offer(self, download: Download) -> None:
        """The finished workbook's link, as the report exports offer theirs."""
        button = widgets.download_button(self.console, download)
        self.links.controls = [
            ft.Semantics(content=button, identifier="workbook-download"),
            ft.Semantics(content=ft.Text(download.url, size=12), identifier="workbook-link"),
            ft.Text(
                "链接 15 分钟内有效,仅限本人 The link works for 15 minutes, for you only", size=12
            ),
        ]
        self.links.visible = True
        self.console.page.update()
