"""Regressions found by the schemathesis run (tests/faults/test_api_fuzz.py): what a route
can answer must be in /openapi.json, or clients generated from it break on real answers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from fieldcore.protocol import SCHEMA_HEADER


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
