"""Home: the sync badge, returned visits, assigned tasks, drafts, submitted, rectifications."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldapp.store.queries import Home, RectItem, TaskItem, VisitItem
from fieldapp.sync.runner import SyncState
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import (
    TAP,
    progress_text,
    progress_value,
    section,
    status_chip,
    sync_line,
    tagged,
    when,
)


def sync_banner(ui: UI) -> ft.Control:
    """A tappable line that always says where sync stands; live while syncing."""
    line = ft.Text("", size=13)
    bar = ft.ProgressBar(value=None, visible=False)
    detail = ft.Text("", size=12, color=ft.Colors.OUTLINE, visible=False)

    async def refresh() -> None:
        status = await ui.run(ui.store.sync_status)
        state = ui.sync.state
        line.value = sync_line(status, state, ui.t)
        bar.visible = detail.visible = state.running
        bar.value = progress_value(state)
        detail.value = progress_text(state, ui.t)
        try:
            line.update()
            bar.update()
            detail.update()
        except RuntimeError:  # this screen is gone
            ui.unlisten(listener)

    seen = {"running": ui.sync.state.running}

    def listener(state: SyncState) -> None:
        finished = seen["running"] and not state.running
        seen["running"] = state.running
        report = state.last_report
        if finished and report is not None and report.pulled and ui.page.route in ("/", ""):
            ui.page.run_task(ui.refresh)  # new tasks, returned visits…: show them
        else:
            ui.page.run_task(refresh)

    ui.listen(listener)
    ui.page.run_task(refresh)

    async def open_sync(e: Any) -> None:
        await ui.go("/login" if ui.sync.state.needs_login else "/sync")

    box = ft.Container(
        ft.Column([line, bar, detail], spacing=4),
        padding=ft.Padding.symmetric(horizontal=10, vertical=15),  # ≥ 48 px to tap
        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
        border_radius=ft.BorderRadius.all(8),
        on_click=open_sync,
        ink=True,
    )
    return tagged(box, "sync-badge")


def visit_tile(ui: UI, item: VisitItem) -> ft.Control:
    t = ui.t
    covert = item.mode == "covert"
    title = item.site_name if not covert else f"{item.site_code}"
    subtitle = [item.template_title, when(item.updated_at)]
    if item.percent is not None:
        subtitle.append(f"{item.percent}")
    if item.posts:  # a per-subject template: each post's result, no pooled percent
        subtitle.append(item.posts)
    tile = ft.ListTile(
        title=ft.Text(title),
        subtitle=ft.Text(" · ".join(s for s in subtitle if s)),
        leading=ft.Icon(ft.Icons.VISIBILITY_OFF if covert else ft.Icons.STOREFRONT),
        trailing=status_chip(item.status, t),
        min_height=TAP,
        on_click=lambda e, vid=item.id: ui.page.run_task(ui.go, f"/visit/{vid}"),
    )
    extras: list[ft.Control] = [tile]
    if item.return_comment and item.status == "returned":
        extras.append(
            ft.Text(
                t("check.returned", text=item.return_comment), color=ui.palette.warning, size=12
            )
        )
    if item.sync_error:
        extras.append(ft.Text(item.sync_error, color=ft.Colors.ERROR, size=12))
    return ft.Card(ft.Column(extras, spacing=0), margin=ft.Margin.all(0))


def task_tile(ui: UI, task: TaskItem) -> ft.Control:
    t = ui.t
    due = (
        t("home.overdue")
        if task.overdue
        else (t("home.due", date=when(task.window_end)) if task.window_end else "")
    )
    covert = task.mode == "covert"  # as for visits: no shop name on a glanceable list
    return ft.Card(
        ft.ListTile(
            title=ft.Text(task.site_code if covert else task.site_name),
            subtitle=ft.Text(
                " · ".join(filter(None, [task.template_title, t(f"visit.mode.{task.mode}"), due]))
            ),
            leading=ft.Icon(ft.Icons.ASSIGNMENT, color=ft.Colors.ERROR if task.overdue else None),
            min_height=TAP,
            on_click=lambda e: ui.page.run_task(ui.go, f"/new/{task.site_id}?task={task.id}"),
        ),
        margin=ft.Margin.all(0),
    )


def rect_tile(ui: UI, rect: RectItem) -> ft.Control:
    t = ui.t
    return ft.Card(
        ft.ListTile(
            title=ft.Text(f"{rect.site_name} · {rect.item_code}"),
            subtitle=ft.Text(f"{rect.instructions[:40]} · {t('home.due', date=rect.due_date)}"),
            leading=ft.Icon(ft.Icons.BUILD, color=ft.Colors.ERROR if rect.overdue else None),
            trailing=ft.Text(t(f"rect.status.{rect.status}"), size=12),
            min_height=TAP,
            on_click=lambda e: ui.page.run_task(ui.go, f"/rect/{rect.id}"),
        ),
        margin=ft.Margin.all(0),
    )


async def build(ui: UI) -> ft.View:
    t = ui.t
    identity = await ui.run(ui.store.identity) or {}
    role = identity.get("user", {}).get("role", "inspector")
    home: Home = await ui.run(ui.store.home)
    body: list[ft.Control] = [sync_banner(ui)]
    if role == "site_manager":
        body.append(
            section(t("home.rectifications"), [rect_tile(ui, r) for r in home.rectifications], t)
        )
    else:
        if home.returned:
            body.append(section(t("home.returned"), [visit_tile(ui, v) for v in home.returned], t))
        body += [
            section(t("home.tasks"), [task_tile(ui, x) for x in home.tasks], t),
            section(t("home.drafts"), [visit_tile(ui, v) for v in home.drafts], t),
            section(t("home.submitted"), [visit_tile(ui, v) for v in home.submitted], t),
        ]

    async def sign_out(e: Any) -> None:
        await ui.run(ui.store.sign_out)
        await ui.go("/login")

    menu = ft.PopupMenuButton(
        padding=12,  # a 48 px target, as the icon buttons beside it (theme.py)
        items=[
            ft.PopupMenuItem(content=ft.Text(t("common.language")), on_click=ui.toggle_language),
            ft.PopupMenuItem(
                content=ft.Text(ui.contrast_caption()),
                on_click=ui.toggle_contrast,
            ),
            ft.PopupMenuItem(content=ft.Text(t("common.sign_out")), on_click=sign_out),
        ],
    )
    fab = None
    if role == "inspector":
        fab = ft.FloatingActionButton(
            icon=ft.Icons.ADD,
            content=ft.Text(t("home.new_visit")),
            on_click=lambda e: ui.page.run_task(ui.go, "/sites"),
        )
    return ft.View(
        route="/",
        appbar=ft.AppBar(
            # a site manager's home lists only corrective actions: title it so
            title=ft.Text(t("home.title.site_manager" if role == "site_manager" else "home.title")),
            actions=[
                ft.IconButton(
                    ft.Icons.SYNC,
                    tooltip=t("sync.now"),
                    on_click=lambda e: ui.page.run_task(ui.sync.sync_now),
                ),
                menu,
            ],
        ),
        floating_action_button=fab,
        controls=[ft.ListView(body, spacing=16, padding=ft.Padding.all(12), expand=True)],
        padding=0,
    )
