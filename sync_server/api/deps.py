"""Request dependencies: settings, engine, clock, the caller (device, user, scope)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Header, Request

from fieldcore.literals import one_of
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import SCHEMA_HEADER
from fieldcore.workflow import ROLES
from sync_server.core.config import Settings
from sync_server.core.db import lookup_session
from sync_server.org.accounts import resolve_bearer
from sync_server.org.scope import Actor, ScopeCache


# The dependencies that only read the request or the app are coroutines: FastAPI runs a
# plain function in its thread pool, a hop (and a turn for the GIL) per dependency per
# request — four of the seven a push made (issue 15 §2).
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings  # set by main.create_app
    return settings


async def get_engine(request: Request) -> sa.Engine:
    engine: sa.Engine = request.app.state.engine  # set by main.create_app
    return engine


async def get_now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


VERSION = re.compile(r"[0-9]{1,6}")
SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[sa.Engine, Depends(get_engine)]
NowDep = Annotated[datetime, Depends(get_now)]


async def schema_version(
    settings: SettingsDep,
    version: Annotated[
        str | None,
        Header(
            alias=SCHEMA_HEADER,
            description=("Schema version the client speaks; outside the server's window → 426"),
        ),
    ] = None,
) -> int:
    # ASCII digits only: str.isdigit() also passes "²" (no int at all) and "١" (an
    # Arabic-Indic 1), and int() refuses more than 4,300 digits
    if (
        version is None
        or not VERSION.fullmatch(version)
        or not (settings.schema_min <= int(version) <= settings.schema_max)
    ):
        raise DomainError(
            ProblemCode.SYNC_SCHEMA_UNSUPPORTED,
            f"got {version!r}",
            got=None if version is None else version[:20],
            min=settings.schema_min,
            max=settings.schema_max,
        )
    return int(version)


def current_actor(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    authorization: Annotated[str | None, Header(description="Bearer <device token>")] = None,
) -> Actor:
    scopes: ScopeCache = request.app.state.scopes  # set by main.create_app
    with lookup_session(engine) as session:
        bearer = resolve_bearer(session, authorization, now)
        user = bearer.user
        return Actor(
            user_id=user.id,
            role=one_of(user.role, ROLES),
            device_id=bearer.device.id,
            scope=scopes.scope(session, user, bearer.server_epoch, bearer.scope_version),
        )


ActorDep = Annotated[Actor, Depends(current_actor)]


def require_role(*roles: str) -> Callable[[Actor], Actor]:
    def check(actor: ActorDep) -> Actor:
        if actor.role not in roles:
            raise DomainError(ProblemCode.AUTH_FORBIDDEN, actor.role, role=actor.role)
        return actor

    return check
