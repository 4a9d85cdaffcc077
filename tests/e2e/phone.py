"""The inspector app as a person uses it: a page object over the Flutter semantics tree of
the real web build in Chromium (flet-notes §3.1). Screenshots go to test-artifacts/e2e/."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Browser, FilePayload, Locator, Page, ViewportSize, expect

from sync_server.bench.browser import SLOW as SLOW  # the e2e tests import it from here
from sync_server.bench.browser import open_flet_app
from tests.e2e.central import rows
from tests.e2e.keys import type_into

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
PHONE: ViewportSize = {"width": 390, "height": 844}  # one-handed phone viewport
BADGE = re.compile(r"^(已全部同步|待同步|正在同步|尚未同步|同步失败)")


class PhoneUI:
    def __init__(self, browser: Browser, url: str, name: str) -> None:
        self.name, self.shots = name, 0
        self.page: Page = browser.new_page(viewport=PHONE)
        self.open(url)

    def open(self, url: str) -> None:
        if open_flet_app(self.page, url):
            return
        self.shot("never-showed-a-screen")
        raise AssertionError(f"the app at {url} never showed a screen")

    def reopen(self, url: str) -> None:
        """A fresh tab, as after the phone restarted the app."""
        self.page.close()
        self.page = self.page.context.browser.new_page(viewport=PHONE)  # type: ignore[union-attr]
        self.open(url)

    def tagged(self, identifier: str) -> Locator:
        return self.page.locator(f'[flt-semantics-identifier="{identifier}"]')

    def button(self, name: str) -> Locator:
        return self.page.get_by_role("button", name=name, exact=True)

    def shot(self, label: str) -> Path:
        """A phone-sized screenshot kept as a test artifact (people look at these)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        path = ARTIFACTS / f"{self.name}-{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(path))
        return path

    def sign_in(self, username: str, password: str) -> None:
        type_into(self.page, self.page.get_by_label("用户名"), username)
        # the password field (its label is obscured); its DOM input still holds the value
        type_into(self.page, self.page.locator("input").nth(2), password)
        self.button("登录").click()
        expect(self.badge()).to_be_visible(timeout=SLOW)

    def open_task(self, title: str) -> None:
        self.page.get_by_role("button", name=title).first.click()
        expect(self.tagged("start-visit")).to_be_visible(timeout=SLOW)

    def start_visit(self) -> None:
        self.button("开始").click()
        expect(self.tagged("score")).to_be_visible(timeout=SLOW)

    def reveal(self, target: Locator, room: int = 160) -> Locator:
        """Scroll the checklist until `target` is built and on screen (ListView is lazy),
        with `room` px under it."""
        self.page.mouse.move(PHONE["width"] / 2, PHONE["height"] / 2)
        for _ in range(60):
            box = target.first.bounding_box() if target.count() else None
            if box and 80 < box["y"] < PHONE["height"] - room:
                return target.first
            self.page.mouse.wheel(0, 300)
            self.page.wait_for_timeout(120)
        raise AssertionError(f"{target} never scrolled into view")

    def fail_with_photo(self, code: str, photo: bytes) -> None:
        # room for what failing opens under the verdict (count, person, note, photo button
        # and thumbnail, ≈ 360 px with 48 px targets): a photo button half under the bottom
        # bar is scrolled into view by Flutter when tapped, moving other thumbnails away
        item = self.reveal(self.tagged(f"item-{code}"), room=420)
        item.get_by_role("button", name="不合格", exact=True).click()
        photo_button = self.tagged(f"photo-{code}").get_by_role("button")
        expect(photo_button).to_be_visible(timeout=SLOW)
        thumbs = self.page.get_by_role("img")
        before = thumbs.count()
        with self.page.expect_file_chooser(timeout=SLOW) as chooser:
            photo_button.click()  # no camera in headless Chromium: the file picker opens
        chooser.value.set_files(
            files=[FilePayload(name=f"{code}.jpg", mimeType="image/jpeg", buffer=photo)]
        )
        expect(thumbs).to_have_count(before + 1, timeout=SLOW)  # its thumbnail is shown

    def pass_the_rest(self) -> None:
        self.button("其余全部合格").click()
        self.tagged("confirm").get_by_role("button").click()
        expect(self.tagged("pass-rest")).to_be_visible()

    def score_text(self) -> str:
        return self.tagged("score").inner_text()

    def finish(self) -> None:
        self.button("完成检查").click()
        expect(self.tagged("submit")).to_be_visible(timeout=SLOW)

    def acknowledge(self, name: str) -> None:
        type_into(self.page, self.page.get_by_label("现场负责人签认(姓名)"), name)
        pad = self.page.get_by_text("签名", exact=True).bounding_box()
        assert pad is not None
        y = pad["y"] + pad["height"] + 60  # the drawing pad sits under its label
        self.page.mouse.move(80, y)
        self.page.mouse.down()
        self.page.mouse.move(160, y + 40, steps=8)
        self.page.mouse.move(280, y - 20, steps=8)
        self.page.mouse.up()

    def submit(self) -> None:
        self.button("提交").click()
        expect(self.badge()).to_be_visible(timeout=SLOW)

    def badge(self) -> Locator:
        """The home screen's sync line. Found by its words: Flutter web sometimes drops the
        semantics identifier of a node it rebuilds in place."""
        return self.page.get_by_role("button", name=BADGE)

    def sync_now(self) -> None:
        self.page.get_by_label("立即同步").first.click()

    def wait_synced(self, timeout_ms: int = 60_000) -> None:
        expect(self.badge()).to_contain_text("已全部同步", timeout=timeout_ms)

    def sync_round(self, db: Path, timeout_s: float = 60) -> None:
        """Sync now and wait until a sync that started after this call has finished.

        The badge already says 已全部同步 before the tap, so it cannot tell; the phone
        database's `last_sync_at` moves at the end of every successful sync. A sync that
        was already running is waited out first, so the one that counts saw the server
        as it is now.
        """
        expect(self.badge()).not_to_contain_text("正在同步", timeout=timeout_s * 1000)
        before = last_sync_at(db)
        self.sync_now()
        deadline = time.monotonic() + timeout_s
        while last_sync_at(db) == before:
            if time.monotonic() > deadline:
                self.shot("sync-never-finished")
                raise AssertionError(f"{self.name}: no sync finished in {timeout_s} s")
            self.page.wait_for_timeout(200)
        self.wait_synced()

    def add_note(self, code: str, note: str) -> None:
        """Write the note of a failed item; it is saved when the field loses focus."""
        self.reveal(self.tagged(f"item-{code}"))
        field = self.page.get_by_label("备注", exact=True)
        type_into(self.page, field, note)
        self.tagged("score").click()  # focus elsewhere: the note's on_blur saves it

    def answer_rectification(self, title: re.Pattern[str], note: str, photo: bytes) -> None:
        """As the site manager: open the action, add an after-photo and a note, submit."""
        self.page.get_by_role("button", name=title).first.click()
        expect(self.tagged("rect")).to_be_visible(timeout=SLOW)
        thumbs = self.page.get_by_role("img")
        before = thumbs.count()
        with self.page.expect_file_chooser(timeout=SLOW) as chooser:
            self.button("拍照").click()  # no camera in headless Chromium: the file picker
        chooser.value.set_files(
            files=[FilePayload(name="after.jpg", mimeType="image/jpeg", buffer=photo)]
        )
        expect(thumbs).to_have_count(before + 1, timeout=SLOW)
        # typed after the photo: adding it redraws the screen (and the field with it)
        type_into(self.page, self.page.get_by_label("整改说明", exact=True), note)
        self.button("提交整改").click()
        expect(self.badge()).to_be_visible(timeout=SLOW)


def last_sync_at(db: Path) -> object:
    found = rows(db, "SELECT value FROM meta WHERE key = 'last_sync_at'")
    return found[0][0] if found else None
