"""The inspector's work counted tap by tap: the app in Chromium at 390 × 844, driven as a
person does it, every click and key press counted per step, and every screen looked at
(targets, the same screen at text scale 1.3, screenshots).

A tap is one deliberate click, key press or pen stroke; a text field is a tap to focus it
plus one for the text typed; a photo is the capture button plus the shutter (in headless
Chromium there is no camera, so the file picker stands in for the shutter). Scrolling is
not a tap: its distance is reported apart. Retries the robustness helpers make (retyping a
field whose first key was lost) are the browser's, not the person's, and are not counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, FilePayload, Locator, Page, ViewportSize, expect

from sync_server.bench import field_probe
from sync_server.bench.browser import SLOW, open_flet_app, type_into

PHONE: ViewportSize = {"width": 390, "height": 844}
BADGE = re.compile(r"^(已全部同步|待同步|正在同步|尚未同步|同步失败)")
LARGE = 1.3  # the phone's large-text setting


@dataclass
class Screen:
    """One screen looked at: its small targets and what overflows at text scale 1.3."""

    name: str
    targets: int
    small: list[dict[str, Any]]
    overflow: list[dict[str, Any]]
    shots: list[str]


@dataclass
class Tally:
    steps: dict[str, int] = field(default_factory=dict)
    scroll_px: dict[str, int] = field(default_factory=dict)
    screens: list[Screen] = field(default_factory=list)
    current: str = ""

    @property
    def taps(self) -> int:
        return sum(self.steps.values())


class FieldPhone:
    """One browser tab on a running `mingcha app`, counting what the person does."""

    def __init__(self, browser: Browser, url: str, shots: Path, name: str) -> None:
        self.name, self.shots_dir, self.tally, self.shots = name, shots, Tally(), 0
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        self.page: Page = browser.new_page(viewport=PHONE)
        self.open(url)

    def close(self) -> None:
        self.page.close()

    # -- the app ---------------------------------------------------------------------------
    def open(self, url: str) -> None:
        if not open_flet_app(self.page, url):
            raise AssertionError(f"the app at {url} never showed a screen")

    def tagged(self, identifier: str) -> Locator:
        return self.page.locator(f'[flt-semantics-identifier="{identifier}"]')

    def button(self, name: str | re.Pattern[str]) -> Locator:
        return self.page.get_by_role("button", name=name, exact=isinstance(name, str))

    def badge(self) -> Locator:
        return self.page.get_by_role("button", name=BADGE)

    # -- counting --------------------------------------------------------------------------
    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.tally.current = name
        self.tally.steps.setdefault(name, 0)
        self.tally.scroll_px.setdefault(name, 0)
        yield
        self.tally.current = ""

    def count(self, n: int = 1) -> None:
        if self.tally.current:
            self.tally.steps[self.tally.current] += n

    def tap(self, target: Locator) -> None:
        target.click()
        self.count()

    def type(self, target: Locator, text: str) -> None:
        type_into(self.page, target, text)
        self.count(2)  # the tap into the field, and the text

    def choose_photo(self, button: Locator, name: str, photo: bytes) -> None:
        """The capture button, then the shutter (the file picker in headless Chromium)."""
        with self.page.expect_file_chooser(timeout=SLOW) as chooser:
            self.tap(button)
        payload: FilePayload = {"name": name, "mimeType": "image/jpeg", "buffer": photo}
        chooser.value.set_files(files=[payload])
        self.count()

    def reveal(self, target: Locator, room: int = 260) -> Locator:
        """Scroll (not a tap; its distance is kept) until `target` is built and on screen,
        with `room` px under it (for what opens below a failed item)."""
        self.page.mouse.move(PHONE["width"] / 2, PHONE["height"] / 2)
        for _ in range(80):
            box = target.first.bounding_box() if target.count() else None
            if box and 120 < box["y"] < PHONE["height"] - room:
                return target.first
            delta = 250 if box is None or box["y"] >= 120 else -250
            self.page.mouse.wheel(0, delta)
            if self.tally.current:
                self.tally.scroll_px[self.tally.current] += abs(delta)
            self.page.wait_for_timeout(120)
        raise AssertionError(f"{target} never scrolled into view")

    # -- looking at a screen ---------------------------------------------------------------
    def look(self, name: str) -> Screen:
        """Targets at text scale 1, then the same screen at 1.3: overflow and a picture."""
        self.page.wait_for_timeout(400)  # the last change's frame, for the picture
        found = field_probe.targets(self.page)
        normal = self._shot(f"{name}")
        field_probe.set_text_scale(self.page, LARGE)
        overflow = field_probe.overflowing(self.page)
        large = self._shot(f"{name}-text130")
        field_probe.set_text_scale(self.page, 1.0)
        screen = Screen(
            name,
            len(found),
            [t.as_dict() for t in found if t.small],
            overflow,
            [normal, large],
        )
        self.tally.screens.append(screen)
        return screen

    def _shot(self, label: str) -> str:
        self.shots += 1
        n = self.shots
        path = self.shots_dir / f"{self.name}-{n:02d}-{label}.png"
        self.page.screenshot(path=str(path))
        return path.name


@dataclass(frozen=True)
class Failure:
    code: str
    photo: bytes
    note: str = ""
    count: int = 1  # occurrences: more than one takes taps on "+"


def sign_in(phone: FieldPhone, username: str, password: str) -> None:
    """Sign-in comes before the counted work (once per phone, not per visit)."""
    type_into(phone.page, phone.page.get_by_label("用户名"), username)
    type_into(phone.page, phone.page.locator("input").nth(2), password)  # label obscured
    phone.button("登录").click()
    expect(phone.badge()).to_be_visible(timeout=SLOW)


def inspect(
    phone: FieldPhone,
    task: re.Pattern[str],
    failures: list[Failure],
    ack_name: str,
    look: bool = True,
) -> Tally:
    """From the home screen to "submitted": a 明查 at the task's site with `failures`, the
    rest passed, an acknowledgement with name and signature. Returns the tally."""
    if look:
        phone.look("home")
    with phone.step("open the task"):
        phone.tap(phone.page.get_by_role("button", name=task).first)
        expect(phone.tagged("start-visit")).to_be_visible(timeout=SLOW)
    if look:
        phone.look("new-visit")
    with phone.step("start"):
        phone.tap(phone.button("开始"))
        expect(phone.tagged("score")).to_be_visible(timeout=SLOW)
    if look:
        phone.look("checklist")
    for failure in failures:
        with phone.step(f"fail {failure.code}"):
            _fail(phone, failure)
        if look and failure is failures[0]:
            phone.look("checklist-failed-item")
    with phone.step("pass the rest"):
        phone.tap(phone.button("其余全部合格"))
        phone.tap(phone.tagged("confirm").get_by_role("button"))
        expect(phone.tagged("pass-rest")).to_be_visible()
    with phone.step("finish"):
        phone.tap(phone.button("完成检查"))
        expect(phone.tagged("submit")).to_be_visible(timeout=SLOW)
    if look:
        phone.look("finish")
    with phone.step("acknowledge"):
        phone.type(phone.page.get_by_label("现场负责人签认(姓名)"), ack_name)
        _sign(phone)
    if look:
        phone.look("finish-signed")
    with phone.step("submit"):
        phone.reveal(phone.tagged("submit"), room=60)
        phone.tap(phone.button("提交"))
        expect(phone.badge()).to_be_visible(timeout=SLOW)
    if look:
        phone.look("home-submitted")
    return phone.tally


def _fail(phone: FieldPhone, failure: Failure) -> None:
    # room under the verdict for what failing opens (count, person, note, photo button,
    # thumbnail): a photo button half under the bottom bar is scrolled into view by
    # Flutter when tapped, and the thumbnails counted before would move
    verdict = phone.reveal(phone.tagged(f"item-{failure.code}"), room=420)
    phone.tap(verdict.get_by_role("button", name="不合格", exact=True))
    photo = phone.tagged(f"photo-{failure.code}").get_by_role("button")
    expect(photo).to_be_visible(timeout=SLOW)
    thumbs = phone.page.get_by_role("img")
    before = thumbs.count()
    phone.choose_photo(photo, f"{failure.code}.jpg", failure.photo)
    expect(thumbs).to_have_count(before + 1, timeout=SLOW)
    for _ in range(failure.count - 1):
        phone.tap(phone.tagged(f"more-{failure.code}").get_by_role("button"))
    if failure.note:
        phone.type(
            _below(phone, phone.page.get_by_label("备注", exact=True), verdict), failure.note
        )


def _below(phone: FieldPhone, candidates: Locator, anchor: Locator) -> Locator:
    """The first of `candidates` under `anchor` on screen: the control of that item's card
    (other failed items' cards have the same ones)."""
    top = (anchor.bounding_box() or {"y": 0.0})["y"]
    best: tuple[float, int] | None = None
    for n in range(candidates.count()):
        box = candidates.nth(n).bounding_box()
        if box and box["y"] > top and (best is None or box["y"] < best[0]):
            best = (box["y"], n)
    if best is None:
        raise AssertionError(f"no {candidates} under {anchor}")
    return candidates.nth(best[1])


def _sign(phone: FieldPhone) -> None:
    """One pen stroke on the signature pad (a tap's worth of work)."""
    pad = phone.page.get_by_text("签名", exact=True).bounding_box()
    assert pad is not None
    y = pad["y"] + pad["height"] + 60  # the drawing pad sits under its label
    page = phone.page
    page.mouse.move(80, y)
    page.mouse.down()
    page.mouse.move(160, y + 40, steps=8)
    page.mouse.move(280, y - 20, steps=8)
    page.mouse.up()
    phone.count()


def look_at_sync(phone: FieldPhone) -> Screen:
    """The sync screen, from the home screen's badge (and back home)."""
    phone.badge().click()
    expect(phone.page.get_by_role("button", name="立即同步").first).to_be_visible(timeout=SLOW)
    screen = phone.look("sync")
    phone.page.go_back()
    expect(phone.badge()).to_be_visible(timeout=SLOW)
    return screen
