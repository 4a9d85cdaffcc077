"""The checklist editor's workspace: the working copy of a draft body and the form that
edits it — pickers for the category and item, their fields, the scoring and grades, the
扣分标准 reader — with the side panels that follow every edit: the live preview and the
diff against the published version. Nothing here talks to the server; saving, reloading
and publishing are template_editor.Editor's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from fieldcore.deduction_rules import read_deduction
from sync_server.console.screens.editor_form import (
    FieldForm,
    icon_button,
    lines,
    picker,
    set_choices,
)
from sync_server.console.screens.editor_panels import diff_lines, preview_lines, reading_line
from sync_server.console.screens.widgets import heading
from sync_server.console.shell import Console
from sync_server.templates import draft_edit as edit
from sync_server.templates import drafts
from sync_server.templates.preview import preview


def panel(ident: str) -> tuple[ft.Column, ft.Control]:
    column = ft.Column(spacing=2)
    return column, ft.Semantics(content=column, identifier=ident)


class Workspace:
    """One editing session of one draft: the working copy, its form and side panels
    (saving and publishing: template_editor.Editor)."""

    def __init__(self, console: Console, draft: drafts.DraftView, base: dict[str, Any] | None):
        self.console, self.draft, self.base = console, draft, base
        self.body, self.saved = edit.working_copy(draft.body), edit.working_copy(draft.body)
        self.revision, self.ci, self.ii = draft.revision, 0, 0
        self.status = ft.Text(weight=ft.FontWeight.BOLD)
        self.header = FieldForm(
            [
                ("title", "text", "标题 Title"),
                ("title_en", "text", "英文标题 English title"),
                ("covert_camera_only", "bool", "暗访仅限现场拍照 Covert: camera only"),
            ],
            self.edited,
            "editor-header",
        )
        self.scoring = FieldForm(edit.SCORING_FIELDS, self.edited, "editor-scoring")
        self.grades = ft.Column(spacing=0)
        self.category = FieldForm(edit.CATEGORY_FIELDS, self.edited, "editor-category")
        self.item = FieldForm(edit.ITEM_FIELDS, self.edited, "editor-item")
        self.category_pick = picker("类别 Category", "category-pick", self.show_category)
        self.item_pick = picker("条目 Item", "item-pick", self.show_item)
        self.rule = ft.TextField(label="扣分标准 Deduction rule (如 扣2分)", width=420)
        self.reading = ft.Text()
        self.preview, self.preview_box = panel("editor-preview")
        self.diff, self.diff_box = panel("editor-diff")
        self.conflict, self.conflict_box = panel("editor-conflict")
        self.problems, self.problems_box = panel("editor-problems")
        self.load(self.body)

    # ---- layout -----------------------------------------------------------------------------
    def panes(self) -> ft.Control:
        """The form (left) and the preview, diff and problems (right), each scrolling."""
        form = ft.Column(
            [  # the item first: what an author fixes most, in view without scrolling
                ft.Container(height=4),  # room for the first dropdown's floating label
                ft.Row([self.category_pick, *self._list_buttons("category")], wrap=True),
                ft.Row([self.item_pick, *self._list_buttons("item")], wrap=True),
                heading("条目 Item"),
                self.item.row,
                ft.Row(
                    [
                        self.rule,
                        ft.OutlinedButton(
                            "识别扣分标准 Read rule",
                            on_click=self.on_read,
                            disabled=not self.editable,
                        ),
                    ],
                    wrap=True,
                ),
                ft.Semantics(content=self.reading, identifier="editor-reading"),
                ft.Divider(),
                heading("类别 Category"),
                self.category.row,
                ft.Divider(),
                heading("评分 Scoring(合格线与等级)"),
                self.scoring.row,
                self.grades,
                ft.TextButton(
                    "添加等级 Add grade",
                    icon=ft.Icons.ADD,
                    on_click=self.on_add_grade,
                    disabled=not self.editable,
                ),
                ft.Divider(),
                heading("模板 Template"),
                self.header.row,
            ],
            expand=True,
            scroll=ft.ScrollMode.AUTO,
        )
        side = ft.Column(
            [
                self.conflict_box,
                self.problems_box,
                heading("预览 Preview(样例评分)"),
                self.preview_box,
                ft.Divider(),
                heading("与已发布版本比较 Changes"),
                self.diff_box,
            ],
            width=480,
            scroll=ft.ScrollMode.AUTO,
        )
        return ft.Row([form, side], vertical_alignment=ft.CrossAxisAlignment.START, expand=True)

    def _list_buttons(self, what: str) -> list[ft.Control]:
        zh = "类别" if what == "category" else "条目"
        return [
            icon_button(ft.Icons.ADD, f"添加{zh} Add", lambda e: self.on_add(what)),
            icon_button(
                ft.Icons.DELETE_OUTLINE, f"删除{zh} Remove", lambda e: self.on_remove(what)
            ),
            icon_button(ft.Icons.ARROW_UPWARD, "上移 Up", lambda e: self.on_move(what, -1)),
            icon_button(ft.Icons.ARROW_DOWNWARD, "下移 Down", lambda e: self.on_move(what, 1)),
        ]

    # ---- showing ------------------------------------------------------------------------------
    def load(self, body: dict[str, Any]) -> None:
        """Show a body (the draft as opened or reloaded): every form rebinds to it."""
        self.body = body
        self.header.bind(body, self.editable)
        self.scoring.bind(body.setdefault("scoring", {}), self.editable)
        self.draw_grades()
        self.show_category(min(self.ci, len(edit.categories(body)) - 1))

    def show_category(self, ci: int) -> None:
        self.ci = ci
        cats = edit.categories(self.body)
        self.category.bind(cats[ci] if ci >= 0 else None, self.editable)
        labels = [f"{c.get('code', '?')} {c.get('title', '')}" for c in cats]
        set_choices(self.category_pick, labels, ci)
        self.show_item(0 if ci >= 0 and edit.items(self.body, ci) else -1)

    def show_item(self, ii: int) -> None:
        self.ii = ii
        entries = edit.items(self.body, self.ci) if self.ci >= 0 else []
        self.item.bind(entries[ii] if ii >= 0 else None, self.editable)
        labels = [f"{i.get('code', '?')} {str(i.get('text', ''))[:24]}" for i in entries]
        set_choices(self.item_pick, labels, ii)
        self.reading.value = ""
        self.edited()

    def draw_grades(self) -> None:
        grades = self.body["scoring"].setdefault("grades", [])
        rows: list[ft.Control] = []
        for gi, grade in enumerate(grades):
            form = FieldForm(edit.GRADE_FIELDS, self.edited, f"editor-grade-{gi}")
            form.bind(grade, self.editable)
            remove = icon_button(ft.Icons.CLOSE, "删除等级 Remove grade", self.grade_remover(gi))
            rows.append(ft.Row([form.row, remove]))
        self.grades.controls = rows

    def edited(self) -> None:
        """After any edit: the preview, the diff and the status follow the working copy
        (a refused publish's list is dropped: the preview lists what is still wrong)."""
        self.problems.controls = []
        self.preview.controls = lines(preview_lines(preview(self.body)))
        self.diff.controls = lines(diff_lines(self.base, self.body), size=12)
        if self.ci >= 0:  # a changed code or title shows in the pickers at once
            cats = edit.categories(self.body)
            set_choices(
                self.category_pick,
                [f"{c.get('code', '?')} {c.get('title', '')}" for c in cats],
                self.ci,
            )
            entries = edit.items(self.body, self.ci)
            set_choices(
                self.item_pick,
                [f"{i.get('code', '?')} {str(i.get('text', ''))[:24]}" for i in entries],
                self.ii,
            )
        dirty = "有未保存的修改 Unsaved changes" if self.dirty else "已保存 Saved"
        if self.draft.status != drafts.OPEN:
            dirty = (
                f"已发布为 {self.draft.published_key} Published"
                if self.draft.published_key
                else "已放弃 Discarded"
            )
        base = self.draft.base_key or "新模板 new template"
        self.status.value = f"{self.draft.key} · 修订 rev {self.revision} · 基于 {base} · {dirty}"

    @property
    def editable(self) -> bool:
        """Only an open draft can change (a published one is shown as it was published)."""
        return self.draft.status == drafts.OPEN

    @property
    def dirty(self) -> bool:
        return self.body != self.saved

    # ---- structure edits ---------------------------------------------------------------------
    def on_add(self, what: str) -> None:
        if not self.editable:
            return
        if what == "category":
            self.show_category(edit.add_category(self.body))
        elif self.ci >= 0:
            self.show_item(edit.add_item(self.body, self.ci))

    def on_remove(self, what: str) -> None:
        if not self.editable:
            return
        if what == "category" and self.ci >= 0:
            self.show_category(edit.remove(edit.categories(self.body), self.ci))
        elif what == "item" and self.ii >= 0:
            self.show_item(edit.remove(edit.items(self.body, self.ci), self.ii))

    def on_move(self, what: str, delta: int) -> None:
        if not self.editable:
            return
        if what == "category" and self.ci >= 0:
            self.show_category(edit.move(edit.categories(self.body), self.ci, delta))
        elif what == "item" and self.ii >= 0:
            self.show_item(edit.move(edit.items(self.body, self.ci), self.ii, delta))

    def on_add_grade(self, e: Any) -> None:
        if not self.editable:
            return
        edit.add_grade(self.body)
        self.draw_grades()
        self.edited()

    def grade_remover(self, gi: int) -> Callable[[Any], None]:
        def remove(e: Any) -> None:
            if not self.editable:
                return
            edit.remove(self.body["scoring"]["grades"], gi)
            self.draw_grades()
            self.edited()

        return remove

    def on_read(self, e: Any) -> None:
        if not self.editable:
            return
        reading = read_deduction(self.rule.value or "")
        if self.ii >= 0 and edit.apply_reading(edit.items(self.body, self.ci)[self.ii], reading):
            self.item.bind(edit.items(self.body, self.ci)[self.ii], self.editable)
        self.reading.value = reading_line(reading)
        self.edited()
