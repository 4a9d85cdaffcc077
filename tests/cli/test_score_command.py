"""`mingcha score` and `mingcha templates`: output, JSON, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from sync_server.cli import app

runner = CliRunner()


def write(tmp_path: Path, data: object, name: str = "answers.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_json_output_has_the_documented_fields(tmp_path: Path) -> None:
    answers = write(tmp_path, {"1.1": {"result": "fail", "count": 3}, "3.1": {"result": "fail"}})
    result = runner.invoke(app, ["score", "mall-property", answers, "--json"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)
    assert {"total", "max", "percent", "grade", "passed", "veto", "categories", "subjects"} <= set(
        card
    )
    # 100 − 3 − 1 = 96 → 优秀
    assert (card["total"], card["max"], card["percent"], card["grade"]) == (96, 100, 96, "优秀")
    assert {c["code"]: (c["score"], c["max"]) for c in card["categories"]}["1"] == (7, 10)


def test_table_output_explains_failed_items_and_totals(tmp_path: Path) -> None:
    answers = write(tmp_path, {"1.1": {"result": "fail", "count": 12}})
    result = runner.invoke(app, ["score", "mall-property.v1", answers], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "出现一次扣1分 → −12" in result.output
    assert "扣完为止" in result.output
    assert "总分 Total 90 / 100" in result.output


def test_answers_from_standard_input() -> None:
    result = runner.invoke(
        app,
        ["score", "mall-property", "-", "--json"],
        input=json.dumps({"2.1": {"result": "fail", "count": 2}}),
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total"] == 98


def test_unknown_item_and_bad_result_exit_2_and_name_each_item(tmp_path: Path) -> None:
    answers = write(tmp_path, {"9.9.9": {"result": "fail"}, "1.1": {"result": "maybe"}})
    result = runner.invoke(app, ["score", "mall-property", answers])
    assert result.exit_code == 2
    assert "answers.unknown_item: 9.9.9" in result.stderr
    assert "answers.invalid_result: 1.1" in result.stderr


def test_invalid_json_answers_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["score", "mall-property", str(path)])
    assert result.exit_code == 2 and "answers.invalid" in result.stderr


def test_unknown_template_exits_2() -> None:
    result = runner.invoke(app, ["score", "no-such-template", "-"], input="{}")
    assert result.exit_code == 2 and "template.not_found" in result.stderr


def test_a_broken_template_file_exits_2_with_its_json_path(tmp_path: Path) -> None:
    broken = json.loads(Path("assets/checklists/mall-property.v1.json").read_text(encoding="utf-8"))
    broken["categories"][2]["items"][0]["deduction"]["points"] = -1
    tpl = write(tmp_path, broken, "mall-property.v1.json")
    result = runner.invoke(app, ["score", tpl, "-"], input="{}")
    assert result.exit_code == 2
    assert (
        "mall-property.v1.json: categories[2].items[0].deduction.points: must be > 0"
        in result.stderr
    )


def test_templates_check_passes_on_shipped_files_and_fails_on_a_bad_one(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["templates", "check"])
    assert ok.exit_code == 0 and "FAIL" not in ok.output
    bad = write(tmp_path, {"id": "x"}, "x.v1.json")
    result = runner.invoke(app, ["templates", "check", bad])
    assert result.exit_code == 2 and "x.v1.json" in result.output


def test_console_script_is_installed_and_runs_every_template_in_the_demo() -> None:
    mingcha = Path(sys.executable).with_name("mingcha")
    done = subprocess.run(
        [str(mingcha), "demo", "--scores"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    # the list to compare with, in-process: one installed-script run tells all it can
    listing = runner.invoke(app, ["templates", "list"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0, listing.output
    keys = [line.split()[1] for line in listing.stdout.splitlines() if ".v" in line]
    assert keys and all(f"({key}," in done.stdout for key in keys)


def test_a_per_subject_template_prints_each_post_and_labels_the_pool(tmp_path: Path) -> None:
    from tests.per_subject_example import per_subject_tobacco, template_text, worked_answers

    t = per_subject_tobacco()
    template = tmp_path / "tobacco-retail.v1.json"
    template.write_text(template_text(t), encoding="utf-8")
    answers = write(tmp_path, worked_answers(t))
    result = runner.invoke(app, ["score", str(template), answers], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    driver = next(line for line in result.output.splitlines() if "送货员" in line and "110" in line)
    assert "63.6" in driver and "不合格" in driver and "未达标" in driver
    assert "结果:未达标(各岗位均达标方为达标)" in result.output
    assert "合计(仅供参考) 290/330 · 87.9" in result.output
    assert "总分 Total" not in result.output  # no pooled verdict
