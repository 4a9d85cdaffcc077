"""Review queue: filters, newest submissions first, keyset paging ("more")."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldcore.problems import DomainError
from sync_server.console.app import Console
from sync_server.review import QueueFilters, QueueRow

STATUSES = ["submitted", "resubmitted", "returned", "approved", "published", "voided"]
STATUS_ZH = {
    "submitted": "已提交",
    "resubmitted": "已重新提交",
    "returned": "已退回",
    "approved": "已审核",
    "published": "已通报",
    "voided": "已作废",
}
MODE_ZH = {"overt": "明查", "covert": "暗访"}


def row_cells(r: QueueRow) -> list[ft.DataCell]:
    percent = f"{r.percent}" if r.percent is not None else "—"
    return [
        ft.DataCell(ft.Text(f"{r.site_code} {r.site_name}")),
        ft.DataCell(ft.Text(r.template_title)),
        ft.DataCell(ft.Text(MODE_ZH.get(r.mode, r.mode))),
        ft.DataCell(ft.Text(r.inspector)),
        ft.DataCell(ft.Text(r.submitted_at.astimezone().strftime("%Y-%m-%d %H:%M"))),
        ft.DataCell(ft.Text(STATUS_ZH.get(r.status, r.status))),
        ft.DataCell(ft.Text(f"{percent} {r.grade or ''}")),
    ]


async def queue(console: Console) -> ft.View:
    status = ft.Dropdown(
        label="状态 Status",
        width=180,
        options=[ft.DropdownOption(key="", text="全部 All")]
        + [ft.DropdownOption(key=s, text=STATUS_ZH[s]) for s in STATUSES],
        value="",
    )
    mode = ft.Dropdown(
        label="方式 Mode",
        width=140,
        options=[ft.DropdownOption(key="", text="全部 All")]
        + [ft.DropdownOption(key=k, text=v) for k, v in MODE_ZH.items()],
        value="",
    )
    site = ft.TextField(label="门店代码 Site", width=160)
    columns = ["门店 Site", "检查表", "方式", "检查员", "提交时间", "状态", "得分"]
    table = ft.DataTable(columns=[ft.DataColumn(ft.Text(c)) for c in columns], rows=[])
    more = ft.TextButton("更多 More", visible=False)
    cursor: dict[str, str | None] = {"next": None}

    def filters() -> QueueFilters:
        return QueueFilters(
            status=status.value or None, mode=mode.value or None, site=site.value or None
        )

    def open_row(r: QueueRow) -> Any:
        return lambda e: console.page.run_task(console.go, f"/visit/{r.visit_id}")

    async def load(append: bool) -> None:
        try:
            page = await console.services.queue(
                console.user,
                filters(),
                cursor["next"] if append else None,  # type: ignore[arg-type]
            )
        except DomainError as exc:
            console.fail(exc)
            return
        rows = [ft.DataRow(cells=row_cells(r), on_select_change=open_row(r)) for r in page.rows]
        table.rows = [*table.rows, *rows] if append else rows
        cursor["next"], more.visible = page.next_cursor, page.next_cursor is not None

    async def apply(e: Any) -> None:
        await load(append=False)
        console.page.update()

    async def load_more(e: Any) -> None:
        await load(append=True)
        console.page.update()

    more.on_click = load_more
    await load(append=False)
    user = console.user
    return ft.View(
        route="/",
        appbar=ft.AppBar(
            title=ft.Text("审核队列 Review queue"),
            actions=[
                ft.Semantics(
                    content=ft.TextButton(
                        "整改跟踪 Rectifications",
                        icon=ft.Icons.FACT_CHECK,
                        on_click=lambda e: console.page.run_task(console.go, "/rect"),
                    ),
                    identifier="open-rectifications",
                ),
                *(
                    [ft.Text(f"{user.display_name or user.username} ({user.role})  ")]
                    if user
                    else []
                ),
            ],
        ),
        padding=ft.Padding.all(16),
        scroll=ft.ScrollMode.AUTO,
        controls=[
            ft.Row([status, mode, site, ft.FilledButton("筛选 Filter", on_click=apply)]),
            ft.Semantics(content=table, identifier="queue"),
            more,
        ],
    )
