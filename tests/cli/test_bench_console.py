"""`mingcha bench console` at a tiny size: output shape, and ratios that follow from the
reported numbers. Timings are machine-dependent, so none is asserted."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sync_server.bench.console import GOAL_P95_MS, OPERATIONS
from sync_server.cli import app

runner = CliRunner()


def test_bench_console_reports_percentiles_and_ratios_against_the_baseline() -> None:
    result = runner.invoke(app, ["bench", "console", "--findings", "2000", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["bench"] == "console" and out["database"].startswith("sqlite")
    assert 2000 <= out["findings"] < 2000 + 45  # whole visits of up to 45 findings
    assert out["visits"] > 0 and (out["sites"], out["regions"]) == (500, 2)
    assert out["repetitions"] == 50 and out["build_s"] >= 0
    base = out["baseline_get_p95_ms"]
    assert 0 < out["baseline_get_p50_ms"] <= base
    for name in OPERATIONS:
        p50, p95 = out[f"{name}_p50_ms"], out[f"{name}_p95_ms"]
        assert 0 < p50 <= p95, name
        assert out[f"{name}_ratio_p95"] == round(p95 / base, 1), name
    assert out["goal_p95_ms"] == GOAL_P95_MS
    assert out["goal_met"] is all(out[f"{n}_p95_ms"] < GOAL_P95_MS for n in OPERATIONS)
    assert out["machine"]["cpus"] > 0
    assert {"ram_mb", "python", "platform"} <= set(out["machine"])
