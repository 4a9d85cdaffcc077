"""Console exports as download links: the file behind GET /downloads/<token> is the exported
file, named in Content-Disposition, audited as the supervisor who asked; unknown, malformed
and expired tokens all get the same 404 request.not_found, and expired files are removed.
A link serves only the user who made it (a one-time ticket from the console, or that user's
bearer token); every fetch, served or refused, is audited."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.console import transfers
from sync_server.console.services import ConsoleServices
from sync_server.reports.downloads import DownloadStore
from sync_server.tables import AuditLog, User
from tests.reports.kit import visit
from tests.server.world import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def services(world: World) -> ConsoleServices:
    return ConsoleServices(world.state)


def user(world: World, name: str) -> User:
    with Session(world.engine) as s:
        return s.exec(select(User).where(User.username == name)).one()


def export(world: World, who: str, kind: str, seen: list[Any] | None = None, **args: str) -> Any:
    def progress(done: int, total: int) -> None:
        if seen is not None:
            seen.append((done, total))

    return asyncio.run(transfers.export(services(world), user(world, who), kind, progress, **args))


def exports_dir(world: World) -> Path:
    return world.state.settings.data_dir / "exports"


def ticketed(world: World, who: str, download: Any) -> str:
    """The address the console's download button opens for `who`."""
    return transfers.download_url(services(world), user(world, who), download.url)


def bearer(world: World, who: str) -> dict[str, str]:
    return world.phone(who).headers


def fetch_rows(world: World) -> list[AuditLog]:
    with Session(world.engine) as s:
        return list(
            s.exec(
                select(AuditLog)
                .where(col(AuditLog.action).in_(["download", "download_refused"]))
                .order_by(col(AuditLog.id))
            ).all()
        )


def token_dirs(world: World) -> list[Path]:
    root = exports_dir(world)
    return sorted(p for p in root.iterdir() if p.name != "partial") if root.exists() else []


def test_served_bytes_are_the_exported_file_named_and_audited(world: World) -> None:
    visit_id, _ = visit(world, world.phone("insp1"), "S1", {"1.1": 2})
    seen: list[Any] = []
    download = export(world, "sup1", "visit-xlsx", seen, visit_id=str(visit_id))
    assert download.filename == f"明细测评表_S1_{visit_id.hex[:8]}.xlsx"
    assert seen and seen[-1][0] == seen[-1][1] > 0  # the progress callback reached the end
    [folder] = token_dirs(world)
    on_disk = (folder / download.filename).read_bytes()

    r = world.client.get(ticketed(world, "sup1", download))
    assert r.status_code == 200
    assert r.content == on_disk
    assert r.headers["content-type"] == XLSX
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(download.filename)}" in disposition
    assert 'filename="_____' in disposition  # an ASCII stand-in for old clients
    assert r.headers["cache-control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(r.content), read_only=True)["明细测评表"]
    assert any("S1 门店S1" in str(c) for row in sheet.iter_rows(values_only=True) for c in row)

    with Session(world.engine) as s:
        [row] = s.exec(select(AuditLog).where(AuditLog.action == "export")).all()
    assert (row.user_id, row.entity, row.entity_id) == (world.ids["sup1"], "visit", str(visit_id))
    assert row.details["username"] == "sup1" and row.details["file"] == download.filename


def test_pdf_summary_and_daily_are_served_with_their_types(world: World) -> None:
    visit_id, _ = visit(world, world.phone("insp1"), "S1", {"1.1": 1})
    day = world.clock().date().isoformat()  # 09:00 UTC is the same day in China
    made = [
        export(world, "sup1", "visit-pdf", visit_id=str(visit_id)),
        export(world, "sup1", "summary", first=day, last=day, region="R1"),
        export(world, "admin", "daily", first=day),
    ]
    types = []
    for download, who in zip(made, ["sup1", "sup1", "admin"], strict=True):
        r = world.client.get(ticketed(world, who, download))
        assert r.status_code == 200 and len(r.content) > 0
        types.append(r.headers["content-type"])
    assert types == ["application/pdf", XLSX, XLSX]
    assert made[1].filename == f"汇总表_R1_{day}_{day}.xlsx" and made[1].rows == 1
    assert made[2].filename == f"质检日报_{day}.xlsx" and made[2].rows == 1
    with Session(world.engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.action == "export")).all()
    assert [(r.entity, r.details["username"]) for r in rows] == [
        ("visit", "sup1"),
        ("summary", "sup1"),
        ("daily", "admin"),
    ]


