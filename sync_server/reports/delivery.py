"""Exports made for a download link (the console's 报表 page): the same export functions as
`mingcha export`, written into the DownloadStore and published once the audit row is
committed, so a link always points at a complete file whose export was recorded. The link is
published for the user who made the export and serves nobody else (api/downloads.py).

Runs in a worker thread; `progress(done, total)` is called from that thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from fieldcore.literals import one_of
from fieldcore.problems import DomainError, ProblemCode
from sync_server.photos.store import PhotoStore
from sync_server.reports import exports
from sync_server.reports.data import Progress, no_progress
from sync_server.reports.downloads import DownloadStore, Slot
from sync_server.tables import Site, User, Visit


@dataclass(frozen=True)
class Download:
    url: str  # server-relative: /downloads/<token>
    filename: str
    rows: int  # items, visits or findings written
    missing_glyphs: str = ""  # PDF: characters the bundled font lacks


@dataclass(frozen=True)
class Deliverer:
    engine: sa.Engine
    store: DownloadStore
    photos: PhotoStore
    clock: Callable[[], datetime]

    def _run(
        self,
        username: str,
        name: Callable[[Session], str],
        make: Callable[[Session, Path], exports.ExportResult],
    ) -> Download:
        slot: Slot | None = None
        owner: uuid.UUID | None = None

        def build(session: Session) -> exports.ExportResult:
            nonlocal slot, owner
            slot = self.store.reserve(name(session))
            result = make(session, slot.path)  # checks the user exists and may read
            owner = session.exec(select(User.id).where(User.username == username)).one()
            return result

        try:  # the audit row commits once the file is complete, the link after it
            result = exports.outside_the_writer(self.engine, build)
        except BaseException:
            if slot is not None:
                self.store.discard(slot)  # a refused or failed export leaves no file
            raise
        assert slot is not None and owner is not None  # build ran to its end
        token = self.store.publish(slot, self.clock(), owner)
        return Download(
            f"/downloads/{token}", slot.filename, result.rows, "".join(result.missing_glyphs)
        )

    def visit(
        self, username: str, visit_id: str, fmt: str, progress: Progress = no_progress
    ) -> Download:
        """明细测评表 (xlsx) or the visit PDF. Raises request.invalid (id or format) and
        what exports.export_visit raises (scope.denied, report.embargoed, …)."""
        try:
            chosen = one_of(fmt, exports.FORMATS)
        except ValueError:
            raise DomainError(ProblemCode.REQUEST_INVALID, "xlsx or pdf", field="format") from None
        vid = _visit_id(visit_id)

        def name(session: Session) -> str:
            visit = session.get(Visit, vid)
            site = session.get(Site, visit.site_id) if visit else None
            title = "明细测评表" if fmt == "xlsx" else "检查报告"
            return f"{title}_{site.code if site else 'visit'}_{vid.hex[:8]}.{fmt}"

        return self._run(
            username,
            name,
            lambda s, out: exports.export_visit(
                s,
                username,
                vid,
                chosen,
                out,
                self.photos,
                progress,
            ),
        )

    def summary(
        self,
        username: str,
        first: date,
        last: date,
        region: str | None,
        progress: Progress = no_progress,
    ) -> Download:
        """汇总表 for the China-time days first..last, one region (with departments) or all."""
        if last < first:
            raise DomainError(ProblemCode.REQUEST_INVALID, "last day before first", field="to")
        label = region or "全部"
        return self._run(
            username,
            lambda s: f"汇总表_{label}_{first.isoformat()}_{last.isoformat()}.xlsx",
            lambda s, out: exports.export_summary(s, username, first, last, out, region, progress),
        )

    def daily(self, username: str, day: date, progress: Progress = no_progress) -> Download:
        """质检日报 of one China-time day."""
        return self._run(
            username,
            lambda s: f"质检日报_{day.isoformat()}.xlsx",
            lambda s, out: exports.export_daily(s, username, day, out, progress),
        )

    def appraisal(self, username: str, period: str, department: str | None) -> Download:
        """考核表 of a month, quarter or half-year (2026-11, 2026-Q4, 2026-H2)."""
        label = department or "全部"
        return self._run(
            username,
            lambda s: f"考核表_{period.strip().upper()}_{label}.xlsx",
            lambda s, out: exports.export_appraisal(s, username, period, out, department),
        )


def _visit_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise DomainError(
            ProblemCode.REQUEST_INVALID, f"not a visit id: {text!r}", field="visit_id"
        ) from None
