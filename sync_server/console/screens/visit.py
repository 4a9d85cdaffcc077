"""One visit for review: the scorecard line by line, photos with their checks, the
conflict log, and the actions (approve, return with per-item comments, publish, void)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import flet as ft

from fieldcore.problems import DomainError
from fieldcore.workflow import STATUS_ZH
from sync_server.console.screens.gallery import marked_or_originals, photo_gallery
from sync_server.console.screens.queue import MODE_ZH
from sync_server.console.screens.widgets import action_button, detail_view, unavailable_view
from sync_server.console.shell import Console
from sync_server.supervision import actions
from sync_server.supervision.evidence_checks import shown_photos
from sync_server.supervision.visit_detail import VisitDetail, visit_detail

RESULT_ZH = {"pass": "合格", "fail": "不合格", "na": "不适用", None: "未检查"}
NEXT_ACTIONS = {  # what the workflow allows a reviewer from each status
    "submitted": ["approve", "return", "void"],
    "resubmitted": ["approve", "return", "void"],
    "approved": ["publish", "return", "void"],
    "published": ["void"],
}
ACTION_ZH = {"approve": "审核通过", "return": "退回修改", "publish": "通报", "void": "作废"}


def item_rows(detail: VisitDetail) -> list[ft.Control]:
    out: list[ft.Control] = []
    for cat in detail.categories:
        out.append(
            ft.Text(
                f"{cat['code']} {cat.get('title', '')}  {cat['score']}/{cat['max']}",
                weight=ft.FontWeight.BOLD,
            )
        )
        for item in cat["items"]:
            taken = f"−{item['deducted']}" if item.get("deducted") else ""
            extra = " · ".join(x for x in (item.get("note"), item.get("review_comment")) if x)
            out.append(
                ft.Text(
                    f"  {item['code']} {item['text']} — {RESULT_ZH.get(item.get('result'), '')}"
                    f" {taken}{('  ' + extra) if extra else ''}",
                    size=13,
                    color=ft.Colors.ERROR if item.get("result") == "fail" else None,
                )
            )
    return out


def photo_line(p: Any) -> str:
    flags = []
    if p.annotates_sha256:
        flags.append(f"[标注 marked-up, 原图 original {p.annotates_sha256[:12]}]")
    if p.clock_skew:
        flags.append("[时钟异常 clock skew]")
    if p.far_from_site:
        flags.append(f"[距门店 {p.distance_m:.0f} m]")
    if p.outside_visit:  # the same rule the phone warned with (fieldcore.evidence)
        flags.append("[不在检查时间内 outside the visit]")
    if p.source == "gallery":
        flags.append("[相册照片 from the gallery]")
    shot = p.exif_taken_at or p.captured_at
    taken = shot.astimezone().strftime("%m-%d %H:%M") if shot else "?"
    got = p.received_at.astimezone().strftime("%m-%d %H:%M")
    return f"{p.sha256[:12]} · 拍摄 {taken} · 收到 {got} " + " ".join(flags)


async def evidence_photos(console: Console, detail: VisitDetail) -> ft.Control:
    """The photo lines and gallery, showing each marked-up copy (标注) in its original's
    place, with a switch to the originals (built when first asked for)."""
    readable = {p.sha256 for p in detail.photos if p.blob_present}
    box = ft.Column([])

    async def show(marked: bool) -> None:
        listed = shown_photos(detail.photos, marked)
        gallery, load = photo_gallery(console, [p.sha256 for p in listed], readable, "visit-photos")
        box.controls = [*[ft.Text(photo_line(p), size=12) for p in listed], gallery]
        await load()

    has_copies = any(p.annotates_id for p in detail.photos)
    return await marked_or_originals(console, show, has_copies, box)


async def visit(console: Console, visit_id: uuid.UUID) -> ft.View:
    try:
        detail = await console.services.write(  # opening a visit is audited
            visit_detail, console.user, visit_id, console.services.clock()
        )
    except DomainError as exc:
        console.fail(exc)
        return unavailable_view(f"/visit/{visit_id}")
    v, site = detail.visit, detail.site
    photos = await evidence_photos(console, detail)
    comment = ft.TextField(label="意见 / 理由 Comment or reason", multiline=True, width=520)
    failed = [i for c in detail.categories for i in c["items"] if i.get("result") == "fail"]
    item_fields = {
        i["code"]: ft.TextField(label=f"{i['code']} 逐项意见", width=520) for i in failed
    }

    async def do(action: str) -> None:
        notes = {k: f.value for k, f in item_fields.items() if (f.value or "").strip()}
        try:
            await console.services.write(
                actions.act,
                console.user,
                v.id,
                action,
                console.services.clock(),
                comment.value or "",
                notes,
            )
        except DomainError as exc:
            console.fail(exc)
            return
        console.toast(f"已{ACTION_ZH[action]}")
        await console.go(f"/visit/{v.id}")

    def on_action(action: str) -> Callable[[Any], Any]:
        return lambda e: console.page.run_task(do, action)

    buttons = [
        action_button(ACTION_ZH[a], on_action(a), f"action-{a}", height=44)
        for a in NEXT_ACTIONS.get(v.status, [])
    ]
    header = (
        f"{site.code} {site.name} · {v.template_key} · {MODE_ZH.get(v.mode, v.mode)} · "
        f"{STATUS_ZH.get(v.status, v.status)}"
    )
    conflicts = [
        ft.Text(f"{c.entity} {c.field}: {c.overwritten_value!r} → 覆盖", size=12)
        for c in detail.conflicts
    ]
    return detail_view(
        console,
        f"/visit/{v.id}",
        header,
        ("/", "返回队列 Back to the queue"),
        [
            ft.Semantics(
                content=ft.Text("\n".join(detail.headline), size=18),
                identifier="visit-score",
            ),
            ft.Text(f"退回意见:{v.return_comment}" if v.return_comment else ""),
            *item_rows(detail),
            ft.Text("照片 Photos", weight=ft.FontWeight.BOLD),
            photos,
            ft.Text("冲突记录 Conflict log", weight=ft.FontWeight.BOLD),
            *(conflicts or [ft.Text("无", size=12)]),
            ft.Divider(),
            comment,
            *item_fields.values(),
            ft.Row(buttons, wrap=True),
        ],
    )
