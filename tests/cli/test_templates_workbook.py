"""`mingcha templates export` and `import`: a workbook out, a template file (and a published
version) back in; a bad workbook exits 2 naming every cell and writes nothing."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import Session, select
from typer.testing import CliRunner

from fieldcore.template_loader import parse_template
from sync_server.cli import app
from sync_server.core.config import Settings
from sync_server.core.db import make_engine
from sync_server.tables import TemplateVersion
from sync_server.templates.catalog import resolve_template
from sync_server.templates.template_json import template_json
from tests.versions import newest_and_next

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_export_then_import_gives_the_same_template_file(tmp_path: Path) -> None:
    book = tmp_path / "门店.xlsx"
    result = run("templates", "export", "store-patrol", "--version", "1", "-o", str(book))
    assert result.exit_code == 0, result.output
    assert "store-patrol.v1" in result.output

    out = tmp_path / "out"
    result = run("templates", "import", str(book), "-o", str(out))
    assert result.exit_code == 0, result.output
    written = out / "store-patrol.v1.json"
    text = written.read_text(encoding="utf-8")
    shipped = resolve_template("store-patrol.v1")
    assert parse_template(text, written.name) == shipped
    assert text == template_json(shipped)
    assert [p.name for p in out.iterdir()] == ["store-patrol.v1.json"]

    again = run("templates", "import", str(book), "-o", str(out))
    assert again.exit_code == 0 and "unchanged" in again.output


def test_importing_other_content_under_an_existing_version_is_refused(tmp_path: Path) -> None:
    book = tmp_path / "mall.xlsx"
    assert run("templates", "export", "mall-property", "-o", str(book)).exit_code == 0
    out = tmp_path / "out"
    assert run("templates", "import", str(book), "-o", str(out)).exit_code == 0
    wb = load_workbook(book)
    wb["设置"]["B4"] = "改过的标题"  # 标题, same 版本
    wb.save(book)
    newest, following = newest_and_next("mall-property")
    before = (out / f"{newest}.json").read_bytes()
    result = run("templates", "import", str(book), "-o", str(out))
    assert result.exit_code == 2
    assert "template.version_exists" in result.stderr
    assert f"set 版本 to {following.rsplit('.v', 1)[1]}" in result.stderr
    assert (out / f"{newest}.json").read_bytes() == before


def test_a_bad_workbook_exits_2_naming_each_cell_and_writes_nothing(tmp_path: Path) -> None:
    book = tmp_path / "mall.xlsx"
    assert run("templates", "export", "mall-property", "-o", str(book)).exit_code == 0
    wb = load_workbook(book)
    wb["设置"]["B3"] = "1.5"
    items = wb["检查项"]
    points = next(c.column for c in items[1] if c.value == "分值")
    items.cell(3, points).value = 0
    wb.save(book)
    out = tmp_path / "out"
    result = run("templates", "import", str(book), "-o", str(out))
    assert result.exit_code == 2
    assert "error: template.invalid" in result.stderr
    assert "mall.xlsx: 设置!B3 版本: must be a whole number" in result.stderr
    assert "mall.xlsx: 检查项!O3 分值: must be > 0" in result.stderr
    assert not out.exists()


def test_a_file_that_is_not_a_workbook_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    path.write_text("编号,检查内容\n1.1,地面清洁\n", encoding="utf-8")
    result = run("templates", "import", str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "not an Excel workbook" in result.stderr
    missing = run("templates", "import", str(tmp_path / "nope.xlsx"))
    assert missing.exit_code == 2 and "template.not_found" in missing.stderr


def test_import_with_publish_stores_the_version_on_the_server(tmp_path: Path) -> None:
    book = tmp_path / "hotel.xlsx"
    assert run("templates", "export", "hotel-daily", "-o", str(book)).exit_code == 0
    wb = load_workbook(book)
    wb["设置"]["B3"] = 7  # a new version, as an organisation would number its revision
    wb.save(book)
    data = tmp_path / "server"
    result = run(
        "templates",
        "import",
        str(book),
        "-o",
        str(tmp_path / "out"),
        "--publish",
        "--data-dir",
        str(data),
    )
    assert result.exit_code == 0, result.output
    assert "published  hotel-daily.v7" in result.output
    engine = make_engine(Settings(data_dir=data))
    with Session(engine) as session:
        row = session.exec(
            select(TemplateVersion).where(TemplateVersion.key == "hotel-daily.v7")
        ).one()
        body = row.body
    engine.dispose()
    assert body == (tmp_path / "out" / "hotel-daily.v7.json").read_text(encoding="utf-8")
    assert parse_template(body, "hotel-daily.v7.json").version == 7


def test_export_of_an_unknown_template_exits_2(tmp_path: Path) -> None:
    result = run("templates", "export", "no-such", "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2 and "template.not_found" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_the_exported_workbook_has_the_documented_sheets(tmp_path: Path) -> None:
    book = tmp_path / "t.xlsx"
    assert run("templates", "export", "tobacco-retail", "-o", str(book)).exit_code == 0
    wb = load_workbook(io.BytesIO(book.read_bytes()))
    assert wb.sheetnames == ["设置", "等级", "责任对象", "检查项"]
    assert [c.value for c in wb["等级"][1]] == ["等级", "英文", "最低分"]
    assert [c.value for c in wb["责任对象"][1]] == ["编码", "名称", "英文名称"]
