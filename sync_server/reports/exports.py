"""The export use cases: check the reader, build the file, leave an audit row.

Each function runs inside the caller's session and adds its AuditLog row there; callers run
them with `outside_the_writer`, so the row commits only once the file is complete.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldcore.appraisal import parse_period
from sync_server.core.db import read_session, write_session
from sync_server.photos.store import PhotoStore
from sync_server.reports.access import (
    COUNTED,
    REPORT_TZ,
    audit,
    day_bounds,
    load_actor,
    may_read,
    readable_visit,
)
from sync_server.reports.appraisal import build_appraisal
from sync_server.reports.appraisal_xlsx import write_appraisal_xlsx
from sync_server.reports.data import Progress, VisitReport, load_visit_report, no_progress
from sync_server.reports.summary import build_summary
from sync_server.reports.xlsx import write_daily_xlsx, write_summary_xlsx, write_visit_xlsx
from sync_server.tables import AuditLog, Visit

Format = Literal["xlsx", "pdf"]
FORMATS: tuple[Format, ...] = get_args(Format)
T = TypeVar("T")


@dataclass
class ExportResult:
    path: Path
    rows: int  # items, visits or findings written
    missing_glyphs: list[str] = field(default_factory=list)  # PDF: characters the font lacks


def outside_the_writer(engine: sa.Engine, work: Callable[[Session], T]) -> T:
    """Run an export on one consistent snapshot with no writer held, then commit the audit
    rows it left in a short write of their own.

    A PDF with its photos takes seconds; in a write transaction it held SQLite's one writer
    (the CLI's from another process, the console's in the server) and every push waited.
    An export that fails leaves no row; one that succeeds always leaves its rows.
    """
    with read_session(engine) as session:
        result = work(session)
        rows = [row for row in session.new if isinstance(row, AuditLog)]
        for row in rows:
            session.expunge(row)
        if session.new or session.dirty:  # the read transaction must not write
            raise RuntimeError("an export changed more than its audit rows")
    with write_session(engine) as session:
        session.add_all(rows)
    return result


def export_visit(
    session: Session,
    username: str,
    visit_id: uuid.UUID,
    fmt: Format,
    out: Path,
    photos: PhotoStore,
    progress: Progress = no_progress,
) -> ExportResult:
    """明细测评表 (xlsx) or the visit PDF.

    Raises:
        DomainError(user.not_found | scope.denied | report.embargoed)
    """
    user, scope = load_actor(session, username)
    visit = readable_visit(session, scope, visit_id)
    report = load_visit_report(session, visit)
    missing: list[str] = []
    if fmt == "pdf":
        # imported here: fpdf (and the fontTools it loads) is a third of a second of CPU
        # that every console server's start paid, and most never make a PDF
        from sync_server.reports.pdf import write_visit_pdf

        missing = write_visit_pdf(report, photos, out, progress)
    else:
        write_visit_xlsx(report, out, progress)
    rows = sum(len(c["items"]) for c in report.score.get("categories", []))
    audit(
        session,
        user,
        "visit",
        str(visit.id),
        format=fmt,
        file=out.name,
        mode=visit.mode,
        status=visit.status,
        photos=[p.sha256 for p in report.photos] if fmt == "pdf" else [],
        missing_glyphs="".join(missing),
    )
    return ExportResult(out, rows, missing)


def export_summary(
    session: Session,
    username: str,
    first: date,
    last: date,
    out: Path,
    region: str | None = None,
    progress: Progress = no_progress,
) -> ExportResult:
    """汇总表 for the CST days first..last, optionally one region (with its departments)."""
    user, scope = load_actor(session, username)
    summary = build_summary(session, scope, first, last, region, progress)
    write_summary_xlsx(summary, out)
    period = f"{first.isoformat()}..{last.isoformat()}"
    audit(
        session,
        user,
        "summary",
        period,
        format="xlsx",
        file=out.name,
        region=region,
        visits=summary.visit_ids,
    )
    return ExportResult(out, len(summary.visit_ids))


def export_appraisal(
    session: Session, username: str, period: str, out: Path, department: str | None = None
) -> ExportResult:
    """考核表 of a month, quarter or half-year (reports/appraisal.py), optionally one
    department (with those under it); rows = the people appraised.

    Raises:
        DomainError(user.not_found | appraisal.period_invalid | request.not_found)
    """
    user, scope = load_actor(session, username)
    report = build_appraisal(session, scope, parse_period(period), department)
    write_appraisal_xlsx(report, out)
    audit(
        session,
        user,
        "appraisal",
        report.period.text,
        format="xlsx",
        file=out.name,
        department=department,
        scheme=report.scheme,
        settings=dict(report.settings.values),
        visits=report.visit_ids,
    )
    return ExportResult(out, len(report.people))


def daily_rows(
    session: Session, username: str, day: date
) -> tuple[Any, list[Visit], list[tuple[VisitReport, Visit, Any, Any]]]:
    user, scope = load_actor(session, username)
    start, end = day_bounds(day, day)
    visits = session.exec(
        select(Visit)
        .where(
            col(Visit.status).in_(COUNTED),
            col(Visit.deleted_at).is_(None),
            col(Visit.submitted_at) >= start,
            col(Visit.submitted_at) < end,
        )
        .order_by(col(Visit.submitted_at))
    ).all()
    readable = [v for v in visits if may_read(scope, v)]
    rows = []
    for visit in readable:
        report = load_visit_report(session, visit)
        for cat in report.score.get("categories", []):
            for item in report.item_rows(cat):
                if item.result == "不合格":
                    rows.append((report, visit, report.findings.get(item.code), item))
    return user, readable, rows


def export_daily(
    session: Session, username: str, day: date, out: Path, progress: Progress = no_progress
) -> ExportResult:
    """质检日报: the failed items of the visits submitted on one CST day."""
    user, visits, rows = daily_rows(session, username, day)

    def stream() -> Iterator[tuple[VisitReport, Visit, Any, Any]]:
        yield from rows

    write_daily_xlsx(
        f"{day.isoformat()} ({REPORT_TZ.tzname(None)})", stream(), len(rows), out, progress
    )
    audit(
        session,
        user,
        "daily",
        day.isoformat(),
        format="xlsx",
        file=out.name,
        visits=[str(v.id) for v in visits],
        findings=len(rows),
    )
    return ExportResult(out, len(rows))
