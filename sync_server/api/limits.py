"""Refuse oversized request bodies before anything parses them (413 request.too_large).

The declared Content-Length is checked first; then the body is read (at most `limit`
bytes, whatever the client declared or however it chunked it) and replayed to the app.
Upload chunks have their own, larger limit; everything else is JSON. A pack of photos
(`POST /v1/blobs/pack`) is streamed, never held: only its declared length is checked here,
and the pack reader counts the bytes it is actually sent (sync_server/photos/packs.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from fieldcore.problems import DomainError, ProblemCode

PACK_PATH = "/v1/blobs/pack"
DECIMAL = re.compile(rb"[0-9]+")  # ASCII digits only (bytes.isdigit() is ASCII too)


class BodyLimit:
    def __init__(self, app: Any, settings: Any) -> None:
        self.app, self.settings = app, settings  # read per request: limits are settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        streamed = scope["path"] == PACK_PATH
        limit = (
            self.settings.max_pack
            if streamed
            else self.settings.max_chunk
            if scope["path"].startswith("/v1/uploads/")
            else self.settings.max_json_body
        )
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and not DECIMAL.fullmatch(declared):
            # uvicorn's HTTP parser answers most of these itself, in plain text, before
            # any app sees them (PROTOCOL.md, Errors); this answers whatever gets through
            error = DomainError(
                ProblemCode.REQUEST_INVALID, "Content-Length must be a decimal byte count"
            )
            await _answer(send, 400, error)
            return
        # more than 18 digits is beyond any limit (and int() refuses over 4,300 of them)
        if declared is not None and (len(declared) > 18 or int(declared) > limit):
            await _refuse(send, limit)
            return
        if streamed:
            await self.app(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(send, limit)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # lets the app notice a disconnect
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _refuse(send: Any, limit: int) -> None:
    error = DomainError(ProblemCode.REQUEST_TOO_LARGE, f"limit {limit} bytes", limit=limit)
    await _answer(send, 413, error)


async def _answer(send: Any, status: int, error: DomainError) -> None:
    """A problem answer that also closes the connection (the body was not read)."""
    body = json.dumps(error.to_problem(), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
