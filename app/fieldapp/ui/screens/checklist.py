"""The checklist: categories with progress, every item, the live score from fieldcore.

In covert (暗访) mode the title is neutral and a quick-hide button blanks the screen.
"""

from __future__ import annotations

import uuid
from typing import Any

import flet as ft

from fieldapp.store.visit_view import VisitView
from fieldapp.ui.capture import NoCamera, get_photo
from fieldapp.ui.photo_flow import save_photo
from fieldapp.ui.screens.item_card import ItemCard
from fieldapp.ui.screens.item_list import ItemList, Section
from fieldapp.ui.shell import UI
from fieldapp.ui.widgets import big_button, tagged
from fieldcore.checklist import Category, Item
from fieldcore.evidence import allowed_sources, camera_required
from fieldcore.headline import pooled_line, subject_line
from fieldcore.scorecard import fmt
from fieldcore.workflow import INSPECTOR_EDITABLE, finding_id


def score_text(ui: UI, view: VisitView) -> str:
    """The live score: total, percent and grade; for a per-subject template one line per
    subject (score, percent, grade, pass) and the pooled figure labelled 合计(仅供参考)."""
    card = view.card
    if card.per_subject:
        score, lang = card.to_dict(), ui.t.lang
        grades = {g.code: ui.t.pick(g.code, g.title_en) for g in view.template.scoring.grades}
        titles = {s.code: ui.t.pick(s.title, s.title_en) for s in view.template.subjects}
        posts = [{**s, "title": titles.get(s["code"], s["title"])} for s in score["subjects"]]
        lines = [subject_line(s, lang, grades) for s in posts]
        return "\n".join([*lines, pooled_line(score, lang)])
    percent = fmt(card.percent) if card.percent is not None else "—"
    grade = next((g for g in view.template.scoring.grades if g.code == card.grade), None)
    return ui.t(
        "check.score",
        total=fmt(card.total),
        max=fmt(card.max),
        percent=percent,
        grade=ui.t.pick(grade.code, grade.title_en) if grade else "—",
    )


def progress_counts(view: VisitView) -> tuple[int, int]:
    lines = [line for c in view.card.categories for line in c.lines]
    return sum(1 for line in lines if line.result is not None), len(lines)


