"""What the review queue's filter bar offers and how its typed input becomes QueueFilters.

`queue_choices` fills the dropdowns from the database: the regions (and departments) the
reviewer covers, and every published template with the grades of their scoring. Templates
are organisation-wide and a visit's template is not bound to its site's kind, so narrowing
them by site kind could hide a template that visits in the queue use.
`parse_filters` turns the raw text of the bar into QueueFilters or refuses it with
request.invalid naming the field, so a typo never runs a query that silently matches
nothing. No web or UI imports.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, col, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.org.scope import reviewer_scope, with_descendants
from sync_server.supervision.queue import SORTS, QueueFilters
from sync_server.tables import Region, Site, TemplateVersion, User, UserScope

MODES = ("overt", "covert")
STATUSES = ("submitted", "resubmitted", "returned", "approved", "published", "voided")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SORT_KEYS = tuple(f"{sign}{key}" for key in SORTS for sign in ("-", ""))


@dataclass(frozen=True)
class QueueChoices:
    regions: list[tuple[str, str]]  # (code, name), by code
    templates: list[tuple[str, str]]  # (template_id, title of its latest version)
    grades: list[str]  # grade codes of those templates, best first


def queue_choices(session: Session, user: User) -> QueueChoices:
    """Dropdown entries in the reviewer's scope. Raises DomainError: auth.forbidden."""
    scope = reviewer_scope(session, user)
    if scope.site_ids is None:  # an admin covers every region and site
        region_ids = set(session.exec(select(Region.id)).all())
    else:
        assigned = session.exec(select(UserScope).where(UserScope.user_id == user.id)).all()
        region_ids = with_descendants(session, [a.region_id for a in assigned if a.region_id])
        single = [a.site_id for a in assigned if a.site_id]  # a site assigned on its own:
        if single:  # its region is offered too (the queue still shows only that site)
            in_single = col(Site.id).in_(single)
            region_ids |= set(session.exec(select(Site.region_id).where(in_single)).all())
    regions = session.exec(
        select(Region).where(col(Region.id).in_(region_ids)).order_by(col(Region.code))
    ).all()
    latest: dict[str, TemplateVersion] = {}
    for row in session.exec(select(TemplateVersion).order_by(col(TemplateVersion.version))).all():
        latest[row.template_id] = row  # retired versions too: old visits still use them
    templates: list[tuple[str, str]] = []
    grades: dict[str, Any] = {}  # grade code -> the lowest percent it needs
    for template_id, row in sorted(latest.items()):
        body = json.loads(row.body)
        templates.append((template_id, row.title))
        for g in body.get("scoring", {}).get("grades", []):
            low = Decimal(str(g["min"]))  # a JSON number, or a string in a model dump
            grades[g["code"]] = max(grades.get(g["code"], low), low)
    best_first = sorted(grades, key=lambda code: -grades[code])
    return QueueChoices([(r.code, r.name) for r in regions], templates, best_first)


def _refuse(field: str, text: str) -> DomainError:
    return DomainError(ProblemCode.REQUEST_INVALID, text, field=field)


def _day(field: str, label: str, raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        if not DAY.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:  # also a real-looking but impossible day: 2026-02-30
        raise _refuse(field, f"{label}须为 YYYY-MM-DD 格式的日期:{raw}") from None


def _percent(field: str, label: str, raw: str) -> Decimal | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise _refuse(field, f"{label}须为 0–100 的数字:{raw}") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise _refuse(field, f"{label}须为 0–100 的数字:{raw}")
    return value


def _choice(field: str, raw: str | None, allowed: tuple[str, ...]) -> str | None:
    value = (raw or "").strip() or None
    if value is not None and value not in allowed:
        raise _refuse(field, f"{field} must be one of {', '.join(allowed)}")
    return value


def parse_filters(
    *,
    region: str | None = None,
    site: str | None = None,
    template_id: str | None = None,
    mode: str | None = None,
    inspector: str | None = None,
    date_from: str = "",
    date_to: str = "",
    status: str | None = None,
    min_percent: str = "",
    max_percent: str = "",
    grade: str | None = None,
    tz: tzinfo | None = None,
) -> QueueFilters:
    """QueueFilters from the filter bar's text; blank means "any".

    Dates are whole days in `tz` (default: the server's local zone, the one the queue
    displays times in), both ends included. Raises DomainError request.invalid with
    `field` set: a date that is not YYYY-MM-DD, "to" before "from", a score outside 0–100
    or min above max, an unknown mode or status."""
    zone = tz or datetime.now().astimezone().tzinfo
    first = _day("submitted_from", "开始日期 From", date_from)
    last = _day("submitted_to", "结束日期 To", date_to)
    if first and last and last < first:
        raise _refuse("submitted_to", f"结束日期 {last} 早于开始日期 {first}")
    low = _percent("min_percent", "最低分 Min %", min_percent)
    high = _percent("max_percent", "最高分 Max %", max_percent)
    if low is not None and high is not None and low > high:
        raise _refuse("max_percent", f"最高分 {high} 低于最低分 {low}")
    return QueueFilters(
        region=(region or "").strip() or None,
        site=(site or "").strip() or None,
        template_id=(template_id or "").strip() or None,
        mode=_choice("mode", mode, MODES),
        inspector=(inspector or "").strip() or None,
        submitted_from=datetime.combine(first, time(), zone) if first else None,
        # the queue's upper bound is exclusive: the day after the last day, at midnight
        submitted_to=datetime.combine(last + timedelta(days=1), time(), zone) if last else None,
        status=_choice("status", status, STATUSES),
        min_percent=low,
        max_percent=high,
        grade=(grade or "").strip() or None,
    )


def check_sort(sort: str) -> str:
    if sort not in SORT_KEYS:
        raise _refuse("sort", f"sort must be one of {', '.join(SORT_KEYS)}")
    return sort
