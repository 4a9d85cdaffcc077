"""Photo bytes: which are missing, resumable uploads (tus subset), download by sha256."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from fieldcore.bounds import StorableText
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import MissingResponse, PackResponse, PartResult, UploadInfo
from sync_server.api.deps import ActorDep, EngineDep, NowDep, SettingsDep, schema_version
from sync_server.api.limits import PACK_PATH
from sync_server.api.problems import responses
from sync_server.core.db import read_session, run_write
from sync_server.photos import access, packs, uploads
from sync_server.photos.store import PhotoStore
from sync_server.photos.uploads import UploadState

C = ProblemCode
AUTH = (C.AUTH_TOKEN_MISSING, C.AUTH_TOKEN_INVALID, C.AUTH_TOKEN_EXPIRED, C.AUTH_TOKEN_REVOKED)
# every route checks the schema header, so every route documents its 426
router = APIRouter(
    tags=["photos"],
    dependencies=[Depends(schema_version)],
    responses=responses(C.SYNC_SCHEMA_UNSUPPORTED),
)
OCTETS = "application/offset+octet-stream"
PACK = "application/vnd.mingcha.pack"


def get_store(request: Request) -> PhotoStore:
    return request.app.state.photos


StoreDep = Annotated[PhotoStore, Depends(get_store)]


class MissingRequest(BaseModel):
    # each echoed back (`unknown`): text a response can carry, no longer than a hash
    sha256: list[Annotated[str, StorableText(64)]] = Field(
        max_length=1000, description="Hashes of the caller's photos"
    )


class UploadRequest(BaseModel):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    length: int = Field(ge=1)


def _info(state: UploadState) -> UploadInfo:
    return UploadInfo(
        id=state.id,
        sha256=state.sha256,
        offset=state.offset,
        length=state.length,
        expires_at=state.expires_at.isoformat(),
        complete=state.complete,
    )


def _headers(state: UploadState) -> dict[str, str]:
    return {
        "Upload-Offset": str(state.offset),
        "Upload-Length": str(state.length),
        "Upload-Expires": state.expires_at.isoformat(),
    }


@router.post(
    "/v1/blobs/missing",
    response_model=MissingResponse,
    responses=responses(*AUTH, C.REQUEST_INVALID),
)
def blobs_missing(
    body: MissingRequest, actor: ActorDep, engine: EngineDep, store: StoreDep, now: NowDep
) -> MissingResponse:
    """Which of your photos' bytes the server still lacks ("which of these do you lack?")."""
    with read_session(engine) as session:
        return MissingResponse(**uploads.missing(session, store, actor, body.sha256, now))


PACK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            PACK: {
                "schema": {"type": "string", "format": "binary"},
                "example": '{"sha256": "<64 hex>", "length": 1234, "offset": 0}\\n<1234 bytes>',
            }
        },
    }
}


@router.post(
    PACK_PATH,
    response_model=PackResponse,
    responses=responses(*AUTH, C.REQUEST_INVALID, C.REQUEST_TOO_LARGE, C.REQUEST_UNSUPPORTED_MEDIA),
    openapi_extra=PACK_BODY,
)
async def upload_pack(
    request: Request,
    actor: ActorDep,
    engine: EngineDep,
    settings: SettingsDep,
    store: StoreDep,
    now: NowDep,
    content_type: Annotated[str, Header()] = "",
) -> PackResponse:
    """Many photos' bytes in one streamed request: parts of `{"sha256", "length", "offset"}`
    + newline + the bytes from `offset` to `length`. Each part is stored as a resumable
    upload would be (verified, committed chunk by chunk) and answered in `results`; a part
    that fails does not stop the others."""
    if content_type.split(";")[0].strip() != PACK:
        raise DomainError(C.REQUEST_UNSUPPORTED_MEDIA, f"use {PACK}")
    ctx = packs.PackContext(engine, store, settings, actor, now, run_in_threadpool)
    results = await packs.receive_pack(ctx, request.stream())
    return PackResponse(results=[PartResult(**vars(r)) for r in results])


@router.post(
    "/v1/uploads",
    status_code=201,
    response_model=UploadInfo,
    responses={
        **responses(
            *AUTH,
            C.BLOB_NOT_REFERENCED,
            C.BLOB_TOO_LARGE,
            C.UPLOAD_QUOTA_EXCEEDED,
            C.SERVER_STORAGE_FAILED,
            C.REQUEST_INVALID,
        ),
        200: {"model": UploadInfo, "description": "Already complete"},
    },
)
def create_upload(
    body: UploadRequest,
    response: Response,
    actor: ActorDep,
    engine: EngineDep,
    settings: SettingsDep,
    store: StoreDep,
    now: NowDep,
) -> UploadInfo:
    """Start (or resume: same photo, same user) the upload of a photo's bytes. Complete at
    once (200) only when you uploaded these bytes before; bytes stored from someone else's
    upload must be sent again (proof of possession; the stored copy is kept)."""
    state = run_write(
        engine,
        lambda s: uploads.create_upload(s, store, settings, actor, body.sha256, body.length, now),
    )
    if state.complete:
        response.status_code = 200
    else:
        response.headers["Location"] = f"/v1/uploads/{state.id}"
    response.headers.update(_headers(state))
    return _info(state)


