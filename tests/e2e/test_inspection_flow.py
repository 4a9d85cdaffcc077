"""End to end, as an inspector does it: the real app process in Chromium at phone size, the
real sync server process, real HTTP between them, and the central database checked after.

Screenshots of every step land in test-artifacts/e2e/ (look at them after a change).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from fieldcore.checklist import Mode
from fieldcore.scorecard import fmt
from fieldcore.scoring import score_raw
from sync_server.bench.field import evidence_jpeg
from sync_server.templates.catalog import resolve_template
from tests.e2e.central import Central, integrity_ok, rows
from tests.e2e.conftest import Stack
from tests.e2e.phone import PhoneUI

pytestmark = pytest.mark.timeout(420)
# store-patrol items that need a photo when failed; 4.10 is 36th of the list's 50 entries,
# whose card is built only when the list is scrolled near it (screens/item_list.py)
FAILED = ["1.1", "1.3", "4.10"]


def engine_card(findings: list, key: str, mode: Mode = "overt"):
    template = resolve_template(key)  # the version the visit is pinned to
    answers = {f.item_code: {"result": f.result, "count": f.count} for f in findings}
    return score_raw(
        template, {k: {x: y for x, y in v.items() if y} for k, v in answers.items()}, mode
    )


def test_overt_visit_with_three_photographed_failures_lands_centrally_as_scored(
    browser: Browser, stack: Stack
) -> None:
    phone = PhoneUI(browser, stack.app_url, "overt")
    phone.shot("sign-in")
    phone.sign_in("inspector", "inspect-2026")
    expect(phone.page.get_by_text("门店/窗口明查暗访检查表").first).to_be_visible()
    phone.shot("home-with-tasks")
    phone.open_task("明珠路便利店")
    phone.start_visit()
    for n, code in enumerate(FAILED):
        phone.fail_with_photo(code, evidence_jpeg(n))
    phone.shot("three-failures")
    phone.pass_the_rest()
    shown = phone.score_text()
    phone.finish()
    phone.acknowledge("钱大明")
    phone.shot("finish-acknowledged")
    phone.submit()
    phone.wait_synced()
    phone.shot("home-synced")

    central = Central(stack.server_dir)
    try:
        [visit] = central.visits()
        findings = central.findings(visit)
        photos = central.photos(visit)
        card = engine_card(findings, visit.template_key)
        assert visit.status == "submitted" and visit.mode == "overt"
        assert visit.ack_name == "钱大明" and visit.ack_signature_sha256
        assert len(findings) == 45
        assert sorted(f.item_code for f in findings if f.result == "fail") == FAILED
        assert visit.score is not None and visit.score["total"] == float(card.total)
        assert f"得分 {fmt(card.total)}/{fmt(card.max)}" in shown  # what the inspector saw
        evidence = [p for p in photos if p.finding_id is not None]
        assert len(evidence) == len(FAILED) and len({p.sha256 for p in evidence}) == len(FAILED)
        for photo in photos:  # evidence and signature: bytes arrived, and are those bytes
            assert photo.blob_present and central.blob_sha256(photo.sha256) == photo.sha256
        local = {r[0] for r in rows(stack.phone_db, "SELECT sha256 FROM photo")}
        assert local == {p.sha256 for p in photos}
    finally:
        central.close()
    assert integrity_ok(stack.phone_db) and integrity_ok(stack.server_dir / "central.db")


def test_covert_visit_done_offline_survives_an_app_kill_and_syncs_once_when_back(
    browser: Browser, stack: Stack
) -> None:
    phone = PhoneUI(browser, stack.app_url, "covert-offline")
    phone.sign_in("inspector", "inspect-2026")  # needs the network once
    phone.wait_synced()
    stack.server.stop()  # into the dead zone

    phone.open_task("S003")
    phone.start_visit()
    title = phone.page.get_by_role("heading").first.inner_text()
    assert title == "备忘" and "S003" not in title  # a neutral screen title
    phone.page.get_by_label("隐藏").first.click()  # quick-hide
    expect(phone.tagged("score")).to_have_count(0)
    phone.page.wait_for_timeout(500)
    phone.shot("quick-hidden")
    words = phone.page.locator("flt-semantics-host").inner_text()
    assert not words.strip(), f"the hidden screen says something: {words!r}"
    phone.page.mouse.move(195, 420)
    phone.page.mouse.down()
    phone.page.wait_for_timeout(900)  # a long press brings the visit back
    phone.page.mouse.up()
    expect(phone.tagged("score")).to_be_visible()

    phone.fail_with_photo("1.1", evidence_jpeg(7))
    phone.pass_the_rest()
    phone.finish()
    expect(phone.page.get_by_label("现场负责人签认(姓名)")).to_have_count(0)  # no ack in 暗访
    phone.page.wait_for_timeout(600)  # let the page transition settle for the picture
    phone.shot("covert-finish")
    phone.submit()
    expect(phone.badge()).to_contain_text("待同步")
    phone.shot("offline-pending")
    pending = rows(stack.phone_db, "SELECT count(*) FROM outbox WHERE state = 'pending'")[0][0]
    assert pending > 0

    stack.app.kill()  # the phone OS kills the app in the background: no clean-up
    stack.app.start()
    phone.reopen(stack.app_url)
    expect(phone.badge()).to_contain_text("待同步", timeout=30_000)
    expect(phone.page.get_by_role("button", name="S003").first).to_be_visible()
    stack.server.start()  # back in coverage, same address
    phone.sync_now()
    phone.wait_synced()
    phone.shot("synced-after-restart")

    central = Central(stack.server_dir)
    try:
        [visit] = central.visits()  # exactly once, whatever the restarts
        # the phone offers the newest store-patrol; the visit is pinned to that version
        assert visit.template_key == resolve_template("store-patrol").key
        template = resolve_template(visit.template_key)
        covert_items = [i.code for _, i in template.iter_items() if template.in_mode(i, "covert")]
        findings = central.findings(visit)
        assert visit.mode == "covert" and visit.status == "submitted"
        assert sorted(f.item_code for f in findings) == sorted(covert_items)
        assert [f.item_code for f in findings if f.result == "fail"] == ["1.1"]
        assert visit.score is not None
        expected = engine_card(findings, visit.template_key, "covert")
        assert visit.score["total"] == float(expected.total)
        [photo] = central.photos(visit)
        assert photo.blob_present and central.blob_sha256(photo.sha256) == photo.sha256
    finally:
        central.close()
    assert rows(stack.phone_db, "SELECT count(*) FROM outbox WHERE state = 'pending'") == [(0,)]
    assert rows(stack.phone_db, "SELECT state FROM local_blob") == [("uploaded",)]
    assert integrity_ok(stack.phone_db) and integrity_ok(stack.server_dir / "central.db")
