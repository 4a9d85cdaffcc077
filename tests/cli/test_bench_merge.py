"""`mingcha bench merge` at a tiny size: output shape, and ratios that follow from the
reported numbers. Timings are machine-dependent, so none is asserted."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sync_server.cli import app

runner = CliRunner()


def test_bench_merge_reports_wall_and_cpu_ratios_against_the_raw_insert() -> None:
    result = runner.invoke(app, ["bench", "merge", "--visits", "3", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["bench"] == "merge" and out["mutations"] == 3 * 46
    push, raw = out["push_mutations_per_s"], out["raw_rows_per_s"]
    assert push > 0 and raw > 0
    assert abs(out["ratio"] - push / raw) <= 0.002 + 0.01 * push / raw  # rates are rounded
    push_cpu, raw_cpu = out["push_cpu_us_per_mutation"], out["raw_cpu_us_per_row"]
    assert push_cpu > 0 and raw_cpu > 0
    assert abs(out["cpu_ratio"] - raw_cpu / push_cpu) <= 0.002 + 0.01 * raw_cpu / push_cpu
