"""The console's way into the server's domain, off the event loop (Flet handlers run on it).

`read` and `write` run one domain function — `fn(session, *args)` from review, rectify,
dashboards, scheduling … — in its own short transaction in a worker thread, typed with the
function's own parameters, so a screen calls `await services.read(review.review_queue,
user, filters, sort, page)` and gets plain values back, never a session. The methods below
are what is more than one such call: sign-in, a site's trend and the task forms (text
parsed, then written). Photos, workbooks and report exports, which move files in worker
threads outside any transaction, are in transfers.py.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlmodel import Session

from fieldcore.checklist import Template
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import REVIEWERS
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import read_session, write_session
from sync_server.org import accounts, admin, signin
from sync_server.supervision import dashboards, scheduling
from sync_server.tables import User
from sync_server.templates import drafts
from sync_server.templates.versions import get_template, latest_templates

P = ParamSpec("P")
T = TypeVar("T")
TemplateChoice = tuple[str, str, list[str]]  # template id, title, modes


class ConsoleServices:
    """Made once per server process from the FastAPI app state; each browser tab gets its
    own copy (`for_tab`) sharing the engine, settings, clock and photos, holding who
    signed in there."""

    def __init__(self, state: Any) -> None:
        self.engine = state.engine
        self.settings = state.settings
        self.clock: Callable[[], datetime] = state.clock
        self.photos = state.photos
        # the tab's account as it signed in; every call below first checks the database
        # still has it so (accounts.check_console_session): a disabled account's open tab
        # is refused at its next request, whatever User object its screens hold
        self.signed_in: User | None = None

    def for_tab(self) -> ConsoleServices:
        tab = copy.copy(self)
        tab.signed_in = None
        return tab

    def _session_holds(self, session: Session) -> None:
        if self.signed_in is not None:
            accounts.check_console_session(session, self.signed_in)

    async def still_signed_in(self) -> None:
        """Raises DomainError(auth.token_revoked) once the tab's sign-in no longer holds:
        for the calls below that open no transaction of their own first."""
        await self.read(lambda s: None)

    async def session_holds(self) -> bool:
        """Whether the tab's sign-in still holds (false: show the sign-in screen)."""
        try:
            await self.still_signed_in()
        except DomainError as exc:
            if exc.code == ProblemCode.AUTH_TOKEN_REVOKED:
                return False
            raise
        return True

    # ---- one domain call, one transaction ---------------------------------------------
    async def read(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kw: P.kwargs
    ) -> T:
        """`fn(session, *args, **kw)` in a read transaction, in a worker thread."""

        def run() -> T:
            with read_session(self.engine) as s:
                self._session_holds(s)
                return fn(s, *args, **kw)

        return await asyncio.to_thread(run)

    async def write(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kw: P.kwargs
    ) -> T:
        """`fn(session, *args, **kw)` in a write transaction (committed when it returns),
        in a worker thread."""

        def run() -> T:
            with write_session(self.engine) as s:
                self._session_holds(s)
                return fn(s, *args, **kw)

        return await asyncio.to_thread(run)

    async def org_write(
        self, fn: Callable[Concatenate[Session, ChangeSet, P], T], *args: P.args, **kw: P.kwargs
    ) -> T:
        """An administrative change `fn(session, changes, *args)` (org/manage_*.py) in a
        write transaction in a worker thread; the rows phones pull get their seqs."""

        def run() -> T:
            with write_session(self.engine) as s:
                self._session_holds(s)
                changes = ChangeSet(s)
                out = fn(s, changes, *args, **kw)
                changes.assign_seqs()
                return out

        return await asyncio.to_thread(run)

    async def hash_password(self, password: str) -> admin.HashedPassword:
        """Check and hash a new password in a worker (argon2 is slow on purpose)."""
        return await asyncio.to_thread(admin.hash_new_password, password)

    def last(self, days: int) -> tuple[datetime, datetime]:
        """The period of the last `days` days up to now (the dashboards' periods)."""
        now = self.clock()
        return now - timedelta(days=days), now

    # ---- accounts -----------------------------------------------------------------------
    async def sign_in(self, username: str, password: str, ip: str = "console") -> User:
        """A supervisor or admin with these credentials (throttled like the phones' login).

        Raises:
            DomainError: auth.invalid_credentials, auth.throttled, auth.forbidden.
        """
        user = await signin.sign_in(
            self.engine, self.settings, username, password, ip, self.clock(), lambda _, u: u
        )
        if user.role not in REVIEWERS:
            raise DomainError(ProblemCode.AUTH_FORBIDDEN, role=user.role)
        return user

    # ---- dashboards -----------------------------------------------------------------------
    async def site_trend(
        self, user: User, site_code: str, last_n: int = 20
    ) -> list[tuple[datetime, Any]]:
        """Score percent of a site's last visits, the site named by its code."""

        def work(s: Session) -> list[tuple[datetime, Any]]:
            site_id = dashboards.scoped_site(s, user, site_code)
            return list(dashboards.site_trend(s, user, site_id, last_n))

        return await self.read(work)

    # ---- scheduling -----------------------------------------------------------------------
    async def templates(self) -> list[TemplateChoice]:
        """(template id, title, modes) of every current template, for the task forms."""

        def work(s: Session) -> list[TemplateChoice]:
            return [
                (t.template_id, t.title, list(get_template(s, t.key).modes))
                for t in latest_templates(s)
            ]

        return await self.read(work)

    async def create_task(
        self, user: User, site: str, template: str, mode: str, assignee: str, first: str, last: str
    ) -> list[scheduling.TaskRow]:
        """One task over whole China-time days first..last (YYYY-MM-DD); its TaskRow.

        Raises:
            DomainError: request.invalid (dates, window, assignee), scope.denied,
            template.not_found, answers.mode_not_allowed, user.not_found, auth.forbidden.
        """
        window = scheduling.day_window(
            scheduling.parse_day(first, "start"), scheduling.parse_day(last, "end")
        )

        def work(s: Session) -> list[scheduling.TaskRow]:
            by = admin.get_user(s, user.username)  # this session's row, for its scope
            task = scheduling.create_task(
                s, by, site.strip(), template, mode, assignee.strip(), window
            )
            return scheduling.task_rows(s, [task])

        return await self.write(work)

    async def sample_tasks(
        self,
        user: User,
        region: str,
        percent: str,
        template: str,
        mode: str,
        assignees: str,
        first: str,
        last: str,
    ) -> tuple[int, int, list[scheduling.TaskRow]]:
        """A random percent of a region's active sites; (seed, population, TaskRows).
        `assignees`: one or more inspector usernames, separated by commas or spaces."""
        share = scheduling.parse_percent(percent)
        window = scheduling.day_window(
            scheduling.parse_day(first, "start"), scheduling.parse_day(last, "end")
        )
        names = [n for n in assignees.replace(",", " ").replace("，", " ").split() if n]

        def work(s: Session) -> tuple[int, int, list[scheduling.TaskRow]]:
            by = admin.get_user(s, user.username)
            drawn = scheduling.sample_tasks(
                s, by, region.strip(), share, template, mode, names, window
            )
            return drawn.seed, drawn.population, scheduling.task_rows(s, drawn.tasks)

        return await self.write(work)

    # ---- checklist templates ---------------------------------------------------------------
    async def draft_from_template(self, user: User, template: Template) -> drafts.DraftView:
        """A new draft holding a parsed template, to edit before publishing: where an
        uploaded workbook (sync_server.templates.workbook.read_workbook) comes in.

        Raises:
            DomainError: auth.forbidden (not a supervisor or admin).
        """
        return await self.write(drafts.draft_from_template, user, template)
