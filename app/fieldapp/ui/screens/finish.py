"""Finish: score, grade and failed items; on-site acknowledgement for 明查; submit locks it."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from typing import Any

import flet as ft
import flet.canvas as cv
from PIL import Image, ImageDraw

from fieldapp.ui.photo_flow import save_photo
from fieldapp.ui.screens.checklist import score_text
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import big_button, tagged
from fieldcore.headline import outcome_line
from fieldcore.problems import DomainError
from fieldcore.scorecard import describe_rule, fmt
from fieldcore.workflow import INSPECTOR_EDITABLE

PAD_W, PAD_H = 340, 160


def signature_jpeg(strokes: list[list[tuple[float, float]]]) -> bytes:
    """The drawn strokes as a small JPEG (it travels and is verified like any photo)."""
    image = Image.new("RGB", (PAD_W * 2, PAD_H * 2), "white")
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        if len(stroke) > 1:
            draw.line([(x * 2, y * 2) for x, y in stroke], fill="black", width=5, joint="curve")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def signature_pad(strokes: list[list[tuple[float, float]]]) -> tuple[ft.Control, Any]:
    canvas = cv.Canvas(shapes=[], width=PAD_W, height=PAD_H)

    def start(e: ft.DragStartEvent) -> None:
        strokes.append([(e.local_position.x, e.local_position.y)])

    def move(e: ft.DragUpdateEvent) -> None:
        if not strokes:
            return
        x, y = e.local_position.x, e.local_position.y
        px, py = strokes[-1][-1]
        strokes[-1].append((x, y))
        canvas.shapes.append(cv.Line(px, py, x, y, paint=ft.Paint(stroke_width=2.5)))
        canvas.update()

    def clear() -> None:
        strokes.clear()
        canvas.shapes.clear()
        canvas.update()

    pad = ft.GestureDetector(
        content=canvas, on_pan_start=start, on_pan_update=move, drag_interval=10
    )
    box = ft.Container(
        pad,
        border=ft.Border.all(1, ft.Colors.OUTLINE),
        border_radius=ft.BorderRadius.all(6),
        width=PAD_W,
        height=PAD_H,
    )
    return box, clear


async def build(ui: UI, visit_id: str) -> ft.View:
    t = ui.t
    vid = uuid.UUID(visit_id)
    view = await ui.run(ui.store.visit_view, vid)
    visit, card = view.visit, view.card
    editable = visit.status in INSPECTOR_EDITABLE
    items = view.template.items_by_code
    failed = [
        ft.ListTile(
            title=ft.Text(f"{line.item} {t.pick(line.text, items[line.item][1].text_en)}", size=13),
            subtitle=ft.Text(
                line.explanation(t.lang, describe_rule(items[line.item][1].deduction, t.lang)),
                size=12,
            ),
            trailing=ft.Text(f"-{fmt(line.deducted)}" if line.deducted else ""),
        )
        for line in card.failed_lines
    ]
    # Unanswered items deduct nothing yet, so no pass verdict before the visit is complete.
    verdict = (
        t("finish.incomplete")
        if card.unanswered and not card.veto
        else (t("finish.passed") if card.passed else t("finish.not_passed"))
    )
    if card.per_subject and verdict != t("finish.incomplete"):  # say the rule it follows
        verdict = outcome_line(card.to_dict(), t.lang)
    missing_lists = [  # say which items, not only how many: the inspector goes back to them
        (t("finish.unanswered_items"), list(card.unanswered)[:12]),
        (t("finish.photo_items"), list(view.missing_photos)),
    ]
    missing = ft.Text(
        t("finish.missing", n=len(card.unanswered), m=len(view.missing_photos))
        + "".join(f"\n{label}: {', '.join(codes)}" for label, codes in missing_lists if codes),
        color=ft.Colors.ERROR,
        visible=bool(card.unanswered or view.missing_photos),
    )
    ack_name = ft.TextField(label=t("finish.ack_name"), value=visit.ack_name)
    refused = ft.Checkbox(label=t("finish.ack_refused"), value=visit.ack_refused)
    strokes: list[list[tuple[float, float]]] = []
    pad, clear = signature_pad(strokes)
    ack: list[ft.Control] = []
    if visit.mode == "overt" and editable:  # no acknowledgement in a covert visit
        ack = [
            ack_name,
            refused,
            ft.Text(t("finish.signature")),
            pad,
            ft.TextButton(t("finish.clear"), on_click=lambda e: clear()),
        ]

    async def submit(e: Any) -> None:
        fields: dict[str, Any] = {}
        if visit.mode == "overt":
            fields.update(ack_name=ack_name.value or "", ack_refused=bool(refused.value))
            if strokes:
                code = view.site.code if view.site else ""
                photo = await save_photo(
                    ui, signature_jpeg(strokes), code, visit_id=vid, caption="签名 signature"
                )
                if photo is None:
                    return
                fields["ack_signature_sha256"] = photo.sha256
            if fields["ack_name"] or fields["ack_refused"] or strokes:
                fields["ack_at"] = datetime.now(UTC)
            if await ui.attempt(ui.store.set_visit_fields, vid, **fields) is None:
                return
        try:
            await ui.run(ui.store.submit_visit, vid)
        except DomainError as exc:
            ui.fail(exc)
            return
        ui.sync.poke()
        ui.toast(t("finish.submitted"))
        await ui.go("/")

    controls: list[ft.Control] = [
        tagged(ft.Text(score_text(ui, view), size=18, weight=ft.FontWeight.BOLD), "final-score"),
        ft.Text(
            verdict,
            color=ui.palette.success
            if card.passed and not card.unanswered
            else (ft.Colors.OUTLINE if card.unanswered and not card.veto else ft.Colors.ERROR),
        ),
        missing,
        ft.Text(t("finish.failed"), weight=ft.FontWeight.BOLD),
        *failed,
        *ack,
    ]
    if editable:
        controls.append(big_button(t("finish.submit"), submit, ft.Icons.SEND, key="submit"))
    return ft.View(
        route=f"/visit/{visit_id}/finish",
        appbar=ft.AppBar(title=ft.Text(t("finish.title"))),
        controls=[ft.ListView(controls, spacing=10, padding=ft.Padding.all(16), expand=True)],
        padding=0,
    )
