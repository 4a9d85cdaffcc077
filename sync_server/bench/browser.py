"""Driving the Flet web app from Playwright (the e2e tests and `mingcha bench field`):
opening it with its semantics tree on, and typing into its text fields reliably.

Flutter attaches its text-editing connection to the DOM input a moment after focus; keys
typed in that gap are lost (seen: the first character of a comment went missing on a busy
machine). So type, check what the field holds, and retype over it until it is right.

Then leave the field, as a person's tap elsewhere does, and wait until Flutter has let it
go: a click that itself has to take the focus away from a text field was lost twice in CI
(the sign-in button after the password; the console's 退回修改 after an item comment —
the screen stayed as it was, with no error).
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

SLOW = 30_000  # ms: a cold Flutter start on a busy machine


def open_flet_app(page: Page, url: str) -> bool:
    """Load a Flet web app and switch on Flutter's semantics tree (what locators read);
    False when no screen ever showed.

    On a cold app process the first frame can come after the switch, which then does not
    take; so wait for a real screen (an input or a labelled node) and retry.
    """
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=SLOW)
    screen = page.locator("input, [flt-semantics-identifier]")
    for _ in range(12):
        placeholder = page.locator("flt-semantics-placeholder")
        if placeholder.count():
            placeholder.dispatch_event("click")
        try:
            screen.first.wait_for(state="attached", timeout=5_000)
            return True
        except PlaywrightTimeout:
            continue
    return False


def type_into(page: Page, field: Locator, text: str, attempts: int = 4) -> None:
    for _ in range(attempts):
        field.click()
        expect(field).to_be_focused()
        page.wait_for_timeout(200)  # let Flutter connect the input before the first key
        page.keyboard.press("Control+A")  # retype over whatever a lost key left
        page.keyboard.type(text)
        if field.input_value() == text:
            field.blur()
            expect(field).not_to_be_focused()
            return
    expect(field).to_have_value(text)  # fails with the field's actual value
