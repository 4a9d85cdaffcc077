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
from fieldcore.workflow import REVIEWERS
from sync_server.core.db import read_session, write_session
from sync_server.org import signin
from sync_server.supervision import actions, queue, rectifications, rectify
from sync_server.tables import User

T = TypeVar("T")


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
        user = await signin.sign_in(
            self.engine, self.settings, username, password, ip, self.clock(), lambda _, u: u
        )
        if user.role not in REVIEWERS:
            raise DomainError(ProblemCode.AUTH_FORBIDDEN, role=user.role)
        return user

    async def queue(
        self, user: User, filters: queue.QueueFilters, cursor: str | None, limit: int = 30
    ) -> queue.QueuePage:
        page = queue.PageRequest(cursor=cursor, limit=limit)
        return await self._read(lambda s: queue.review_queue(s, user, filters, page=page))

    async def detail(self, user: User, visit_id: uuid.UUID) -> queue.VisitDetail:
        return await self._write(lambda s: queue.visit_detail(s, user, visit_id, self.clock()))

    async def act(
        self,
        user: User,
        visit_id: uuid.UUID,
        action: str,
        comment: str = "",
        item_comments: dict[str, str] | None = None,
    ) -> None:
        await self._write(
            lambda s: actions.act(s, user, visit_id, action, self.clock(), comment, item_comments)
        )

    # ---- rectifications (整改) ----------------------------------------------------------
    async def rectifications(
        self,
        user: User,
        status: str | None = None,
        overdue_only: bool = False,
        cursor: str | None = None,
    ) -> rectifications.RectPage:
        now = self.clock()
        return await self._read(
            lambda s: rectifications.rectification_list(s, user, now, status, overdue_only, cursor)
        )

    async def rectification(self, user: User, rect_id: uuid.UUID) -> rectifications.RectDetail:
        now = self.clock()
        return await self._read(
            lambda s: rectifications.rectification_detail(s, user, rect_id, now)
        )

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

    # ---- dashboards ---------------------------------------------------------------------
    # Periods are the last `days` days up to now; `dash` is imported here to keep this
    # section self-contained (sync_server.supervision.dashboards has no web imports either way).
    def _last(self, days: int) -> tuple[datetime, datetime]:
        from datetime import timedelta

        now = self.clock()
        return now - timedelta(days=days), now

    async def dash_ranking(self, user: User, days: int, by: str = "site") -> list[Any]:
        from sync_server.supervision import dashboards as dash

        start, end = self._last(days)
        return await self._read(lambda s: dash.ranking(s, user, start, end, by))  # type: ignore[arg-type]

    async def dash_categories(self, user: User, site_code: str | None, days: int) -> list[Any]:
        from sync_server.supervision import dashboards as dash

        start, end = self._last(days)
        return await self._read(lambda s: dash.category_breakdown(s, user, site_code, start, end))

    async def dash_site_trend(
        self, user: User, site_code: str, last_n: int = 20
    ) -> list[tuple[datetime, Any]]:
        from sync_server.supervision import dashboards as dash

        def work(s: Session) -> list[tuple[datetime, Any]]:
            return dash.site_trend(s, user, dash.scoped_site(s, user, site_code), last_n)

        return await self._read(work)

    async def dash_repeat_offenders(self, user: User, last_n: int = 3) -> list[Any]:
        from sync_server.supervision import dashboards as dash

        return await self._read(lambda s: dash.repeat_offenders(s, user, last_n))

    async def dash_rect_counts(self, user: User) -> Any:
        from sync_server.supervision import dashboards as dash

        now = self.clock()
        return await self._read(lambda s: dash.rectification_counts(s, user, now))

    async def dash_activity(self, user: User, days: int) -> list[Any]:
        from sync_server.supervision import dashboards as dash

        start, end = self._last(days)
        return await self._read(lambda s: dash.inspector_activity(s, user, start, end))

    # ---- scheduling and exports -----------------------------------------------------------
    # Imports stay inside these methods so this shared file changes at this anchor only.
    async def templates(self) -> list[tuple[str, str, list[str]]]:
        """(template id, title, modes) of every current template, for the task forms."""
        from sync_server.templates.versions import get_template, latest_templates

        def work(s: Session) -> list[tuple[str, str, list[str]]]:
            return [
                (t.template_id, t.title, list(get_template(s, t.key).modes))
                for t in latest_templates(s)
            ]

        return await self._read(work)

    async def recent_tasks(self, user: User, limit: int = 50) -> list[Any]:
        from sync_server.supervision import scheduling

        return await self._read(lambda s: scheduling.recent_tasks(s, user, limit))

    async def create_task(
        self, user: User, site: str, template: str, mode: str, assignee: str, first: str, last: str
    ) -> list[Any]:
        """One task over whole China-time days first..last (YYYY-MM-DD); its TaskRow.

        Raises:
            DomainError: request.invalid (dates, window, assignee), scope.denied,
            template.not_found, answers.mode_not_allowed, user.not_found, auth.forbidden.
        """
        from sync_server.org import admin
        from sync_server.supervision import scheduling

        window = scheduling.day_window(
            scheduling.parse_day(first, "start"), scheduling.parse_day(last, "end")
        )

        def work(s: Session) -> list[Any]:
            by = admin.get_user(s, user.username)  # this session's row, for its scope
            task = scheduling.create_task(
                s, by, site.strip(), template, mode, assignee.strip(), window
            )
            return scheduling.task_rows(s, [task])

        return await self._write(work)

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
    ) -> tuple[int, int, list[Any]]:
        """A random percent of a region's active sites; (seed, population, TaskRows).
        `assignees`: one or more inspector usernames, separated by commas or spaces."""
        from sync_server.org import admin
        from sync_server.supervision import scheduling

        share = scheduling.parse_percent(percent)
        window = scheduling.day_window(
            scheduling.parse_day(first, "start"), scheduling.parse_day(last, "end")
        )
        names = [n for n in assignees.replace(",", " ").replace("，", " ").split() if n]

        def work(s: Session) -> tuple[int, int, list[Any]]:
            by = admin.get_user(s, user.username)
            drawn = scheduling.sample_tasks(
                s, by, region.strip(), share, template, mode, names, window
            )
            return drawn.seed, drawn.population, scheduling.task_rows(s, drawn.tasks)

        return await self._write(work)

    def _deliverer(self) -> Any:
        from sync_server.reports.delivery import Deliverer
        from sync_server.reports.downloads import DownloadStore

        store = DownloadStore.under(self.settings.data_dir)
        return Deliverer(self.engine, store, self.photos, self.clock)

    def download_url(self, user: User, url: str) -> str:
        """`url` (/downloads/<token>) with a fresh one-time ticket for `user`, for a browser
        tab that carries no other identity. Raises DomainError(request.not_found) when the
        link expired or is not the user's."""
        from sync_server.reports.downloads import DownloadStore

        token = url.rsplit("/", 1)[1]
        store = DownloadStore.under(self.settings.data_dir)
        return f"{url}?ticket={store.grant(token, user.id, self.clock())}"

    async def export(
        self,
        user: User,
        kind: str,
        progress: Callable[[int, int], None],
        visit_id: str = "",
        first: str = "",
        last: str = "",
        region: str = "",
    ) -> Any:
        """Run one export in a worker thread (progress is called from that thread) and
        return its Download (url, filename, rows). kind: visit-xlsx, visit-pdf, summary
        (first..last, optional region) or daily (first). The export's audit row names
        `user`. Raises DomainError: request.invalid, scope.denied, report.embargoed, …"""
        from sync_server.supervision.scheduling import parse_day

        deliver = self._deliverer()
        if kind in ("visit-xlsx", "visit-pdf"):
            fmt = kind.removeprefix("visit-")
            job = lambda: deliver.visit(user.username, visit_id, fmt, progress)  # noqa: E731
        elif kind == "summary":
            a, b = parse_day(first, "from"), parse_day(last, "to")
            job = lambda: deliver.summary(user.username, a, b, region.strip() or None, progress)  # noqa: E731
        elif kind == "daily":
            day = parse_day(first, "date")
            job = lambda: deliver.daily(user.username, day, progress)  # noqa: E731
        else:
            raise DomainError(ProblemCode.REQUEST_INVALID, kind, field="kind")
        return await asyncio.to_thread(job)
