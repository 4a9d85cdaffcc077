"""整改 (rectifications): the list of corrective actions, overdue ones in red, and one action
with its before and after photos side by side, the site manager's answer and the follow-up
(verify, reopen with a reason, schedule a re-inspection)."""

from __future__ import annotations

import uuid
from typing import Any

import flet as ft

from fieldcore.problems import DomainError
from sync_server.console.screens.gallery import marked_or_originals, photo_gallery
from sync_server.console.screens.widgets import (
    action_button,
    detail_view,
    section_view,
    string_table,
    unavailable_view,
)
from sync_server.console.shell import Console
from sync_server.supervision import rectify
from sync_server.supervision.rectifications import (
    STATUSES,
    RectDetail,
    RectRow,
    rectification_detail,
    rectification_list,
    rectification_totals,
)

RECT_STATUS_ZH = {
    "open": "待整改",
    "submitted": "已回复",
    "verified": "已验证",
    "reopened": "重新整改",
}
SEVERITY_ZH = {"minor": "一般", "major": "较重", "critical": "严重"}
ACTION_ZH = {"verify": "验证通过", "reopen": "重新整改", "reinspect": "安排复查"}


def rect_cells(r: RectRow) -> list[ft.DataCell]:
    color = ft.Colors.ERROR if r.overdue else None
    due = r.due_date.isoformat() + (" 已逾期" if r.overdue else "")
    return [
        ft.DataCell(ft.Text(f"{r.site_code} {r.site_name}")),
        ft.DataCell(ft.Text(f"{r.item_code} {r.item_text}", width=360, max_lines=2)),
        ft.DataCell(ft.Text(SEVERITY_ZH.get(r.severity, r.severity))),
        ft.DataCell(ft.Text(due, color=color, weight=ft.FontWeight.BOLD if r.overdue else None)),
        ft.DataCell(ft.Text(RECT_STATUS_ZH.get(r.status, r.status), color=color)),
    ]


async def rectifications(console: Console) -> ft.View:
    status = ft.Dropdown(
        label="状态 Status",
        width=180,
        options=[ft.DropdownOption(key="", text="全部 All")]
        + [ft.DropdownOption(key=s, text=RECT_STATUS_ZH[s]) for s in STATUSES],
        value="",
    )
    overdue_only = ft.Checkbox(label="仅逾期 Overdue only", value=False)
    columns = ["门店 Site", "检查项 Item", "程度", "整改期限 Due", "状态"]
    table = string_table(columns)
    count = ft.Text("", size=12)
    more = ft.TextButton("更多 More", visible=False)
    state: dict[str, Any] = {"next": None}

    def open_row(r: RectRow) -> Any:
        return lambda e: console.page.run_task(console.go, f"/rect/{r.id}")

    async def load(append: bool = False) -> None:
        user, wanted, late_only = console.user, status.value or None, bool(overdue_only.value)
        services = console.services
        try:
            now, cursor = services.clock(), state["next"] if append else None
            page = await services.read(rectification_list, user, now, wanted, late_only, cursor)
            if not append:  # totals over every page, not just the rows loaded so far
                total, late = await services.read(
                    rectification_totals, user, now, wanted, late_only
                )
                count.value = f"共 {total} 项,逾期 {late} 项"
        except DomainError as exc:
            console.fail(exc)
            return
        rows = [
            ft.DataRow(
                cells=rect_cells(r),
                color=ft.Colors.RED_50 if r.overdue else None,
                on_select_change=open_row(r),
            )
            for r in page.rows
        ]
        table.rows = [*table.rows, *rows] if append else rows
        state["next"], more.visible = page.next_cursor, page.next_cursor is not None

    async def apply(e: Any) -> None:
        await load()
        console.page.update()

    async def load_more(e: Any) -> None:
        await load(append=True)
        console.page.update()

    more.on_click = load_more
    await load()
    return section_view(
        console,
        "/rect",
        "整改跟踪 Rectifications",
        [
            ft.Row([status, overdue_only, ft.FilledButton("筛选 Filter", on_click=apply)]),
            count,
            ft.Semantics(content=table, identifier="rectifications"),
            ft.Semantics(content=more, identifier="rectifications-more"),
        ],
        nav=False,
    )


