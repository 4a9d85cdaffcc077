"""The supervisor console's Flet app (mounted under /console by sync_server.console): one
session per browser tab, signed in as a supervisor or admin.

It puts the parts together: the services (sync_server.console.services, one per server
process), the toolkit each tab's screens get (sync_server.console.shell.Console) and the
route table (sync_server.console.routes): /login, / (review queue), /visit/<id> (detail
and actions), /rect (rectifications), /rect/<id> (one action: photos, verify, reopen,
re-inspection), /dash (dashboards), /tasks (scheduling), /exports (report downloads),
/templates (checklist templates and drafts) and /templates/draft/<id> (the editor).
Views only display and call the services; every rule lives in the server's domain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from sync_server.console.routes import LOGIN, resolve
from sync_server.console.services import ConsoleServices
from sync_server.console.shell import Console


async def show(console: Console, path_and_query: str) -> None:
    """Draw the screen of a route (the sign-in screen until someone is signed in)."""
    route, params = resolve(path_and_query)
    if console.signed_in is not None and not await console.services.session_holds():
        console.signed_in = None  # disabled, demoted or a new password since signing in
    if console.signed_in is None:
        route, params = LOGIN, {}
    view = await route.screen(console, params)
    console.page.views.clear()
    console.page.views.append(view)
    console.page.update()


def make_console(services: ConsoleServices) -> Callable[[ft.Page], Awaitable[None]]:
    """The Flet entry point for one browser tab; every tab shares `services`."""

    async def main(page: ft.Page) -> None:
        page.title = "明察 督察台 Mingcha console"
        # No page.fonts: the console is only ever a web page, whose engine starts with the
        # bundled CJK font as its default font (sync_server.console.mount_console says
        # why); "NotoSC", registered nowhere here, resolves to that default.
        page.theme = ft.Theme(font_family="NotoSC", color_scheme_seed=ft.Colors.INDIGO)
        page.theme_mode = ft.ThemeMode.LIGHT
        console = Console(page, services.for_tab(), show)

        async def on_route(e: ft.RouteChangeEvent) -> None:
            await show(console, e.route)

        page.on_route_change = on_route
        await show(console, page.route or "/")

    return main
