"""上传 Excel / 下载 Excel in the console, through its services (no browser): a workbook with
problems lists every one by cell and creates nothing; a valid one becomes a draft holding
its content; a version already published or already drafted is refused with its code; a
published version downloads as a workbook that reads back as itself; the templates page
shows every problem of a refused upload."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import cast

import pytest
from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.template_loader import TemplateError
from sync_server.console import transfers
from sync_server.console.screens import template_files
from sync_server.console.screens.template_files import WorkbookFiles
from sync_server.console.shell import Console
from sync_server.reports.downloads import DownloadStore
from sync_server.tables import AuditLog, TemplateDraft
from sync_server.templates.workbook import read_workbook
from tests.server.fake_console import FakeConsole, services_and_user
from tests.server.world import World
from tests.workbooks import (
    NEWEST,
    NEWEST_KEY,
    NEXT,
    NEXT_KEY,
    PATROL,
    TWO_MISTAKES,
    TWO_PROBLEMS,
    XLSX,
    patrol_workbook,
)

pytestmark = pytest.mark.postgres  # the draft table's JSON body on both dialects


def drafts_in(world: World) -> list[str]:
    with Session(world.engine) as s:
        return [f"{d.template_id}.v{d.version}" for d in s.exec(select(TemplateDraft)).all()]


def test_a_workbook_with_two_problems_lists_both_by_cell_and_creates_nothing(
    world: World,
) -> None:
    services, sup = services_and_user(world)
    bad = patrol_workbook(NEXT, TWO_MISTAKES)
    with pytest.raises(TemplateError) as caught:
        asyncio.run(transfers.upload_workbook(services, sup, bad, "巡店.xlsx"))
    assert caught.value.source == "巡店.xlsx"
    assert caught.value.problems == TWO_PROBLEMS
    assert drafts_in(world) == []


def test_a_valid_workbook_becomes_a_draft_with_its_content(world: World) -> None:
    services, sup = services_and_user(world)
    data = patrol_workbook(NEXT, {("分值", 2): 5, ("检查内容", 3): "营业员提前15分钟上岗"})
    draft = asyncio.run(transfers.upload_workbook(services, sup, data, "巡店.xlsx"))
    assert (draft.key, draft.base_key, draft.revision) == (NEXT_KEY, NEWEST_KEY, 1)
    items = draft.body["categories"][0]["items"]
    assert (items[0]["deduction"]["points"], items[1]["text"]) == (5, "营业员提前15分钟上岗")
    expected = read_workbook(data, "巡店.xlsx")
    assert expected.version == NEXT and draft.body["title"] == expected.title
    assert len([i for c in draft.body["categories"] for i in c["items"]]) == len(
        list(expected.iter_items())
    )
    assert drafts_in(world) == [NEXT_KEY]


def test_a_published_or_already_drafted_version_is_refused_with_its_code(world: World) -> None:
    services, sup = services_and_user(world)
    with pytest.raises(DomainError) as published:
        asyncio.run(transfers.upload_workbook(services, sup, patrol_workbook(NEWEST), "v1.xlsx"))
    assert published.value.code == ProblemCode.TEMPLATE_VERSION_EXISTS
    assert published.value.details == {"key": NEWEST_KEY, "latest": NEWEST_KEY}
    assert drafts_in(world) == []

    first = asyncio.run(transfers.upload_workbook(services, sup, patrol_workbook(NEXT), "v2.xlsx"))
    with pytest.raises(DomainError) as drafted:
        asyncio.run(
            transfers.upload_workbook(
                services, sup, patrol_workbook(NEXT, {("分值", 2): 4}), "v2-again.xlsx"
            )
        )
    assert drafted.value.code == ProblemCode.TEMPLATE_DRAFT_EXISTS
    assert drafted.value.details == {"key": NEXT_KEY, "draft": str(first.id)}
    assert drafts_in(world) == [NEXT_KEY]  # the first upload's, untouched


def test_only_supervisors_and_admins_upload(world: World) -> None:
    services, inspector = services_and_user(world, "insp1")
    with pytest.raises(DomainError) as refused:
        asyncio.run(
            transfers.upload_workbook(services, inspector, patrol_workbook(NEXT), "v2.xlsx")
        )
    assert refused.value.code == ProblemCode.AUTH_FORBIDDEN
    assert drafts_in(world) == []


def test_a_published_version_downloads_as_a_workbook_that_reads_back_as_itself(
    world: World,
) -> None:
    services, sup = services_and_user(world)
    download = asyncio.run(transfers.template_workbook(services, sup, NEWEST_KEY))
    assert download.filename == f"{NEWEST_KEY}.xlsx"
    assert download.rows == len(list(PATROL.iter_items()))
    store = DownloadStore.under(services.settings.data_dir)
    stored = store.find(download.url.rsplit("/", 1)[1], services.clock())
    assert stored.owner == sup.id  # the link serves this supervisor only
    assert read_workbook(Path(stored.path).read_bytes(), "back.xlsx") == PATROL
    fetched = world.client.get(
        transfers.download_url(services, sup, download.url)
    )  # the button's link
    assert fetched.status_code == 200, fetched.text
    assert fetched.headers["content-type"] == XLSX
    assert read_workbook(fetched.content, "fetched.xlsx") == PATROL
    stranger = world.client.get(download.url)  # no ticket, no token: nobody's
    assert stranger.status_code == 404
    with Session(world.engine) as s:
        audit = s.exec(select(AuditLog).where(AuditLog.action == "template.export_workbook")).one()
    assert (audit.user_id, audit.entity_id) == (sup.id, NEWEST_KEY)


def shown(files: WorkbookFiles) -> list[str]:
    return [str(getattr(c, "value", "")) for c in files.problems.controls]


def test_the_page_lists_every_problem_then_opens_the_editor_on_the_fixed_workbook(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    console = FakeConsole(world)
    files = WorkbookFiles(cast(Console, console))
    picks = [
        ("巡店.xlsx", patrol_workbook(NEXT, TWO_MISTAKES)),
        ("巡店.xlsx", patrol_workbook(NEXT)),
    ]

    async def pick() -> tuple[str, bytes]:
        return picks.pop(0)

    monkeypatch.setattr(template_files, "picked_workbook", pick)
    asyncio.run(files.upload(None))
    lines = shown(files)
    assert "2 处问题" in lines[0]
    assert lines[1:] == [f"1. {TWO_PROBLEMS[0]}", f"2. {TWO_PROBLEMS[1]}"]
    assert console.went == [] and drafts_in(world) == []

    asyncio.run(files.upload(None))
    assert drafts_in(world) == [NEXT_KEY]
    assert len(console.went) == 1 and console.went[0].startswith("/templates/draft/")

    picks.append(("again.xlsx", patrol_workbook(NEXT)))
    asyncio.run(files.upload(None))
    assert console.failures[-1].code == ProblemCode.TEMPLATE_DRAFT_EXISTS
    assert any("template.draft_exists" in line for line in shown(files))
    assert drafts_in(world) == [NEXT_KEY]
