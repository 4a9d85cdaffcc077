"""The app-switcher cover of a covert (暗访) visit.

When the phone leaves the app (another app, the home button, the app switcher) the system
keeps a snapshot of the last frame for its switcher. During a covert visit that frame must
not show the checklist, so on the lifecycle states that come before the snapshot (inactive,
hide, pause) a neutral white cover is laid over every view, and taken off again when the app
is back (resume, show, restart). Where the checklist was already blanked by quick-hide the
cover changes nothing.

What Flet 1.0.5 cannot do (README, inspector section): it has no way to set Android's
FLAG_SECURE or iOS's privacy overlay from Python, and the lifecycle event travels to the
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
    """Installed once per session; screens of a covert visit set `ui.covert = True`."""

    def __init__(self, ui: UI) -> None:
        self.ui = ui
        # positioned on all four sides: the overlay is a stack, so this fills the screen
        self.cover = ft.Container(
            bgcolor=ft.Colors.WHITE, left=0, top=0, right=0, bottom=0, visible=False
        )

    def install(self) -> None:
        self.ui.page.overlay.append(self.cover)
        self.ui.page.on_app_lifecycle_state_change = self.on_state

    def on_state(self, e: ft.AppLifecycleStateChangeEvent) -> None:
        state = e.state
        if state in LEAVING and self.ui.covert and not self.cover.visible:
            self.cover.visible = True
            self.ui.page.title = self.ui.t("app.neutral_title")
            self.ui.page.update()
        elif state in BACK and self.cover.visible:
            self.cover.visible = False
            self.ui.page.update()

    @property
    def covered(self) -> bool:
        return bool(self.cover.visible)
