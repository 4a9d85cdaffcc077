"""The phone app's Flet entry point: page setup, and drawing the route table's screens.

It puts the parts together: the services (fieldapp.ui.services, one per process), the
toolkit each session's screens get (fieldapp.ui.shell.UI) and the route table
(fieldapp.ui.routes). Screens are modules with `async def build(ui, **params) -> ft.View`;
they read through the Store facade (in a worker thread) and emit intents. They never see
SQL or HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from fieldapp.config import AppConfig
from fieldapp.ui.privacy import PrivacyCover
from fieldapp.ui.routes import HOME, LOGIN, parent_route, resolve
from fieldapp.ui.services import AppServices
from fieldapp.ui.shell import UI
from fieldapp.ui.theme import HIGH_CONTRAST, apply_theme

TITLE = "明察 Mingcha"


async def show(ui: UI, path_and_query: str) -> None:
    """Draw the screen of a route (the sign-in screen until someone is signed in)."""
    route, params = resolve(path_and_query)
    identity = await ui.run(ui.store.identity)
    if route.signed_in and not (identity and identity.get("token")):
        route, params = LOGIN, {}  # never signed in, or signed out
    ui.page.title = TITLE  # a covert checklist or the hide screen overrides it
    ui.covert = False  # the screens of a covert visit say so (fieldapp.ui.privacy)
    stack = [await route.build(ui, **params)]
    if route.over_home:
        stack.insert(0, await HOME.build(ui))
    ui.page.views.clear()
    ui.page.views.extend(stack)
    ui.page.update()


def make_main(
    config: AppConfig, services: AppServices | None = None
) -> Callable[[ft.Page], Awaitable[None]]:
    """The Flet entry point for one session (one phone, or one browser tab in web mode);
    every session of the process shares `services` (made here when not given)."""
    shared = services or AppServices(config)

    async def main(page: ft.Page) -> None:
        page.title = TITLE
        if not page.web:  # a web page has it as its default font (theme.FONT says why)
            page.fonts = {"NotoSC": "fonts/NotoSansSC-Subset.otf"}
        await shared.start()
        lang = await asyncio.to_thread(shared.store.language) or config.lang  # chosen before
        contrast = await asyncio.to_thread(shared.store.theme) == HIGH_CONTRAST
        apply_theme(page, contrast)
        ui = UI(page, shared, show, lang, contrast)
        PrivacyCover(ui).install()  # the app-switcher cover of a covert visit

        async def on_route(e: ft.RouteChangeEvent) -> None:
            await show(ui, e.route)

        async def on_pop(e: ft.ViewPopEvent) -> None:
            await ui.go(parent_route(page.route or "/"))

        def on_disconnect(e: Any) -> None:
            ui.close()

        page.on_route_change = on_route
        page.on_view_pop = on_pop
        page.on_disconnect = page.on_close = on_disconnect
        await show(ui, page.route or "/")

    return main
