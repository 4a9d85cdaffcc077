"""Start a visit: checklist (versions valid for the mode), 明查 or 暗访, routine or 突击."""

from __future__ import annotations

import uuid
from typing import Any

import flet as ft

from fieldapp.ui.geo import current_position
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import big_button, tagged


async def build(ui: UI, site_id: str, task: str | None = None) -> ft.View:
    t = ui.t
    site = await ui.run(ui.store.site, uuid.UUID(site_id))
    task_row = None
    if task:
        home = await ui.run(ui.store.home)
        task_row = next((x for x in home.tasks if str(x.id) == task), None)
    mode = ft.SegmentedButton(
        segments=[
            ft.Segment(value="overt", label=ft.Text(t("visit.mode.overt"))),
            ft.Segment(value="covert", label=ft.Text(t("visit.mode.covert"))),
        ],
        selected=[task_row.mode if task_row else "overt"],
        disabled=task_row is not None,
    )
    kind = ft.SegmentedButton(
        segments=[
            ft.Segment(value="routine", label=ft.Text(t("visit.kind.routine"))),
            ft.Segment(value="surprise", label=ft.Text(t("visit.kind.surprise"))),
        ],
        selected=[task_row.kind if task_row else "routine"],
    )
    template = ft.Dropdown(label=t("visit.template"), expand=True)
    message = ft.Text("", color=ft.Colors.ERROR)

    async def load_templates(e: Any = None) -> None:
        choices = await ui.run(ui.store.templates_for, uuid.UUID(site_id), mode.selected[0])
        if task_row is not None:
            choices = [c for c in choices if c.key.startswith(f"{task_row.template_id}.v")]
        template.options = [
            ft.DropdownOption(key=c.key, text=f"{c.title} v{c.version}") for c in choices
        ]
        template.value = choices[0].key if choices else None
        message.value = "" if choices else t("visit.no_template")
        if e is not None:  # a mode change on the shown screen
            template.update()
            message.update()

    mode.on_change = load_templates
    await load_templates()

    async def start(e: Any) -> None:
        if not template.value:
            return
        lat_lon = await current_position(ui.page)
        visit = await ui.attempt(
            ui.store.start_visit,
            uuid.UUID(site_id),
            template.value,
            mode.selected[0],
            kind.selected[0],
            uuid.UUID(task) if task_row else None,
            *(lat_lon or (None, None)),
        )
        if visit is not None:
            await ui.go(f"/visit/{visit.id}")

    return ft.View(
        route=f"/new/{site_id}",
        appbar=ft.AppBar(title=ft.Text(t("visit.new"))),
        padding=ft.Padding.all(16),
        spacing=16,
        controls=[
            ft.Text(
                f"{site.code}  {site.name}" if site else site_id, size=18, weight=ft.FontWeight.BOLD
            ),
            ft.Text(site.address if site else "", color=ft.Colors.OUTLINE),
            ft.Text(t("visit.mode")),
            tagged(mode, "mode"),
            ft.Text(t("visit.kind")),
            kind,
            tagged(template, "template"),
            message,
            big_button(t("visit.start"), start, ft.Icons.PLAY_ARROW, key="start-visit"),
        ],
    )