async def _photo_column(
    console: Console, title: str, shas: list[str], readable: frozenset[str], ident: str
) -> Any:
    gallery, load = photo_gallery(console, shas, readable, ident)
    await load()
    return ft.Column(
        [ft.Text(title, weight=ft.FontWeight.BOLD), gallery if shas else ft.Text("无", size=12)],
        expand=1,
    )


async def _before_column(console: Console, detail: RectDetail) -> Any:
    """The inspector's evidence, each marked-up copy (标注) in its original's place, with
    the visit page's switch to the originals; the count is of originals only."""
    box = ft.Column([])

    async def show(marked: bool) -> None:
        shas = detail.before_marked if marked and detail.before_marked else detail.before
        gallery, load = photo_gallery(console, shas, detail.readable, "rect-before")
        box.controls = [gallery if shas else ft.Text("无", size=12)]
        await load()

    switchable = await marked_or_originals(
        console, show, detail.has_copies, box, "rect-before-marked"
    )
    return ft.Column([ft.Text("整改前 Before", weight=ft.FontWeight.BOLD), switchable], expand=1)


async def rectification(console: Console, rect_id: uuid.UUID) -> ft.View:
    try:
        detail = await console.services.read(
            rectification_detail, console.user, rect_id, console.services.clock()
        )
    except DomainError as exc:
        console.fail(exc)
        return unavailable_view(f"/rect/{rect_id}")
    r = detail.row
    reason = ft.TextField(
        label="验证意见 / 重新整改理由 Comment or reason", multiline=True, width=520
    )
    assignee = ft.TextField(label="复查检查员 Inspector (username)", width=240)
    days = ft.TextField(label="期限(天) Days", value="7", width=120)

    async def do(action: str) -> None:
        user, services, text = console.user, console.services, reason.value or ""
        try:
            if action == "verify":
                await services.write(rectify.verify, user, r.id, services.clock(), text)
            elif action == "reopen":
                await services.write(rectify.reopen, user, r.id, text, services.clock())
            else:
                try:
                    n = int((days.value or "").strip())
                except ValueError:
                    n = 0  # the service refuses it with request.invalid
                who = (assignee.value or "").strip()
                await services.write(rectify.reinspect, user, r.id, who, n, services.clock())
        except DomainError as exc:
            console.fail(exc)
            return
        console.toast(f"已{ACTION_ZH[action]}")
        await console.go(f"/rect/{r.id}")

    def button(action: str) -> ft.Control:
        return action_button(
            ACTION_ZH[action],
            lambda e: console.page.run_task(do, action),
            f"rect-{action}",
            height=44,
        )

    decide = [button("verify"), button("reopen")] if r.status == "submitted" else []
    header = (
        f"{r.site_code} {r.site_name} · {r.item_code} · {RECT_STATUS_ZH.get(r.status, r.status)}"
    )
    due = f"整改期限 {r.due_date.isoformat()}" + (" · 已逾期" if r.overdue else "")
    if r.voided:
        due += " · 来源检查已作废,无需整改 (the visit was voided: nothing is owed)"
    before = await _before_column(console, detail)
    after = await _photo_column(
        console, "整改后 After", detail.after, detail.readable, "rect-after"
    )
    return detail_view(
        console,
        f"/rect/{r.id}",
        header,
        ("/rect", "返回整改列表 Back to the list"),
        [
            ft.Text(f"{r.item_code} {r.item_text}", size=15),
            ft.Semantics(
                content=ft.Text(due, color=ft.Colors.ERROR if r.overdue else None),
                identifier="rect-due",
            ),
            ft.TextButton(
                f"来源检查 Visit {detail.template_key}",
                on_click=lambda e: console.page.run_task(console.go, f"/visit/{r.visit_id}"),
            ),
            ft.Row([before, after], vertical_alignment=ft.CrossAxisAlignment.START),
            ft.Text("门店回复 Response", weight=ft.FontWeight.BOLD),
            ft.Semantics(
                content=ft.Text(detail.response_note or "(尚未回复)"), identifier="rect-response"
            ),
            ft.Text(f"验证意见:{detail.verify_comment}" if detail.verify_comment else ""),
            ft.Divider(),
            reason,
            ft.Row(decide, wrap=True),
            ft.Divider(),
            ft.Row([assignee, days, button("reinspect")], wrap=True),
        ],
    )
