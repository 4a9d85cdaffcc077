"""The checklist's list of items, built as it is scrolled (issue 16 §1: a 150-item
checklist opens about as fast as a 15-item one, `mingcha bench field`).

Building, diffing and sending every item card up front made opening grow with the list:
150 cards were ~330 kB on the wire and most of the open time, although a screen shows
four. So the list starts with the first FIRST entries (a category's heading or an item's
card) and, when the inspector scrolls to within LOOKAHEAD screens of its built end, the
next MORE entries are built and appended. A card is built once and kept; one built late
shows the newest visit view (`view`, kept current by the screen).

The repeat-problem filter shows the sections of the repeat items with those cards only
(built for it when the list has not reached them yet); switching it off shows the built
part of the whole list again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import flet as ft

from fieldapp.ui.screens.item_card import ItemCard
from fieldcore.checklist import Category, Item

FIRST = 16  # a 15-item checklist whole; more than two phone screens of cards
SHORTEST = 110  # px: the shortest entry, a card of one line and its 48-px verdict
MORE = 12  # entries appended per step: ~3 phone screens of cards
LOOKAHEAD = 2.0  # screens of built list kept below what is shown
SCROLL_MS = 150  # how often the phone reports scrolling (Flet's default, 10 ms, floods)


@dataclass
class Section:
    """One category of the checklist: its heading and the items this visit's mode has."""

    category: Category
    items: list[Item]
    heading: ft.Control


class ItemList:
    """The scrolling list: `control` goes on the screen, `cards` are the cards built so far."""

    def __init__(
        self,
        sections: list[Section],
        make_card: Callable[[Category, Item], ItemCard],
        repeats: set[str],
        screen_height: float | None = None,
    ) -> None:
        self.sections, self.make_card, self.repeats = sections, make_card, repeats
        self.entries: list[tuple[Section, Item | None]] = [
            entry for s in sections for entry in [(s, None), *((s, i) for i in s.items)]
        ]
        self.cards: dict[str, ItemCard] = {}
        self.built = 0  # entries[:built] are in the list (when the filter is off)
        self.only_repeats = False
        self.control = ft.ListView(
            [],
            padding=ft.Padding.symmetric(horizontal=10),
            expand=True,
            on_scroll=self._on_scroll,
            scroll_interval=SCROLL_MS,
        )
        # a list too short to scroll would never ask for more: two screens even on a tablet
        self.grow(max(FIRST, int(2 * (screen_height or 0) / SHORTEST)))

    def item_codes(self) -> Iterator[str]:
        return (i.code for s in self.sections for i in s.items)

    def grow(self, n: int) -> bool:
        """Append the next `n` entries (not shown while the filter is on); False at the end."""
        new = [self._control(e) for e in self.entries[self.built : self.built + n]]
        self.built += len(new)
        if new and not self.only_repeats:
            self.control.controls.extend(new)
        return bool(new)

    def _control(self, entry: tuple[Section, Item | None]) -> ft.Control:
        section, item = entry
        if item is None:
            return section.heading
        if item.code not in self.cards:
            self.cards[item.code] = self.make_card(section.category, item)
        return self.cards[item.code].control

    def _on_scroll(self, e: ft.OnScrollEvent) -> None:
        near_end = e.max_scroll_extent - e.pixels <= LOOKAHEAD * e.viewport_dimension
        if self.only_repeats or not near_end or not self.grow(MORE):
            ft.context.disable_auto_update()  # scrolling alone changes nothing to send
            return
        self.control.update()  # only the list: the new entries are all that is sent

    def show_only_repeats(self, on: bool) -> None:
        """The filter: only the items that failed in two of the last three visits."""
        self.only_repeats = on
        if not on:
            self.control.controls = [self._control(e) for e in self.entries[: self.built]]
            return
        shown: list[ft.Control] = []
        for section in self.sections:
            mine = [(section, i) for i in section.items if i.code in self.repeats]
            if mine:
                shown += [section.heading, *(self._control(e) for e in mine)]
        self.control.controls = shown
