"""Template drafts (sync_server.templates.drafts): a supervisor copies a published version,
edits it server-side, and publishes it as the next version; a save based on an old
revision is refused with what the other editor changed; an invalid draft lists every
problem with its JSON path and publishes nothing; only supervisors and admins may edit."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.template_loader import TemplateError
from sync_server.core.db import write_session
from sync_server.tables import AuditLog, TemplateVersion, User
from sync_server.templates import drafts
from sync_server.templates.catalog import resolve_template
from sync_server.templates.versions import get_template, latest_templates
from tests.server.world import World
from tests.versions import newest_and_next

HD_NOW, HD_NEXT = newest_and_next("hotel-daily")
SP_NOW, SP_NEXT = newest_and_next("store-patrol")


pytestmark = pytest.mark.postgres  # JSON columns and the draft table on both dialects


def user(world: World, name: str) -> User:
    with Session(world.engine) as s:
        return s.exec(select(User).where(User.username == name)).one()


def write(world: World, fn: Any, *args: Any) -> Any:
    with write_session(world.engine) as s:
        return fn(s, *args)


def first_item(body: dict[str, Any]) -> dict[str, Any]:
    return body["categories"][0]["items"][0]


def test_a_draft_of_a_published_template_publishes_as_the_next_version(world: World) -> None:
    sup = user(world, "sup1")
    draft = write(world, drafts.start_draft, sup, "store-patrol")
    assert (draft.key, draft.base_key, draft.revision) == (SP_NEXT, SP_NOW, 1)
    body = draft.body
    first_item(body)["deduction"]["points"] = 5
    saved = write(world, drafts.save_draft, sup, draft.id, 1, body)
    assert saved.revision == 2
    assert write(world, drafts.start_draft, sup, "store-patrol").id == draft.id  # one draft

    version = write(world, drafts.publish_draft, sup, draft.id, 2)
    assert version.key == SP_NEXT and version.published_by == "sup1"
    with Session(world.engine) as s:
        new, old = get_template(s, SP_NEXT), get_template(s, SP_NOW)
        served = {t.template_id: t.key for t in latest_templates(s)}
        actions = s.exec(select(AuditLog.action).where(AuditLog.entity == "template_draft")).all()
    assert new.categories[0].items[0].deduction.points == 5
    shipped = resolve_template(SP_NOW)
    assert old == shipped  # the published version a visit may be pinned to is unchanged
    assert served["store-patrol"] == SP_NEXT
    assert list(actions) == ["template_draft.create", "template_draft.save", "template.publish"]
    pulled = world.phone("insp1").pull_all()
    assert pulled[("template", SP_NEXT)] is not None  # phones get the new version
    with pytest.raises(DomainError) as closed:
        write(world, drafts.save_draft, sup, draft.id, 2, body)
    assert closed.value.code == ProblemCode.TEMPLATE_DRAFT_CLOSED


def test_a_save_based_on_an_old_revision_is_refused_with_the_other_editors_change(
    world: World,
) -> None:
    sup, admin = user(world, "sup1"), user(world, "admin")
    draft = write(world, drafts.start_draft, sup, "store-patrol")
    theirs = json.loads(json.dumps(draft.body))
    first_item(theirs)["deduction"]["cap"] = 8
    write(world, drafts.save_draft, admin, draft.id, 1, theirs)

    mine = draft.body
    first_item(mine)["text"] = "我的修改"
    with pytest.raises(DomainError) as refused:
        write(world, drafts.save_draft, sup, draft.id, 1, mine)
    assert refused.value.code == ProblemCode.TEMPLATE_DRAFT_STALE
    assert refused.value.details["revision"] == 2
    [change] = refused.value.details["changes"]
    assert change["by"] == "admin" and change["revision"] == 2 and change["at"]
    assert change["fields"] == ["条目 1.1 deduction.cap"]
    now = write(world, drafts.get_draft, sup, draft.id)
    assert first_item(now.body)["text"] != "我的修改"  # nothing of the refused save stored
    assert first_item(now.body)["deduction"]["cap"] == 8


def test_an_invalid_draft_lists_every_problem_and_publishes_nothing(world: World) -> None:
    sup = user(world, "sup1")
    draft = write(world, drafts.start_draft, sup, "store-patrol")
    body = draft.body
    first_item(body)["deduction"]["points"] = "abc"
    body["categories"][1]["items"][0].pop("source")
    body["scoring"]["pass_mark"] = 120
    write(world, drafts.save_draft, sup, draft.id, 1, body)
    with pytest.raises(TemplateError) as invalid:
        write(world, drafts.publish_draft, sup, draft.id, 2)
    text = "\n".join(invalid.value.problems)
    assert "categories[0].items[0].deduction.points" in text
    assert "categories[1].items[0].source" in text
    assert "scoring.pass_mark" in text
    with Session(world.engine) as s:
        assert s.get(TemplateVersion, SP_NEXT) is None
    assert write(world, drafts.get_draft, sup, draft.id).status == "open"


def test_a_new_template_starts_at_version_one_and_an_uploaded_one_takes_the_next(
    world: World,
) -> None:
    admin = user(world, "admin")
    fresh = write(world, drafts.new_template_draft, admin, "night-check", "夜间检查")
    assert fresh.key == "night-check.v1" and fresh.base_key is None
    assert fresh.body["scoring"]["assumed"] is True  # defaults are not the regulation's
    with pytest.raises(DomainError) as taken:
        write(world, drafts.new_template_draft, admin, "store-patrol", "x")
    assert taken.value.code == ProblemCode.REQUEST_INVALID

    uploaded = write(world, drafts.draft_from_template, admin, resolve_template("hotel-daily"))
    assert uploaded.key == HD_NEXT and uploaded.base_key == HD_NOW
    assert isinstance(first_item(uploaded.body)["deduction"].get("points", 0), int | float)
    write(world, drafts.publish_draft, admin, uploaded.id, 1)
    with Session(world.engine) as s:
        assert get_template(s, HD_NEXT).categories == resolve_template("hotel-daily").categories


@pytest.mark.parametrize("name", ["insp1", "mgr1"])
def test_inspectors_and_site_managers_cannot_edit_templates(world: World, name: str) -> None:
    sup, other = user(world, "sup1"), user(world, name)
    draft = write(world, drafts.start_draft, sup, "store-patrol")
    calls: list[Callable[[], Any]] = [
        lambda: write(world, drafts.start_draft, other, "store-patrol"),
        lambda: write(world, drafts.list_drafts, other),
        lambda: write(world, drafts.save_draft, other, draft.id, 1, draft.body),
        lambda: write(world, drafts.publish_draft, other, draft.id, 1),
    ]
    for call in calls:
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code == ProblemCode.AUTH_FORBIDDEN
    assert write(world, drafts.get_draft, sup, draft.id).revision == 1


def test_an_unknown_draft_is_not_found(world: World) -> None:
    with pytest.raises(DomainError) as missing:
        write(world, drafts.get_draft, user(world, "sup1"), uuid.uuid4())
    assert missing.value.code == ProblemCode.TEMPLATE_NOT_FOUND


def test_a_discarded_draft_is_closed_and_the_next_edit_starts_afresh(world: World) -> None:
    sup = user(world, "sup1")
    draft = write(world, drafts.start_draft, sup, "store-patrol")
    body = draft.body
    first_item(body)["text"] = "改过的"
    write(world, drafts.save_draft, sup, draft.id, 1, body)
    with pytest.raises(DomainError) as stale:  # a discard must see the latest revision too
        write(world, drafts.discard_draft, sup, draft.id, 1)
    assert stale.value.code == ProblemCode.TEMPLATE_DRAFT_STALE
    write(world, drafts.discard_draft, sup, draft.id, 2)
    assert write(world, drafts.list_drafts, sup) == []
    again = write(world, drafts.start_draft, sup, "store-patrol")
    assert again.id != draft.id and first_item(again.body)["text"] != "改过的"
    with pytest.raises(DomainError) as closed:
        write(world, drafts.publish_draft, sup, draft.id, 2)
    assert closed.value.code == ProblemCode.TEMPLATE_DRAFT_CLOSED
    with Session(world.engine) as s:
        actions = s.exec(select(AuditLog.action).where(AuditLog.entity_id == str(draft.id)))
        assert "template_draft.discard" in list(actions)
