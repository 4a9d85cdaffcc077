"""Small pieces the console screens share: a section page under the queue, bold headings,
a form section (heading, wrapping row of fields, divider), a button a browser test finds
by its Semantics identifier, a table of string columns and the page shown in place of a
visit or action the user may not open."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import flet as ft

from sync_server.console.app import Console, nav_actions

UNAVAILABLE = "无权查看或不存在"


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
        controls=controls,
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
    return ft.DataTable(
        columns=[ft.DataColumn(ft.Text(c)) for c in columns], rows=rows or [], **style
    )


def unavailable_view(route: str) -> ft.View:
    """Shown for an id that is unknown or outside the user's scope (the toast says which)."""
    return ft.View(route=route, controls=[ft.Text(UNAVAILABLE)])
