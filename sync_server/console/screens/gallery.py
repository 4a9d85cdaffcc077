"""Photo thumbnails for console pages: cached small renditions sent a page at a time, the
photo itself on demand (a visit can hold hundreds of photos; full-size bytes for all of
them would be tens of MB down the browser session)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

import flet as ft

from fieldcore.problems import DomainError
from sync_server.console import transfers
from sync_server.console.shell import Console

PHOTO_PAGE = 24  # thumbnails made and sent per "more photos" click


def photo_gallery(
    console: Console, photos: list[str], readable: Collection[str], ident: str
) -> tuple[ft.Control, Any]:
    """Thumbnail tiles of every photo given (sha256s of a visit or an action the user was
    allowed to open), a page at a time; a click opens the photo itself in a dialog. Only
    the `readable` ones (their row's author uploaded the bytes) show bytes: a row that
    only names a hash shows "not uploaded", whoever else stored those bytes.
    Returns (the control, an async loader of the next page)."""
    shas = list(dict.fromkeys(photos))
    allowed = frozenset(readable) & frozenset(shas)
    tiles = ft.Row(wrap=True, spacing=8)
    more = ft.TextButton("更多照片 More photos", visible=False)
    shown = ft.Text("", size=12)

    async def open_photo(sha: str) -> None:
        try:
            data = (
                await transfers.full_photo(console.services, allowed, sha)
                if sha in allowed
                else None
            )
        except DomainError as exc:
            console.fail(exc)
            return
        body: ft.Control = (
            ft.Image(src=data, fit=ft.BoxFit.CONTAIN, width=1000, height=700)
            if data
            else ft.Text("照片未上传 not uploaded yet")
        )
        console.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(sha[:12], size=14),
                content=ft.Semantics(content=body, identifier="photo-full"),
                actions=[ft.TextButton("关闭 Close", on_click=lambda e: console.page.pop_dialog())],
            )
        )
        console.page.update()  # show_dialog switches auto-update off for this handler

    def tile(sha: str, got: transfers.Tile) -> ft.Control:
        if isinstance(got, bytes):
            content: ft.Control = ft.Image(
                src=got,
                width=160,
                height=120,
                fit=ft.BoxFit.COVER,
            )
        else:
            why = "照片未上传 not uploaded" if got is None else f"无法显示 {got.code}"
            content = ft.Text(f"{sha[:12]}\n{why}", size=11)
        box = ft.Container(
            content=content,
            width=160,
            height=120,
            bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
            tooltip="点击查看原图 Open the photo",
            on_click=lambda e: console.page.run_task(open_photo, sha),
        )
        # a clickable container folds the image into one button node: label that button
        # as the photo, so screen readers (and browser tests) still know what it shows
        return ft.Semantics(
            content=box, identifier="photo-tile", button=True, label=f"照片 Photo {sha[:12]}"
        )

    async def load_next() -> None:
        start = len(tiles.controls)
        batch = shas[start : start + PHOTO_PAGE]
        try:
            got = await transfers.thumbnails(
                console.services, allowed, [s for s in batch if s in allowed]
            )
        except DomainError as exc:
            console.fail(exc)
            return
        tiles.controls.extend(tile(sha, got.get(sha)) for sha in batch)
        more.visible = len(tiles.controls) < len(shas)
        shown.value = f"{len(tiles.controls)} / {len(shas)}"

    async def on_more(e: Any) -> None:
        await load_next()
        console.page.update()

    more.on_click = on_more
    gallery = ft.Column([ft.Semantics(content=tiles, identifier=ident), shown, more])
    return gallery, load_next


async def marked_or_originals(
    console: Console,
    show: Callable[[bool], Awaitable[None]],
    has_copies: bool,
    box: ft.Control,
    ident: str = "photos-marked",
) -> ft.Control:
    """`box` filled by `show(True)`: each marked-up copy (标注) in its original's place;
    with a switch to the originals (`show(False)`) when there is a copy to switch from.
    One switch for every page that lists evidence (visit, rectification)."""
    await show(True)
    if not has_copies:
        return box

    async def on_switch(e: Any) -> None:
        await show(bool(switch.value))
        console.page.update()

    switch = ft.Switch(label="标注 Marked-up  (关 off: 原图 originals)", value=True)
    switch.on_change = on_switch
    return ft.Column([ft.Semantics(content=switch, identifier=ident), box])
