"""What PROTOCOL.md promises a third-party client, checked against the server's answers:
the push bound's code, the not-found code of every path-like name, one success convention
for pushes and packs, and error shapes as OpenAPI declares them."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from sync_server.tables import Visit
from tests.server.world import World


def test_a_push_over_the_protocol_bound_gets_too_many_mutations(world: World) -> None:
    """1,001 mutations at default settings: pydantic's bound used to answer 422 first."""
    phone = world.phone("insp1")
    mutations = [phone.new_visit(world.site("S1"))[1] for _ in range(1001)]
    r = phone.push_raw(mutations)
    assert r.status_code == 413
    assert r.json() == {
        "code": "sync.too_many_mutations",
        "message": r.json()["message"],
        "details": {"max": 1000},
    }
    with Session(world.engine) as s:
        assert s.exec(select(Visit)).all() == []
    phone.seq = 0
    ok = phone.push_raw([phone.new_visit(world.site("S1"))[1] for _ in range(1000)])
    assert ok.status_code == 200 and len(ok.json()["results"]) == 1000


def test_path_like_and_malformed_names_get_the_routes_own_not_found(world: World) -> None:
    phone = world.phone("insp1")
    blob_names = ["..%2F..%2Fcentral.db", "..%2Fcentral.db", "a%2Fb", "x" * 64, "A" * 64, "%00"]
    for name in blob_names:
        r = world.client.get(f"/v1/blobs/{name}", headers=phone.headers)
        assert (r.status_code, r.json()["code"]) == (404, "blob.not_found"), name
    for name in ["..%2F..%2Fcentral.db", "not-a-uuid", "a%2Fb", str(uuid.uuid4())]:
        for method in ("GET", "HEAD"):
            r = world.client.request(method, f"/v1/uploads/{name}", headers=phone.headers)
            assert r.status_code == 404, (method, name)
            if method == "GET":
                assert r.json()["code"] == "upload.not_found", name
        r = world.client.patch(
            f"/v1/uploads/{name}",
            headers={
                **phone.headers,
                "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": "0",
            },
            content=b"x",
        )
        assert (r.status_code, r.json()["code"]) == (404, "upload.not_found"), name
    for name in ["..%2F..%2Fcentral.db", "..%2Fexports", "a%2Fb"]:
        r = world.client.get(f"/downloads/{name}")
        assert (r.status_code, r.json()["code"]) == (404, "request.not_found"), name


def test_success_has_no_code_in_pushes_and_packs_alike(world: World) -> None:
    """One convention: a success carries `code: null, message: null`; a failure a code."""
    from tests.server.images import jpeg
    from tests.server.test_photo_packs import part, send
    from tests.server.test_photo_uploads import photo_row

    phone = world.phone("insp1")
    [applied] = phone.push(phone.new_visit(world.site("S1"))[1])
    assert (applied["status"], applied["code"], applied["message"]) == ("applied", None, None)
    data = jpeg(120, 90, seed=7)
    photo_row(phone, world, data)
    stored, refused = send(phone, part(data) + part(b"\xff\xd8\xffno row")).json()["results"]
    assert (stored["status"], stored["code"], stored["message"]) == ("stored", None, None)
    assert (refused["status"], refused["code"]) == ("failed", "blob.not_referenced")
    [present] = send(phone, part(data)).json()["results"]
    assert (present["status"], present["code"], present["message"]) == ("present", None, None)
