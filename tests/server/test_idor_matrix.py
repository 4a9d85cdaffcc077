"""IDOR matrix: every endpoint that names an id, tried by every role from a foreign scope.

The target is insp1's published visit at S1 (region R1) with a finding, an uploaded photo,
a rectification and an open upload session. The outsiders are an inspector, a supervisor
and a site manager of region R2 / site S3; none of them may read or write any of it, and
each attempt must be answered as if the thing did not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, select

from fieldcore.workflow import finding_id
from sync_server.core.db import write_session
from sync_server.org import admin
from sync_server.tables import ConflictLog, Finding, Photo, Rectification, Upload, Visit
from tests.server.images import jpeg, sha
from tests.server.test_photo_uploads import patch, start, upload_all
from tests.server.world import PASSWORD, Phone, World


@dataclass
class Target:
    visit: str
    finding: str
    photo: str
    digest: str
    rect: str
    upload: str
    state: dict[str, Any]


def target(world: World) -> Target:
    insp, sup = world.phone("insp1"), world.phone("sup1")
    visit_id, create = insp.new_visit(world.site("S1"))
    items = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]
    muts = [create] + [
        insp.answer(
            visit_id, c, "fail" if c == "1.1" else "pass", **({"count": 1} if c == "1.1" else {})
        )
        for c in items
    ]
    data, other = jpeg(seed=21), jpeg(seed=22)
    photo_id = uuid.uuid4()
    muts.append(
        insp.mutation(
            "photo",
            photo_id,
            visit_id=visit_id,
            finding_id=finding_id(visit_id, "1.1"),
            sha256=sha(data),
            byte_size=len(data),
            mime="image/jpeg",
        )
    )
    muts.append(
        insp.mutation(
            "photo",
            uuid.uuid4(),
            visit_id=visit_id,
            finding_id=finding_id(visit_id, "1.1"),
            sha256=sha(other),
            byte_size=len(other),
            mime="image/jpeg",
        )
    )
    insp.push(*muts, insp.mutation("visit", visit_id, status="submitted"))
    upload_all(insp, data)
    open_upload = start(insp, sha(other), len(other)).json()["id"]
    sup.push(sup.mutation("visit", visit_id, status="approved"))
    sup.push(sup.mutation("visit", visit_id, status="published"))
    with Session(world.engine) as s:
        rect = s.exec(select(Rectification)).one()
    return Target(
        str(visit_id),
        str(finding_id(visit_id, "1.1")),
        str(photo_id),
        sha(data),
        str(rect.id),
        open_upload,
        snapshot(world),
    )


def snapshot(world: World) -> dict[str, Any]:
    with Session(world.engine) as s:
        return {
            m.__name__: sorted(str(r.model_dump()) for r in s.exec(select(m)).all())
            for m in (Visit, Finding, Photo, Rectification, Upload, ConflictLog)
        }


def outsiders(world: World) -> dict[str, Phone]:
    with write_session(world.engine) as s:
        admin.assign(s, admin.add_user(s, "sup2", "supervisor", PASSWORD), regions=["R2"])
    return {
        "inspector": world.phone("insp2"),
        "supervisor": world.phone("sup2"),
        "site_manager": world.phone("mgr3"),
    }


# each attempt returns (status or push code, pulled?) — the expectations are in ATTEMPTS
def push_one(phone: Phone, entity: str, row_id: str, **fields: Any) -> str:
    result = phone.push(phone.mutation(entity, row_id, **fields))[0]
    return result["code"] or "applied"


ATTEMPTS = {
    "push: edit the visit": lambda p, t: push_one(p, "visit", t.visit, note="x"),
    "push: change its status": lambda p, t: push_one(
        p, "visit", t.visit, status="voided", void_reason="x"
    ),
    "push: delete the visit": lambda p, t: push_one(p, "visit", t.visit, op="delete"),
    "push: edit the finding": lambda p, t: push_one(p, "finding", t.finding, note="x"),
    "push: comment on the finding": lambda p, t: push_one(
        p, "finding", t.finding, review_comment="x"
    ),
    "push: add a finding to the visit": lambda p, t: push_one(
        p,
        "finding",
        str(finding_id(t.visit, "2.1")),
        visit_id=t.visit,
        item_code="2.1",
        result="fail",
    ),
    "push: add a photo to the visit": lambda p, t: push_one(
        p,
        "photo",
        str(uuid.uuid4()),
        visit_id=t.visit,
        finding_id=t.finding,
        sha256="d" * 64,
        byte_size=5,
        mime="image/jpeg",
    ),
    "push: edit the photo": lambda p, t: push_one(p, "photo", t.photo, caption="x"),
    "push: answer the rectification": lambda p, t: push_one(
        p, "rectification", t.rect, response_note="x"
    ),
    "push: verify the rectification": lambda p, t: push_one(
        p, "rectification", t.rect, status="verified"
    ),
    "push: after-photo on the rectification": lambda p, t: push_one(
        p,
        "photo",
        str(uuid.uuid4()),
        rectification_id=t.rect,
        sha256="e" * 64,
        byte_size=5,
        mime="image/jpeg",
    ),
    "GET the photo bytes": lambda p, t: (
        p.client.get(f"/v1/blobs/{t.digest}", headers=p.headers).status_code
    ),
    "ask whether the photo is missing": lambda p, t: p.client.post(
        "/v1/blobs/missing", headers=p.headers, json={"sha256": [t.digest]}
    ).json()["unknown"],
    "start an upload of its hash": lambda p, t: start(p, t.digest, 10).status_code,
    "HEAD the open upload": lambda p, t: (
        p.client.head(f"/v1/uploads/{t.upload}", headers=p.headers).status_code
    ),
    "GET the open upload": lambda p, t: (
        p.client.get(f"/v1/uploads/{t.upload}", headers=p.headers).status_code
    ),
    "PATCH the open upload": lambda p, t: patch(p, t.upload, 0, b"xx").status_code,
    "pull sees none of it": lambda p, t: sorted(
        {e for (e, i), _ in p.pull_all().items() if i in {t.visit, t.finding, t.photo, t.rect}}
    ),
}
REFUSALS: list[Any] = ["scope.denied", "sync.field_not_owned", 404, []]


def ghost() -> Target:
    """The same attempts aimed at ids and a hash that do not exist anywhere."""
    new = str(uuid.uuid4())
    return Target(
        new,
        str(finding_id(new, "1.1")),
        str(uuid.uuid4()),
        sha(b"ghost"),
        str(uuid.uuid4()),
        str(uuid.uuid4()),
        {},
    )


@pytest.mark.parametrize("role", ["inspector", "supervisor", "site_manager"])
def test_no_endpoint_lets_a_foreign_scope_read_or_write(world: World, role: str) -> None:
    t = target(world)
    phone = outsiders(world)[role]
    real = {name: attempt(phone, t) for name, attempt in ATTEMPTS.items()}
    for name, outcome in real.items():  # refused …
        assert outcome in REFUSALS or outcome == [t.digest], (role, name, outcome)
    assert snapshot(world) == t.state  # … nothing anywhere changed …
    # … and every read answers exactly as for something that does not exist (no existence
    # oracle). Pushes are exempt by design: an upsert on a random new id is a create, so a
    # push can only tell that a (random, 122-bit) id is taken — never read or change it.
    g = ghost()
    reads = [name for name in ATTEMPTS if not name.startswith("push")]
    imaginary = {name: ATTEMPTS[name](phone, g) for name in reads}
    real_reads = {name: real[name] for name in reads}
    real_reads["ask whether the photo is missing"] = "unknown"
    imaginary["ask whether the photo is missing"] = (
        "unknown" if imaginary["ask whether the photo is missing"] == [g.digest] else "answered"
    )
    assert real_reads == imaginary
