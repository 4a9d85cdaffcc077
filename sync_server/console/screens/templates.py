"""检查表模板 (checklist templates): the versions phones are served, the open drafts, and
where a draft starts — a new version of a published template, or a new template.

Every draft opens in the editor (/templates/draft/<id>, screens/template_editor.py). An
uploaded workbook (上传 Excel) becomes a draft the same way, and each published version can
be downloaded as a workbook (下载 Excel): screens/template_files.py.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldcore.problems import DomainError
from sync_server.console.screens.template_files import WorkbookFiles
from sync_server.console.screens.widgets import (
    action_button,
    form_section,
    heading,
    section_view,
    string_table,
)
from sync_server.console.shell import Console
from sync_server.reports.access import REPORT_TZ
from sync_server.templates import drafts
from sync_server.templates.published import Published, list_published


def when(at: Any) -> str:
    return str(at.astimezone(REPORT_TZ).strftime("%Y-%m-%d %H:%M"))


async def open_draft(console: Console, draft: drafts.DraftView) -> None:
    await console.go(f"/templates/draft/{draft.id}")


def published_row(console: Console, files: WorkbookFiles, p: Published) -> ft.Control:
    async def edit(e: Any) -> None:
        try:
            draft = await console.services.write(drafts.start_draft, console.user, p.template_id)
        except DomainError as exc:
            console.fail(exc)
            return
        await open_draft(console, draft)

    return ft.Row(
        [
            ft.Text(f"{p.key}  {p.title}", width=520),
            ft.Text(f"{p.published_by or '-'} · {when(p.published_at)}", width=220),
            action_button("编辑新版本 Edit a new version", edit, f"edit-{p.template_id}"),
            files.download_button(p),
        ]
    )


def draft_rows(console: Console, rows: list[drafts.DraftView]) -> list[ft.DataRow]:
    def opener(d: drafts.DraftView) -> Any:
        return lambda e: console.page.run_task(open_draft, console, d)

    return [
        ft.DataRow(
            cells=[
                ft.DataCell(ft.Text(d.key), on_tap=opener(d)),
                ft.DataCell(ft.Text(str(d.body.get("title", "")))),
                ft.DataCell(ft.Text(d.base_key or "新模板 new")),
                ft.DataCell(ft.Text(str(d.revision))),
                ft.DataCell(ft.Text(f"{d.updated_by} · {when(d.updated_at)}")),
            ]
        )
        for d in rows
    ]


async def templates(console: Console) -> ft.View:
    services, user = console.services, console.user
    try:
        published = await services.read(list_published, user)
        open_drafts = await services.read(drafts.list_drafts, user)
    except DomainError as exc:
        console.fail(exc)
        published, open_drafts = [], []
    new_id = ft.TextField(label="模板编号 Template id (小写字母、数字、连字符)", width=280)
    new_title = ft.TextField(label="标题 Title", width=320)
    files = WorkbookFiles(console)

    async def create(e: Any) -> None:
        try:
            draft = await services.write(
                drafts.new_template_draft, user, new_id.value or "", new_title.value or ""
            )
        except DomainError as exc:
            console.fail(exc)
            return
        await open_draft(console, draft)

    columns = ["草稿 Draft", "标题 Title", "基于 Based on", "修订 Rev", "最后修改 Last change"]
    return section_view(
        console,
        "/templates",
        "检查表模板 Checklist templates",
        [
            heading("已发布(手机端使用的版本)Published: what phones are served"),
            ft.Semantics(
                content=ft.Column([published_row(console, files, p) for p in published]),
                identifier="templates-published",
            ),
            files.links,
            ft.Divider(),
            heading("上传 Excel Upload a workbook"),
            *files.upload_section(),
            ft.Divider(),
            heading("草稿 Drafts (点击编辑 tap to edit)"),
            ft.Semantics(
                content=string_table(columns, draft_rows(console, open_drafts)),
                identifier="templates-drafts",
            ),
            ft.Divider(),
            *form_section(
                "新模板 New template",
                [new_id, new_title],
                action_button("创建草稿 Create draft", create, "template-new"),
            ),
        ],
    )
