"""Regressions found by the schemathesis run (tests/faults/test_api_fuzz.py): what a route
can answer must be in /openapi.json, or clients generated from it break on real answers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from fieldcore.protocol import SCHEMA_HEADER, PullResponse, PushResponse
from tests.server.world import World


def test_every_route_that_checks_the_schema_header_documents_its_426(client: TestClient) -> None:
    # Found: /v1/auth/me, /v1/blobs/*, /v1/uploads* answered 426 without documenting it.
    spec = client.get("/openapi.json").json()
    checked = 0
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            headers = [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
            if SCHEMA_HEADER not in headers:
                continue
            checked += 1
            answer = op["responses"].get("426")
            assert answer is not None, (method, path)
            assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/Problem")
            assert "sync.schema_unsupported" in answer["description"], (method, path)
    assert checked >= 9  # auth, sync, blobs and uploads routes


def test_a_missing_schema_header_on_me_is_the_documented_problem(client: TestClient) -> None:
    r = client.get("/v1/auth/me")
    assert r.status_code == 426
    assert r.json()["code"] == "sync.schema_unsupported"
    assert r.json()["details"] == {"got": None, "min": 1, "max": 1}


def test_malformed_json_and_details_are_documented_as_answered(client: TestClient) -> None:
    """Found: 400 request.malformed_json was listed under 422 on body-less routes and not at
    all for push; `details` was optional in the schema though every answer carries it."""
    spec = client.get("/openapi.json").json()
    assert spec["components"]["schemas"]["Problem"]["required"] == ["code", "message", "details"]
    with_body = 0
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            answers = op["responses"]
            for status, answer in answers.items():
                if status != "400":
                    assert "request.malformed_json" not in answer["description"], (path, status)
            if "application/json" in op.get("requestBody", {}).get("content", {}):
                with_body += 1
                assert "request.malformed_json" in answers["400"]["description"], (method, path)
                schema = answers["400"]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/Problem")
    assert with_body >= 4  # login, push, missing, uploads
    r = client.post(
        "/v1/sync/push",
        headers={SCHEMA_HEADER: "1", "Content-Type": "application/json"},
        content=b'{"mutations": [',
    )
    assert (r.status_code, r.json()["code"]) == (400, "request.malformed_json")
    assert set(r.json()) == {"code", "message", "details"}


def test_push_and_pull_answer_as_their_documented_models_serialise(world: World) -> None:
    """The sync routes serialise their answers themselves (api/sync.py `_json`, one thread
    hop fewer): the bytes are those FastAPI sends for `response_model` (TypeAdapter's
    dump_json, by alias), and the schema still documents the models."""
    phone = world.phone("insp1")
    visit_id, visit = phone.new_visit(world.site("S1"), note="首次 first")
    pushed = phone.push_raw([visit, phone.answer(visit_id, "no.such", "pass")])
    pulled = world.client.get("/v1/sync/pull", headers=phone.headers)
    for response, model in ((pushed, PushResponse), (pulled, PullResponse)):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        adapter = TypeAdapter(model)
        again = adapter.dump_json(adapter.validate_json(response.content), by_alias=True)
        assert again == response.content
    assert pushed.json()["results"][1]["code"] == "answers.unknown_item"
    spec = world.client.get("/openapi.json").json()
    for path, name in (("/v1/sync/push", "PushResponse"), ("/v1/sync/pull", "PullResponse")):
        method = "post" if path.endswith("push") else "get"
        schema = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        assert schema["schema"]["$ref"].endswith(f"/{name}")
