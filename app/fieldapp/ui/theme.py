"""The phone's two colour themes: the normal one (seeded from indigo) and a high-contrast
one for sunlight (issue 16 §5), plus the few colours that are not colour-scheme roles.

Screens name colours by role (ft.Colors.OUTLINE, ERROR, …), so the theme's scheme decides
them; the colours that are no role (a warning's orange, a pass mark's green) come from
`palette(high_contrast)`. The high-contrast scheme is black on white with every text role
at ≥ 7:1 (WCAG AAA); tests/ui/test_contrast_screens.py measures every text of the flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import flet as ft

SEED = ft.Colors.INDIGO
# The bundled CJK subset. A phone registers it under this name (page.fonts). A web page
# does not: its Flutter engine loads the same file before the first frame as its default
# font, which this name, registered nowhere there, resolves to (sync_server.console's
# mount_console says how and why: loading it by name as well only comes after the session
# has started, while the first screen is already drawn).
FONT = "NotoSC"
NORMAL, HIGH_CONTRAST = "normal", "contrast"  # as remembered on the phone (Store.theme)

# Black on white. Containers that must stand out (the selected segment) are yellow with
# black text rather than a second grey, which sunlight washes out.
HIGH_CONTRAST_SCHEME: dict[str, str] = {
    "primary": "#000000",
    "on_primary": "#FFFFFF",
    "primary_container": "#000000",
    "on_primary_container": "#FFFFFF",
    "secondary": "#000000",
    "on_secondary": "#FFFFFF",
    "secondary_container": "#FFD600",
    "on_secondary_container": "#000000",
    "tertiary": "#000000",
    "on_tertiary": "#FFFFFF",
    "tertiary_container": "#FFD600",
    "on_tertiary_container": "#000000",
    "error": "#9A0000",
    "on_error": "#FFFFFF",
    "error_container": "#FFE4E4",
    "on_error_container": "#5C0000",
    "surface": "#FFFFFF",
    "on_surface": "#000000",
    "on_surface_variant": "#1F1F1F",
    "outline": "#333333",
    "outline_variant": "#5E5E5E",
    "inverse_surface": "#000000",
    "on_inverse_surface": "#FFFFFF",
    "inverse_primary": "#FFFFFF",
    "surface_tint": "#FFFFFF",  # no tint: elevation must not grey the background
    "surface_bright": "#FFFFFF",
    "surface_dim": "#E6E6E6",
    "surface_container_lowest": "#FFFFFF",
    "surface_container_low": "#FFFFFF",
    "surface_container": "#FFFFFF",
    "surface_container_high": "#F2F2F2",
    "surface_container_highest": "#EBEBEB",
}

# The normal theme's scheme is made on the phone from SEED (Flutter's ColorScheme.fromSeed,
# tonal spot). These are the Material 3 baseline roles, which have the same tones; a
# colour's contrast depends only on its tone (HCT tone is L*), so they stand in for it when
# measuring. Only for measuring: the app still sends the seed.
NORMAL_SCHEME: dict[str, str] = {
    "primary": "#6750A4",
    "on_primary": "#FFFFFF",
    "primary_container": "#EADDFF",
    "on_primary_container": "#21005D",
    "secondary": "#625B71",
    "on_secondary": "#FFFFFF",
    "secondary_container": "#E8DEF8",
    "on_secondary_container": "#1D192B",
    "tertiary": "#7D5260",
    "on_tertiary": "#FFFFFF",
    "tertiary_container": "#FFD8E4",
    "on_tertiary_container": "#31111D",
    "error": "#B3261E",
    "on_error": "#FFFFFF",
    "error_container": "#F9DEDC",
    "on_error_container": "#410E0B",
    "surface": "#FEF7FF",
    "on_surface": "#1D1B20",
    "on_surface_variant": "#49454F",
    "outline": "#79747E",
    "outline_variant": "#CAC4D0",
    "inverse_surface": "#322F35",
    "on_inverse_surface": "#F5EFF7",
    "inverse_primary": "#D0BCFF",
    "surface_tint": "#6750A4",
    "surface_bright": "#FEF7FF",
    "surface_dim": "#DED8E1",
    "surface_container_lowest": "#FFFFFF",
    "surface_container_low": "#F7F2FA",
    "surface_container": "#F3EDF7",
    "surface_container_high": "#ECE6F0",
    "surface_container_highest": "#E6E0E9",
}

# Material palette swatches the screens name (ft.Colors.GREY_300 is "grey300" on the wire).
SWATCHES: dict[str, str] = {
    "white": "#FFFFFF",
    "black": "#000000",
    "grey300": "#E0E0E0",
    "orange200": "#FFCC80",
    "orange900": "#E65100",
    "blue100": "#BBDEFB",
    "green100": "#C8E6C9",
    "green200": "#A5D6A7",
    "green800": "#2E7D32",
    "red100": "#FFCDD2",
}


@dataclass(frozen=True)
class Palette:
    """Text colours that are no colour-scheme role."""

    warning: str  # a returned visit's comment, a reviewer's remark
    success: str  # a score that passes


def palette(high_contrast: bool) -> Palette:
    if high_contrast:
        return Palette(warning="#6B2C00", success="#0B4A0B")
    return Palette(warning=ft.Colors.ORANGE_900.value, success=ft.Colors.GREEN_800.value)


# Thumb-sized targets everywhere (≥ 48 × 48 px, measured by `mingcha bench field`): a
# phone's Flutter pads taps to 48 by itself, but a browser counts as a desktop and shrinks
# them (compact density, 32–40 px), so the sizes are set here for every platform.
def _targets() -> dict[str, Any]:
    roomy = ft.Padding.symmetric(horizontal=16, vertical=14)
    return {
        "visual_density": ft.VisualDensity.STANDARD,
        "icon_button_theme": ft.IconButtonTheme(style=ft.ButtonStyle(padding=ft.Padding.all(12))),
        "text_button_theme": ft.TextButtonTheme(style=ft.ButtonStyle(padding=roomy)),
        "outlined_button_theme": ft.OutlinedButtonTheme(style=ft.ButtonStyle(padding=roomy)),
        "segmented_button_theme": ft.SegmentedButtonTheme(
            style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=24, vertical=14))
        ),
    }


def make_theme(high_contrast: bool) -> ft.Theme:
    if not high_contrast:
        return ft.Theme(font_family=FONT, color_scheme_seed=SEED, **_targets())
    return ft.Theme(
        font_family=FONT, color_scheme=ft.ColorScheme(**HIGH_CONTRAST_SCHEME), **_targets()
    )


def apply_theme(page: ft.Page, high_contrast: bool) -> None:
    """Set the page's theme (light only: a dark theme glares less but reads worse outside)."""
    page.theme = make_theme(high_contrast)
    page.theme_mode = ft.ThemeMode.LIGHT


def scheme_of(high_contrast: bool) -> dict[str, str]:
    return HIGH_CONTRAST_SCHEME if high_contrast else NORMAL_SCHEME


def resolve(colour: object, scheme: dict[str, str]) -> str | None:
    """A colour as the phone draws it (#rrggbb), or None when it cannot be told here:
    a role or swatch not listed, or a colour with opacity ("outline,0.5")."""
    value = str(getattr(colour, "value", colour)).strip()
    if value.startswith("#"):
        return value
    roles = {name.replace("_", ""): hex_ for name, hex_ in scheme.items()}
    return roles.get(value.lower()) or SWATCHES.get(value.lower())
