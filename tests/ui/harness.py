"""A client-less Flet session for view tests (flet-notes §3.2, verified on flet 1.0.5).

It runs the app's real `main(page)` inside Flet's own `Session`, encodes every outgoing
message with msgpack exactly as the transport would (Flet takes its diff snapshots while
encoding), answers client method calls (`push_route`, services such as the file picker)
with fakes, and fires events the way the client does. It uses Flet internals
(`flet.messaging.*`, `_context_page`): adjust it when flet is upgraded.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import flet as ft
import msgpack
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page
from flet.messaging.connection import Connection
from flet.messaging.protocol import MessageAction, configure_encode_object_for_msgpack
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub

Invoke = Callable[[str, dict[str, Any]], Any]
AT_THE_END = {  # a scroll event's data: the bottom of what the list has built
    "event_type": "update",
    "pixels": 1000.0,
    "min_scroll_extent": 0.0,
    "max_scroll_extent": 1000.0,
    "viewport_dimension": 800.0,
    "scroll_delta": 100.0,
}


def _pack(obj: Any) -> bytes:
    return msgpack.packb(obj, default=configure_encode_object_for_msgpack(BaseControl))


def default_invoke(name: str, args: dict[str, Any]) -> Any:
    """A phone with no camera, no GPS fix, and a user who cancels every picker."""
    return [] if name == "pick_files" else None


class FakeClientConnection(Connection):
    def __init__(self, on_invoke: Invoke) -> None:
        super().__init__()
        self.pubsubhub = PubSubHub()
        self.messages: list[Any] = []
        self.wire: list[bytes] = []
        self.on_invoke = on_invoke
        self.session: Session | None = None
        self.page_url = "http://127.0.0.1:8550"  # route_change crashes without it

    def send_message(self, message: Any) -> None:
        self.wire.append(_pack([message.action, message.body]))
        self.messages.append(message)
        if message.action != MessageAction.INVOKE_METHOD:
            return
        body, session = message.body, self.session
        assert session is not None
        result = self.on_invoke(body.name, body.args)
        loop = asyncio.get_running_loop()
        if body.name == "push_route":  # what the client does: new route, then the event
            route = body.args["route"]
            session.apply_page_patch({"route": route})
            loop.call_soon(
                lambda: asyncio.ensure_future(
                    session.dispatch_event(session.page._i, "route_change", {"route": route})
                )
            )
        loop.call_soon(
            session.handle_invoke_method_results, body.control_id, body.call_id, result, None
        )


def walk(control: Any, seen: set[int] | None = None) -> Iterator[BaseControl]:
    """The visible controls under `control` (hidden subtrees are skipped)."""
    seen = set() if seen is None else seen
    if not isinstance(control, BaseControl) or id(control) in seen:
        return
    seen.add(id(control))
    if getattr(control, "visible", True) is False:
        return
    yield control
    for f in dataclasses.fields(control):
        if f.name.startswith("_") or f.name == "parent":
            continue
        value = getattr(control, f.name, None)
        for child in value if isinstance(value, list) else [value]:
            yield from walk(child, seen)


def strings(control: Any) -> list[str]:
    """Every string a user can read under `control`: texts, labels, captions, tooltips."""
    out = []
    for c in walk(control):
        for name in ("value", "label", "content", "tooltip"):
            value = getattr(c, name, None)
            if isinstance(value, str) and value:
                out.append(value)
    return out


class AppHarness:
    def __init__(self, on_invoke: Invoke = default_invoke) -> None:
        self.conn = FakeClientConnection(on_invoke)
        self.conn.loop = asyncio.get_running_loop()
        self.session = Session(self.conn)
        self.conn.session = self.session
        self.page = self.session.page
        _context_page.set(self.page)
        self.background: list[Future[Any]] = []
        self.mark = 0  # wire position when the last user action began
        self.checked = 0  # messages already checked for crashes
        run_task = self.page.run_task

        def tracked(handler: Any, *args: Any, **kw: Any) -> Future[Any]:
            future = run_task(handler, *args, **kw)
            self.background.append(future)
            return future

        self.page.run_task = tracked

    async def start(
        self, main: Callable[[ft.Page], Any], route: str = "/", web: bool = True
    ) -> AppHarness:
        """Run `main` as Flet does for a new session: in a browser tab, or (web=False) in
        the app on a phone."""
        self.session.apply_page_patch({"route": route, "web": web, "width": 412, "height": 915})
        _pack(self.session.get_page_patch())  # the initial snapshot, as on client register
        result = main(self.page)
        if asyncio.iscoroutine(result):
            await result
        await self.session.after_event(self.page)  # auto-update after main()
        await self.settle()
        return self

    # ---- what is on screen ----------------------------------------------------------
    @property
    def view(self) -> ft.View:
        return self.page.views[-1]

    @property
    def route(self) -> str:
        return self.page.route or "/"

    def title(self) -> str:
        """The app bar's title (every screen's is a Text)."""
        bar = self.view.appbar
        assert bar is not None and isinstance(bar.title, ft.Text), bar
        return bar.title.value

    def strings(self) -> list[str]:
        return strings(self.view)

    def text(self) -> str:
        return "\n".join(self.strings())

    def snackbars(self) -> list[str]:
        return [
            d.content.value
            for d in self.page._dialogs.controls
            if isinstance(d, ft.SnackBar) and d.open and isinstance(d.content, ft.Text)
        ]

    def dialogs(self) -> list[Any]:
        return [d for d in self.page._dialogs.controls if d.open]

    def dialog_strings(self) -> list[str]:
        return [text for d in self.dialogs() for text in strings(d)]

    def _on_screen(self) -> Iterator[BaseControl]:
        """The controls of the top view, then those of the open dialogs."""
        seen: set[int] = set()
        for root in [self.view, *self.dialogs()]:
            yield from walk(root, seen)

    def find(self, key: str) -> Any:
        """A control on screen by `key`, or the content of `Semantics(identifier=key)`."""
        for c in self._on_screen():
            k = getattr(c, "key", None)
            if k == key or getattr(k, "value", None) == key:
                return c
            if isinstance(c, ft.Semantics) and c.identifier == key:
                return c.content
        raise LookupError(f"{key!r} is not on {self.route}: {self.strings()}")

    def find_all(
        self, kind: type | tuple[type, ...], where: Callable[[Any], bool] = lambda c: True
    ) -> list[Any]:
        return [c for c in self._on_screen() if isinstance(c, kind) and where(c)]

    def field(self, label: str) -> ft.TextField:
        found = self.find_all(ft.TextField, lambda c: c.label == label)
        if len(found) != 1:
            raise LookupError(f"{len(found)} text fields labelled {label!r} on {self.route}")
        return found[0]

    def button(self, caption: str) -> Any:
        """A button, tile or menu item whose caption (or tooltip) is `caption`."""

        def caption_of(c: Any) -> str | None:
            for name in ("content", "title", "tooltip"):
                value = getattr(c, name, None)
                if isinstance(value, ft.Text):
                    value = value.value
                if isinstance(value, str):
                    return value
            return None

        kinds = (
            ft.Button,
            ft.IconButton,
            ft.OutlinedButton,
            ft.TextButton,
            ft.ListTile,
            ft.FloatingActionButton,
            ft.PopupMenuItem,
        )
        found = self.find_all(kinds, lambda c: caption_of(c) == caption)
        if not found:
            raise LookupError(f"no button {caption!r} on {self.route}: {self.strings()}")
        return found[0]

    # ---- what a user does -----------------------------------------------------------
    async def reveal(self, key: str) -> Any:
        """`find(key)` after scrolling down the screen's lazily built lists (those told of
        scrolling: the checklist) until it is built, as a person scrolls to what they tap."""
        while True:
            try:
                return self.find(key)
            except LookupError:
                lists = self.find_all(ft.ListView, lambda c: c.on_scroll is not None)
                built = [len(c.controls) for c in lists]
                for lv in lists:  # at the built end of the list, a screen of 800 px high
                    await self.fire(lv, "scroll", AT_THE_END)
                if [len(c.controls) for c in lists] == built:
                    raise  # nothing more to build: not on this screen

    async def fire(self, target: Any, event: str = "click", data: Any = None) -> None:
        control = await self.reveal(target) if isinstance(target, str) else target
        self.mark = len(self.conn.wire)
        await self.session.dispatch_event(control._i, event, data)
        await self.settle()

    async def back(self) -> None:
        """The system or app-bar back gesture on the top view."""
        self.mark = len(self.conn.wire)
        await self.session.dispatch_event(self.page._i, "view_pop", {"route": self.view.route})
        await self.settle()

    async def type_text(self, target: Any, text: str) -> None:
        control = await self.reveal(target) if isinstance(target, str) else target
        self.session.apply_patch(control._i, {"value": text})
        await self.fire(control, "change", text)

    async def select(self, target: Any, *values: str) -> None:
        """Tap segments of a SegmentedButton (the client patches `selected`, then fires)."""
        control = await self.reveal(target) if isinstance(target, str) else target
        self.session.apply_patch(control._i, {"selected": list(values)})
        await self.fire(control, "change", list(values))

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every task the app started (routes, worker threads) has finished,
        then fail the test if a handler or background task raised."""
        me = asyncio.current_task()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet = 0
        while quiet < 3:
            await asyncio.sleep(0.005)
            busy = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
            quiet = 0 if busy else quiet + 1
            if loop.time() > deadline:
                raise AssertionError(f"the app did not settle: {busy}")
        new, self.checked = self.conn.messages[self.checked :], len(self.conn.messages)
        crashed = [m for m in new if m.action == MessageAction.SESSION_CRASHED]
        if crashed:
            raise AssertionError(f"a handler crashed: {crashed[0].body}")
        done = [f for f in self.background if f.done()]
        self.background = [f for f in self.background if not f.done()]
        for future in done:
            if not future.cancelled() and future.exception():
                raise AssertionError("a background task failed") from future.exception()

    def delivered(self, *texts: str) -> bool:
        """Whether the client was sent each text since the last action began: a value set
        on a control but never sent (see flet-notes §1.3) is not on the phone's screen."""
        sent = b"".join(self.conn.wire[self.mark :])
        return all(text.encode() in sent for text in texts)
