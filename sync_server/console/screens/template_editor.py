"""检查表编辑 (checklist editor): fix or author a template version without touching JSON.

The author edits a working copy of a server-side draft (sync_server.templates.drafts):
the titles, the scoring (pass mark, grades, per-subject, 自定), and category by category,
item by item, every field of an item (texts, deduction kind and points, cap, figure
bounds, severity, covert/photo/N-A flags, subject, source, 自定分值). A 扣分标准 phrase
can fill the deduction fields (fieldcore.deduction_rules.read_deduction). Beside the form:
a live preview scoring sample visits, the diff against the published version, and after a
refused save, what the other editor changed. 保存 saves the whole body at the revision it
was based on; 发布 saves, validates and publishes it as a new version.
"""

from __future__ import annotations

import uuid
from typing import Any

import flet as ft

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.template_loader import TemplateError
from sync_server.console.screens.editor_form import lines
from sync_server.console.screens.editor_panels import conflict_lines
from sync_server.console.screens.editor_workspace import Workspace
from sync_server.console.screens.widgets import action_button, detail_view, unavailable_view
from sync_server.console.shell import Console
from sync_server.templates import draft_edit as edit
from sync_server.templates import drafts, published
from sync_server.templates.diff import changed_fields

BACK = ("/templates", "返回模板列表 Back to templates")


async def template_editor(console: Console, draft_id: uuid.UUID) -> ft.View:
    route = f"/templates/draft/{draft_id}"
    try:
        draft = await console.services.read(drafts.get_draft, console.user, draft_id)
        base = None
        if draft.base_key:
            base = await console.services.read(
                published.published_body, console.user, draft.base_key
            )
    except DomainError as exc:
        console.fail(exc)
        return unavailable_view(route)
    editor = Editor(console, draft, base)
    view = detail_view(
        console, route, f"检查表编辑 Checklist editor: {draft.key}", BACK, editor.controls()
    )
    view.scroll = None  # the form and the side panel scroll on their own: the preview stays
    return view


class Editor(Workspace):
    """The workspace with its actions: save, reload after a refused save, publish."""

    def controls(self) -> list[ft.Control]:
        closed = self.draft.status != drafts.OPEN
        return [
            ft.Row(
                [
                    ft.Semantics(content=self.status, identifier="editor-status"),
                    action_button("保存 Save", self.on_save, "editor-save", disabled=closed),
                    action_button(
                        "发布 Publish", self.on_publish, "editor-publish", disabled=closed
                    ),
                    ft.Semantics(
                        content=ft.TextButton(
                            "放弃草稿 Discard", on_click=self.on_discard, disabled=closed
                        ),
                        identifier="editor-discard",
                    ),
                ]
            ),
            self.panes(),
        ]

    # ---- saving and publishing ------------------------------------------------------------------
    async def save(self) -> bool:
        services, user = self.console.services, self.console.user
        body = edit.working_copy(self.body)
        try:
            view = await services.write(drafts.save_draft, user, self.draft.id, self.revision, body)
        except DomainError as exc:
            if exc.code == ProblemCode.TEMPLATE_DRAFT_STALE:
                self.show_conflict(exc.details)
            self.console.fail(exc)
            return False
        self.revision, self.saved = view.revision, edit.working_copy(body)
        self.conflict.controls = []
        self.edited()
        return True

    def show_conflict(self, details: dict[str, Any]) -> None:
        unsaved = changed_fields(self.saved, self.body)
        reload = ft.OutlinedButton(
            "载入最新版本(放弃我的修改)Load the latest, dropping mine", on_click=self.on_reload
        )
        self.conflict.controls = [
            *lines(conflict_lines(details, unsaved), color=ft.Colors.ERROR),
            ft.Semantics(content=reload, identifier="editor-reload"),
        ]

    async def on_save(self, e: Any) -> None:
        if await self.save():
            self.console.toast(f"已保存 Saved: 修订 rev {self.revision}")

    async def on_reload(self, e: Any) -> None:
        try:
            view = await self.console.services.read(
                drafts.get_draft, self.console.user, self.draft.id
            )
        except DomainError as exc:
            self.console.fail(exc)
            return
        self.draft, self.revision = view, view.revision
        self.saved = edit.working_copy(view.body)
        self.conflict.controls = []
        self.load(edit.working_copy(view.body))
        self.console.toast(f"已载入修订 {view.revision} Loaded revision {view.revision}")

    async def on_discard(self, e: Any) -> None:
        """Drop the draft (as saved at this revision; a newer save by someone else stops it)."""
        services, user = self.console.services, self.console.user
        try:
            await services.write(drafts.discard_draft, user, self.draft.id, self.revision)
        except DomainError as exc:
            if exc.code == ProblemCode.TEMPLATE_DRAFT_STALE:
                self.show_conflict(exc.details)
            self.console.fail(exc)
            return
        await self.console.go("/templates")
        self.console.toast(f"已放弃草稿 Discarded: {self.draft.key}")

    async def on_publish(self, e: Any) -> None:
        if self.dirty and not await self.save():
            return
        services, user = self.console.services, self.console.user
        try:
            key = await services.write(
                lambda s: drafts.publish_draft(s, user, self.draft.id, self.revision).key
            )
        except TemplateError as exc:
            self.problems.controls = lines(
                [f"未发布:需修正 {len(exc.problems)} 处 Not published, fix:"]
                + [f"· {p}" for p in exc.problems],
                color=ft.Colors.ERROR,
            )
            self.console.fail(exc)
            return
        except DomainError as exc:
            self.console.fail(exc)
            return
        await self.console.go(f"/templates/draft/{self.draft.id}")  # redrawn as published
        self.console.toast(f"已发布 Published: {key}")
