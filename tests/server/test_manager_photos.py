"""What photo bytes a site manager may fetch: the evidence of the deducted items a corrective
action was raised from (published visits at their sites only) and their own after-photos.

Everything else of the visit (photos of passed items, visit-level photos), unpublished
results, other sites and other managers' after-photos answer 404 blob.not_found, the same
as a hash that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from unittest import mock

from sqlmodel import Session, select

from fieldcore.workflow import finding_id
from sync_server.core.db import write_session
from sync_server.org import admin
from sync_server.tables import Rectification
from tests.server.images import jpeg, sha
from tests.server.test_photo_uploads import upload_all
from tests.server.world import PASSWORD, Phone, World, _password_hash

ITEMS = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]


@dataclass
class Published:
    visit_id: uuid.UUID
    evidence: bytes  # the photo of deducted item 1.1
    passed: bytes  # a photo the inspector also took of passed item 1.2
    overall: bytes  # a visit-level photo (no item)


def photo(phone: Phone, data: bytes, **links: Any) -> dict[str, Any]:
    return phone.mutation(
        "photo", uuid.uuid4(), sha256=sha(data), byte_size=len(data), mime="image/jpeg", **links
    )


def submitted_visit(world: World) -> Published:
    """insp1's submitted visit at S1: 1.1 deducted with a photo, the rest passed; all bytes
    uploaded."""
    insp = world.phone("insp1")
    visit_id, create = insp.new_visit(world.site("S1"))
    out = Published(visit_id, jpeg(seed=31), jpeg(seed=32), jpeg(seed=33))
    muts = [create]
    for code in ITEMS:
        fail = code == "1.1"
        muts.append(
            insp.answer(visit_id, code, "fail" if fail else "pass", count=1 if fail else None)
        )
    muts += [
        photo(insp, out.evidence, visit_id=visit_id, finding_id=finding_id(visit_id, "1.1")),
        photo(insp, out.passed, visit_id=visit_id, finding_id=finding_id(visit_id, "1.2")),
        photo(insp, out.overall, visit_id=visit_id),
        insp.mutation("visit", visit_id, status="submitted"),
    ]
    assert {r["status"] for r in insp.push(*muts)} == {"applied"}
    for data in (out.evidence, out.passed, out.overall):
        upload_all(insp, data)
    return out


def publish(world: World, visit_id: uuid.UUID) -> uuid.UUID:
    sup = world.phone("sup1")
    sup.push(sup.mutation("visit", visit_id, status="approved"))
    sup.push(sup.mutation("visit", visit_id, status="published"))
    with Session(world.engine) as s:
        rect = s.exec(select(Rectification).where(Rectification.visit_id == visit_id)).one()
        return rect.id


def fetch(phone: Phone, data: bytes) -> tuple[int, bytes]:
    r = phone.client.get(f"/v1/blobs/{sha(data)}", headers=phone.headers)
    return r.status_code, r.content


def second_manager_of_s1(world: World) -> Phone:
    quick = mock.patch.object(admin, "hash_password", lambda _: _password_hash())
    with quick, write_session(world.engine) as s:
        user = admin.add_user(s, "mgr1b", "site_manager", PASSWORD, display_name="mgr1b")
        admin.assign(s, user, [], ["S1"])
    return world.phone("mgr1b")


def test_a_site_manager_fetches_the_evidence_of_their_actions_once_published(
    world: World,
) -> None:
    visit = submitted_visit(world)
    mgr = world.phone("mgr1")
    assert fetch(mgr, visit.evidence)[0] == 404  # not published yet: the embargo holds
    publish(world, visit.visit_id)
    assert fetch(mgr, visit.evidence) == (200, visit.evidence)  # 整改前, byte for byte
    assert fetch(mgr, visit.passed)[0] == 404  # a passed item is nothing to fix
    assert fetch(mgr, visit.overall)[0] == 404  # nor a photo of the visit as a whole
    assert fetch(world.phone("mgr3"), visit.evidence)[0] == 404  # another site's manager
    sup = world.phone("sup1")  # the reviewer still sees every photo of the visit
    assert [fetch(sup, d)[0] for d in (visit.evidence, visit.passed, visit.overall)] == [200] * 3


def test_a_site_manager_fetches_their_own_after_photos_but_not_another_managers(
    world: World,
) -> None:
    visit = submitted_visit(world)
    rect_id = publish(world, visit.visit_id)
    mgr, other = world.phone("mgr1"), second_manager_of_s1(world)
    mine, theirs = jpeg(seed=34), jpeg(seed=35)
    assert mgr.push(photo(mgr, mine, rectification_id=rect_id))[0]["status"] == "applied"
    assert other.push(photo(other, theirs, rectification_id=rect_id))[0]["status"] == "applied"
    upload_all(mgr, mine)
    upload_all(other, theirs)
    assert fetch(mgr, mine) == (200, mine)
    assert fetch(mgr, theirs)[0] == 404
    assert fetch(other, visit.evidence) == (200, visit.evidence)  # same site, same evidence
    assert (
        world.phone("sup1")
        .client.get(f"/v1/blobs/{sha(theirs)}", headers=world.phone("sup1").headers)
        .status_code
        == 200
    )


def test_voiding_the_visit_closes_its_evidence_to_the_site_manager(world: World) -> None:
    visit = submitted_visit(world)
    publish(world, visit.visit_id)
    mgr = world.phone("mgr1")
    assert fetch(mgr, visit.evidence)[0] == 200
    sup = world.phone("sup1")
    voided = sup.push(
        sup.mutation("visit", visit.visit_id, status="voided", void_reason="录错门店")
    )
    assert voided[0]["status"] == "applied", voided
    assert fetch(mgr, visit.evidence)[0] == 404
