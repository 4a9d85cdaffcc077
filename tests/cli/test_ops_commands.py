"""Operator commands on a real (temporary) central database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlmodel import Session, select
from typer.testing import CliRunner

from sync_server.core import dbinit
from sync_server.core.config import Settings
from sync_server.core.db import make_engine
from sync_server.main import create_app
from sync_server.tables import Site, TemplateVersion, User, UserScope

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "server"


def run(*args: str, input: str | None = None):
    from sync_server.cli import app

    return runner.invoke(app, list(args), input=input)


def rows(data: Path, model: type) -> list:
    engine = make_engine(Settings(data_dir=data))
    with Session(engine) as s:
        out: list[Any] = list(s.exec(select(model)).all())
    engine.dispose()
    return out


def test_db_upgrade_creates_the_schema_on_a_fresh_data_dir(data: Path) -> None:
    result = run("db", "upgrade", "--data-dir", str(data))
    assert result.exit_code == 0 and f"schema at {dbinit.head_revision()}" in result.output
    assert (data / "central.db").exists()
    assert run("db", "current", "--data-dir", str(data)).output.strip() == dbinit.head_revision()


def test_the_database_stays_writable_while_a_new_password_is_hashed(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Argon2 takes a few hundred ms on purpose; inside the write transaction it kept every
    writer of the running server (other processes: SQLite's file lock) waiting."""
    from sync_server.org import accounts, admin

    assert run("regions", "add", "NX", "宁夏", "--data-dir", str(data)).exit_code == 0
    writable: list[bool] = []
    slow_hash = accounts.hash_password  # what admin calls (imported from accounts)

    def hash_and_probe(password: str) -> str:
        probe = sqlite3.connect(data / "central.db", timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")  # what the server's next push would do
            probe.execute("ROLLBACK")
            writable.append(True)
        except sqlite3.OperationalError:  # database is locked
            writable.append(False)
        finally:
            probe.close()
        return slow_hash(password)

    monkeypatch.setattr(admin, "hash_password", hash_and_probe)
    result = run(
        "user",
        "add",
        "wang",
        "--role",
        "inspector",
        "--password-stdin",
        "--data-dir",
        str(data),
        input="long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert writable == [True]


def test_users_are_created_with_scope_and_bad_ones_change_nothing(data: Path) -> None:
    assert run("regions", "add", "NX", "宁夏", "--data-dir", str(data)).exit_code == 0
    ok = run(
        "user",
        "add",
        "wang",
        "--role",
        "inspector",
        "--name",
        "王检查",
        "--region",
        "NX",
        "--password-stdin",
        "--data-dir",
        str(data),
        input="long-password\n",
    )
    assert ok.exit_code == 0, ok.output
    users = rows(data, User)
    assert [(u.username, u.role, u.display_name) for u in users] == [
        ("wang", "inspector", "王检查")
    ]
    assert len(rows(data, UserScope)) == 1
    for args, stdin, code in (
        (["wang", "--role", "inspector"], "long-password\n", "user.exists"),
        (["li", "--role", "boss"], "long-password\n", "request.invalid"),
        (["li", "--role", "inspector"], "short\n", "request.invalid"),
        (["li", "--role", "inspector", "--region", "ZZ"], "long-password\n", "import.invalid"),
    ):
        result = run("user", "add", *args, "--password-stdin", "--data-dir", str(data), input=stdin)
        assert result.exit_code == 2 and code in result.stderr, (args, result.output)
    assert len(rows(data, User)) == 1 and len(rows(data, UserScope)) == 1


def test_revoked_devices_lose_access_at_once(data: Path) -> None:
    run(
        "user",
        "add",
        "wang",
        "--role",
        "inspector",
        "--password-stdin",
        "--data-dir",
        str(data),
        input="long-password\n",
    )
    app = create_app(Settings(data_dir=data))
    headers = {"Mingcha-Schema": "1"}
    with TestClient(app) as client:
        token = client.post(
            "/v1/auth/login",
            headers=headers,
            json={
                "username": "wang",
                "password": "long-password",
                "device_id": "6f1c7c9e-6a4e-4a60-9f0a-0c8f3b2d2a11",
            },
        ).json()["token"]
        auth = {**headers, "Authorization": f"Bearer {token}"}
        assert client.get("/v1/auth/me", headers=auth).status_code == 200
        result = run("user", "revoke-devices", "wang", "--data-dir", str(data))
        assert result.exit_code == 0 and "revoked 1 device" in result.output
        r = client.get("/v1/auth/me", headers=auth)
        assert (r.status_code, r.json()["code"]) == (401, "auth.token_revoked")
    listing = run("user", "list", "--data-dir", str(data))
    assert "wang" in listing.output and "inspector" in listing.output
    app.state.engine.dispose()


def test_sites_import_is_all_or_nothing_and_reruns_update(data: Path, tmp_path: Path) -> None:
    run("regions", "add", "NX", "宁夏", "--data-dir", str(data))
    good = tmp_path / "sites.csv"
    good.write_text(
        "\ufeffcode,name,type,region,address\nS1,甲店,shop,NX,路1号\nS2,乙厅,service-hall,NX,\n",
        encoding="utf-8",
    )
    result = run("sites", "import", str(good), "--data-dir", str(data))
    assert result.exit_code == 0 and "2 created, 0 updated" in result.output
    good.write_text("code,name,type,region\nS1,甲店(新),shop,NX\n", encoding="utf-8")
    assert (
        "0 created, 1 updated" in run("sites", "import", str(good), "--data-dir", str(data)).output
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,type,region\nS3,丙店,shop,NX\nS4,,shop,XX\n", encoding="utf-8")
    result = run("sites", "import", str(bad), "--data-dir", str(data))
    assert result.exit_code == 2
    assert "row 3, column name: is empty" in result.stderr
    assert "row 3, column region: no region 'XX'" in result.stderr
    assert sorted((s.code, s.name) for s in rows(data, Site)) == [
        ("S1", "甲店(新)"),
        ("S2", "乙厅"),
    ]
    book = Workbook()  # the same columns in an Excel sheet
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "name", "type", "region"])
    sheet.append([1003, "丁店", "shop", "NX"])
    book.save(tmp_path / "sites.xlsx")
    result = run("sites", "import", str(tmp_path / "sites.xlsx"), "--data-dir", str(data))
    assert result.exit_code == 0 and "1 created, 0 updated" in result.output, result.output
    assert ("1003", "丁店") in [(s.code, s.name) for s in rows(data, Site)]


def test_templates_publish_is_idempotent_and_versions_are_immutable(
    data: Path, tmp_path: Path
) -> None:
    first = run("templates", "publish", "--data-dir", str(data))
    assert first.exit_code == 0 and "published  mall-property.v1" in first.output
    again = run("templates", "publish", "--data-dir", str(data))
    assert "unchanged  mall-property.v1" in again.output
    source = Path("assets/checklists/mall-property.v1.json")
    changed = json.loads(source.read_text(encoding="utf-8"))
    changed["title"] = "改过的标题"
    edited = tmp_path / "mall-property.v1.json"
    edited.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    result = run("templates", "publish", str(edited), "--data-dir", str(data))
    assert result.exit_code == 2 and "template.version_exists" in result.stderr
    broken = tmp_path / "broken.v1.json"
    broken.write_text('{"id": "broken"}', encoding="utf-8")
    before = len(rows(data, TemplateVersion))
    result = run("templates", "publish", str(broken), "--data-dir", str(data))
    assert result.exit_code == 2 and "broken.v1.json" in result.stderr
    assert len(rows(data, TemplateVersion)) == before
