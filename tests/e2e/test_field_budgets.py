"""The inspector's work held to its budgets (issue 16 §1), in Chromium at 390 × 844 against
the real `mingcha serve` + `mingcha app` processes: one walk per module, shared by the
tests below (sign-in, home, the counted 明查 of store-patrol with 5 photographed failures,
sync, and the site manager's corrective action after the visit is published).

Budgets are counts, never times: ≤ 35 taps from the home screen to "submitted", every
interactive target ≥ 48 × 48 CSS px (or listed with its reason in bench/field.py), and
nothing overflowing sideways at text scale 1.3. Screenshots of every screen, at both
scales, land in test-artifacts/field/; `mingcha bench field` reports the same walk with
the long-checklist ratios.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from sync_server.bench import field
from sync_server.bench.field_flow import Tally
from sync_server.bench.procs import demo_server, phone_app, url_of
from tests.e2e.central import Central
from tests.e2e.conftest import print_logs
from tests.e2e.phone import ARTIFACTS

pytestmark = pytest.mark.timeout(420)
SHOTS = ARTIFACTS.parent / "field"


@pytest.fixture(scope="module")
def walked(
    chromium: Browser, seeded_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Tally, Path]]:
    """The whole walk, once for the module: its tally and the server's data directory."""
    root = tmp_path_factory.mktemp("field")
    server = demo_server(seeded_data, root / "server", root)
    server.start()
    app = phone_app(root / "phone", url_of(server), root)
    try:
        app.start()
        phone = field.walk(chromium, url_of(app), SHOTS)
        try:
            field.look_at_rectification(phone, root / "server")
        finally:
            phone.close()
        yield phone.tally, root / "server"
    except BaseException:
        print_logs(root)
        raise
    finally:
        app.stop()
        server.stop()


def test_the_visit_takes_at_most_35_taps_from_home_to_submitted(
    walked: tuple[Tally, Path],
) -> None:
    tally, _ = walked
    per_step = ", ".join(f"{step} {n}" for step, n in tally.steps.items())
    assert tally.taps <= field.TAP_BUDGET, f"{tally.taps} taps: {per_step}"
    # every failure took its verdict and a photo (button + shutter); the counted extras
    assert tally.steps["fail 1.6"] == 3 and tally.steps["fail 1.1"] == 3 + 1 + 2
    assert tally.steps["start"] == 1 and tally.steps["submit"] == 1


def test_what_was_tapped_arrived_centrally_as_the_visit(walked: tuple[Tally, Path]) -> None:
    """The taps counted did the work: 5 failures, a count of 2, two notes, the signature."""
    _, server_dir = walked
    central = Central(server_dir)
    try:
        [visit] = central.visits()
        findings = {f.item_code: f for f in central.findings(visit)}
        failed = sorted(code for code, f in findings.items() if f.result == "fail")
        assert failed == sorted(f.code for f in field.failures())
        assert findings["1.1"].count == 2
        assert {c: findings[c].note for c in ("1.1", "1.3")} == {
            "1.1": "两人迟到",
            "1.3": "柜台无人",
        }
        assert visit.ack_name == field.ACK and visit.ack_signature_sha256
        assert visit.status == "published"  # by the supervisor, for the manager's step
        assert sum(1 for p in central.photos(visit) if p.finding_id is not None) == 5
    finally:
        central.close()


def test_every_target_on_every_screen_is_at_least_48_px_or_listed(
    walked: tuple[Tally, Path],
) -> None:
    tally, _ = walked
    assert [s.name for s in tally.screens] == [
        "sign-in",
        "home",
        "new-visit",
        "checklist",
        "checklist-failed-item",
        "finish",
        "finish-signed",
        "home-submitted",
        "sync",
        "home-site-manager",
        "rectification",
    ]
    assert all(s.targets for s in tally.screens), [(s.name, s.targets) for s in tally.screens]
    unlisted = field.summary(tally)["small_targets_unlisted"]
    assert unlisted == [], unlisted


def test_nothing_overflows_sideways_at_text_scale_1_3(walked: tuple[Tally, Path]) -> None:
    tally, _ = walked
    overflow = field.summary(tally)["overflow_at_1_3"]
    assert overflow == [], overflow
    shots = [SHOTS / name for s in tally.screens for name in s.shots]
    assert len(shots) == 2 * len(tally.screens) and all(p.stat().st_size for p in shots)
