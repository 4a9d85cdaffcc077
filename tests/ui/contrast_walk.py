"""Every text on a harness screen, with the colour it is drawn in and the colour behind it.

A text's colour is its own (`color`, `style.color`) or what its Material ancestor gives it
(a FilledButton's label is on_primary, a ListTile's subtitle on_surface_variant, …); its
background is the nearest ancestor that paints one (a Container's bgcolor, a Card, the
View). Colour roles resolve in the theme's scheme (fieldapp.ui.theme). The defaults below
are Flutter's Material 3 ones for the controls the phone uses. Whatever this walker cannot
tell — a control type it has no rule for, a colour it cannot resolve, a translucent layer —
is listed in `unresolved`, never skipped. Disabled controls are exempt (WCAG 1.4.3/1.4.6
exempt inactive components) and listed in `exempt`; tooltips are not measured.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import flet as ft
import flet.canvas as cv
from flet.controls.base_control import BaseControl

from fieldapp.ui.contrast import contrast_ratio
from fieldapp.ui.theme import resolve

# Layout-only controls: they paint nothing and pass their colours on.
PASS_THROUGH = (
    ft.Column,
    ft.Row,
    ft.ListView,
    ft.Semantics,
    ft.GestureDetector,
    ft.InteractiveViewer,
    ft.Stack,
    ft.SafeArea,
)
NO_TEXT = (
    ft.Icon,
    ft.Image,
    ft.ProgressBar,
    ft.ProgressRing,
    ft.IconButton,
    ft.Divider,
    ft.FilePicker,
)
TEXT_FIELDS = (
    "value",
    "label",
    "text",
    "content",
    "title",
    "subtitle",
    "hint_text",
    "helper",
    "error_text",
)


@dataclass(frozen=True)
class Reading:
    where: str  # the control path, e.g. View/ListView/Card/ListTile.subtitle/Text
    text: str
    fg: str
    bg: str
    ratio: float


@dataclass
class ContrastWalk:
    scheme: dict[str, str]
    readings: list[Reading] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    exempt: list[str] = field(default_factory=list)

    # ---- colours --------------------------------------------------------------------
    def role(self, name: str) -> str:
        return self.scheme[name]

    def colour(self, value: Any, fallback: str | None, where: str) -> str | None:
        """`value` resolved (or `fallback` when unset); None, and reported, if unknown."""
        if value is None:
            return fallback
        hex_ = resolve(value, self.scheme)
        if hex_ is None:
            self.unresolved.append(f"{where}: colour {value!r}")
        return hex_

    def record(self, text: str, fg: str | None, bg: str | None, where: str) -> None:
        if not text.strip():
            return
        if fg is None or bg is None:
            self.unresolved.append(f"{where}: {text!r} (colour unknown)")
            return
        self.readings.append(Reading(where, text, fg, bg, contrast_ratio(fg, bg)))

    # ---- the tree -------------------------------------------------------------------
    def screen(self, root: BaseControl) -> ContrastWalk:
        """Walk a view, a dialog or a snack bar from the page's own colours."""
        self.visit(root, self.role("surface"), self.role("on_surface"), "")
        return self

    def visit(self, c: Any, bg: str | None, fg: str | None, path: str) -> None:
        if isinstance(c, str):
            self.record(c, fg, bg, path)
            return
        if not isinstance(c, BaseControl) or getattr(c, "visible", True) is False:
            return
        where = f"{path}/{type(c).__name__}"
        if getattr(c, "disabled", False):
            self.exempt.append(where)
            return
        opacity = getattr(c, "opacity", None)
        if opacity is not None and opacity < 1.0:  # 0 too: invisible text is not legible
            self.unresolved.append(f"{where}: translucent (opacity {opacity})")
            return
        rule = RULES.get(type(c))
        if rule is not None:
            rule(self, c, bg, fg, where)
        elif isinstance(c, PASS_THROUGH):
            self.children(c, bg, fg, where)
        elif isinstance(c, NO_TEXT):
            return
        else:
            self.unresolved.append(f"{where}: no rule for {type(c).__name__}")

    def children(self, c: Any, bg: str | None, fg: str | None, where: str, *skip: str) -> None:
        """Every control-valued field of `c` but `skip`, in the given colours; a text
        field holding a plain string that no rule handled is reported."""
        for f in dataclasses.fields(c):
            if f.name.startswith("_") or f.name in ("parent", *skip):
                continue
            value = getattr(c, f.name, None)
            if isinstance(value, str) and f.name in TEXT_FIELDS and value:
                self.unresolved.append(f"{where}.{f.name}: {value!r} (no rule)")
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, BaseControl):
                    self.visit(child, bg, fg, f"{where}.{f.name}")

    def part(self, value: Any, bg: str | None, fg: str | None, where: str) -> None:
        """A field that holds a string or a control (a button's content, a tile's title)."""
        if isinstance(value, str):
            self.record(value, fg, bg, where)
        elif value is not None:
            self.visit(value, bg, fg, where)


