"""考核 (appraisal): a period's tables per person and per department — the guard company's
month or quarter (2026-11, 2026-Q4: seed 000) or tobacco's half-year (2026-H2: seed 001) —
the same tables as the 考核表 workbook, which a button exports as a download link; and the
organisation's formula settings, each with its seed line and whether it is assumed,
editable by admins (supervisors see them read-only).

The figures are computed in a worker thread (ConsoleServices.read); the page only draws.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldcore.problems import DomainError
from sync_server.console import transfers
from sync_server.console.screens.widgets import (
    action_button,
    form_section,
    heading,
    section_view,
    string_table,
)
from sync_server.console.shell import Console
from sync_server.org.appraisal_settings import SettingView
from sync_server.reports.access import REPORT_TZ
from sync_server.reports.appraisal_xlsx import Sheet
from sync_server.supervision import appraisal

SETTINGS_SHEET = "考核设置"  # shown as the editable form instead of a table


def cell_text(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def sheet_table(sheet: Sheet) -> list[ft.Control]:
    rows = [
        ft.DataRow(cells=[ft.DataCell(ft.Text(cell_text(v))) for v in row]) for row in sheet.rows
    ]
    table = string_table(list(sheet.header), rows, column_spacing=16)
    empty = [ft.Text("本期无考核数据 No appraisal data in this period")] if not rows else []
    return [heading(sheet.heading), ft.Row([table], scroll=ft.ScrollMode.AUTO), *empty]


def setting_field(view: SettingView, editable: bool) -> ft.TextField:
    spec = view.spec
    note = f"来源 {spec.source}" + (f" · 假定 assumed: {spec.assumed_note}" if spec.assumed else "")
    return ft.TextField(
        label=spec.title, value=view.value, helper=note, read_only=not editable, width=420
    )


async def appraisal_screen(console: Console) -> ft.View:
    services, page, user = console.services, console.page, console.user
    today = services.clock().astimezone(REPORT_TZ).date()
    period = ft.TextField(label="考核周期 Period (2026-11 / 2026-Q4 / 2026-H2)", width=320,
                          value=f"{today.year}-{today.month:02d}")  # fmt: skip
    department = ft.TextField(label="部门 Department (空=全部 all)", width=280)
    tables = ft.Column([])
    link = ft.Column([])
    is_admin = user.role == "admin"
    fields: dict[str, ft.TextField] = {}
    form = ft.Column([])

    def draw_settings(views: list[SettingView]) -> None:
        fields.clear()
        fields.update({v.spec.key: setting_field(v, is_admin) for v in views})
        form.controls = [ft.Semantics(content=f, identifier=f"setting-{k}")
                         for k, f in fields.items()]  # fmt: skip

    async def show(e: Any = None) -> None:
        try:
            sheets = await services.read(
                appraisal.appraisal_tables, user, period.value or "", department.value or ""
            )
        except DomainError as exc:
            console.fail(exc)
            return
        tables.controls = [c for s in sheets if s.name != SETTINGS_SHEET for c in sheet_table(s)]
        page.update()

    async def export(e: Any) -> None:
        try:
            download = await transfers.export(services,
                user, "appraisal", lambda d, t: None, first=period.value or "",
                region=department.value or "",
            )  # fmt: skip
            url = transfers.download_url(services, user, download.url)
        except DomainError as exc:
            console.fail(exc)
            return
        button = ft.FilledButton(f"下载 Download {download.filename}", url=url,
                                 icon=ft.Icons.DOWNLOAD)  # fmt: skip
        link.controls = [ft.Semantics(content=button, identifier="appraisal-download")]
        page.update()

    async def save(e: Any) -> None:
        changes = {key: f.value or "" for key, f in fields.items()}
        try:
            views = await services.write(appraisal.save_appraisal_settings, user, changes)
        except DomainError as exc:
            console.fail(exc)  # nothing saved: the fields keep what was typed
            return
        draw_settings(views)
        await show()
        console.toast("考核设置已保存 Appraisal settings saved")

    try:
        draw_settings(await services.read(appraisal.appraisal_settings, user))
    except DomainError as exc:
        console.fail(exc)
    await show()
    save_row = [action_button("保存设置 Save settings", save, "appraisal-save")] if is_admin else []
    return section_view(
        console,
        "/appraisal",
        "考核 Appraisal",
        [
            *form_section(
                "考核周期 Period",
                [
                    period,
                    department,
                    action_button("查看 Show", show, "appraisal-show"),
                    action_button("导出 Excel", export, "appraisal-export"),
                ],
                link,
            ),
            tables,
            ft.Divider(),
            heading("考核设置 Settings" + ("" if is_admin else "(仅管理员可修改 admins only)")),
            form,
            *save_row,
        ],
    )
