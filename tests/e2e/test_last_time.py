"""End to end: the inspector's next visit at a site shows last time's result and photo.

The real app process in Chromium at phone size against the real server process. The first
visit fails 1.1 with a photo and is submitted; a new visit at the same site then shows
上次: 不合格 · date · note on item 1.1 with that photo. Screenshots in test-artifacts/e2e/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from sync_server.bench.field import evidence_jpeg
from tests.e2e.conftest import Stack
from tests.e2e.keys import type_into
from tests.e2e.phone import PhoneUI

pytestmark = pytest.mark.timeout(420)
SITE = "明珠路便利店"


def test_the_next_visit_at_a_site_shows_last_times_failure_and_photo(
    browser: Browser, stack: Stack
) -> None:
    phone = PhoneUI(browser, stack.app_url, "last-time")
    phone.sign_in("inspector", "inspect-2026")
    phone.open_task(SITE)
    phone.start_visit()
    phone.fail_with_photo("1.1", evidence_jpeg(3))
    phone.add_note("1.1", "价签缺失")
    phone.pass_the_rest()
    phone.finish()
    phone.acknowledge("钱大明")
    phone.submit()
    phone.wait_synced()

    phone.button("新建检查").click()
    type_into(phone.page, phone.page.get_by_label("搜索编号、名称或地址"), "明珠路")
    phone.page.get_by_role("button", name=re.compile(SITE)).first.click()
    phone.start_visit()
    hint = phone.reveal(phone.tagged("last-1.1"))
    # Flutter merges the hint's text and its thumbnail into one image node with a label
    label = re.compile(r"^上次:不合格 · \d{4}-\d{2}-\d{2} · 价签缺失$")
    expect(hint).to_have_attribute("aria-label", label)
    expect(hint).to_have_attribute("role", "img")  # the photo this phone took is in it
    expect(phone.page.get_by_text(re.compile("must be provided"))).to_have_count(0)  # no filter
    phone.shot("last-time-hint")
