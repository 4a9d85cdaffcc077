"""The checklist editor's form pieces: a group of fields bound to one part of the draft body
(the header, the scoring, one grade, the category or the item being edited).

A `FieldForm` draws one control per field spec of sync_server.templates.draft_edit (a text
field, a checkbox, or a dropdown for the fields with fixed choices) and writes what the
author types straight into the bound dict (draft_edit.set_value), then calls `on_edit` so
the screen can refresh its preview and diff. `bind` points the same controls at another
dict (another item) without rebuilding them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from sync_server.templates.draft_edit import Body, Kind, get_value, set_value

CHOICES: dict[str, list[tuple[str, str]]] = {
    "deduction.kind": [
        ("fixed", "一项不符扣分 fixed"),
        ("per_occurrence", "按次扣分 per occurrence"),
        ("zero_category", "本类不得分 zero category"),
        ("veto", "一票否决 veto"),
        ("figure", "按数值扣分 figure"),
    ],
    "severity": [("minor", "一般 minor"), ("major", "较重 major"), ("critical", "严重 critical")],
    "floor": [("zero", "扣完为止 zero"), ("none", "可为负 none")],
}
HINTS = {  # what an empty field means
    "deduction.step": "空=1",
    "deduction.unit": "空=%",
    "deduction.cap": "空=不设上限",
    "subject": "空=同类别",
    "assumed_note": "自定分值时说明依据",
}
WIDE = {"text", "text_en", "guidance", "title", "title_en", "assumed_note", "description"}


class FieldForm:
    def __init__(
        self, specs: list[tuple[str, Kind, str]], on_edit: Callable[[], None], prefix: str
    ) -> None:
        self.node: Body = {}
        self.on_edit = on_edit
        self.fields: dict[str, ft.Control] = {}
        self.kinds = {path: kind for path, kind, _ in specs}
        for path, kind, label in specs:
            self.fields[path] = self._control(path, kind, label)
        self.row = ft.Semantics(
            content=ft.Row(list(self.fields.values()), wrap=True), identifier=f"{prefix}-form"
        )

    def bind(self, node: Body | None, editable: bool = True) -> None:
        """Show and edit `node` from now on; with no node (no category or item left) or
        not editable (a published draft), the fields are shown disabled, so nothing typed
        can go nowhere."""
        self.node = node if node is not None else {}
        for path, control in self.fields.items():
            control.disabled = node is None or not editable
            value = get_value(self.node, path)
            if isinstance(control, ft.Checkbox):
                control.value = bool(value)
            else:
                control.value = "" if value is None else str(value)  # type: ignore[attr-defined]

    def _control(self, path: str, kind: Kind, label: str) -> ft.Control:
        def changed(e: Any) -> None:
            set_value(self.node, path, kind, e.control.value)
            self.on_edit()

        if kind == "bool":
            return ft.Checkbox(label=label, on_change=changed)
        if path in CHOICES:
            return ft.Dropdown(
                label=label,
                width=220,
                options=[ft.DropdownOption(key=k, text=t) for k, t in CHOICES[path]],
                on_select=changed,
            )
        wide = path.rsplit(".", 1)[-1] in WIDE
        return ft.TextField(
            label=label, width=520 if wide else 170, hint_text=HINTS.get(path), on_change=changed
        )


def picker(label: str, ident: str, on_pick: Callable[[int], None]) -> ft.Dropdown:
    """A dropdown choosing an entry by its index (its options are set by the screen)."""

    def picked(e: Any) -> None:
        if e.control.value not in (None, ""):
            on_pick(int(e.control.value))

    return ft.Dropdown(label=label, width=360, on_select=picked, key=ident)


def set_choices(dropdown: ft.Dropdown, labels: list[str], index: int) -> None:
    dropdown.options = [ft.DropdownOption(key=str(i), text=t) for i, t in enumerate(labels)]
    dropdown.value = str(index) if 0 <= index < len(labels) else None


def icon_button(
    icon: ft.IconData, tip: str, on_click: Callable[[Any], Any], **style: Any
) -> ft.IconButton:
    return ft.IconButton(icon, tooltip=tip, on_click=on_click, **style)


def lines(texts: list[str], **style: Any) -> list[ft.Control]:
    return [ft.Text(t, **style) for t in texts]
