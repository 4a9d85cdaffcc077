"""Sign-in and device enrolment."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session

from fieldcore.literals import one_of
from fieldcore.problems import ProblemCode
from fieldcore.protocol import LoginRequest, LoginResponse, UserInfo
from fieldcore.workflow import ROLES
from sync_server.api.deps import ActorDep, EngineDep, NowDep, SettingsDep, schema_version
from sync_server.api.problems import responses
from sync_server.core.db import read_session, write_session
from sync_server.org.accounts import enroll_device
from sync_server.org.signin import sign_in
from sync_server.tables import Device, User

C = ProblemCode
# every route checks the schema header, so every route documents its 426
router = APIRouter(
    prefix="/v1/auth",
    tags=["auth"],
    dependencies=[Depends(schema_version)],
    responses=responses(C.SYNC_SCHEMA_UNSUPPORTED),
)


@router.post(
    "/login",
    response_model=LoginResponse,
    responses=responses(
        C.AUTH_INVALID_CREDENTIALS,
        C.AUTH_THROTTLED,
        C.AUTH_DEVICE_TAKEN,
        C.REQUEST_INVALID,
        C.SYNC_SCHEMA_UNSUPPORTED,
    ),
)
async def login(
    body: LoginRequest, request: Request, engine: EngineDep, settings: SettingsDep, now: NowDep
) -> LoginResponse:
    """Sign in with a password and enrol this device; returns its bearer token.

    Needs the network once; afterwards the phone works offline until the token expires.
    Repeated failures for a user or from an address are throttled (429 auth.throttled,
    Retry-After): see PROTOCOL.md, Login. The client address is the peer's, or the one a
    trusted reverse proxy forwards (MINGCHA_FORWARDED_ALLOW_IPS).
    """

    def enrol(session: Session, user: User) -> LoginResponse:
        enrolled = enroll_device(session, settings, user, body.device_id, body.device_name, now)
        return LoginResponse(
            token=enrolled.token,
            expires_at=enrolled.device.token_expires_at,
            device_id=enrolled.device.id,
            last_mutation_seq=enrolled.device.last_mutation_seq,
            user=UserInfo(
                id=user.id,
                username=user.username,
                display_name=user.display_name,
                role=one_of(user.role, ROLES),
            ),
            server_time=now,
            schema_versions=(settings.schema_min, settings.schema_max),
        )

    address = request.client.host if request.client else ""
    # async: the password check runs on its own pool, never on the threads pushes use
    return await sign_in(engine, settings, body.username, body.password, address, now, enrol)


@router.post("/logout", status_code=204, responses=responses(C.AUTH_TOKEN_INVALID))
def logout(actor: ActorDep, engine: EngineDep, now: NowDep) -> None:
    """Revoke this device's token (its unsynced work stays on the device)."""
    with write_session(engine) as session:
        device = session.get(Device, actor.device_id)
        assert device is not None
        device.revoked_at = now


@router.get("/me", response_model=UserInfo, responses=responses(C.AUTH_TOKEN_INVALID))
def me(actor: ActorDep, engine: EngineDep) -> UserInfo:
    """Who this token belongs to."""
    with read_session(engine) as session:  # a read: it must not queue behind pushes
        user = session.get(User, actor.user_id)
        assert user is not None
        return UserInfo(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=one_of(user.role, ROLES),
        )
