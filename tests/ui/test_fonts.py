"""Where the app's Chinese font comes from: on a phone the app registers the bundled subset
by name; a web page's engine already has it as its default font, so the page must not load
it again (fieldapp.ui.theme.FONT says why)."""

from __future__ import annotations

import pytest

from fieldapp.ui.theme import FONT
from tests.ui.support import OpenApp


@pytest.mark.asyncio
async def test_a_phone_registers_the_cjk_font_and_a_web_page_leaves_it_to_the_engine(
    open_app: OpenApp,
) -> None:
    phone = await open_app(web=False)
    assert phone.page.fonts == {FONT: "fonts/NotoSansSC-Subset.otf"}
    assert phone.page.theme is not None and phone.page.theme.font_family == FONT
    tab = await open_app(web=True)
    assert not tab.page.fonts
    assert tab.page.theme is not None and tab.page.theme.font_family == FONT