async def build(ui: UI, visit_id: str) -> ft.View:
    t = ui.t
    vid = uuid.UUID(visit_id)
    view: VisitView = await ui.run(ui.store.visit_view, vid)
    last_time = await ui.run(ui.store.last_time, vid)  # the same in 暗访: the inspector's data
    visit, template = view.visit, view.template
    editable = visit.status in INSPECTOR_EDITABLE
    covert = visit.mode == "covert"
    score_line = ft.Text(score_text(ui, view), size=15, weight=ft.FontWeight.BOLD)
    score = tagged(score_line, "score")
    progress = ft.Text("", size=12)
    veto_text = ft.Text("", color=ft.Colors.ON_ERROR)
    veto = ft.Container(
        veto_text,
        bgcolor=ft.Colors.ERROR,
        padding=ft.Padding.all(8),
        border_radius=ft.BorderRadius.all(6),
        visible=False,
    )
    headers: dict[str, ft.Text] = {}
    latest = [view]  # the newest visit view: what a card built later (on scroll) shows

    def update_header(v: VisitView) -> None:
        score_line.value = score_text(ui, v)
        done, total = progress_counts(v)
        progress.value = t("check.progress", done=done, total=total)
        veto.visible = v.card.veto
        veto_text.value = t("check.veto", items=", ".join(v.card.veto_items))
        for cat in v.card.categories:
            answered = sum(1 for line in cat.lines if line.result is not None)
            if cat.code in headers:
                headers[
                    cat.code
                ].value = f"{fmt(cat.score)}/{fmt(cat.max)} · {answered}/{len(cat.lines)}"

    async def changed(code: str | None = None) -> None:
        """Show a change: one item's card and the header when `code` names it (a long
        list is not walked for one mark: `mingcha bench field`), else every card."""
        fresh = await ui.run(ui.store.visit_view, vid)
        latest[0] = fresh
        update_header(fresh)
        if code not in items.cards:  # only the cards built so far: the rest build from `latest`
            for card in items.cards.values():
                card.refresh(fresh, update=False)
            ui.page.update()
            return
        card = items.cards[code]
        card.refresh(fresh)
        header.update()
        headers[card.category.code].update()

    async def add_photo(item: Item) -> None:
        try:  # camera only where the item asks for it (fieldcore.evidence)
            got = await get_photo(ui.page, t, allowed_sources(template, item, visit.mode))
        except NoCamera:
            items.cards[item.code].say_no_camera()  # said plainly on the item, not a file offered
            ui.toast(t("check.no_camera"), error=True)
            return
        if got is None:
            return
        raw, source = got
        code = view.site.code if view.site else ""
        attach = {"visit_id": vid, "finding_id_": finding_id(vid, item.code)}
        if await save_photo(ui, raw, code, source=source, **attach):
            await changed(item.code)

    sections: list[Section] = []
    for category in template.categories:
        in_mode = [i for i in category.items if template.in_mode(i, visit.mode)]
        if not in_mode:
            continue
        headers[category.code] = ft.Text("", size=12, color=ft.Colors.OUTLINE)
        heading = ft.Container(
            ft.Row(
                [
                    ft.Text(
                        f"{category.code} {t.pick(category.title, category.title_en)}",
                        size=16,
                        weight=ft.FontWeight.BOLD,
                        expand=True,
                    ),
                    headers[category.code],
                ]
            ),
            padding=ft.Padding.only(top=12, bottom=4),
        )
        sections.append(Section(category, in_mode, heading))

    def make_card(category: Category, item: Item) -> ItemCard:
        return ItemCard(
            ui, latest[0], category, item, editable, changed, add_photo, last_time,
            camera_only=camera_required(template, item, visit.mode),
        )  # fmt: skip

    repeat_codes = set(last_time.repeats) if last_time else set()
    items = ItemList(sections, make_card, repeat_codes, ui.page.height)
    repeats = sum(1 for code in items.item_codes() if code in items.repeats)
    update_header(view)

    def only_repeats(e: Any) -> None:
        """The filter: only the items that failed in two of the last three visits."""
        items.show_only_repeats(bool(repeat_filter.value))
        ui.page.update()

    repeat_filter = ft.Switch(
        label=t("check.only_repeats", n=repeats),
        value=False,
        on_change=only_repeats,
    )
    # hidden as a whole: a Semantics whose content is hidden shows Flet's error box
    repeat_box = tagged(repeat_filter, "only-repeats")
    repeat_box.visible = repeats > 0

    banners: list[ft.Control] = []
    if visit.status == "returned" and visit.return_comment:
        banners.append(
            ft.Text(t("check.returned", text=visit.return_comment), color=ui.palette.warning)
        )
    if not editable:
        banners.append(ft.Text(t("check.locked"), color=ft.Colors.OUTLINE))
    if visit.sync_error:
        banners.append(ft.Text(visit.sync_error, color=ft.Colors.ERROR))

    async def pass_rest(e: Any) -> None:
        fresh = await ui.run(ui.store.visit_view, vid)
        items = template.items_by_code
        n = sum(1 for c in fresh.card.unanswered if items[c][1].deduction.kind != "figure")
        if not n:
            ui.toast(t("check.pass_rest_none"))
            return

        async def confirmed(e: Any) -> None:
            ui.page.pop_dialog()
            if await ui.attempt(ui.store.pass_unanswered, vid) is not None:
                await changed()

        ui.page.show_dialog(
            ft.AlertDialog(
                content=ft.Text(t("check.pass_rest_confirm", n=n)),
                actions=[
                    ft.TextButton(t("common.cancel"), on_click=lambda e: ui.page.pop_dialog()),
                    tagged(ft.TextButton(t("common.confirm"), on_click=confirmed), "confirm"),
                ],
            )
        )
        ui.page.update()  # show_dialog switches auto-update off for this handler

    async def hide(e: Any) -> None:
        ui.hidden_from = f"/visit/{visit_id}"
        await ui.go("/hide")

    actions: list[ft.Control] = []
    if covert:
        actions.append(
            tagged(
                ft.IconButton(ft.Icons.VISIBILITY_OFF, tooltip=t("check.hide"), on_click=hide),
                "hide",
            )
        )
    if covert:
        ui.page.title = t("app.neutral_title")
        ui.covert = True  # covered when the app is left (fieldapp.ui.privacy)
    title = (
        t("app.neutral_title")
        if covert
        else (
            f"{view.site.name if view.site else ''} · {t.pick(template.title, template.title_en)}"
        )
    )
    finish = big_button(
        t("check.finish"),
        lambda e: ui.page.run_task(ui.go, f"/visit/{visit_id}/finish"),
        ft.Icons.DONE_ALL,
        key="finish",
    )
    tools: list[ft.Control] = [progress]
    if editable:
        rest = ft.TextButton(t("check.pass_rest"), icon=ft.Icons.DONE_ALL, on_click=pass_rest)
        tools.append(tagged(rest, "pass-rest"))
    header = ft.Container(
        ft.Column(
            [
                score,
                ft.Row(tools, alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
                repeat_box,
                veto,
                *banners,
            ],
            spacing=4,
        ),
        padding=ft.Padding.symmetric(horizontal=12, vertical=8),
        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGH,
    )
    return ft.View(
        route=f"/visit/{visit_id}",
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        appbar=ft.AppBar(title=ft.Text(title, size=16), actions=actions),
        # Finish stays under the thumb, not 45 items down the list.
        bottom_appbar=ft.BottomAppBar(
            finish, padding=ft.Padding.symmetric(horizontal=16, vertical=6), height=72
        ),
        padding=0,
        spacing=0,
        controls=[
            header,
            items.control,
        ],
    )
