"""The contrast walker: what it resolves, and that it lists what it cannot."""

from __future__ import annotations

import flet as ft
import pytest

from fieldapp.ui.theme import HIGH_CONTRAST_SCHEME as HC
from fieldapp.ui.theme import NORMAL_SCHEME
from tests.ui.contrast_walk import ContrastWalk


def measured(root: ft.Control, scheme: dict[str, str] = HC) -> ContrastWalk:
    return ContrastWalk(scheme).screen(ft.View(controls=[root]))


def test_a_text_takes_its_ancestors_colours() -> None:
    w = measured(
        ft.Column(
            [
                ft.Text("plain"),
                ft.Text("muted", color=ft.Colors.OUTLINE),
                ft.FilledButton("go"),
                ft.Container(ft.Text("in a box"), bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST),
                ft.ListTile(title=ft.Text("t"), subtitle=ft.Text("s")),
            ]
        )
    )
    got = {r.text: (r.fg, r.bg) for r in w.readings}
    assert got == {
        "plain": (HC["on_surface"], HC["surface"]),
        "muted": (HC["outline"], HC["surface"]),
        "go": (HC["on_primary"], HC["primary"]),
        "in a box": (HC["on_surface"], HC["surface_container_highest"]),
        "t": (HC["on_surface"], HC["surface"]),
        "s": (HC["on_surface_variant"], HC["surface"]),
    }
    assert w.unresolved == []


def test_the_normal_schemes_outline_text_is_below_aa() -> None:
    [r] = measured(ft.Text("muted", color=ft.Colors.OUTLINE), NORMAL_SCHEME).readings
    assert r.ratio == pytest.approx(4.33, abs=0.01)


def test_a_selected_segment_is_measured_on_its_container() -> None:
    seg = ft.SegmentedButton(
        selected=["a"], segments=[ft.Segment("a", label="A"), ft.Segment("b", label="B")]
    )
    got = {r.text: (r.fg, r.bg) for r in measured(seg).readings}
    assert got["A"] == (HC["on_secondary_container"], HC["secondary_container"])
    assert got["B"] == (HC["on_surface"], HC["surface"])


def test_what_cannot_be_resolved_is_listed_not_skipped() -> None:
    w = measured(
        ft.Column(
            [
                ft.Text("odd swatch", color=ft.Colors.PURPLE_50),
                ft.Text("faded", color=ft.Colors.with_opacity(0.5, ft.Colors.BLACK)),
                ft.Text("half", opacity=0.5),
                ft.Text("gone", opacity=0),  # not opaque: it was read as such once
                ft.Chip(label=ft.Text("chip")),
                ft.TextButton("styled", style=ft.ButtonStyle(color=ft.Colors.RED)),
                ft.Text("fine"),
            ]
        )
    )
    assert [r.text for r in w.readings] == ["fine"]
    assert len(w.unresolved) == 8, w.unresolved  # an unknown colour: itself, then its text
    joined = "\n".join(w.unresolved)
    for expected in ("purple50", "'odd swatch'", "0.5", "opacity 0)", "Chip", "ButtonStyle"):
        assert expected in joined


def test_disabled_controls_are_exempt_and_listed() -> None:
    w = measured(ft.FilledButton("later", disabled=True))
    assert w.readings == [] and len(w.exempt) == 1 and w.unresolved == []
