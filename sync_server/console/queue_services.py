"""More console calls for the queue's filter bar, visit photos and the rectification totals,
each off the event loop through the ConsoleServices instance (kept beside services.py so
that file stays small)."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

from fieldcore.problems import DomainError, ProblemCode
from sync_server.console.services import ConsoleServices
from sync_server.photos.thumbnails import Thumbnails
from sync_server.supervision import queue, rectifications
from sync_server.supervision.filters import QueueChoices, check_sort, queue_choices
from sync_server.tables import User

Tile = bytes | DomainError | None  # a thumbnail, why it cannot be shown, or not uploaded yet


async def choices(sv: ConsoleServices, user: User) -> QueueChoices:
    return await sv._read(lambda s: queue_choices(s, user))


async def queue_page(
    sv: ConsoleServices,
    user: User,
    filters: queue.QueueFilters,
    sort: str,
    cursor: str | None,
    limit: int = 30,
) -> queue.QueuePage:
    page = queue.PageRequest(cursor=cursor, limit=limit)
    check_sort(sort)
    return await sv._read(lambda s: queue.review_queue(s, user, filters, sort, page))


def _thumbs(sv: ConsoleServices) -> Thumbnails:
    return Thumbnails(sv.settings.data_dir / "thumbs", sv.photos)


def _check(allowed: Collection[str], sha256: str) -> None:
    if sha256 not in allowed:
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="photo", id=sha256)


async def thumbnails(
    sv: ConsoleServices, allowed: Collection[str], shas: list[str]
) -> dict[str, Tile]:
    """Thumbnails of photos the user may see — `allowed` holds the photos of a visit or an
    action whose detail they were allowed to open — made in one worker thread (Pillow) so
    the session stays responsive."""
    for sha in shas:
        _check(allowed, sha)
    thumbs = _thumbs(sv)

    def work() -> dict[str, Tile]:
        out: dict[str, Tile] = {}
        for sha in dict.fromkeys(shas):
            try:
                out[sha] = thumbs.get(sha)
            except DomainError as exc:  # one broken photo must not hide the others
                out[sha] = exc
        return out

    return await asyncio.to_thread(work)


async def full_photo(sv: ConsoleServices, allowed: Collection[str], sha256: str) -> bytes | None:
    """The photo to show opened (the original, or a large rendition of a huge one)."""
    _check(allowed, sha256)
    return await asyncio.to_thread(_thumbs(sv).viewable, sha256)


async def rectification_totals(
    sv: ConsoleServices, user: User, status: str | None, overdue_only: bool
) -> tuple[int, int]:
    now = sv.clock()
    return await sv._read(
        lambda s: rectifications.rectification_totals(s, user, now, status, overdue_only)
    )
