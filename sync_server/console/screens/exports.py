"""报表 (reports): one visit's 明细测评表 (Excel) or PDF, the 汇总表 of a period and region,
the 质检日报 of a day. The export runs in a worker thread; its progress callback only
records (done, total), and this page polls that a few times a second to move the bar — a
callback per row would flood the socket, and Flet controls belong to the event loop.
The finished file is offered as a short-lived link (/downloads/<token>, 15 minutes) that any
server worker can serve, to this supervisor only: the button's address carries a one-time
ticket granted to the signed-in user, and each click asks for the next ticket (the click
opens the address in the browser itself, so no pop-up blocker stands in the way). The export
and every fetch leave audit rows naming the supervisor."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import parse_qs

import flet as ft

from fieldcore.problems import DomainError
from sync_server.console import transfers
from sync_server.console.screens.widgets import download_button, form_section, section_view
from sync_server.console.shell import Console
from sync_server.reports.access import REPORT_TZ

POLL_SECONDS = 0.25
KIND_ZH = {
    "visit-xlsx": "明细测评表 Excel",
    "visit-pdf": "检查报告 PDF",
    "summary": "汇总表 Summary",
    "daily": "质检日报 Daily report",
}


async def exports(console: Console) -> ft.View:
    services, page = console.services, console.page
    today = services.clock().astimezone(REPORT_TZ).date()
    query = parse_qs((page.route or "").partition("?")[2])  # /exports?visit=<id> prefills
    visit_id = ft.TextField(label="检查编号 Visit id", value=query.get("visit", [""])[0], width=380)
    first = ft.TextField(label="起始日 From (YYYY-MM-DD)", value=str(today.replace(day=1)))
    last = ft.TextField(label="截止日 To (YYYY-MM-DD)", value=today.isoformat())
    region = ft.TextField(label="区域 Region (空=全部 all)", width=200)
    day = ft.TextField(label="日期 Day (YYYY-MM-DD)", value=(today - timedelta(days=1)).isoformat())
    bar = ft.ProgressBar(width=480, value=0, visible=False)
    status = ft.Text("")
    link = ft.Column([], visible=False)
    buttons: list[ft.Button] = []

    def busy(flag: bool) -> None:
        for b in buttons:
            b.disabled = flag

    async def run(kind: str) -> None:
        seen = {"done": 0, "total": 0}

        def progress(done: int, total: int) -> None:  # worker thread: record only
            seen.update(done=done, total=total)

        busy(True)
        link.visible, bar.visible, bar.value = False, True, None  # indeterminate until told
        status.value = f"正在导出 Exporting {KIND_ZH[kind]}…"
        page.update()
        job = asyncio.ensure_future(
            transfers.export(
                services,
                console.user,
                kind,
                progress,
                visit_id=visit_id.value or "",
                first=(day.value if kind == "daily" else first.value) or "",
                last=last.value or "",
                region=region.value or "",
            )
        )
        while not job.done():
            await asyncio.wait({job}, timeout=POLL_SECONDS)
            if seen["total"]:
                bar.value = min(1.0, seen["done"] / seen["total"])
                status.value = f"正在导出 Exporting {KIND_ZH[kind]} {seen['done']}/{seen['total']}"
            page.update()
        busy(False)
        try:
            download = job.result()
        except DomainError as exc:
            bar.visible, status.value = False, "导出失败 Export failed"
            console.fail(exc)  # ends with page.update()
            return
        bar.value = 1.0
        status.value = f"已完成 Done: {download.filename} ({download.rows} 行 rows)"
        if download.missing_glyphs:
            status.value += f";字体缺字 font lacks {download.missing_glyphs}"
        link.controls = [
            ft.Semantics(content=download_button(console, download), identifier="export-download"),
            ft.Semantics(
                content=ft.Text(download.url, size=12),
                identifier="export-link",
            ),
            ft.Text(
                "链接 15 分钟内有效,仅限本人 The link works for 15 minutes, for you only",
                size=12,
            ),
        ]
        link.visible = True
        page.update()

    def button(label: str, kind: str, ident: str) -> ft.Control:
        b = ft.FilledButton(label, on_click=lambda e: page.run_task(run, kind))
        buttons.append(b)
        return ft.Semantics(content=b, identifier=ident)

    return section_view(
        console,
        "/exports",
        "报表 Reports",
        [
            *form_section(
                "单次检查 One visit (明细测评表 / 检查报告)",
                [
                    visit_id,
                    button("下载 Excel", "visit-xlsx", "export-visit-xlsx"),
                    button("下载 PDF", "visit-pdf", "export-visit-pdf"),
                ],
            ),
            *form_section(
                "汇总表 Summary (按区域、门店及其岗位平均)",
                [first, last, region, button("导出汇总表 Export", "summary", "export-summary")],
            ),
            *form_section(
                "质检日报 Daily report (当日不合格项)",
                [day, button("导出日报 Export", "daily", "export-daily")],
            ),
            ft.Semantics(content=bar, identifier="export-progress"),
            ft.Semantics(content=status, identifier="export-status"),
            link,
        ],
    )
