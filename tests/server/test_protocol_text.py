"""What PROTOCOL.md promises a third-party client, checked against the server's answers:
the push bound's code, the not-found code of every path-like name, one success convention
for pushes and packs, and error shapes as OpenAPI declares them."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from sqlmodel import Session, select

from fieldcore.problems import ProblemCode
from fieldcore.protocol import SCHEMA_HEADER
from fieldcore.workflow import finding_id
from sync_server.api.problems import STATUS
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


PROTOCOL = Path(__file__).resolve().parents[2] / "sync_server" / "PROTOCOL.md"


def section(title: str) -> str:
    text = PROTOCOL.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def test_every_problem_code_is_in_the_protocol_table_with_its_status() -> None:
    rows = re.findall(r"^\| `([a-z_.]+)` \| ([^|]+) \|", section("Problem codes"), re.M)
    table = {code: status.strip() for code, status in rows}
    assert len(rows) == len(table), "a code is listed twice"
    assert set(table) == {str(c) for c in ProblemCode}
    for code in ProblemCode:
        expected = str(STATUS[code]) if code in STATUS else "—"
        assert table[str(code)].split(" ")[0] == expected, code


def test_the_finding_id_formula_and_its_example_are_exact(world: World) -> None:
    """The text alone gives the id: namespace, name "<visit_id>:<item_code>", UTF-8."""
    text = section("Conventions")
    said = re.search(r"namespace = ([0-9a-f-]{36})", text)
    example = re.search(r"Example: visit `([0-9a-f-]{36})`, item `([^`]+)`", text)
    result = re.search(r"→ finding id\s+`([0-9a-f-]{36})`", text)
    assert said and example and result, "the Conventions section lost its formula or example"
    namespace = uuid.UUID(said.group(1))
    visit_id, item = example.group(1), example.group(2)
    out = result.group(1)
    assert str(uuid.uuid5(namespace, f"{visit_id}:{item}")) == out
    assert str(finding_id(visit_id, item)) == out  # what the phone and server use

    phone = world.phone("insp1")
    vid, create = phone.new_visit(world.site("S1"))
    literal = uuid.uuid5(vid, "1.1")  # the reading the old text allowed
    wrong = phone.mutation("finding", literal, visit_id=vid, item_code="1.1", result="pass")
    _, rejected = phone.push(create, wrong)
    assert rejected["code"] == "sync.id_mismatch"
    assert rejected["details"] == {"expected": str(uuid.uuid5(namespace, f"{vid}:1.1"))}
    right = phone.mutation(
        "finding", uuid.uuid5(namespace, f"{vid}:1.1"), visit_id=vid, item_code="1.1"
    )
    assert phone.push(right)[0]["status"] == "applied"


def test_headers_tokens_and_healthz_answer_as_documented(world: World) -> None:
    none = world.client.get("/v1/sync/pull")
    assert (none.status_code, none.json()["code"]) == (426, "sync.schema_unsupported")
    assert none.json()["details"] == {"got": None, "min": 1, "max": 1}
    schema = {SCHEMA_HEADER: "1"}
    missing = world.client.get("/v1/sync/pull", headers=schema)
    assert (missing.status_code, missing.json()["code"]) == (401, "auth.token_missing")
    basic = world.client.get("/v1/sync/pull", headers={**schema, "Authorization": "Basic x"})
    assert basic.json()["code"] == "auth.token_missing"
    phone = world.phone("insp1")
    old = phone.headers
    phone.login()  # the same device signs in again: its old token is replaced
    for headers in ({**schema, "Authorization": "Bearer nope"}, old):
        r = world.client.get("/v1/sync/pull", headers=headers)
        assert (r.status_code, r.json()["code"]) == (401, "auth.token_invalid")
    health = world.client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert set(health.json()) == {"status", "pid"}


def test_create_requirements_and_rejection_details_have_the_documented_shapes(
    world: World,
) -> None:
    phone = world.phone("insp1")
    bare_visit = phone.mutation("visit", uuid.uuid4(), site_id=world.site("S1"))
    bare_photo = phone.mutation("photo", uuid.uuid4(), sha256="a" * 64)
    bare_finding = phone.mutation("finding", uuid.uuid4(), result="pass")
    results = phone.push(bare_visit, bare_photo, bare_finding)
    assert [(r["code"], r["details"]) for r in results] == [
        ("sync.missing_field", {"fields": ["template_key", "mode"]}),
        ("sync.missing_field", {"fields": ["byte_size", "mime"]}),
        ("sync.missing_field", {"fields": ["visit_id", "item_code"]}),
    ]
    visit_id, create = phone.new_visit(world.site("S1"))
    failed = [phone.answer(visit_id, code, "fail", count=1) for code in ("2.1", "1.1")]
    submit = phone.mutation("visit", visit_id, status="submitted")
    *_, incomplete = phone.push(create, *failed, submit)
    assert incomplete["code"] == "workflow.incomplete"
    unanswered = incomplete["details"]["unanswered"]
    assert unanswered and all(isinstance(c, str) and "." in c for c in unanswered)
    assert "1.1" not in unanswered and "1.2" in unanswered
    assert incomplete["details"]["missing_photos"] == ["1.1", "2.1"]  # sorted item codes


def test_deleting_a_visit_that_is_not_a_draft_is_refused_with_its_status(world: World) -> None:
    from tests.reports.kit import visit

    visit_id, _ = visit(world, world.phone("insp1"), "S1", {})  # submitted
    phone = world.phone("insp1")
    [r] = phone.push(phone.mutation("visit", visit_id, op="delete"))
    assert (r["code"], r["details"]) == ("sync.delete_not_allowed", {"status": "submitted"})
