"""Offline sync under faults (sync-design §3.3, T1–T3, T8, T15): randomized runs against a
real server subprocess on SQLite, through the fault proxy, with SIGKILLs and restarts.

`make test` runs six seeded runs, one per forced server-side fault (chaos.SPECIAL), however
long a loaded machine makes them: a time budget that cut the run short silently dropped the
later faults' coverage. MINGCHA_SOAK=1 soaks with
200 runs (MINGCHA_SOAK=N with N > 1, or MINGCHA_CHAOS_RUNS=N: N runs). A failure names its
seed; MINGCHA_CHAOS_SEED=S starts there and replays the run's choices (not its timing).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.central import Server
from tests.faults.chaos import SPECIAL, chaos_run
from tests.faults.conftest import TALLY
from tests.s3kit import serve_env

# read at import: the autouse fixture hides MINGCHA_* variables from the tests themselves
SOAK = int(os.environ.get("MINGCHA_SOAK", "0") or 0)
SOAK_RUNS = 200 if SOAK == 1 else SOAK
RUNS = int(os.environ.get("MINGCHA_CHAOS_RUNS", "0") or 0) or SOAK_RUNS or len(SPECIAL)
FIRST_SEED = int(os.environ.get("MINGCHA_CHAOS_SEED", "20261201") or 0)


@pytest.fixture(scope="module")
def server(
    seeded_data: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("chaos-server")
    central = Server(seeded_data, root / "data", root, serve_env(request))  # MINGCHA_TEST_BLOB
    try:
        yield central
    finally:
        central.close()


@pytest.mark.timeout(0 if SOAK or len(SPECIAL) < RUNS else 600)
def test_randomized_runs_converge_and_keep_the_invariant(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINGCHA_CONSOLE", "false")  # restarts are faster without the console
    done = 0
    for n in range(RUNS):
        seed = FIRST_SEED + n
        force = SPECIAL[n % len(SPECIAL)]  # each server-side fault at least once
        try:
            stats = chaos_run(seed, server, tmp_path / f"phone-{seed}", force=force)
        except AssertionError as exc:
            raise AssertionError(f"chaos seed {seed} (force {force!r}): {exc}") from exc
        TALLY["runs"] += 1
        done += 1
        TALLY["syncs"] += stats.syncs
        TALLY.update(stats.faults)
    print(
        f"chaos: {TALLY['runs']} runs, server killed {server.kills}×, restarted {server.restarts}×"
    )
    assert done == RUNS
