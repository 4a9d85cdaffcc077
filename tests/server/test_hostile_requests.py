"""Headers, query parameters and pack framing a hostile or broken client may send, before
or without signing in: each is a documented 4xx in the problem shape, never a 500
(issue 11 §3; PROTOCOL.md, Bounds)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from fieldcore.protocol import SCHEMA_HEADER
from tests.server.world import PASSWORD, World

PACK = "application/vnd.mingcha.pack"


def problem(r: Any, status: int, code: str) -> None:
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert set(r.json()) == {"code", "message", "details"}
    assert "Traceback" not in r.text and "/work" not in r.text


@pytest.fixture
def raw(world: World) -> Any:
    """A client that answers a server error with its response, as a phone would see it."""
    with TestClient(world.client.app, raise_server_exceptions=False) as client:
        yield client


# A header arrives as bytes the server reads as Latin-1: b"\xb2" is "²", which passes
# str.isdigit but is no int; 5,000 digits exceed Python's int() limit for strings
@pytest.mark.parametrize(
    "version", [b"\xb2", b"\xb9", b"\xc2\xb2", "١".encode(), b"1" * 5000, b"+1", b"1.0", b""]
)
def test_a_schema_header_that_is_no_version_is_unsupported(world: World, version: bytes) -> None:
    phone = world.phone("insp1")
    login = {"username": "insp1", "password": PASSWORD, "device_id": str(uuid.uuid4())}
    auth = (b"Authorization", phone.headers["Authorization"].encode())
    for method, path, headers, body in (
        ("GET", "/v1/sync/pull", [auth], None),
        ("POST", "/v1/auth/login", [], login),
    ):
        r = asgi(world, method, path, [(SCHEMA_HEADER.encode(), version), *headers], body)
        problem(r, 426, "sync.schema_unsupported")


def asgi(world: World, method: str, path: str, headers: list, body: Any) -> httpx.Response:
    """Send header bytes as they are (TestClient re-encodes non-ASCII ones as UTF-8, which
    an HTTP server in front of the app would not do)."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=world.client.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.request(method, path, headers=headers, json=body)

    return asyncio.run(send())


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": 2**63},
        {"cursor": 2**64},
        {"cursor": "9" * 5000},
        {"cursor": "²"},
        {"limit": -5},
        {"limit": 2**63},
        {"limit": 2**31},
        {"epoch": "x" * 201},
    ],
)
def test_pull_parameters_out_of_range_are_invalid(
    world: World, raw: TestClient, params: dict[str, Any]
) -> None:
    phone = world.phone("insp1")
    phone.pull()  # with the current epoch the cursor is used as sent, not reset to 0
    params = {"epoch": phone.epoch, **params}
    problem(raw.get("/v1/sync/pull", headers=phone.headers, params=params), 422, "request.invalid")


@pytest.mark.parametrize("epoch", ["\u0000", "🙂" * 10, "%00", "' OR 1=1 --"])
def test_a_garbage_epoch_is_a_reset_page_not_an_error(
    world: World, raw: TestClient, epoch: str
) -> None:
    phone = world.phone("insp1")
    params: dict[str, int | str] = {"cursor": 2**63 - 1, "epoch": epoch}
    r = raw.get("/v1/sync/pull", headers=phone.headers, params=params)
    assert r.status_code == 200, r.text
    assert r.json()["reset"] is True


@pytest.mark.parametrize(
    "header",
    [
        b"[" * 1000,  # RecursionError in a recursive JSON parser
        b"{" * 1000,
        b'{"sha256": ' * 100,
        b"\xff\xfe\x00\n",  # not UTF-8
        b'{"sha256": "' + b"a" * 64 + b'", "length": ' + b"9" * 400 + b"}",
        b'{"sha256": "' + b"a" * 64 + b'", "length": 1e999}',
        b'{"sha256": "' + b"a" * 64 + b'", "length": 10, "offset": -1}',
    ],
)
def test_a_pack_header_that_cannot_be_read_is_invalid(
    world: World, raw: TestClient, header: bytes
) -> None:
    phone = world.phone("insp1")
    r = raw.post(
        "/v1/blobs/pack",
        headers={**phone.headers, "Content-Type": PACK},
        content=header + b"\n",
    )
    problem(r, 422, "request.invalid")
    assert r.json()["details"]["part"] == 0


