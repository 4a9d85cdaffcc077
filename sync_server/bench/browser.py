"""Typing into Flutter web text fields reliably (the e2e tests and `mingcha bench field`).

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
