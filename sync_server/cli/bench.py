"""`mingcha bench …`: benchmarks, each a ratio against a baseline measured in the same run.

The benchmark code lives beside its results in sync_server/bench/ (imported when a bench
runs, so `mingcha` itself starts fast); progress goes to stderr, so `--json` output on
stdout stays clean.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from sync_server.cli.base import app

bench_app = typer.Typer(
    help="Benchmarks (ratios against same-run baselines).", no_args_is_help=True
)
app.add_typer(bench_app, name="bench")


def _emit(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    _print_tree(result, 0)


def _print_tree(result: dict[str, Any], depth: int) -> None:
    """One line per figure, a nested part's figures indented under its name."""
    for key, value in result.items():
        if isinstance(value, dict):
            print(f"{'  ' * depth}{key}:")
            _print_tree(value, depth + 1)
        else:
            print(f"{'  ' * depth}{key:>24}: {value}")


@bench_app.command("merge")
def bench_merge(
    visits: Annotated[int, typer.Option(min=1, help="Visits of 45 items each.")] = 200,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Push-path mutations/s on SQLite vs a raw batched insert of the same rows."""
    from sync_server.bench import merge

    _emit(merge.run(visits), as_json)


@bench_app.command("photo")
def bench_photo(
    count: Annotated[int, typer.Option(min=1, help="Measured photos (after one warm-up).")] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Phone photo pipeline on a 12 MP camera JPEG vs a decode at its own draft scale and
    vs a full decode, with the time per stage and each cut tried."""
    from sync_server.bench import photo

    _emit(photo.run(count), as_json)


@bench_app.command("store")
def bench_store(
    actions: Annotated[int, typer.Option(min=1, help="record_answer actions.")] = 2000,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Phone store actions/s (one transaction + outbox entry each) vs raw sqlite3 commits."""
    from sync_server.bench import store

    _emit(store.run(actions), as_json)


@bench_app.command("console")
def bench_console(
    findings: Annotated[
        int, typer.Option(min=100, help="Findings in the generated central database.")
    ] = 1_000_000,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Console query p50/p95 (review queue, visit detail, site trend) on a large SQLite
    database vs a primary-key lookup."""
    from sync_server.bench import console

    _emit(console.run(findings), as_json)


@bench_app.command("field")
def bench_field(
    shots: Annotated[Path, typer.Option(help="Where the screenshots of every step go.")] = Path(
        "test-artifacts/field"
    ),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The inspector's work in Chromium at 390 × 844: taps per step, target sizes, overflow
    at text scale 1.3, and a 150- vs a 15-item checklist (open, mark one) as ratios."""
    from sync_server.bench import field

    _emit(field.run(shots), as_json)


@bench_app.command("sync")
def bench_sync(
    visits: Annotated[int, typer.Option(min=1)] = 200,
    findings: Annotated[int, typer.Option(min=1)] = 10_000,
    photos: Annotated[int, typer.Option(min=1, help="JPEGs of 0.2–3 MB each.")] = 2_000,
    devices: Annotated[
        int, typer.Option(min=0, help="B3: devices pushing at once (0: B3 not run).")
    ] = 200,
    min_kb: Annotated[int, typer.Option(min=1, help="Smallest photo, KiB.")] = 205,
    max_kb: Annotated[int, typer.Option(min=1, help="Largest photo, KiB.")] = 3072,
    link: Annotated[
        str,
        typer.Option(
            help="mobile: 100 ms RTT, 10/40 Mbit/s up/down; fast: 100 ms, 100/100;"
            " none: loopback, not shaped (the server's own cost)."
        ),
    ] = "mobile",
    pg_workers: Annotated[
        int, typer.Option(min=1, help="B3: `mingcha serve --workers` on PostgreSQL.")
    ] = 2,
    naive: Annotated[
        bool,
        typer.Option(
            help="B1: also run the naive client (one request per record, two per photo)."
            " --no-naive counts its requests without sending them (on the full set it"
            " alone takes ≈ 45 min at 100 Mbit/s)."
        ),
    ] = True,
    blob: Annotated[
        str,
        typer.Option(
            help="local: the server keeps photos on its disk. s3: B1's cold sync also runs"
            " against a server storing them in an S3 bucket (moto's server on loopback, an"
            " emulator: needs the dev dependencies), as a ratio to the local one."
        ),
    ] = "local",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """B1–B4 over a shaped link: cold sync vs a naive client and a plain copy,
    incremental latency, concurrent devices, resumed upload."""
    from sync_server.bench import sync
    from sync_server.bench.link import PROFILES
    from sync_server.bench.syncdata import Dataset

    if min_kb > max_kb:
        raise typer.BadParameter("--min-kb must not exceed --max-kb")
    if link not in PROFILES:
        raise typer.BadParameter(f"--link must be one of {', '.join(PROFILES)}")
    if blob not in sync.BLOBS:
        raise typer.BadParameter(f"--blob must be one of {', '.join(sync.BLOBS)}")
    if devices == 1:
        raise typer.BadParameter("--devices must be 0 (no B3) or at least 2")
    data = Dataset(visits, findings, photos, min_kb * 1024, max_kb * 1024)
    _emit(sync.run(data, devices, link, pg_workers, naive, blob), as_json)


@bench_app.command("concurrency")
def bench_concurrency(
    devices: Annotated[int, typer.Option(min=2, help="Devices pushing at once.")] = 200,
    pg_workers: Annotated[
        int, typer.Option(min=1, help="`mingcha serve --workers` on PostgreSQL.")
    ] = 2,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """B3 alone: devices pushing one visit each at once, on SQLite (one worker) and on
    PostgreSQL (several workers), each next to one push alone, PostgreSQL as ratios."""
    from sync_server.bench import concurrency

    _emit(concurrency.run(devices, pg_workers), as_json)


@bench_app.command("storm")
def bench_storm(
    pushes: Annotated[
        int, typer.Option(min=1, help="Pushes measured alone (as many in the storm).")
    ] = 30,
    streams: Annotated[int, typer.Option(min=1, help="Threads sending wrong-password logins.")] = 6,
    rounds: Annotated[int, typer.Option(min=1, help="Alone/storm rounds, interleaved.")] = 3,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One device's push latency during a storm of failed logins (argon2 at production
    cost, each from a new address), as a ratio to its pushes alone in the same run."""
    from sync_server.bench import storm

    _emit(storm.run(pushes, streams, rounds), as_json)


@bench_app.command("all")
def bench_all(
    scale: Annotated[
        float, typer.Option(min=0.001, max=1.0, help="Shrink every dataset (1 = full).")
    ] = 1.0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every benchmark in one run: B1–B4 (sync), merge, photo, store, console."""
    from sync_server.bench import console, merge, photo, store, sync
    from sync_server.bench.syncdata import Dataset

    def n(full: int, least: int = 1) -> int:
        return max(least, round(full * scale))

    results: dict[str, Any] = {"scale": scale}
    steps = [
        ("sync", lambda: sync.run(Dataset(n(200), n(10_000), n(2_000)), n(200, 2))),
        ("merge", lambda: merge.run(n(200))),
        ("photo", lambda: photo.run(5)),
        ("store", lambda: store.run(n(2000, 10))),
        ("console", lambda: console.run(n(1_000_000, 1000))),
    ]
    for done, (name, step) in enumerate(steps):
        typer.echo(f"[{done + 1}/{len(steps)}] bench {name} …", err=True)
        results[name] = step()
    if as_json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for name, value in results.items():
            typer.echo(f"{name}: {json.dumps(value, ensure_ascii=False)}")
