"""`mingcha bench photo` and `mingcha bench store` at tiny sizes: output shape and the
checks they make. Timings are machine-dependent, so only their shape is asserted."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from sync_server.bench import store
from sync_server.bench.photo import CHANGES
from sync_server.bench.photo_stages import STAGES
from sync_server.cli import app

runner = CliRunner()


def bench(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["bench", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_machine(result: dict[str, Any]) -> None:
    assert result["machine"]["cpus"] > 0
    assert {"ram_mb", "python", "platform"} <= set(result["machine"])


def test_bench_photo_reports_both_medians_and_their_ratio() -> None:
    result = bench("photo", "--count", "1")
    assert result["bench"] == "photo" and result["photos"] == 1
    assert result["input"] == "4000x3000 q92 orientation 6"
    for key in ("decode_median_s", "pipeline_median_s", "input_bytes", "evidence_bytes"):
        assert result[key] > 0, key
    assert result["thumb_bytes"] > 0
    ratio = round(result["pipeline_median_s"] / result["decode_median_s"], 3)
    assert result["ratio"] == result["ratio_to_full_decode"] == ratio
    assert result["goal_ratio"] == 1.5
    assert result["goal_met"] is (ratio <= 1.5)
    assert result["pipeline_peak_rss_growth_mb"] > 0
    assert result["decode_peak_rss_growth_mb"] > 0
    assert result["evidence_size"] == "1200x1600"  # orientation 6 applied: portrait
    assert_machine(result)
    assert_photo_lower_bound_and_breakdown(result)


def assert_photo_lower_bound_and_breakdown(result: dict[str, Any]) -> None:
    """The second ratio is to a decode at the pipeline's own draft scale (half of 4000×3000
    covers 1600 px; a quarter would not), and the stages account for the staged run."""
    assert result["draft_size"] == "2000x1500"
    draft = result["draft_decode_median_s"]
    assert draft > 0
    ratio_draft = round(result["pipeline_median_s"] / draft, 3)
    assert result["ratio_to_draft_decode"] == ratio_draft
    assert result["goal_met_vs_draft_decode"] is (ratio_draft <= 1.5)
    stages = {k: v for k, v in result.items() if k.startswith("stage_") and k != "stage_other_s"}
    assert set(stages) == {f"stage_{name}_s" for name in STAGES}
    assert all(seconds > 0 for seconds in stages.values()), stages
    total = result["staged_total_s"]
    assert sum(stages.values()) <= total + 1e-5  # rounded to the microsecond
    assert result["stage_other_s"] == pytest.approx(total - sum(stages.values()), abs=1e-5)
    for new, old in CHANGES:
        assert result[f"change_{new}_s"] > 0 and result[f"change_{old}_s"] > 0
        ratio = round(result[f"change_{new}_s"] / result[f"change_{old}_s"], 3)
        assert result[f"change_{new}_vs_{old}"] == ratio


def test_bench_store_counts_one_outbox_entry_per_action() -> None:
    result = bench("store", "--actions", "20")
    assert result["bench"] == "store" and result["actions"] == 20
    assert result["store_actions_per_s"] > 0 and result["raw_commits_per_s"] > 0
    ratio = round(result["store_actions_per_s"] / result["raw_commits_per_s"], 3)
    assert result["ratio"] == ratio
    assert (result["outbox_added"], result["outbox_check"]) == (20, "ok")
    assert "synchronous=FULL" in result["database"]
    assert_machine(result)


def test_bench_store_fails_when_the_outbox_count_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    real = store.store_rate

    def one_lost(*args: Any) -> tuple[float, int]:
        rate, queued = real(*args)
        return rate, queued - 1

    monkeypatch.setattr(store, "store_rate", one_lost)
    with pytest.raises(store.OutboxMismatch, match="3 actions queued 2 outbox entries"):
        store.run(3)