def upload_id_of(text: str) -> uuid.UUID:
    """The upload id in a path; upload.not_found for anything that is not one (a path-like
    or malformed name gets the route's own answer, not the router's request.not_found)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise DomainError(C.UPLOAD_NOT_FOUND) from None


UploadIdPath = Annotated[str, Path(description="The id from the upload's Location")]


@router.get(
    "/v1/uploads/{upload_id:path}",
    response_model=UploadInfo,
    responses=responses(*AUTH, C.UPLOAD_NOT_FOUND, C.UPLOAD_EXPIRED),
)
def get_upload(
    upload_id: UploadIdPath, response: Response, actor: ActorDep, engine: EngineDep, now: NowDep
) -> UploadInfo:
    """Where an upload stands (the same as HEAD, as JSON)."""
    uid = upload_id_of(upload_id)
    with read_session(engine) as session:
        state = uploads._state(uploads.own_upload(session, actor, uid, now))
    response.headers.update(_headers(state))
    return _info(state)


@router.head(
    "/v1/uploads/{upload_id:path}",
    responses=responses(*AUTH, C.UPLOAD_NOT_FOUND, C.UPLOAD_EXPIRED),
)
def head_upload(
    upload_id: UploadIdPath, actor: ActorDep, engine: EngineDep, now: NowDep
) -> Response:
    """`Upload-Offset` after a disconnect: resume from there."""
    uid = upload_id_of(upload_id)
    with read_session(engine) as session:
        state = uploads._state(uploads.own_upload(session, actor, uid, now))
    return Response(status_code=200, headers=_headers(state))


@router.patch(
    "/v1/uploads/{upload_id:path}",
    status_code=204,
    responses=responses(
        *AUTH,
        C.UPLOAD_NOT_FOUND,
        C.UPLOAD_EXPIRED,
        C.UPLOAD_OFFSET_MISMATCH,
        C.UPLOAD_CHECKSUM_MISMATCH,
        C.UPLOAD_TOO_LONG,
        C.REQUEST_TOO_LARGE,
        C.REQUEST_UNSUPPORTED_MEDIA,
        C.BLOB_HASH_MISMATCH,
        C.BLOB_NOT_JPEG,
        C.BLOB_BOMB,
        C.SERVER_STORAGE_FAILED,
    ),
)
async def patch_upload(
    upload_id: UploadIdPath,
    request: Request,
    actor: ActorDep,
    engine: EngineDep,
    settings: SettingsDep,
    store: StoreDep,
    now: NowDep,
    upload_offset: Annotated[int, Header(ge=0, description="Where this chunk starts")],
    content_type: Annotated[str, Header()] = "",
    upload_checksum: Annotated[str | None, Header(description="sha256 <base64>")] = None,
) -> Response:
    """Append a chunk at `Upload-Offset`; the last chunk verifies and stores the photo."""
    uid = upload_id_of(upload_id)
    if content_type.split(";")[0].strip() != OCTETS:
        raise DomainError(C.REQUEST_UNSUPPORTED_MEDIA, f"use {OCTETS}")
    chunk = await request.body()
    state = await run_in_threadpool(
        uploads.append_chunk,
        engine,
        store,
        settings,
        actor,
        uid,
        upload_offset,
        chunk,
        upload_checksum,
        now,
    )
    return Response(status_code=204, headers=_headers(state))


@router.get(
    "/v1/blobs/{sha256:path}",  # :path: a path-like name reaches the route (blob.not_found)
    response_class=FileResponse,
    responses={
        **responses(*AUTH, C.BLOB_NOT_FOUND),
        200: {"content": {"image/jpeg": {}}, "description": "The photo"},
    },
)
def get_blob(sha256: str, actor: ActorDep, engine: EngineDep, store: StoreDep) -> Response:
    """The bytes of a photo: only if you uploaded them yourself, or a photo you may see
    references them and its author uploaded them (knowing the hash is not enough)."""
    with read_session(engine) as session:
        access.check_readable(session, actor, sha256)
    headers = {"ETag": f'"{sha256}"', "Cache-Control": "private, max-age=31536000, immutable"}
    path = store.local_path(sha256)
    if path is not None:  # this host's disk: sent as a file (ranges, sendfile)
        return FileResponse(path, media_type="image/jpeg", headers=headers)
    opened = store.stream(sha256)  # the object store: streamed, never held
    if opened is None:
        raise DomainError(C.BLOB_NOT_FOUND)
    size, blocks = opened
    headers["Content-Length"] = str(size)
    return StreamingResponse(blocks, media_type="image/jpeg", headers=headers)
