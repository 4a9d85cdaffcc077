"""What a supervisor does from the console — approve, return with per-item comments,
publish (通报), void with a reason — applied through the same merge path as a phone's
push, so field ownership, allowed transitions, workflow effects (rectifications on
approval, the covert embargo lifted on publication) and the pull change log are exactly
the ones phones get. Each console user acts through their own server-side device.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from fieldcore.literals import one_of
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.protocol import Entity, Mutation, PushRequest
from fieldcore.workflow import REVIEWERS, ROLES, finding_id
from sync_server.org.accounts import console_device
from sync_server.org.scope import Actor, Scope, load_scope
from sync_server.sync.merge import apply_push
from sync_server.tables import User

ACTIONS = {"approve": "approved", "return": "returned", "publish": "published", "void": "voided"}


def act(
    session: Session,
    user: User,
    visit_id: uuid.UUID,
    action: str,
    now: datetime,
    comment: str = "",
    item_comments: dict[str, str] | None = None,
) -> None:
    """Apply one review action to a visit, or raise the merge's refusal unchanged.

    Raises:
        DomainError: auth.forbidden for a role that does not review; request.invalid for an
            unknown action or a return/void without its reason; the code the merge gives
            (scope.denied, workflow.transition …) when the rules refuse it.
    """
    if user.role not in REVIEWERS:
        raise DomainError(ProblemCode.AUTH_FORBIDDEN, role=user.role)
    if action not in ACTIONS:
        raise DomainError(ProblemCode.REQUEST_INVALID, f"unknown action {action!r}")
    if action in ("return", "void") and not comment.strip():
        raise DomainError(ProblemCode.REQUEST_INVALID, f"{action} needs a reason")
    fields: dict[str, Any] = {"status": ACTIONS[action]}
    if action == "return":
        fields["return_comment"] = comment.strip()
    if action == "void":
        fields["void_reason"] = comment.strip()
    wanted: list[tuple[Entity, uuid.UUID, dict[str, Any]]] = [
        ("finding", finding_id(visit_id, code), {"review_comment": text.strip()})
        for code, text in sorted((item_comments or {}).items())
        if action == "return"
    ]
    wanted.append(("visit", visit_id, fields))
    push_from_console(session, user, load_scope(session, user), wanted, now)


def push_from_console(
    session: Session,
    user: User,
    scope: Scope,
    changes: list[tuple[Entity, uuid.UUID, dict[str, Any]]],
    now: datetime,
) -> None:
    """Apply (entity, id, fields) changes as the next mutations of the user's console
    device, through the phones' merge path, all or nothing (a return without its comments
    is not one). Used by the review actions here and the rectification follow-up.

    Raises:
        DomainError: the first refusal the merge gives, with its code and details.
    """
    device = console_device(session, user, now)
    actor = Actor(user.id, one_of(user.role, ROLES), device.id, scope)
    mutations = [
        Mutation(seq=device.last_mutation_seq + n, entity=entity, id=row_id, fields=fields)
        for n, (entity, row_id, fields) in enumerate(changes, start=1)
    ]
    with session.begin_nested():
        response = apply_push(session, actor, PushRequest(mutations=mutations), now)
        refused = [r for r in response.results if r.status != "applied"]
        if refused:
            first = refused[0]
            assert first.code is not None  # every rejection carries its problem code
            raise DomainError(ProblemCode(first.code), first.message or "", **first.details)