# ---- rules: the colours a Material 3 control gives what is inside it ---------------------
def text(w: ContrastWalk, c: ft.Text, bg: str | None, fg: str | None, where: str) -> None:
    style_colour = c.style.color if c.style is not None else None
    own = w.colour(c.color or style_colour, fg, where)
    back = w.colour(c.bgcolor, bg, where)
    words = c.value or "".join(str(getattr(s, "text", "") or "") for s in c.spans or [])
    if c.spans:
        w.unresolved.append(f"{where}: spans are not measured one by one")
    w.record(str(words), own, back, where)


def painted(
    bg_role: str, fg_role: str | None = None, bg_field: str = "bgcolor", fg_field: str = "color"
) -> Any:
    """A control that paints its own background and sets the text colour inside."""

    def rule(w: ContrastWalk, c: Any, bg: str | None, fg: str | None, where: str) -> None:
        back = w.colour(getattr(c, bg_field, None), w.role(bg_role), where)
        front = (
            fg if fg_role is None else w.colour(getattr(c, fg_field, None), w.role(fg_role), where)
        )
        w.part(getattr(c, "content", None), back, front, f"{where}.content")
        w.children(c, back, front, where, "content")

    return rule


def button(bg_role: str | None, fg_role: str) -> Any:
    """Buttons: an explicit ButtonStyle colour is not resolved here, so it is reported."""

    def rule(w: ContrastWalk, c: Any, bg: str | None, fg: str | None, where: str) -> None:
        style = getattr(c, "style", None)
        if style is not None and (style.color is not None or style.bgcolor is not None):
            w.unresolved.append(f"{where}: ButtonStyle colours ({c.content!r:.40})")
            return
        back = w.role(bg_role) if bg_role else bg
        w.part(c.content, back, w.role(fg_role), f"{where}.content")

    return rule


def list_tile(w: ContrastWalk, c: ft.ListTile, bg: str | None, fg: str | None, where: str) -> None:
    back = w.colour(c.bgcolor, bg, where)
    main = w.colour(c.text_color, w.role("on_surface"), where)
    variant = w.role("on_surface_variant")
    w.part(c.title, back, main, f"{where}.title")
    w.part(c.subtitle, back, variant, f"{where}.subtitle")
    w.part(c.leading, back, variant, f"{where}.leading")
    w.part(c.trailing, back, variant, f"{where}.trailing")


def segmented(
    w: ContrastWalk, c: ft.SegmentedButton, bg: str | None, fg: str | None, where: str
) -> None:
    for seg in c.segments:
        on = seg.value in (c.selected or [])
        back = w.role("secondary_container") if on else bg
        front = w.role("on_secondary_container" if on else "on_surface")
        w.part(seg.label, back, front, f"{where}.segment[{seg.value}]")


