"""Console shell: one Flet session per browser tab, signed in as a supervisor or admin.

Routes: /login, / (review queue), /visit/<id> (detail and actions), /rect
(rectifications), /rect/<id> (one action: photos, verify, reopen, re-inspection), /dash
(dashboards), /tasks (scheduling) and /exports (report downloads).
Views only display and call ConsoleServices; every rule lives in the server's services.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from fieldcore.problems import DomainError, message
from sync_server.console.services import ConsoleServices
from sync_server.tables import User


class Console:
    """What a console screen gets: the page, the services and the signed-in user."""

    def __init__(self, page: ft.Page, services: ConsoleServices) -> None:
        self.page, self.services = page, services
        self.user: User | None = None
        self.render: Callable[[str], Awaitable[None]] | None = None

    async def go(self, route: str) -> None:
        if route == self.page.route and self.render is not None:
            await self.render(route)
        else:
            await self.page.push_route(route)

    def fail(self, exc: DomainError) -> None:
        text = message(exc.code, "zh") + (f"({exc.detail})" if exc.detail else "")
        self.toast(text, error=True)

    def toast(self, text: str, error: bool = False) -> None:
        self.page.show_dialog(
            ft.SnackBar(ft.Text(text), bgcolor=ft.Colors.ERROR_CONTAINER if error else None)
        )
        self.page.update()  # show_dialog switches auto-update off for this handler


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
        controls=controls,
    )


NAV = [  # (route, label, icon, semantics identifier) of the console's sections
    ("/rect", "整改跟踪 Rectifications", ft.Icons.FACT_CHECK, "open-rectifications"),
    ("/dash", "统计 Dashboards", ft.Icons.INSIGHTS, "open-dashboards"),
    ("/tasks", "排期 Scheduling", ft.Icons.EVENT, "open-tasks"),
    ("/exports", "报表 Reports", ft.Icons.DOWNLOAD, "open-exports"),
]


def nav_actions(console: Console) -> list[ft.Control]:
    """App-bar buttons to every section, and who is signed in."""
    user = console.user
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


def make_console(state: Any) -> Callable[[ft.Page], Awaitable[None]]:
    services = ConsoleServices(state)

    async def main(page: ft.Page) -> None:
        from sync_server.console import screens

        page.title = "明察 督察台 Mingcha console"
        page.fonts = {"NotoSC": "fonts/NotoSansSC-Subset.otf"}
        page.theme = ft.Theme(font_family="NotoSC", color_scheme_seed=ft.Colors.INDIGO)
        page.theme_mode = ft.ThemeMode.LIGHT
        console = Console(page, services)

        async def show(route: str) -> None:
            path = route.partition("?")[0] or "/"
            visit = re.match(r"^/visit/([0-9a-f-]{36})$", path)
            rect = re.match(r"^/rect/([0-9a-f-]{36})$", path)
            if console.user is None:
                view = await screens.login(console)
            elif visit:
                view = await screens.visit(console, uuid.UUID(visit.group(1)))
            elif rect:
                view = await screens.rectification(console, uuid.UUID(rect.group(1)))
            elif path == "/rect":
                view = await screens.rectifications(console)
            elif path == "/dash":
                view = await screens.dashboards(console)
            elif path == "/tasks":
                view = await screens.tasks(console)
            elif path == "/exports":
                view = await screens.exports(console)
            else:
                view = await screens.queue(console)
            page.views.clear()
            page.views.append(view)
            page.update()

        async def on_route(e: ft.RouteChangeEvent) -> None:
            await show(e.route)

        console.render = show
        page.on_route_change = on_route
        await show(page.route or "/")

    return main
