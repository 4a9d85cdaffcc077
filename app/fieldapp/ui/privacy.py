"""The app-switcher cover of a covert (暗访) visit.

When the phone leaves the app (another app, the home button, the app switcher) the system
keeps a snapshot of the last frame for its switcher. During a covert visit that frame must
not show the checklist, so on the lifecycle states that come before the snapshot (inactive,
hide, pause) a blank white view is laid over the screen — over the app bar and the finish
bar too (an overlay would cover the body only) — and a SnackBar still showing is closed;
the blank view is taken off when the app is back (resume, show, restart). The route does not
change, so the inspector returns to the same screen.

What Flet 1.0.5 cannot do (README, inspector section): it has no way to set Android's
FLAG_SECURE or an iOS privacy overlay from Python, and the lifecycle event travels to the
Python side and back as a patch, so a cover drawn this way can arrive after the system
has taken its snapshot. It narrows the window; it does not close it.
"""

from __future__ import annotations

import flet as ft

from fieldapp.ui.shell import UI

LEAVING = frozenset(
    {ft.AppLifecycleState.INACTIVE, ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE}
)
BACK = frozenset(
    {ft.AppLifecycleState.RESUME, ft.AppLifecycleState.SHOW, ft.AppLifecycleState.RESTART}
)


class PrivacyCover:
    """Installed once per session; the screens of a covert visit set `ui.covert = True`."""

    def __init__(self, ui: UI) -> None:
        self.ui = ui
        self.blank: ft.View | None = None

    def install(self) -> None:
        self.ui.page.on_app_lifecycle_state_change = self.on_state

    def on_state(self, e: ft.AppLifecycleStateChangeEvent) -> None:
        if e.state in LEAVING and self.ui.covert and self.blank is None:
            self.cover()
        elif e.state in BACK and self.blank is not None:
            self.uncover()

    def cover(self) -> None:
        page = self.ui.page
        self.blank = ft.View(route=page.route, controls=[], padding=0, bgcolor=ft.Colors.WHITE)
        page.views.append(self.blank)
        page.title = self.ui.t("app.neutral_title")
        # a toast may name what was just done; Flet keeps open dialogs in page._dialogs
        for dialog in getattr(getattr(page, "_dialogs", None), "controls", []):
            if isinstance(dialog, ft.SnackBar) and dialog.open:
                dialog.open = False
        page.update()

    def uncover(self) -> None:
        page, blank, self.blank = self.ui.page, self.blank, None
        if blank in page.views:
            page.views.remove(blank)
        page.update()
