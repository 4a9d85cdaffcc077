"""The console's checklist editor wired to the real domain (no browser): two editors open
one draft; the second to save is refused and shown who changed which field, keeps their
own edits on screen until they reload; typed points move the preview; publish goes out."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlmodel import Session

from fieldcore.problems import DomainError, ProblemCode
from sync_server.console.screens.template_editor import Editor
from sync_server.console.shell import Console
from sync_server.templates import drafts, published
from sync_server.templates.catalog import resolve_template
from sync_server.templates.versions import get_template
from tests.server.fake_console import FakeConsole
from tests.server.world import World
from tests.versions import newest_and_next

GP_NOW, GP_NEXT = newest_and_next("guard-post")
SP_NOW, SP_NEXT = newest_and_next("store-patrol")


async def open_editor(console: FakeConsole, template_id: str) -> Editor:
    draft = await console.services.write(drafts.start_draft, console.user, template_id)
    assert draft.base_key is not None
    base = await console.services.read(published.published_body, console.user, draft.base_key)
    return Editor(cast(Console, console), draft, base)


def type_into(editor: Editor, path: str, text: str) -> None:
    control: Any = editor.item.fields[path]
    control.value = text
    control.on_change(SimpleNamespace(control=control))


def text_of(column: Any) -> str:
    return "\n".join(str(getattr(c, "value", "")) for c in column.controls)


def test_a_stale_save_shows_the_other_editors_change_then_reload_and_publish(
    world: World,
) -> None:
    asyncio.run(_two_editors(world))


async def _two_editors(world: World) -> None:
    sup, admin = FakeConsole(world, "sup1"), FakeConsole(world, "admin")
    mine, theirs = await open_editor(sup, "store-patrol"), await open_editor(admin, "store-patrol")
    assert mine.draft.id == theirs.draft.id  # one draft per template: they meet in it

    type_into(theirs, "deduction.cap", "8")
    assert await theirs.save() and theirs.revision == 2
    type_into(mine, "text", "营业员提前15分钟上岗")
    assert not await mine.save()
    assert sup.failures[-1].code == ProblemCode.TEMPLATE_DRAFT_STALE
    shown = text_of(mine.conflict)
    assert "admin" in shown and "条目 1.1 deduction.cap" in shown
    assert "您未保存的修改 Your unsaved edits: 条目 1.1 text" in shown
    kept: Any = mine.item.fields["text"]
    assert kept.value == "营业员提前15分钟上岗"  # the author's edit stays on screen

    await mine.on_reload(None)
    type_into(mine, "deduction.points", "")  # per-occurrence rules need points
    await mine.on_publish(None)
    refused = text_of(mine.problems)
    assert "未发布" in refused and "categories[0].items[0].deduction.points" in refused
    assert [f.code for f in sup.failures] == [
        ProblemCode.TEMPLATE_DRAFT_STALE,
        ProblemCode.TEMPLATE_INVALID,
    ]
    assert mine.revision == 3 and not sup.went  # saved, not published
    assert mine.body["categories"][0]["items"][0]["deduction"]["cap"] == 8
    assert "尚不能评分" in text_of(mine.preview)
    type_into(mine, "deduction.points", "5")
    assert mine.problems.controls == []  # the refusal's list goes with the next edit
    assert "1.1 不符合: 得分 95/100" in text_of(mine.preview)
    assert "条目 1.1 deduction.points: 2 → 5" in text_of(mine.diff)
    await mine.on_publish(None)
    assert sup.toasts[-1] == f"已发布 Published: {SP_NEXT}"
    assert sup.went[-1] == f"/templates/draft/{mine.draft.id}"
    published = await sup.services.read(drafts.get_draft, sup.user, mine.draft.id)
    shown_again = Editor(cast(Console, sup), published, mine.base)
    assert all(c.disabled for c in shown_again.item.fields.values())  # as it was published
    count = len(shown_again.body["categories"][0]["items"])
    shown_again.on_add("item")
    assert len(shown_again.body["categories"][0]["items"]) == count
    assert f"已发布为 {SP_NEXT}" in str(shown_again.status.value)
    with Session(world.engine) as s:
        deduction = get_template(s, SP_NEXT).categories[0].items[0].deduction
    assert deduction.points == Decimal(5) and deduction.cap == Decimal(8)


def test_a_parsed_template_becomes_a_draft_through_the_console_service(world: World) -> None:
    """Where 上传 Excel plugs in: read_workbook's Template → a draft the editor opens."""
    admin, inspector = FakeConsole(world, "admin"), FakeConsole(world, "insp1")
    template = resolve_template("guard-post")
    draft = asyncio.run(admin.services.draft_from_template(admin.user, template))
    assert (draft.key, draft.base_key) == (GP_NEXT, GP_NOW)
    editor = Editor(cast(Console, admin), draft, None)
    shown = text_of(editor.preview)
    # guard-post is scored per post (000:L929): the outcome by post, the pool for reference
    assert "全部符合 All pass: 结果:达标(各岗位均达标方为达标)" in shown
    assert "当班保安 100/100 · 100 · 优秀 · 达标" in shown
    assert "合计(仅供参考) 215/215 · 100" in shown
    assert "保安队长 60/100 · 60 · 不合格 · 未达标 · 一票否决" in shown
    assert "尚不能评分" not in shown  # a valid template: scored at once
    asyncio.run(editor.on_discard(None))  # not wanted after all
    assert admin.went[-1] == "/templates" and admin.toasts[-1].startswith("已放弃草稿")
    assert asyncio.run(admin.services.read(drafts.list_drafts, admin.user)) == []
    with pytest.raises(DomainError) as refused:
        asyncio.run(inspector.services.draft_from_template(inspector.user, template))
    assert refused.value.code == ProblemCode.AUTH_FORBIDDEN


def test_the_editor_sets_the_camera_only_flags_and_they_publish(world: World) -> None:
    asyncio.run(_camera_flags(world))


async def _camera_flags(world: World) -> None:
    sup = FakeConsole(world, "sup1")
    editor = await open_editor(sup, "store-patrol")
    for form, path in ((editor.item, "camera_only"), (editor.header, "covert_camera_only")):
        box: Any = form.fields[path]
        assert box.value is False  # off by default
        box.value = True
        box.on_change(SimpleNamespace(control=box))
    await editor.on_publish(None)
    assert sup.toasts[-1] == f"已发布 Published: {SP_NEXT}"
    with Session(world.engine) as s:
        template = get_template(s, SP_NEXT)
    assert template.covert_camera_only and template.categories[0].items[0].camera_only
