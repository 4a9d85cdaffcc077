"""上次 on an item's card (issue 16 §3): the result at the previous visit to this site, its
date and note, its photos that are on this phone, and the repeat-problem badge. What counts
as "last time" and as a repeat is fieldcore.history's; this only shows it."""

from __future__ import annotations

import uuid

import flet as ft

from fieldapp.store.history import LastTime
from fieldapp.sync.errors import SyncError
from fieldapp.ui.screens.item_photos import thumbnail
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import tagged

VERDICTS = {"pass": "check.pass", "fail": "check.fail", "na": "check.na"}


class LastHint:
    """The hint of one item; `control` is None when the item has no history here."""

    def __init__(self, ui: UI, visit_id: uuid.UUID, code: str, last_time: LastTime) -> None:
        self.ui, self.visit_id, self.code = ui, visit_id, code
        last = last_time.hints.get(code)
        self.repeat = bool(last and last.repeat)
        self.box = ft.Column([], spacing=4)
        self.control = tagged(self.box, f"last-{code}") if last else None
        self.fill(last_time)

    def fill(self, last_time: LastTime) -> None:
        """上次: 不合格 · date · note, the photos on this phone, and the repeat flag."""
        last = last_time.hints.get(self.code)
        if last is None:
            return
        t = self.ui.t
        line = t(
            "check.last_time",
            result=t(VERDICTS[last.result]) if last.result in VERDICTS else last.result,
            date=last.when.astimezone().date().isoformat(),
        )
        if last.note:
            line = f"{line} · {last.note}"
        parts: list[ft.Control] = []
        if self.repeat:
            badge = ft.Container(
                ft.Text(t("check.repeat"), size=12, color=ft.Colors.ON_ERROR),
                bgcolor=ft.Colors.ERROR,
                padding=ft.Padding.symmetric(horizontal=6, vertical=2),
                border_radius=ft.BorderRadius.all(4),
            )
            parts.append(tagged(badge, f"repeat-{self.code}"))
        color = ft.Colors.ORANGE_900 if last.result == "fail" else ft.Colors.OUTLINE
        parts.append(ft.Text(line, size=12, color=color, expand=True))
        rows: list[ft.Control] = [ft.Row(parts, spacing=6)]
        here = [last_time.thumbs[h] for h in last.photos if h in last_time.thumbs]
        if here:
            rows.append(ft.Row([thumbnail(data) for data in here], wrap=True, spacing=6))
        waiting = [h for h in last.photos if h not in last_time.thumbs]
        if waiting:
            fetch = ft.TextButton(
                t("check.last_photos_fetch", n=len(waiting)),
                icon=ft.Icons.DOWNLOAD,
                on_click=lambda e: self.ui.page.run_task(self._fetch_photos, waiting),
            )
            rows.append(tagged(fetch, f"last-photos-{self.code}"))
        self.box.controls = rows

    async def _fetch_photos(self, hashes: list[str]) -> None:
        """The previous visit's photos of this item, fetched only when asked for."""
        try:
            for sha in hashes:
                await self.ui.sync.fetch_photo(sha)
        except SyncError as exc:
            self.ui.toast(self.ui.t.reason(exc.code))
            return
        self.fill(await self.ui.run(self.ui.store.last_time, self.visit_id))
        self.box.update()
