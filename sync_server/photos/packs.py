"""Many photos' bytes in one request: a *pack* (PROTOCOL.md, Photos).

A pack is a stream of parts, each a one-line JSON header `{"sha256", "length", "offset"}`
followed by the photo's bytes from `offset` to `length`. One pack replaces two or more
requests per photo (create + PATCH…), which on a 100 ms mobile link is most of the time a
cold sync spends that is not moving bytes.

Every part goes through the same steps as a resumable upload (photos.uploads: create, append
chunk by chunk with the offset committed after each, verify, store), so a pack cut off half
way leaves every finished photo stored and the unfinished one resumable from its last
chunk: the phone asks `missing` for the offset and sends only the rest. A part that fails
(not the caller's photo, not a JPEG…) is answered in the results and its bytes are skipped;
the other parts go on. Only a header that cannot be read stops the pack (the framing is
lost), with `request.invalid`; the parts before it stay stored.

No web framework in here: the route hands over the body as an async iterator of bytes and a
function that runs blocking work in a thread.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field, ValidationError

from fieldcore.bounds import INT32_MAX
from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.config import Settings
from sync_server.core.db import run_write
from sync_server.org.scope import Actor
from sync_server.photos import uploads
from sync_server.photos.store import PhotoStore

C = ProblemCode
HEADER_MAX = 1024  # bytes of one part header, newline included
CHUNK = 512 * 1024  # bytes appended (and their offset committed) at a time: the resume step
Threaded = Callable[..., Awaitable[Any]]


class PartHeader(BaseModel):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    length: int = Field(ge=1, le=INT32_MAX, description="The photo's whole size")
    offset: int = Field(0, ge=0, le=INT32_MAX, description="Where this part's bytes start")


@dataclass
class PartResult:
    sha256: str
    status: str  # stored | present | failed
    code: str | None = None  # a problem code when failed; null on success, as in a push
    message: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


class _Stream:
    """Exact reads over the body's arbitrary pieces, with the pack's byte cap."""

    def __init__(self, body: AsyncIterator[bytes], limit: int) -> None:
        self.body, self.limit = body, limit
        self.buffer, self.consumed, self.ended = b"", 0, False

    async def _fill(self) -> bool:
        if self.ended:
            return False
        try:
            piece = await anext(self.body)
        except StopAsyncIteration:
            self.ended = True
            return False
        self.consumed += len(piece)
        if self.consumed > self.limit:
            raise DomainError(C.REQUEST_TOO_LARGE, f"limit {self.limit} bytes", limit=self.limit)
        self.buffer += piece
        return True

    async def line(self, index: int) -> bytes | None:
        """The next header line, or None at the clean end of the pack."""
        while b"\n" not in self.buffer[:HEADER_MAX]:
            if len(self.buffer) >= HEADER_MAX:
                raise _bad_pack(index, "header longer than 1024 bytes")
            if not await self._fill():
                if self.buffer:
                    raise _bad_pack(index, "the pack ends inside a header")
                return None
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    async def take(self, size: int) -> bytes:
        """Up to `size` bytes (fewer only where the body ended)."""
        while len(self.buffer) < size and await self._fill():
            pass
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out


def _bad_pack(index: int, why: str) -> DomainError:
    return DomainError(C.REQUEST_INVALID, f"part {index}: {why}", part=index)


def parse_header(line: bytes, index: int) -> PartHeader:
    # pydantic's own JSON parser: it refuses deep nesting ("[" × 1000) with a validation
    # error where json.loads recursed until RecursionError, and it rejects invalid UTF-8
    try:
        header = PartHeader.model_validate_json(line)
    except ValidationError as exc:
        raise _bad_pack(index, _first_problem(exc)) from None
    if header.offset > header.length:
        raise _bad_pack(index, "offset beyond length")
    return header


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"{where}: {error['msg']}"[:200] if where else error["msg"][:200]


@dataclass
class PackContext:
    engine: sa.Engine
    store: PhotoStore
    settings: Settings
    actor: Actor
    now: datetime
    threaded: Threaded  # runs a blocking call in a worker thread


async def receive_pack(ctx: PackContext, body: AsyncIterator[bytes]) -> list[PartResult]:
    """Store every part of the pack; one result per part, in order.

    Raises:
        DomainError(request.invalid): a header is unreadable or the pack ends inside a
            part (the parts before it are stored; the cut one resumes from its last chunk).
        DomainError(request.too_large): more bytes than `max_pack`.
    """
    stream, results = _Stream(body, ctx.settings.max_pack), list[PartResult]()
    while (line := await stream.line(len(results))) is not None:
        header = parse_header(line, len(results))
        results.append(await _receive_part(ctx, stream, header, len(results)))
    return results


class _PartFailed(Exception):
    """A rule refused this part; the pack goes on with the next one."""

    def __init__(self, error: DomainError) -> None:
        self.error = error


async def _threaded(ctx: PackContext, work: Callable[..., Any], *args: Any) -> Any:
    try:
        return await ctx.threaded(work, ctx, *args)
    except DomainError as exc:
        raise _PartFailed(exc) from None


async def _receive_part(
    ctx: PackContext, stream: _Stream, header: PartHeader, index: int
) -> PartResult:
    todo = header.length - header.offset  # this part's bytes still in the stream
    try:
        state = await _threaded(ctx, _open_upload, header)
        if state.complete:
            await _skip(stream, todo, index)
            return PartResult(header.sha256, "present")
        if state.offset < header.offset:  # a gap this part cannot fill
            raise _PartFailed(DomainError(C.UPLOAD_OFFSET_MISMATCH, offset=state.offset))
        await _skip(stream, state.offset - header.offset, index)  # bytes already here
        offset, todo = state.offset, header.length - state.offset
        while True:  # at least once: an empty last chunk finishes an upload whose bytes are in
            size = min(CHUNK, todo)
            chunk = await stream.take(size)
            if len(chunk) < size:
                raise _bad_pack(index, "the pack ends inside this part's bytes")
            todo -= size
            state = await _threaded(ctx, _append, state.id, offset, chunk)
            offset += size
            if todo == 0:
                break
        return PartResult(header.sha256, "stored")
    except _PartFailed as failed:
        await _skip(stream, todo, index)
        problem = failed.error.to_problem()
        return PartResult(
            header.sha256, "failed", problem["code"], problem["message"], problem["details"]
        )


async def _skip(stream: _Stream, size: int, index: int) -> None:
    while size > 0:
        got = await stream.take(min(CHUNK, size))
        if not got:
            raise _bad_pack(index, "the pack ends inside this part's bytes")
        size -= len(got)


def _open_upload(ctx: PackContext, header: PartHeader) -> uploads.UploadState:
    return run_write(
        ctx.engine,
        lambda s: uploads.create_upload(
            s, ctx.store, ctx.settings, ctx.actor, header.sha256, header.length, ctx.now
        ),
    )


def _append(
    ctx: PackContext, upload_id: uuid.UUID, offset: int, chunk: bytes
) -> uploads.UploadState:
    return uploads.append_chunk(
        ctx.engine, ctx.store, ctx.settings, ctx.actor, upload_id, offset, chunk, None, ctx.now
    )
