"""The sync protocol over HTTP (PROTOCOL.md), and nothing else: no database, no UI.

Maps transport failures and problem responses to fieldapp.sync.errors so callers never see
an httpx exception, and validates every 2xx answer against the protocol models
(fieldcore/protocol.py): one that does not fit is `BadAnswer`, a transient failure like
being offline — never a KeyError half way through a sync. Works with any
`httpx.Client`-like object (tests pass one bound to an in-process server).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from fieldapp.sync.errors import AuthExpired, BadAnswer, Offline, Rejected, ServerBusy, SyncError
from fieldcore.protocol import (
    SCHEMA_HEADER,
    SCHEMA_VERSION,
    LoginResponse,
    MissingResponse,
    PackResponse,
    PartResult,
    ProblemAnswer,
    PullResponse,
    PushRequest,
    PushResponse,
    UploadInfo,
)

PACK = "application/vnd.mingcha.pack"
CONNECTION_LOST = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
PIECE = 256 * 1024  # bytes read from a photo file at a time while streaming a pack
Answer = TypeVar("Answer", bound=BaseModel)


@dataclass(frozen=True)
class PackPart:
    """One photo in a pack: its bytes from `offset` (where the server has them up to)."""

    sha256: str
    path: str
    length: int
    offset: int = 0

    def header(self) -> bytes:
        fields = {"sha256": self.sha256, "length": self.length, "offset": self.offset}
        return json.dumps(fields).encode() + b"\n"


AUTH_CODES = {
    "auth.token_missing",
    "auth.token_invalid",
    "auth.token_expired",
    "auth.token_revoked",
}


class SyncClient:
    def __init__(
        self,
        base_url: str,
        token: str = "",
        http: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.http = http or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self.token = token
        self.bytes_up = 0  # request bytes sent, for the progress display and benchmarks
        self._counting = threading.Lock()  # a sync sends photos and records from two threads

    def close(self) -> None:
        self.http.close()

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {SCHEMA_HEADER: str(SCHEMA_VERSION)}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return {**headers, **(extra or {})}

    def _send(self, what: str, method: str, url: str, **kw: Any) -> httpx.Response:
        """The 2xx answer to a request (read whole), or a SyncError; `what` names the call
        in errors."""
        headers = self._headers(kw.pop("headers", None))
        # A kept-alive connection the server (or a carrier's middlebox) closed while idle
        # fails the next request (disconnected, reset, broken pipe); every request here is safe
        # to send again (pushes and packs are idempotent), so try once more on a fresh
        # connection — unless the body was a stream, which is gone once read.
        replayable = not isinstance(kw.get("content"), Iterator)
        for attempt in (1, 2):
            try:
                response = self.http.request(method, url, headers=headers, **kw)
                break
            except CONNECTION_LOST as exc:
                if attempt == 2 or not replayable:
                    raise Offline(type(exc).__name__) from None
            except httpx.TransportError as exc:  # includes timeouts and refused connections
                raise Offline(type(exc).__name__) from None
            except httpx.DecodingError:  # a Content-Encoding the body does not follow
                raise BadAnswer(what, "undecodable body") from None
        # the declared length: a streamed body (a pack) has no `.content` to measure
        with self._counting:
            self.bytes_up += int(response.request.headers.get("content-length", 0))
        if response.status_code >= 400:
            raise _problem(response)
        if not response.is_success:  # no route answers 1xx or 3xx: not our server's answer
            raise BadAnswer(what, f"HTTP {response.status_code}")
        return response

    # ---- accounts -------------------------------------------------------------------
    def login(
        self, username: str, password: str, device_id: uuid.UUID, device_name: str = ""
    ) -> LoginResponse:
        r = self._send(
            "login",
            "POST",
            "/v1/auth/login",
            json={
                "username": username,
                "password": password,
                "device_id": str(device_id),
                "device_name": device_name,
            },
        )
        login = _answer(LoginResponse, r, "login")
        self.token = login.token
        return login

    # ---- records --------------------------------------------------------------------
    def push(self, request: PushRequest) -> PushResponse:
        r = self._send(
            "push",
            "POST",
            "/v1/sync/push",
            content=request.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )
        return _answer(PushResponse, r, "push")

    def pull(self, cursor: int, epoch: str | None, limit: int = 500) -> PullResponse:
        params: dict[str, Any] = {"cursor": cursor, "limit": limit}
        if epoch:
            params["epoch"] = epoch
        return _answer(
            PullResponse, self._send("pull", "GET", "/v1/sync/pull", params=params), "pull"
        )

    # ---- photos ---------------------------------------------------------------------
    def missing(self, hashes: list[str]) -> MissingResponse:
        r = self._send("missing", "POST", "/v1/blobs/missing", json={"sha256": hashes})
        return _answer(MissingResponse, r, "missing")

    def send_pack(self, parts: list[PackPart], on_bytes: Callable[[int], None]) -> list[PartResult]:
        """Many photos' bytes in one streamed request (PROTOCOL.md, packs): one result per
        part. `on_bytes(n)` is called as the body is handed to the socket."""
        headers = [p.header() for p in parts]
        length = sum(len(h) + p.length - p.offset for h, p in zip(headers, parts, strict=True))

        def body() -> Iterator[bytes]:
            for header, part in zip(headers, parts, strict=True):
                yield header
                with open(part.path, "rb") as f:
                    f.seek(part.offset)
                    while piece := f.read(PIECE):
                        yield piece
                        on_bytes(len(piece))

        r = self._send(
            "pack",
            "POST",
            "/v1/blobs/pack",
            content=body(),
            headers={"Content-Type": PACK, "Content-Length": str(length)},
        )
        return _answer(PackResponse, r, "pack").results

    def create_upload(self, sha256: str, length: int) -> UploadInfo:
        body = {"sha256": sha256, "length": length}
        r = self._send("upload create", "POST", "/v1/uploads", json=body)
        return _answer(UploadInfo, r, "upload create")

    def upload_offset(self, upload_id: str) -> int:
        return _offset(
            self._send("upload offset", "HEAD", f"/v1/uploads/{upload_id}"), "upload offset"
        )

    def upload_chunk(self, upload_id: str, offset: int, chunk: bytes) -> int:
        digest = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
        r = self._send(
            "upload chunk",
            "PATCH",
            f"/v1/uploads/{upload_id}",
            content=chunk,
            headers={
                "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": str(offset),
                "Upload-Checksum": f"sha256 {digest}",
            },
        )
        return _offset(r, "upload chunk")

    def download(self, sha256: str, chunk_size: int = 64 * 1024) -> Generator[bytes, None, None]:
        """The bytes of a photo, streamed in chunks (the caller verifies the hash)."""
        try:
            with self.http.stream(
                "GET", f"/v1/blobs/{sha256}", headers=self._headers()
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _problem(response)
                if not response.is_success:
                    raise BadAnswer("download", f"HTTP {response.status_code}")
                # the bytes themselves are checked by the caller, against the photo's hash
                yield from response.iter_bytes(chunk_size)
        except httpx.TransportError as exc:  # the signal dropped mid-photo
            raise Offline(type(exc).__name__) from None
        except httpx.DecodingError:
            raise BadAnswer("download", "undecodable body") from None


def _answer(model: type[Answer], response: httpx.Response, what: str) -> Answer:
    """The body of a 2xx answer as the protocol model it must be, or BadAnswer."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise BadAnswer(what, f"{where}: {first['msg']}"[:200]) from None


def _offset(response: httpx.Response, what: str) -> int:
    """The `Upload-Offset` header of an upload answer (a whole number), or BadAnswer."""
    raw = response.headers.get("Upload-Offset", "")
    if not (raw.isascii() and raw.isdigit()):
        raise BadAnswer(what, f"Upload-Offset {raw[:40]!r} is not a byte offset")
    return int(raw)


def _problem(response: httpx.Response) -> SyncError:
    try:
        problem = ProblemAnswer.model_validate_json(response.content)
        code, message, details = problem.code, problem.message, problem.details
    except ValidationError:  # not our shape (a proxy's page, a cut body): the status speaks
        code, message, details = f"http.{response.status_code}", response.text[:200], {}
    status = response.status_code
    if status == 401 or code in AUTH_CODES:
        return AuthExpired(code, message, details)
    if status >= 500 or status == 429:
        return ServerBusy(code, message, details)
    return Rejected(code, message, details) if status != 409 else SyncError(code, message, details)


def detail_offset(exc: SyncError, key: str) -> int | None:
    """A byte offset or seq from a problem's details, None when absent or not one."""
    value = exc.details.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
