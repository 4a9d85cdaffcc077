"""Review queue: a filter bar (region, site, template, mode, inspector, dates, status, score
range, grade), a sort order, and keyset paging ("more"). The bar's text is checked by the
server's parse_filters first: a bad date or score is shown on its field and nothing is
queried."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldcore.checklist import MODE_TITLES
from fieldcore.problems import DomainError
from fieldcore.workflow import STATUS_ZH
from sync_server.console.screens.widgets import action_button, nav_actions, string_table
from sync_server.console.shell import Console
from sync_server.supervision.filters import (
    STATUSES,
    QueueChoices,
    check_sort,
    parse_filters,
    queue_choices,
)
from sync_server.supervision.queue import PageRequest, QueueFilters, QueueRow, review_queue

PAGE = 30  # rows per "more"
MODE_ZH = {mode: zh for mode, (zh, _) in MODE_TITLES.items()}  # 明查 / 暗访
SORT_ZH = {
    "-submitted_at": "最新提交 Newest first",
    "submitted_at": "最早提交 Oldest first",
    "percent": "得分低→高 Lowest score",
    "-percent": "得分高→低 Highest score",
    "site": "门店代码 Site A→Z",
    "-site": "门店代码 Site Z→A",
}
ANY = "全部 All"
FROM, TO = "开始日期 From YYYY-MM-DD", "结束日期 To YYYY-MM-DD"  # the format, always in sight


def row_cells(r: QueueRow) -> list[ft.DataCell]:
    percent = f"{r.percent}" if r.percent is not None else "—"
    score = f"{percent} {r.grade or ''}"
    if r.posts:  # a per-subject template: each post's result, no pooled headline
        score = " / ".join(p.text() for p in r.posts)
    return [
        ft.DataCell(ft.Text(f"{r.site_code} {r.site_name}")),
        ft.DataCell(ft.Text(r.template_title)),
        ft.DataCell(ft.Text(MODE_ZH.get(r.mode, r.mode))),
        ft.DataCell(ft.Text(r.inspector)),
        ft.DataCell(ft.Text(r.submitted_at.astimezone().strftime("%Y-%m-%d %H:%M"))),
        ft.DataCell(ft.Text(STATUS_ZH.get(r.status, r.status))),
        ft.DataCell(ft.Text(score)),
    ]


def dropdown(label: str, width: int, entries: list[tuple[str, str]], value: str = "") -> Any:
    """A dropdown whose "" entry means any (blank filter)."""
    options = [ft.DropdownOption(key=k, text=t) for k, t in entries]
    if value == "":
        options.insert(0, ft.DropdownOption(key="", text=ANY))
    return ft.Dropdown(label=label, width=width, options=options, value=value)


class FilterBar:
    """The filter controls; `filters()` reads them through the server's parse_filters."""

    def __init__(self, choices: QueueChoices) -> None:
        self.region = dropdown("区域 Region", 200, [(c, f"{c} {n}") for c, n in choices.regions])
        self.site = ft.TextField(label="门店代码 Site", width=140)
        self.template = dropdown("检查表 Template", 220, choices.templates)
        self.mode = dropdown("方式 Mode", 130, list(MODE_ZH.items()))
        self.inspector = ft.TextField(label="检查员账号 Inspector", width=220)
        self.status = dropdown("状态 Status", 150, [(s, STATUS_ZH[s]) for s in STATUSES])
        self.date_from = ft.TextField(label=FROM, width=240)
        self.date_to = ft.TextField(label=TO, width=240)
        self.min_percent = ft.TextField(label="最低分 Min %", width=150)
        self.max_percent = ft.TextField(label="最高分 Max %", width=150)
        self.grade = dropdown("等级 Grade", 130, [(g, g) for g in choices.grades])
        self.sort = dropdown("排序 Sort", 200, list(SORT_ZH.items()), "-submitted_at")
        self.by_field = {  # parse_filters' error field → the control to mark
            "submitted_from": self.date_from,
            "submitted_to": self.date_to,
            "min_percent": self.min_percent,
            "max_percent": self.max_percent,
        }

    def rows(self, buttons: list[ft.Control]) -> list[ft.Control]:
        first = [self.region, self.site, self.template, self.mode, self.inspector, self.status]
        second = [self.date_from, self.date_to, self.min_percent, self.max_percent, self.grade]
        return [ft.Row(first, wrap=True), ft.Row([*second, self.sort, *buttons], wrap=True)]

    def filters(self) -> QueueFilters:
        """Raises DomainError request.invalid (and marks the field) on bad input."""
        for field in self.by_field.values():
            field.error = None
        try:
            return parse_filters(
                region=self.region.value,
                site=self.site.value,
                template_id=self.template.value,
                mode=self.mode.value,
                inspector=self.inspector.value,
                date_from=self.date_from.value or "",
                date_to=self.date_to.value or "",
                status=self.status.value,
                min_percent=self.min_percent.value or "",
                max_percent=self.max_percent.value or "",
                grade=self.grade.value,
            )
        except DomainError as exc:
            marked = self.by_field.get(str(exc.details.get("field")))
            if marked is not None:
                marked.error = exc.detail
            raise


async def queue(console: Console) -> ft.View:
    try:
        choices = await console.services.read(queue_choices, console.user)
    except DomainError as exc:
        console.fail(exc)
        choices = QueueChoices([], [], [])
    bar = FilterBar(choices)
    columns = ["门店 Site", "检查表", "方式", "检查员", "提交时间", "状态", "得分"]
    table = string_table(columns)
    more = ft.TextButton("更多 More", visible=False)
    problem = ft.Text("", color=ft.Colors.ERROR)
    state: dict[str, Any] = {"next": None, "filters": QueueFilters(), "sort": "-submitted_at"}

    def open_row(r: QueueRow) -> Any:
        return lambda e: console.page.run_task(console.go, f"/visit/{r.visit_id}")

    async def load(append: bool) -> None:
        try:
            check_sort(state["sort"])
            request = PageRequest(cursor=state["next"] if append else None, limit=PAGE)
            page = await console.services.read(
                review_queue, console.user, state["filters"], state["sort"], request
            )
        except DomainError as exc:
            console.fail(exc)
            return
        rows = [ft.DataRow(cells=row_cells(r), on_select_change=open_row(r)) for r in page.rows]
        table.rows = [*table.rows, *rows] if append else rows
        state["next"], more.visible = page.next_cursor, page.next_cursor is not None
        problem.value = "" if table.rows else "没有符合条件的检查 No matching visits"

    async def apply(e: Any) -> None:
        try:
            state["filters"] = bar.filters()
        except DomainError as exc:  # shown on the field and above the table; no query
            problem.value = exc.detail
            console.page.update()
            return
        state["sort"] = bar.sort.value or "-submitted_at"
        await load(append=False)
        console.page.update()

    async def load_more(e: Any) -> None:
        await load(append=True)
        console.page.update()

    for field in (bar.site, bar.inspector, *bar.by_field.values()):
        field.on_submit = apply  # Enter in a text field filters too
    more.on_click = load_more
    await load(append=False)
    filter_button = action_button("筛选 Filter", apply, "queue-filter")
    return ft.View(
        route="/",
        appbar=ft.AppBar(title=ft.Text("审核队列 Review queue"), actions=nav_actions(console)),
        padding=ft.Padding.all(16),
        scroll=ft.ScrollMode.AUTO,
        controls=[
            *bar.rows([filter_button]),
            ft.Semantics(content=problem, identifier="queue-problem"),
            ft.Semantics(content=table, identifier="queue"),
            more,
        ],
    )
