"""Slow work never holds SQLite's one writer (issue 11 §5 and its siblings): while a
photo's bytes are hashed or an export is written, another writer (the next push) can start
at once.

Passwords: tests/server/test_login_storm.py (a check held open while pushes go on) and, for
`mingcha user add`, tests/cli/test_ops_commands.py."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from sync_server.cli import app as cli
from sync_server.console import transfers
from sync_server.console.services import ConsoleServices
from sync_server.core.config import Settings
from sync_server.photos.store import PhotoStore
from sync_server.reports import exports, xlsx
from sync_server.tables import AuditLog, User
from tests.reports.kit import visit
from tests.server.images import jpeg, sha
from tests.server.test_photo_uploads import patch, photo_row, start
from tests.server.world import World


def writable(world: World) -> bool:
    """Could another connection begin a write transaction right now, without waiting?"""
    if world.engine.dialect.name != "sqlite":
        return True  # PostgreSQL has no database-wide writer; row locks order writes
    probe = sqlite3.connect(world.engine.url.database or "", timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # database is locked
        return False
    finally:
        probe.close()


@pytest.mark.parametrize("method", ["digest", "read_intact"])
def test_the_database_stays_writable_while_a_photo_is_hashed(
    world: World, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    phone = world.phone("insp1")
    data = jpeg()
    photo_row(phone, world, data)
    seen: list[bool] = []
    hash_bytes = getattr(PhotoStore, method)

    def probing(store: PhotoStore, key: object) -> object:
        seen.append(writable(world))
        return hash_bytes(store, key)

    monkeypatch.setattr(PhotoStore, method, probing)
    r = start(phone, sha(data), len(data))
    r = patch(phone, r.json()["id"], 0, data)
    assert r.status_code == 204, r.text
    assert seen and all(seen)


def export_rows(world: World) -> list[AuditLog]:
    with Session(world.engine) as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action == "export")).all())


@pytest.mark.parametrize("kind", ["visit-pdf", "visit-xlsx", "summary", "daily"])
def test_the_database_stays_writable_while_the_console_exports(world: World, kind: str) -> None:
    visit_id, _ = visit(world, world.phone("insp1"), "S1", {"1.1": 1})
    day = world.clock().date().isoformat()
    seen: list[bool] = []
    with Session(world.engine) as s:
        sup = s.exec(select(User).where(User.username == "sup1")).one()
    console = ConsoleServices(world.state)
    progress = lambda done, total: seen.append(writable(world))  # noqa: E731
    args = {"visit_id": str(visit_id)} if kind.startswith("visit") else {"first": day, "last": day}
    download = asyncio.run(transfers.export(console, sup, kind, progress, **args))
    assert seen and all(seen)
    [row] = export_rows(world)  # still audited, once the file is complete
    assert row.details["file"] == download.filename


def test_the_database_stays_writable_while_the_cli_exports(
    world: World, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    visit_id, _ = visit(world, world.phone("insp1"), "S1", {"1.1": 1})
    seen: list[bool] = []
    write_xlsx = xlsx.write_visit_xlsx  # what exports calls, patched in its namespace

    def probing(*args: object, **kw: object) -> object:
        seen.append(writable(world))
        return write_xlsx(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(exports, "write_visit_xlsx", probing)
    monkeypatch.setenv("MINGCHA_DATABASE_URL", settings.database_url)
    out = tmp_path / "v.xlsx"
    r = CliRunner().invoke(cli, ["export", "visit", str(visit_id), "--as", "sup1", "-o", str(out),
                                 "--data-dir", str(settings.data_dir)])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert seen == [True] and out.exists()
    [row] = export_rows(world)
    assert row.details["file"] == "v.xlsx"
