"""Site picker: instant search over code, name and address; recently used sites first."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldapp.store.queries import SiteItem
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import TAP, tagged


async def build(ui: UI) -> ft.View:
    t = ui.t
    results = ft.ListView(spacing=0, expand=True, item_extent=64)

    def tile(site: SiteItem) -> ft.Control:
        return ft.ListTile(
            title=ft.Text(f"{site.code}  {site.name}"),
            subtitle=ft.Text(site.address or site.type, size=12),
            leading=ft.Icon(ft.Icons.HISTORY if site.recent else ft.Icons.PLACE),
            min_height=TAP,
            on_click=lambda e: ui.page.run_task(ui.go, f"/new/{site.id}"),
        )

    async def search(text: str) -> None:
        found = await ui.run(ui.store.search_sites, text, 60)
        results.controls = [tile(s) for s in found]
        results.update()

    async def on_change(e: Any) -> None:
        await search(e.control.value or "")

    box = ft.TextField(
        label=t("sites.search"), prefix_icon=ft.Icons.SEARCH, autofocus=True, on_change=on_change
    )
    results.controls = [tile(s) for s in await ui.run(ui.store.search_sites, "", 60)]
    return ft.View(
        route="/sites",
        appbar=ft.AppBar(title=ft.Text(t("sites.title"))),
        controls=[tagged(box, "site-search"), results],
        padding=ft.Padding.all(12),
    )