def test_expired_unknown_and_malformed_tokens_are_not_found(world: World) -> None:
    visit_id, _ = visit(world, world.phone("insp1"), "S1", {})
    download = export(world, "sup1", "visit-xlsx", visit_id=str(visit_id))
    token = download.url.rsplit("/", 1)[1]
    expires, random_part = token.split("-", 1)
    for bad in (
        f"{expires}-{'A' * 32}",  # well formed, never issued
        f"{int(expires) + 3600}-{random_part}",  # the real random part, a later expiry
        "..",
        "x" * 500,
        f"{expires}-{random_part}.",
    ):
        r = world.client.get(f"/downloads/{bad}", headers=bearer(world, "sup1"))
        assert (r.status_code, r.json()["code"]) == (404, "request.not_found"), bad
    owner = bearer(world, "sup1")
    assert world.client.get(download.url, headers=owner).status_code == 200
    world.clock.advance(minutes=14, seconds=59)
    assert world.client.get(download.url, headers=owner).status_code == 200  # valid at 14:59
    world.clock.advance(seconds=1)
    r = world.client.get(download.url, headers=owner)
    assert (r.status_code, r.json()["code"]) == (404, "request.not_found")
    assert token_dirs(world) == []  # the expired file was swept on the way


def test_a_refused_export_leaves_no_file_no_link_and_no_audit_row(world: World) -> None:
    visit_id, _ = visit(world, world.phone("insp2"), "S3", {})  # region R2: not sup1's
    cases: list[tuple[str, dict[str, Any], ProblemCode]] = [
        ("visit-xlsx", {"visit_id": str(visit_id)}, ProblemCode.SCOPE_DENIED),
        ("visit-xlsx", {"visit_id": "not-a-uuid"}, ProblemCode.REQUEST_INVALID),
        ("visit-xlsx", {"visit_id": str(uuid.uuid4())}, ProblemCode.SCOPE_DENIED),
        ("summary", {"first": "2026-13-01", "last": "2026-11-02"}, ProblemCode.REQUEST_INVALID),
        ("summary", {"first": "2026-11-02", "last": "2026-11-01"}, ProblemCode.REQUEST_INVALID),
        ("daily", {"first": ""}, ProblemCode.REQUEST_INVALID),
        ("weekly", {}, ProblemCode.REQUEST_INVALID),
    ]
    for kind, args, code in cases:
        with pytest.raises(DomainError) as refused:
            export(world, "sup1", kind, **args)
        assert refused.value.code == code, (kind, args)
    assert token_dirs(world) == []
    partial = exports_dir(world) / "partial"
    assert not partial.exists() or list(partial.iterdir()) == []
    with Session(world.engine) as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "export")).all() == []


def test_any_worker_sharing_the_data_dir_serves_the_file(world: World, tmp_path: Path) -> None:
    """A second store over the same directory (another process) finds the same file."""
    visit_id, _ = visit(world, world.phone("insp1"), "S1", {})
    download = export(world, "sup1", "visit-xlsx", visit_id=str(visit_id))
    data_dir = world.state.settings.data_dir
    other = DownloadStore.under(data_dir)
    stored = other.find(download.url.rsplit("/", 1)[1], world.clock())
    assert stored.path.name == download.filename and stored.media_type == XLSX
    assert other.sweep(world.clock() + timedelta(minutes=16)) == 1
    assert token_dirs(world) == []


