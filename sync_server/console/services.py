"""The console's calls into the server's services, each in its own short transaction and
off the event loop (Flet handlers run on it). Screens see plain values, never sessions."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session

from fieldcore.problems import DomainError, ProblemCode
from sync_server import auth, rectify, review, review_actions
from sync_server.db import read_session, write_session
from sync_server.tables import User

T = TypeVar("T")
REVIEWERS = ("supervisor", "admin")


class ConsoleServices:
    def __init__(self, state: Any) -> None:
        self.engine = state.engine
        self.settings = state.settings
        self.clock: Callable[[], datetime] = state.clock
        self.photos = state.photos

    async def _write(self, work: Callable[[Session], T]) -> T:
        def run() -> T:
            with write_session(self.engine) as s:
                return work(s)

        return await asyncio.to_thread(run)

    async def _read(self, work: Callable[[Session], T]) -> T:
        def run() -> T:
            with read_session(self.engine) as s:
                return work(s)

        return await asyncio.to_thread(run)

    async def sign_in(self, username: str, password: str, ip: str = "console") -> User:
        """A supervisor or admin with these credentials (throttled like the phones' login).

        Raises:
            DomainError: auth.invalid_credentials, auth.throttled, auth.forbidden.
        """
        now = self.clock()

        def work(s: Session) -> User | None:
            auth.check_throttle(s, self.settings, username, ip, now)
            return auth.authenticate(s, username, password, ip, now)

        user = await self._write(work)  # the attempt is recorded either way
        if user is None:
            raise DomainError(ProblemCode.AUTH_INVALID_CREDENTIALS)
        if user.role not in REVIEWERS:
            raise DomainError(ProblemCode.AUTH_FORBIDDEN, role=user.role)
        return user

    async def queue(
        self, user: User, filters: review.QueueFilters, cursor: str | None, limit: int = 30
    ) -> review.QueuePage:
        page = review.PageRequest(cursor=cursor, limit=limit)
        return await self._read(lambda s: review.review_queue(s, user, filters, page=page))

    async def detail(self, user: User, visit_id: uuid.UUID) -> review.VisitDetail:
        return await self._write(lambda s: review.visit_detail(s, user, visit_id, self.clock()))

    async def act(
        self,
        user: User,
        visit_id: uuid.UUID,
        action: str,
        comment: str = "",
        item_comments: dict[str, str] | None = None,
    ) -> None:
        await self._write(
            lambda s: review_actions.act(
                s, user, visit_id, action, self.clock(), comment, item_comments
            )
        )

    async def photo_bytes(self, detail: review.VisitDetail, sha256: str) -> bytes | None:
        """Bytes of a photo of a visit whose detail the user was allowed to open."""
        if sha256 not in {p.sha256 for p in detail.photos}:
            raise DomainError(ProblemCode.SCOPE_DENIED, entity="photo", id=sha256)
        path = self.photos.path(sha256)
        return await asyncio.to_thread(path.read_bytes) if path.exists() else None

    # ---- rectifications (整改) ----------------------------------------------------------
    async def rectifications(
        self, user: User, status: str | None = None, overdue_only: bool = False
    ) -> list[rectify.RectRow]:
        now = self.clock()
        return await self._read(
            lambda s: rectify.rectification_list(s, user, now, status, overdue_only)
        )

    async def rectification(self, user: User, rect_id: uuid.UUID) -> rectify.RectDetail:
        now = self.clock()
        return await self._read(lambda s: rectify.rectification_detail(s, user, rect_id, now))

    async def rect_verify(self, user: User, rect_id: uuid.UUID, comment: str = "") -> None:
        await self._write(lambda s: rectify.verify(s, user, rect_id, self.clock(), comment))

    async def rect_reopen(self, user: User, rect_id: uuid.UUID, reason: str) -> None:
        await self._write(lambda s: rectify.reopen(s, user, rect_id, reason, self.clock()))

    async def rect_reinspect(
        self, user: User, rect_id: uuid.UUID, assignee: str, days: int
    ) -> uuid.UUID:
        return await self._write(
            lambda s: rectify.reinspect(s, user, rect_id, assignee, days, self.clock()).id
        )

    async def rect_photo_bytes(self, detail: rectify.RectDetail, sha256: str) -> bytes | None:
        """Bytes of a before/after photo of an action whose detail the user could open."""
        if sha256 not in {*detail.before, *detail.after}:
            raise DomainError(ProblemCode.SCOPE_DENIED, entity="photo", id=sha256)
        path = self.photos.path(sha256)
        return await asyncio.to_thread(path.read_bytes) if path.exists() else None