@pytest.mark.parametrize("length", ["abc", "-1", "1.5", "²", " 12", "9" * 30])
def test_a_content_length_that_is_no_length_is_refused_in_the_problem_shape(
    world: World, raw: TestClient, length: str
) -> None:
    """What reaches the app (TestClient has no HTTP parser in front, unlike uvicorn's h11,
    which answers an unparsable Content-Length itself: PROTOCOL.md, Errors)."""
    phone = world.phone("insp1")
    headers = [(k.encode(), v.encode()) for k, v in phone.headers.items()]
    declared = length.encode("latin-1")
    headers += [(b"content-type", b"application/json"), (b"content-length", declared)]
    r = raw.post("/v1/sync/push", headers=dict(headers), content=b'{"mutations": []}')
    if length.isascii() and length.isdigit():
        problem(r, 413, "request.too_large")
    else:
        problem(r, 400, "request.invalid")


@pytest.mark.parametrize(
    "body",
    [
        b'{"mutations": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",  # RecursionError
        b'{"mutations": ["\xff\xfe"]}',  # not UTF-8
    ],
)
def test_a_body_json_cannot_read_is_malformed_json(
    world: World, raw: TestClient, body: bytes
) -> None:
    phone = world.phone("insp1")
    headers = {**phone.headers, "Content-Type": "application/json"}
    problem(raw.post("/v1/sync/push", headers=headers, content=body), 400, "request.malformed_json")


@pytest.mark.parametrize(
    "login",
    [
        {"username": "insp1\x00", "password": PASSWORD},  # PostgreSQL refuses NUL in text
        {"username": "insp1", "password": "\ud800"},  # argon2 cannot encode it
        {"username": "insp1", "password": PASSWORD, "device_name": "a\x00b"},
    ],
)
def test_sign_in_text_no_database_can_store_is_invalid(
    world: World, raw: TestClient, login: dict[str, str]
) -> None:
    body = json.dumps({"device_id": str(uuid.uuid4()), **login})
    headers = {SCHEMA_HEADER: "1", "Content-Type": "application/json"}
    problem(raw.post("/v1/auth/login", headers=headers, content=body), 422, "request.invalid")


@pytest.mark.parametrize("digest", ["\ud800", "a\x00b", "f" * 65])
def test_a_missing_query_with_a_hash_no_answer_can_carry_is_invalid(
    world: World, raw: TestClient, digest: str
) -> None:
    """Hashes are echoed back (`unknown`): an unpaired surrogate could not be encoded in the
    answer (500), so a hash must be text of at most 64 characters."""
    phone = world.phone("insp1")
    headers = {**phone.headers, "Content-Type": "application/json"}
    body = json.dumps({"sha256": [digest]})
    problem(raw.post("/v1/blobs/missing", headers=headers, content=body), 422, "request.invalid")


def test_a_pack_cut_off_by_the_client_is_no_server_error(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """A phone that loses its link mid-pack: one info line, no traceback and no error
    re-raised to the server underneath (which would log a second one)."""
    phone = world.phone("insp1")
    header = json.dumps({"sha256": "a" * 64, "length": 10_000, "offset": 0}).encode() + b"\n"
    messages: Iterator[Message] = iter(
        [
            {"type": "http.request", "body": header + b"\xff" * 100, "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    headers = [
        (b"authorization", phone.headers["Authorization"].encode()),
        (SCHEMA_HEADER.lower().encode(), b"1"),
        (b"content-type", PACK.encode()),
        (b"content-length", b"20000"),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/blobs/pack",
        "raw_path": b"/v1/blobs/pack",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def receive() -> Message:
        return next(messages)

    async def send(_: Message) -> None:
        return None

    async def serve() -> None:
        await world.client.app(scope, receive, send)

    with caplog.at_level("INFO"):
        asyncio.run(serve())  # raises if the app re-raised
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert any("went away" in r.getMessage() for r in caplog.records)