def test_a_link_serves_only_the_user_who_made_it(world: World) -> None:
    """The issue's probe: a PDF of an unpublished covert visit, fetched by whoever holds
    the link. Now: no identity, another user (even an admin) and a spent ticket all get the
    answer an unknown link gets; the maker gets the file with a ticket (once) or a bearer."""
    visit_id, _ = visit(world, world.phone("insp1"), "S1", {"1.1": 1}, mode="covert")
    download = export(world, "sup1", "visit-pdf", visit_id=str(visit_id))
    unknown = world.client.get(download.url[:-4] + "AAAA").json()
    assert unknown["code"] == "request.not_found"

    refused = {
        "no identity": world.client.get(download.url),
        "inspector": world.client.get(download.url, headers=bearer(world, "insp1")),
        "admin": world.client.get(download.url, headers=bearer(world, "admin")),
        "bad bearer": world.client.get(download.url, headers={"Authorization": "Bearer nope"}),
        "made-up ticket": world.client.get(download.url + "?ticket=" + "A" * 32),
    }
    for who, r in refused.items():
        assert (r.status_code, r.json()) == (404, unknown), who
    for other in ("admin", "insp1"):  # nobody else can get a ticket for this link either
        with pytest.raises(DomainError) as no_ticket:
            ticketed(world, other, download)
        assert no_ticket.value.code == ProblemCode.REQUEST_NOT_FOUND

    address = ticketed(world, "sup1", download)
    first = world.client.get(address)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    again = world.client.get(address)  # the ticket is spent
    assert (again.status_code, again.json()) == (404, unknown)
    other_link = export(world, "sup1", "visit-xlsx", visit_id=str(visit_id))
    stray = other_link.url + "?ticket=" + address.rsplit("=", 1)[1]
    assert world.client.get(stray).status_code == 404  # a ticket is for its own link only
    assert world.client.get(ticketed(world, "sup1", download)).status_code == 200  # next one
    owner = world.client.get(download.url, headers=bearer(world, "sup1"))
    assert owner.status_code == 200 and owner.content == first.content


def test_every_fetch_is_audited_served_or_refused(world: World) -> None:
    visit_id, _ = visit(world, world.phone("insp1"), "S1", {})
    download = export(world, "sup1", "visit-xlsx", visit_id=str(visit_id))
    world.client.get(ticketed(world, "sup1", download))
    world.client.get(download.url, headers=bearer(world, "insp1"))
    world.client.get(download.url)
    world.clock.advance(minutes=16)
    world.client.get(download.url, headers=bearer(world, "sup1"))

    rows = fetch_rows(world)
    seen = [(r.action, r.user_id, r.entity_id, r.details.get("reason")) for r in rows]
    assert seen == [
        ("download", world.ids["sup1"], download.filename, None),
        ("download_refused", world.ids["insp1"], download.filename, "not the owner"),
        ("download_refused", None, download.filename, "no identity"),
        ("download_refused", world.ids["sup1"], "", "unknown or expired"),
    ]
    assert [r.details["via"] for r in rows] == ["ticket", "bearer", "", "bearer"]
    assert [r.details["username"] for r in rows] == ["sup1", "insp1", "", "sup1"]
    assert len({r.details["link"] for r in rows}) == 1  # one link, its token not stored
    assert all(download.url.rsplit("/", 1)[1] not in str(r.details) for r in rows)
    assert [r.at for r in rows[:3]] == [rows[0].at] * 3 and rows[3].at > rows[0].at


def test_a_ticket_granted_by_one_worker_is_redeemed_once_by_another(world: World) -> None:
    visit_id, _ = visit(world, world.phone("insp1"), "S1", {})
    download = export(world, "sup1", "visit-xlsx", visit_id=str(visit_id))
    data_dir = world.state.settings.data_dir
    token, now = download.url.rsplit("/", 1)[1], world.clock()
    ticket = DownloadStore.under(data_dir).grant(token, world.ids["sup1"], now)
    other = DownloadStore.under(data_dir)
    assert other.redeem(token, ticket, now) == world.ids["sup1"]
    assert DownloadStore.under(data_dir).redeem(token, ticket, now) is None
