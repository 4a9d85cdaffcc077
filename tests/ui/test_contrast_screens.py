"""Every text of the inspector's flow, measured against what is behind it (WCAG ratio).

High contrast: every text on sign-in, home (with its menu), sync, the checklist with its
item cards, finish (with the error a submit shows), and the site manager's corrective
action is at least 7:1, and nothing is left unmeasured. The normal theme's lowest ratio is
reported (see the run's output) and held at the level it already reaches.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import flet as ft
import pytest

from fieldapp.store import Store
from fieldapp.ui.contrast import AA, AAA
from fieldapp.ui.theme import HIGH_CONTRAST, HIGH_CONTRAST_SCHEME, NORMAL, scheme_of
from fieldcore.workflow import finding_id
from sync_server.templates.catalog import resolve_template
from tests.client.conftest import PhoneApp
from tests.client.test_evidence_download import published_visit_with_evidence
from tests.server.world import World
from tests.ui.contrast_walk import ContrastWalk
from tests.ui.harness import AppHarness
from tests.ui.support import OpenApp, add_task, start_visit
from tests.ui.test_rectification import inspector  # noqa: F401  (a fixture)

MALL = "mall-property.v1"
PATROL = resolve_template("store-patrol").key  # the newest: the phone offers only that
Walks = dict[str, ContrastWalk]


def measure(h: AppHarness, high_contrast: bool) -> ContrastWalk:
    """The top view and whatever dialog or snack bar is open over it."""
    sent = h.page.theme.color_scheme if h.page.theme else None
    assert (sent == ft.ColorScheme(**HIGH_CONTRAST_SCHEME)) == high_contrast  # what we measure
    walk = ContrastWalk(scheme_of(high_contrast))
    for root in [h.view, *h.dialogs()]:
        walk.screen(root)
    assert walk.readings, f"no text measured on {h.route}"
    return walk


def report(walks: Walks, theme: str, capsys: pytest.CaptureFixture[str]) -> float:
    lowest = min(r.ratio for w in walks.values() for r in w.readings)
    with capsys.disabled():
        print(f"\n[contrast] {theme}: lowest {lowest:.2f}:1")
        for screen, w in walks.items():
            low = min(w.readings, key=lambda r: r.ratio)
            print(f"  {screen:14} {len(w.readings):3} texts, lowest {low.ratio:5.2f}:1 "
                  f"{low.text[:24]!r} {low.fg} on {low.bg}"
                  f" | unresolved {len(w.unresolved)}, exempt {len(w.exempt)}")  # fmt: skip
    return lowest


def failures(walks: Walks, threshold: float) -> list[str]:
    return [
        f"{screen}: {r.ratio:.2f}:1 {r.text!r} {r.fg} on {r.bg} at {r.where}"
        for screen, w in walks.items()
        for r in w.readings
        if r.ratio < threshold
    ]


async def inspector_flow(
    open_app: OpenApp, store: Store, server: World, high_contrast: bool
) -> Walks:
    """Sign-in, home, sync, a returned visit's checklist, a new visit's checklist with a
    failed item, its finish screen and the error its submit shows."""
    store.set_theme(HIGH_CONTRAST if high_contrast else NORMAL)
    add_task(server, "S1", "store-patrol", "overt")
    returned = store.start_visit(uuid.UUID(server.site("S1")), MALL, "overt")
    for code in ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]:
        store.record_answer(returned.id, code, "pass")
    store.submit_visit(returned.id)
    walks: Walks = {}
    h = await open_app()
    await h.fire(h.button("立即同步"))
    sup = server.phone("sup1")
    sup.push(
        sup.mutation("finding", finding_id(returned.id, "1.5"), review_comment="顾客投诉未记录"),
        sup.mutation("visit", returned.id, status="returned", return_comment="请核实 1.5"),
    )
    await h.fire(h.button("立即同步"))
    walks["home"] = measure(h, high_contrast)
    await h.fire("sync-badge")
    walks["sync"] = measure(h, high_contrast)
    returned_view = await open_app(f"/visit/{returned.id}")
    walks["returned"] = measure(returned_view, high_contrast)

    h = await open_app()
    await h.fire(h.find_all(ft.FloatingActionButton)[0])
    walks["sites"] = measure(h, high_contrast)
    await h.fire(h.find_all(ft.ListTile, lambda t: t.title.value.startswith("S2  "))[0])
    walks["new visit"] = measure(h, high_contrast)
    await h.back()
    await start_visit(h, "S2", PATROL)
    await h.select("item-1.1", "fail")  # the card shows its count and the photo hint
    walks["checklist"] = measure(h, high_contrast)
    await h.fire("finish")
    walks["finish"] = measure(h, high_contrast)
    await h.fire("submit")  # refused: a failed item has no photo → an error toast
    walks["finish+error"] = measure(h, high_contrast)

    await h.back()
    await h.back()
    await h.fire(h.button("退出登录"))
    walks["sign-in"] = measure(h, high_contrast)
    return walks


@pytest.mark.asyncio
async def test_every_text_of_the_inspectors_flow_is_7_to_1_in_high_contrast(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    walks = await inspector_flow(open_app, signed_in(), server, high_contrast=True)
    report(walks, "high contrast", capsys)
    assert not failures(walks, AAA), failures(walks, AAA)
    unresolved = {s: w.unresolved for s, w in walks.items() if w.unresolved}
    assert not unresolved  # every text was measured
    assert {
        "sign-in",
        "home",
        "sites",
        "new visit",
        "sync",
        "checklist",
        "finish",
        "finish+error",
    } <= set(walks)
    assert any("请核实 1.5" in r.text for r in walks["returned"].readings)
    assert any(r.where.endswith("SnackBar.content/Text") for r in walks["finish+error"].readings)


@pytest.mark.asyncio
async def test_the_normal_themes_lowest_contrast_is_reported(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    walks = await inspector_flow(open_app, signed_in(), server, high_contrast=False)
    lowest = report(walks, "normal", capsys)
    assert lowest > 1.0 and not [w.unresolved for w in walks.values() if w.unresolved]
    with capsys.disabled():
        print("  below AA:", *failures(walks, AA), sep="\n    ")


@pytest.mark.asyncio
async def test_the_corrective_action_screen_is_7_to_1_in_high_contrast(
    open_app: OpenApp, signed_in: Callable[..., Store], server: World,
    inspector: PhoneApp,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    signed_in("mgr1").set_theme(HIGH_CONTRAST)
    published_visit_with_evidence(server, inspector)
    h = await open_app()
    await h.fire(h.button("立即同步"))
    walks = {"manager home": measure(h, True)}
    await h.fire(h.button("门店S1 · 3.1"))
    assert h.view.route.startswith("/rect/")
    walks["rectification"] = measure(h, True)
    report(walks, "high contrast, site manager", capsys)
    assert not failures(walks, AAA), failures(walks, AAA)
    assert not [w.unresolved for w in walks.values() if w.unresolved]
    assert any(r.text == "整改前" for r in walks["rectification"].readings)
