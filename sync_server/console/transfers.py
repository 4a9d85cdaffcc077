"""What the console moves as files, off the event loop: photos shown (Pillow in a worker),
checklist workbooks uploaded and downloaded, and report exports (long work outside any
transaction) with the one-time links a browser tab downloads them by.

Each function takes the tab's ConsoleServices (services.py): its engine, settings, clock
and photo store, and who signed in there, which is checked before any work starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.template_loader import TemplateError
from sync_server.console.services import ConsoleServices
from sync_server.photos.thumbnails import Thumbnails
from sync_server.reports.delivery import Deliverer, Download
from sync_server.reports.downloads import DownloadStore
from sync_server.supervision import scheduling
from sync_server.tables import User
from sync_server.templates import drafts, workbook_drafts
from sync_server.templates.workbook import read_workbook, write_workbook

Tile = bytes | DomainError | None  # a thumbnail, why it cannot be shown, or not uploaded yet


# ---- checklist workbooks ----------------------------------------------------------------
async def upload_workbook(
    services: ConsoleServices, user: User, data: bytes, filename: str
) -> drafts.DraftView:
    """A new draft from an uploaded workbook, read (openpyxl) in a worker thread.

    Raises:
        TemplateError: every problem of the workbook, by sheet, cell and column; no
            draft is created.
        DomainError: template.version_exists, template.draft_exists, auth.forbidden.
    """
    drafts.require_author(user)  # before reading a stranger's file
    if len(data) > workbook_drafts.MAX_UPLOAD_BYTES:
        limit = workbook_drafts.MAX_UPLOAD_BYTES // 1_000_000
        raise TemplateError(filename, [f"文件超过 {limit} MB (the file is over {limit} MB)"])
    template = await asyncio.to_thread(read_workbook, data, filename)
    return await services.write(workbook_drafts.draft_from_upload, user, template)


async def template_workbook(services: ConsoleServices, user: User, key: str) -> Download:
    """A published version as a workbook behind a download link for `user` (the
    exports' links: /downloads/<token>, 15 minutes), written in a worker thread.

    Raises:
        DomainError: template.not_found, auth.forbidden.
    """
    template = await services.write(workbook_drafts.published_for_workbook, user, key)
    store = DownloadStore.under(services.settings.data_dir)

    def work() -> Download:
        data = write_workbook(template)
        slot = store.reserve(f"{key}.xlsx")
        try:
            slot.path.write_bytes(data)
        except BaseException:
            store.discard(slot)
            raise
        token = store.publish(slot, services.clock(), user.id)
        return Download(f"/downloads/{token}", slot.filename, sum(1 for _ in template.iter_items()))

    return await asyncio.to_thread(work)


# ---- photos -----------------------------------------------------------------------------
# `allowed` holds the photos of a visit or an action whose detail the user was allowed
# to open; Pillow runs in one worker thread so the session stays responsive.
def _thumbs(services: ConsoleServices) -> Thumbnails:
    return Thumbnails(services.settings.data_dir / "thumbs", services.photos)


async def thumbnails(
    services: ConsoleServices, allowed: Collection[str], shas: list[str]
) -> dict[str, Tile]:
    """Thumbnails of photos the user may see, each or why it cannot be shown."""
    for sha in shas:
        _check_photo(allowed, sha)
    await services.still_signed_in()
    thumbs = _thumbs(services)

    def work() -> dict[str, Tile]:
        out: dict[str, Tile] = {}
        for sha in dict.fromkeys(shas):
            try:
                out[sha] = thumbs.get(sha)
            except DomainError as exc:  # one broken photo must not hide the others
                out[sha] = exc
        return out

    return await asyncio.to_thread(work)


async def full_photo(
    services: ConsoleServices, allowed: Collection[str], sha256: str
) -> bytes | None:
    """The photo to show opened (the original, or a large rendition of a huge one)."""
    _check_photo(allowed, sha256)
    await services.still_signed_in()
    return await asyncio.to_thread(_thumbs(services).viewable, sha256)


def _check_photo(allowed: Collection[str], sha256: str) -> None:
    if sha256 not in allowed:
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="photo", id=sha256)


# ---- report exports ---------------------------------------------------------------------
def download_url(services: ConsoleServices, user: User, url: str) -> str:
    """`url` (/downloads/<token>) with a fresh one-time ticket for `user`, for a browser
    tab that carries no other identity. Raises DomainError(request.not_found) when the
    link expired or is not the user's."""
    token = url.rsplit("/", 1)[1]
    store = DownloadStore.under(services.settings.data_dir)
    return f"{url}?ticket={store.grant(token, user.id, services.clock())}"


async def export(
    services: ConsoleServices,
    user: User,
    kind: str,
    progress: Callable[[int, int], None],
    visit_id: str = "",
    first: str = "",
    last: str = "",
    region: str = "",
) -> Download:
    """Run one export in a worker thread (progress is called from that thread) and
    return its Download (url, filename, rows). kind: visit-xlsx, visit-pdf, summary
    (first..last, optional region), daily (first) or appraisal (first: the period,
    2026-11 / 2026-Q4 / 2026-H2; optional region: the department). The export's audit row names
    `user`. Raises DomainError: request.invalid, scope.denied, report.embargoed, …"""
    await services.still_signed_in()
    store = DownloadStore.under(services.settings.data_dir)
    deliver = Deliverer(services.engine, store, services.photos, services.clock)
    job: Callable[[], Download]
    if kind in ("visit-xlsx", "visit-pdf"):
        fmt = kind.removeprefix("visit-")
        job = lambda: deliver.visit(user.username, visit_id, fmt, progress)  # noqa: E731
    elif kind == "summary":
        a, b = scheduling.parse_day(first, "from"), scheduling.parse_day(last, "to")
        job = lambda: deliver.summary(user.username, a, b, region.strip() or None, progress)  # noqa: E731
    elif kind == "appraisal":
        job = lambda: deliver.appraisal(user.username, first, region.strip() or None)  # noqa: E731
    elif kind == "daily":
        day = scheduling.parse_day(first, "date")
        job = lambda: deliver.daily(user.username, day, progress)  # noqa: E731
    else:
        raise DomainError(ProblemCode.REQUEST_INVALID, kind, field="kind")
    return await asyncio.to_thread(job)
