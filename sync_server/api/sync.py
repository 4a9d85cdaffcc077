"""Push and pull."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from fieldcore.bounds import INT64_MAX
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import PullResponse, PushRequest, PushResponse
from sync_server.api.deps import ActorDep, EngineDep, NowDep, SettingsDep, schema_version
from sync_server.api.problems import responses
from sync_server.core.groupcommit import run_grouped
from sync_server.sync.merge import apply_push
from sync_server.sync.pull import pull as read_pull

C = ProblemCode
AUTH = (C.AUTH_TOKEN_MISSING, C.AUTH_TOKEN_INVALID, C.AUTH_TOKEN_EXPIRED, C.AUTH_TOKEN_REVOKED)
# every route checks the schema header, so every route documents its 426
router = APIRouter(
    prefix="/v1/sync",
    tags=["sync"],
    dependencies=[Depends(schema_version)],
    responses=responses(C.SYNC_SCHEMA_UNSUPPORTED),
)


@router.post(
    "/push",
    response_model=PushResponse,
    responses=responses(
        *AUTH,
        C.SYNC_MUTATION_GAP,
        C.SYNC_BATCH_NOT_CONTIGUOUS,
        C.SYNC_TOO_MANY_MUTATIONS,
        C.REQUEST_TOO_LARGE,
        C.REQUEST_INVALID,
        C.SYNC_SCHEMA_UNSUPPORTED,
    ),
)
def push(
    body: PushRequest, actor: ActorDep, engine: EngineDep, settings: SettingsDep, now: NowDep
) -> Response:
    """Apply a batch of this device's mutations exactly once.

    Each mutation gets a result: `applied`, or `rejected` with a problem code (scope,
    ownership, workflow lock, validation). A rejected mutation is still consumed, so the
    queue never blocks. Resending an applied mutation returns its stored result.
    """
    if len(body.mutations) > settings.max_mutations:
        raise DomainError(
            C.SYNC_TOO_MANY_MUTATIONS,
            f"at most {settings.max_mutations}",
            max=settings.max_mutations,
        )
    answer = run_grouped(
        engine, lambda session: apply_push(session, actor, body, now), len(body.mutations)
    )
    return _json(PushResponse, answer)


@router.get(
    "/pull",
    response_model=PullResponse,
    responses=responses(*AUTH, C.REQUEST_INVALID, C.SYNC_SCHEMA_UNSUPPORTED),
)
def pull(
    actor: ActorDep,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    cursor: Annotated[
        int,
        Query(ge=0, le=INT64_MAX, description="next_cursor of the last page, 0 at first"),
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000, description="Changes per page")] = 500,
    epoch: Annotated[
        str | None, Query(max_length=200, description="epoch of the last page")
    ] = None,
) -> Response:
    """The changes after `cursor` that the caller may see, oldest first, as one consistent page."""
    page = read_pull(
        engine,
        actor.scope,
        cursor,
        epoch,
        min(limit, settings.max_pull_limit),
        now,
        actor.device_id,
    )
    return _json(PullResponse, page)


def _json(model: type[BaseModel], answer: BaseModel) -> Response:
    """The answer as FastAPI would send it for `response_model=model` (the documented
    schema), serialised here in the worker thread: returned as a model, FastAPI validates
    it again and serialises it in one more thread-pool hop per request."""
    assert type(answer) is model
    body = answer.__pydantic_serializer__.to_json(answer, by_alias=True)
    return Response(body, media_type="application/json")
