"""排期 (scheduling): ask for one visit at one site, or draw a random N% sample of a region's
sites (抽查, 5% by default), and see the newest tasks in the supervisor's scope. Windows are
whole China-time days; every check (scope, template, mode, inspector coverage) is the
scheduling service's, and its refusal is shown with the problem's message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import flet as ft

from fieldcore.problems import DomainError
from sync_server.console.screens.widgets import (
    action_button,
    form_section,
    heading,
    section_view,
    string_table,
)
from sync_server.console.shell import Console
from sync_server.reports.access import REPORT_TZ
from sync_server.supervision.scheduling import recent_tasks

MODE_ZH = {"overt": "明查 Overt", "covert": "暗访 Covert"}
STATUS_ZH = {"open": "待执行", "done": "已完成", "cancelled": "已取消"}
COLUMNS = ["门店 Site", "模板 Template", "方式 Mode", "检查员 Inspector", "时间窗 Window", "状态"]


def task_cells(t: Any) -> list[ft.DataCell]:
    start = t.window_start.astimezone(REPORT_TZ).date().isoformat()
    last = (t.window_end.astimezone(REPORT_TZ) - timedelta(seconds=1)).date().isoformat()
    return [
        ft.DataCell(ft.Text(f"{t.site_code} {t.site_name}")),
        ft.DataCell(ft.Text(t.template_id)),
        ft.DataCell(ft.Text(MODE_ZH.get(t.mode, t.mode))),
        ft.DataCell(ft.Text(t.assignee)),
        ft.DataCell(ft.Text(f"{start} ~ {last}")),
        ft.DataCell(ft.Text(STATUS_ZH.get(t.status, t.status))),
    ]


def task_rows(tasks: list[Any]) -> list[ft.DataRow]:
    return [ft.DataRow(cells=task_cells(t)) for t in tasks]


class Plan:
    """The fields both forms share: template, mode and the window's first and last day."""

    def __init__(self, templates: list[tuple[str, str, list[str]]], today: str, last: str):
        ids = [t[0] for t in templates]
        self.template = ft.Dropdown(
            label="模板 Template",
            width=260,
            options=[ft.DropdownOption(key=i, text=f"{title} ({i})") for i, title, _ in templates],
            value="store-patrol" if "store-patrol" in ids else (ids[0] if ids else None),
        )
        self.mode = ft.Dropdown(
            label="方式 Mode",
            width=150,
            options=[ft.DropdownOption(key=k, text=v) for k, v in MODE_ZH.items()],
            value="overt",
        )
        self.first = ft.TextField(label="开始 Start (YYYY-MM-DD)", value=today, width=180)
        self.last = ft.TextField(label="结束 End (YYYY-MM-DD)", value=last, width=180)

    def values(self) -> tuple[str, str, str, str]:
        return (
            self.template.value or "",
            self.mode.value or "",
            self.first.value or "",
            self.last.value or "",
        )

    def controls(self) -> list[ft.Control]:
        return [self.template, self.mode, self.first, self.last]


async def tasks(console: Console) -> ft.View:
    services, user = console.services, console.user
    today = services.clock().astimezone(REPORT_TZ).date()
    days = (today.isoformat(), (today + timedelta(days=6)).isoformat())
    templates = await services.templates()
    one, many = Plan(templates, *days), Plan(templates, *days)
    site = ft.TextField(label="门店编码 Site code", width=160)
    assignee = ft.TextField(label="检查员 Inspector (username)", width=220)
    region = ft.TextField(label="抽查区域 Region code", width=170)
    percent = ft.TextField(label="比例 Percent (%)", value="5", width=130)
    inspectors = ft.TextField(label="抽查检查员 Inspectors (逗号分隔 comma-separated)", width=320)
    result = ft.Text("", weight=ft.FontWeight.BOLD)
    created = string_table(COLUMNS)
    recent = string_table(COLUMNS)

    async def refresh_recent() -> None:
        try:
            recent.rows = task_rows(await services.read(recent_tasks, user))
        except DomainError as exc:
            console.fail(exc)

    async def show(text: str, rows: list[Any]) -> None:
        result.value = text
        created.rows = task_rows(rows)
        await refresh_recent()
        console.toast(text)  # ends with page.update(): the tables go out with it

    async def create_one(e: Any) -> None:
        template, mode, first, last = one.values()
        try:
            rows = await services.create_task(
                user,
                site.value or "",
                template,
                mode,
                assignee.value or "",
                first,
                last,
            )
        except DomainError as exc:
            console.fail(exc)
            return
        await show(f"已创建 1 个任务 Created 1 task: {rows[0].site_code}", rows)

    async def create_sample(e: Any) -> None:
        template, mode, first, last = many.values()
        try:
            seed, population, rows = await services.sample_tasks(
                user,
                region.value or "",
                percent.value or "",
                template,
                mode,
                inspectors.value or "",
                first,
                last,
            )
        except DomainError as exc:
            console.fail(exc)
            return
        codes = "、".join(t.site_code for t in rows)
        await show(
            f"已从 {population} 家门店抽取 {len(rows)} 家 Sampled {len(rows)} of {population}"
            f" sites (seed {seed}): {codes}",
            rows,
        )

    await refresh_recent()
    return section_view(
        console,
        "/tasks",
        "排期 Scheduling",
        [
            *form_section(
                "单个任务 One task",
                [site, *one.controls(), assignee],
                action_button("创建任务 Create task", create_one, "task-create"),
            ),
            *form_section(
                "随机抽查 Random sample (抽查比例向上取整,至少一家)",
                [region, percent, *many.controls(), inspectors],
                action_button("抽取并创建 Draw sample", create_sample, "task-sample"),
            ),
            ft.Semantics(content=result, identifier="tasks-result"),
            ft.Semantics(content=created, identifier="tasks-created"),
            ft.Divider(),
            heading("最近的任务 Recent tasks (本人范围 in your scope)"),
            ft.Semantics(content=recent, identifier="tasks-recent"),
        ],
    )