def text_field(w: ContrastWalk, c: Any, bg: str | None, fg: str | None, where: str) -> None:
    back = w.colour(c.bgcolor, bg, where) if c.filled else bg
    variant = w.role("on_surface_variant")
    w.part(c.label, back, variant, f"{where}.label")
    w.part(c.hint_text, back, variant, f"{where}.hint")
    for name in ("helper", "helper_text"):
        w.part(getattr(c, name, None), back, variant, f"{where}.{name}")
    for name in ("error", "error_text"):
        w.part(getattr(c, name, None), back, w.role("error"), f"{where}.{name}")
    value = c.value
    if isinstance(c, ft.Dropdown):  # what shows is the chosen option's text
        chosen = [o for o in c.options or [] if o.key == c.value]
        value = chosen[0].text if chosen else ""
        menu = w.role("surface_container")
        for o in c.options or []:
            w.part(o.text, menu, w.role("on_surface"), f"{where}.option")
    w.part(value or "", back, w.colour(c.color, w.role("on_surface"), where), f"{where}.value")


def labelled(w: ContrastWalk, c: Any, bg: str | None, fg: str | None, where: str) -> None:
    w.part(c.label, bg, w.role("on_surface"), f"{where}.label")


def popup_menu(w: ContrastWalk, c: Any, bg: str | None, fg: str | None, where: str) -> None:
    menu = w.colour(c.bgcolor, w.role("surface_container"), where)
    for item in c.items:
        w.part(item.content, menu, w.role("on_surface"), f"{where}.item")


def dialog(w: ContrastWalk, c: ft.AlertDialog, bg: str | None, fg: str | None, where: str) -> None:
    back = w.colour(c.bgcolor, w.role("surface_container_high"), where)
    w.part(c.title, back, w.role("on_surface"), f"{where}.title")
    w.part(c.content, back, w.role("on_surface_variant"), f"{where}.content")
    for action in c.actions or []:
        w.visit(action, back, w.role("on_surface"), f"{where}.actions")


def view(w: ContrastWalk, c: ft.View, bg: str | None, fg: str | None, where: str) -> None:
    back = w.colour(c.bgcolor, w.role("surface"), where)
    w.children(c, back, w.role("on_surface"), where)


def canvas(w: ContrastWalk, c: cv.Canvas, bg: str | None, fg: str | None, where: str) -> None:
    """Strokes (a signature) are no text; a text drawn on a canvas is not measured here."""
    if any(isinstance(shape, cv.Text) for shape in c.shapes or []):
        w.unresolved.append(f"{where}: text drawn on a canvas")


RULES: dict[type, Any] = {
    cv.Canvas: canvas,
    ft.Text: text,
    ft.View: view,
    ft.Card: painted("surface_container_low"),
    ft.AppBar: painted("surface", "on_surface"),
    ft.BottomAppBar: painted("surface_container", "on_surface"),
    ft.SnackBar: painted("inverse_surface", "on_inverse_surface"),
    ft.FloatingActionButton: painted(
        "primary_container", "on_primary_container", fg_field="foreground_color"
    ),
    ft.FilledButton: button("primary", "on_primary"),
    ft.Button: button("surface_container_low", "primary"),
    ft.OutlinedButton: button(None, "primary"),
    ft.TextButton: button(None, "primary"),
    ft.ListTile: list_tile,
    ft.SegmentedButton: segmented,
    ft.TextField: text_field,
    ft.Dropdown: text_field,
    ft.Checkbox: labelled,
    ft.PopupMenuButton: popup_menu,
    ft.AlertDialog: dialog,
}


def container(w: ContrastWalk, c: ft.Container, bg: str | None, fg: str | None, where: str) -> None:
    """A Container paints only when it has a bgcolor (or an image/gradient: unknown)."""
    if c.gradient is not None or c.image is not None:
        w.unresolved.append(f"{where}: gradient or image background")
        return
    back = w.colour(c.bgcolor, bg, where)
    w.part(c.content, back, fg, f"{where}.content")


RULES[ft.Container] = container
