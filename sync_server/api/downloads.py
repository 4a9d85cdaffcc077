"""Report downloads: GET /downloads/<token> serves a finished console export, from the data
directory every worker shares, until the token expires (15 minutes), and only to the user
who made the export. The caller proves who they are with either

- `?ticket=<one-time ticket>`: what the console puts on its download button (a browser tab
  opened from the console carries no bearer token and the console has no HTTP cookie); a
  ticket is granted to the signed-in console user for this link and works once; or
- `Authorization: Bearer <token>` of the same user (scripts, API clients).

Anything else — unknown, malformed or expired token, another user, no identity, a used
ticket — is the same 404 request.not_found, so a probe cannot tell that a file exists.
Every fetch, served or refused, leaves an audit row (action `download` or
`download_refused`: who, when, which file, why refused)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import FileResponse

from fieldcore.problems import DomainError, ProblemCode
from sync_server.api.deps import EngineDep, NowDep, SettingsDep
from sync_server.api.problems import responses
from sync_server.core.db import read_session, write_session
from sync_server.org.accounts import resolve_token
from sync_server.reports.downloads import DownloadStore, Stored, not_found
from sync_server.tables import AuditLog, User

router = APIRouter(tags=["downloads"])


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback name and the real one as RFC 5987 UTF-8."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@dataclass(frozen=True)
class Caller:
    user_id: uuid.UUID | None
    username: str = ""
    via: str = ""  # "ticket", "bearer" or "" (no identity)


@router.get(
    "/downloads/{token:path}",  # :path: a path-like token gets this route's own 404
    response_class=FileResponse,
    responses=responses(ProblemCode.REQUEST_NOT_FOUND),
)
def download(
    token: Annotated[str, Path(description="From the console's export link")],
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    now: NowDep,
    ticket: Annotated[
        str | None, Query(description="One-time ticket from the console's download button")
    ] = None,
    authorization: Annotated[
        str | None, Header(description="Bearer <token> of the user who made the export")
    ] = None,
) -> FileResponse:
    """The exported file (xlsx or PDF), for the user who made it only; request.not_found
    when unknown, expired, not the caller's, or the caller is not identified."""
    store = DownloadStore.under(settings.data_dir)
    caller = identify(engine, store, token, ticket, authorization, now)
    try:
        stored = store.find(token, now)
    except DomainError:
        record(engine, request, token, caller, None, "unknown or expired", now)
        raise
    refusal = refusal_reason(caller, stored)
    record(engine, request, token, caller, stored, refusal, now)
    if refusal:
        raise not_found()
    return FileResponse(
        stored.path,
        media_type=stored.media_type,
        headers={
            "Content-Disposition": content_disposition(stored.path.name),
            "Cache-Control": "private, no-store",  # confidential results: keep no copies
            "X-Content-Type-Options": "nosniff",
        },
    )


def identify(
    engine: sa.Engine,
    store: DownloadStore,
    token: str,
    ticket: str | None,
    authorization: str | None,
    now: datetime,
) -> Caller:
    """Who is asking: a ticket's user (consumed here), else the bearer token's user."""
    if ticket:
        user_id = store.redeem(token, ticket, now)
        if user_id is None:
            return Caller(None, via="ticket")  # a bad ticket is no identity, bearer or not
        with read_session(engine) as session:
            user = session.get(User, user_id)
        if user is None or not user.active:
            return Caller(None, via="ticket")
        return Caller(user.id, user.username, "ticket")
    if authorization:
        try:
            with read_session(engine) as session:
                _, user = resolve_token(session, authorization, now)
        except DomainError:
            return Caller(None, via="bearer")
        return Caller(user.id, user.username, "bearer")
    return Caller(None)


def refusal_reason(caller: Caller, stored: Stored) -> str:
    if caller.user_id is None:
        return f"no valid {caller.via}" if caller.via else "no identity"
    if stored.owner != caller.user_id:
        return "not the owner"
    return ""


def record(
    engine: sa.Engine,
    request: Request,
    token: str,
    caller: Caller,
    stored: Stored | None,
    refusal: str,
    now: datetime,
) -> None:
    """One audit row per fetch. The token itself is a (bound) capability: only its hash is
    kept, enough to tell fetches of one link apart."""
    details: dict[str, Any] = {
        "username": caller.username,
        "via": caller.via,
        "link": hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:16],
        "client": request.client.host if request.client else "",
    }
    if refusal:
        details["reason"] = refusal
    if stored is not None:
        details["owner"] = str(stored.owner) if stored.owner else ""
    with write_session(engine) as session:
        session.add(
            AuditLog(
                at=now,
                user_id=caller.user_id,
                action="download_refused" if refusal else "download",
                entity="download",
                entity_id=(stored.path.name if stored else "")[:80],
                details=details,
            )
        )
