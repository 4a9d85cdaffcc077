"""End to end: covert discipline (issue 16 §4) in Chromium at phone size.

The organisation publishes store-patrol v3, whose covert visits take camera shots only
(`covert_camera_only`). On the covert task the inspector fails item 1.1 and taps 拍照:
headless Chromium has no camera, so the item says 此项须现场拍照,本设备无法拍照 and no file
chooser opens. Then the tab loses focus (Flutter's lifecycle goes inactive, as when the app
switcher opens): the screen is covered white, nothing of the checklist readable; focus back
uncovers it. Screenshots in test-artifacts/e2e/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect
from typer.testing import CliRunner

from sync_server.cli import app as mingcha
from sync_server.templates.catalog import checklist_dir
from tests.e2e.conftest import Stack
from tests.e2e.phone import SLOW, PhoneUI

pytestmark = pytest.mark.timeout(420)
SITE = "S003"  # the demo's covert store-patrol task: a covert task shows the code only
NO_CAMERA = "此项须现场拍照,本设备无法拍照"


def publish_camera_only_patrol(stack: Stack, tmp: Path) -> None:
    """store-patrol v3 = v2 asking the camera for every covert photo, published the way an
    operator would (`mingcha templates publish`)."""
    data = json.loads((checklist_dir() / "store-patrol.v2.json").read_text("utf-8"))
    data["version"] = 3
    data["covert_camera_only"] = True
    path = tmp / "store-patrol.v3.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    args = ["templates", "publish", str(path), "--data-dir", str(stack.server_dir)]
    done = CliRunner().invoke(mingcha, args)  # in-process: the command is what is run
    assert done.exit_code == 0 and "published  store-patrol.v3" in done.stdout, done.output


def white_share(path: Path) -> float:
    """The share of (near) white pixels in a screenshot."""
    with Image.open(path) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    return sum(histogram[245:]) / (grey.width * grey.height)


def test_a_covert_camera_only_photo_without_a_camera_and_the_switcher_cover(
    browser: Browser, stack: Stack, tmp_path: Path
) -> None:
    publish_camera_only_patrol(stack, tmp_path)
    phone = PhoneUI(browser, stack.app_url, "covert-discipline")
    phone.sign_in("inspector", "inspect-2026")
    phone.open_task(SITE)
    phone.start_visit()
    item = phone.reveal(phone.tagged("item-1.1"))
    item.get_by_role("button", name="不合格", exact=True).click()
    expect(phone.tagged("camera-only-1.1")).to_have_text("仅限现场拍照", timeout=SLOW)
    chooser_opened: list[object] = []
    phone.page.on("filechooser", lambda chooser: chooser_opened.append(chooser))
    phone.tagged("photo-1.1").get_by_role("button").click()
    expect(phone.tagged("camera-only-1.1")).to_have_text(NO_CAMERA, timeout=SLOW)
    phone.page.wait_for_timeout(1_000)  # a chooser would have opened by now
    assert chooser_opened == []  # the gallery is never offered
    before = phone.shot("no-camera")
    assert white_share(before) < 0.9  # the checklist is readable while in use

    phone.page.evaluate("window.dispatchEvent(new Event('blur'))")  # lifecycle: inactive
    phone.page.wait_for_timeout(1_500)
    covered = phone.shot("left-the-app")
    assert white_share(covered) > 0.99, "something of the covert checklist is still drawn"
    phone.page.evaluate("window.dispatchEvent(new Event('focus'))")  # lifecycle: resumed
    expect(phone.tagged("camera-only-1.1")).to_have_text(NO_CAMERA, timeout=SLOW)
    phone.page.wait_for_timeout(1_500)
    assert white_share(phone.shot("back-in-the-app")) < 0.9
