"""`mingcha bench storm` at a tiny size: a real server, real failed logins, the ratio of the
reported medians. Timings are machine-dependent, so none is asserted."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sync_server.cli import app

runner = CliRunner()


def test_bench_storm_measures_pushes_alone_and_during_failed_logins() -> None:
    args = ["bench", "storm", "--pushes", "4", "--streams", "2", "--rounds", "2", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["bench"] == "storm" and out["streams"] == 2
    # every storm login was checked and refused as wrong, none throttled or failed
    assert out["other_login_answers"] == []
    assert out["failed_logins"] >= 4  # at least pushes // rounds per storm round
    assert out["pushes_alone"] == 4 and out["pushes_in_storm"] >= 4
    alone, storm = out["alone_p50_ms"], out["storm_p50_ms"]
    assert alone > 0 and storm > 0
    assert abs(out["ratio"] - storm / alone) <= 0.002 + 0.01 * storm / alone  # rounded
