"""Small pieces the console screens share: the app-bar buttons to every section, a section
page under the queue, a detail page, bold headings, a form section (heading, wrapping row
of fields, divider), a button a browser test finds by its Semantics identifier, a table of
string columns, the page shown in place of a visit or action the user may not open, and
the download button of a finished export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import flet as ft

from fieldcore.problems import DomainError
from sync_server.console import transfers
from sync_server.console.shell import Console
from sync_server.reports.delivery import Download

UNAVAILABLE = "无权查看或不存在"
NAV = [  # (route, label, icon, semantics identifier) of the console's sections
    ("/rect", "整改跟踪 Rectifications", ft.Icons.FACT_CHECK, "open-rectifications"),
    ("/dash", "统计 Dashboards", ft.Icons.INSIGHTS, "open-dashboards"),
    ("/tasks", "排期 Scheduling", ft.Icons.EVENT, "open-tasks"),
    ("/exports", "报表 Reports", ft.Icons.DOWNLOAD, "open-exports"),
    ("/templates", "模板 Templates", ft.Icons.EDIT_NOTE, "open-templates"),
    ("/appraisal", "考核 Appraisal", ft.Icons.LEADERBOARD, "open-appraisal"),
    ("/admin", "管理 Admin", ft.Icons.ADMIN_PANEL_SETTINGS, "open-admin"),
]


def nav_actions(console: Console) -> list[ft.Control]:
    """App-bar buttons to every section, and who is signed in."""
    user = console.signed_in
    buttons: list[ft.Control] = [
        ft.Semantics(
            content=ft.TextButton(
                label,
                icon=icon,
                on_click=lambda e, r=route: console.page.run_task(console.go, r),
            ),
            identifier=ident,
        )
        for route, label, icon, ident in NAV
    ]
    if user:
        buttons.append(ft.Text(f"{user.display_name or user.username} ({user.role})  "))
    return buttons


def section_view(
    console: Console, route: str, title: str, controls: list[ft.Control], nav: bool = True
) -> ft.View:
    """A scrolling page whose app bar's arrow leads back to the review queue and, with
    `nav`, carries the buttons to every other section."""
    return ft.View(
        route=route,
        appbar=ft.AppBar(
            title=ft.Text(title),
            leading=ft.IconButton(
                ft.Icons.ARROW_BACK,
                tooltip="返回队列 Back to the queue",
                on_click=lambda e: console.page.run_task(console.go, "/"),
            ),
            actions=nav_actions(console) if nav else None,
        ),
        padding=ft.Padding.all(16),
        scroll=ft.ScrollMode.AUTO,
        controls=[*controls],
    )


def detail_view(
    console: Console, route: str, title: str, back: tuple[str, str], controls: list[ft.Control]
) -> ft.View:
    """A scrolling detail page with a titled app bar whose arrow leads back to (route, label)."""
    back_route, back_label = back
    return ft.View(
        route=route,
        appbar=ft.AppBar(
            title=ft.Text(title, size=16),
            leading=ft.IconButton(
                ft.Icons.ARROW_BACK,
                tooltip=back_label,
                on_click=lambda e: console.page.run_task(console.go, back_route),
            ),
        ),
        padding=ft.Padding.all(16),
        scroll=ft.ScrollMode.AUTO,
        controls=[*controls],
    )


def heading(text: str) -> ft.Text:
    """The title of a section or panel."""
    return ft.Text(text, size=16, weight=ft.FontWeight.BOLD)


def form_section(title: str, fields: list[ft.Control], *after: ft.Control) -> list[ft.Control]:
    """A headed row of fields (wrapping on a narrow window), what follows it, a divider."""
    return [heading(title), ft.Row(fields, wrap=True), *after, ft.Divider()]


def action_button(
    label: str, on_click: Callable[[Any], Any], ident: str, **style: Any
) -> ft.Control:
    """A filled button, found in the DOM as [flt-semantics-identifier=ident]."""
    return ft.Semantics(
        content=ft.FilledButton(label, on_click=on_click, **style), identifier=ident
    )


def string_table(
    columns: Sequence[str], rows: list[ft.DataRow] | None = None, **style: Any
) -> ft.DataTable:
    """A table with a plain text heading per column."""
    return ft.DataTable(columns=[ft.DataColumn(label=c) for c in columns], rows=rows or [], **style)


def unavailable_view(route: str) -> ft.View:
    """Shown for an id that is unknown or outside the user's scope (the toast says which)."""
    return ft.View(route=route, controls=[ft.Text(UNAVAILABLE)])


def download_button(console: Console, download: Download) -> ft.FilledButton:
    """A finished file's link with a one-time ticket for the signed-in user; each click
    arms the next ticket (a ticket is spent by the download it opens). An expired link
    says so instead of opening a dead page."""
    services, user, page = console.services, console.user, console.page
    button = ft.FilledButton(f"下载 Download {download.filename}", icon=ft.Icons.DOWNLOAD)

    def arm() -> bool:
        try:
            button.url = transfers.download_url(services, user, download.url)
        except DomainError as exc:
            button.url, button.disabled = None, True
            console.fail(exc)
            return False
        return True

    def rearm(e: Any) -> None:
        if arm():
            page.update()

    button.on_click = rearm
    arm()
    return button
