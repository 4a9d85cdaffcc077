"""Typing into Flutter web text fields reliably.

Flutter attaches its text-editing connection to the DOM input a moment after focus; keys
typed in that gap are lost (seen: the first character of a comment went missing on a busy
machine). So type, check what the field holds, and retype over it until it is right.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def type_into(page: Page, field: Locator, text: str, attempts: int = 4) -> None:
    for _ in range(attempts):
        field.click()
        expect(field).to_be_focused()
        page.wait_for_timeout(200)  # let Flutter connect the input before the first key
        page.keyboard.press("Control+A")  # retype over whatever a lost key left
        page.keyboard.type(text)
        if field.input_value() == text:
            return
    expect(field).to_have_value(text)  # fails with the field's actual value
