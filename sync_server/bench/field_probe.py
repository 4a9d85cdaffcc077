"""What a screen offers a thumb, read from Flutter's semantics tree in Chromium: the box of
every interactive element (targets ≥ 48 × 48 CSS px), nodes that stick out of the viewport
or their parent sideways (clipped or overflowing text), and the browser's text scale.

Flutter web takes its text scale from the root element's font size (16 px = 1.0, watched
while the app runs: main.dart.js reads `document.documentElement`'s computed font-size),
which is what a browser's or phone's large-font setting changes; so 130 % is scale 1.3.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from playwright.sync_api import Page

MIN_TARGET = 48  # CSS px, Material's minimum touch target

# Every interactive semantics node: an ARIA role people tap, a text input, or a node Flutter
# marks tappable. Only nodes wholly inside the viewport count (a lazy list's half-built
# rows at the edges report their clipped size).
_TARGETS_JS = """
() => {
  const roles = new Set(['button', 'checkbox', 'switch', 'tab', 'radio', 'slider',
                         'combobox', 'link', 'menuitem', 'option', 'textbox']);
  const H = window.innerHeight, W = window.innerWidth, out = [];
  // a row cut by a scrolling list's edge shows only its visible part
  const clippedByScroller = (el, r) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (a.tagName !== 'FLT-SEMANTICS') continue;
      const o = getComputedStyle(a).overflowY;
      if (o !== 'scroll' && o !== 'auto' && o !== 'hidden') continue;
      const ar = a.getBoundingClientRect();
      if (Math.abs(r.bottom - ar.bottom) < 1 || Math.abs(r.top - ar.top) < 1) return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('flt-semantics')) {
    const input = el.querySelector(':scope > input, :scope > textarea');
    let role = el.getAttribute('role') || '';
    if (input) role = 'textbox';
    if (!roles.has(role) && !el.hasAttribute('flt-tappable')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    if (r.top < -0.5 || r.bottom > H + 0.5 || r.left < -0.5 || r.right > W + 0.5) continue;
    if (clippedByScroller(el, r)) continue;
    const label = (el.getAttribute('aria-label') || (input && input.getAttribute('aria-label'))
                   || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    out.push({role: role || 'tappable', label, x: Math.round(r.left), y: Math.round(r.top),
              w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10});
  }
  return out;
}
"""

# Nodes whose box leaves the viewport or its semantics parent sideways by more than 1 px.
_OVERFLOW_JS = """
() => {
  const W = window.innerWidth, H = window.innerHeight, out = [];
  for (const el of document.querySelectorAll('flt-semantics')) {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || r.bottom < 0 || r.top > H) continue;
    const label = (el.getAttribute('aria-label') || el.textContent || '').trim()
                  .replace(/\\s+/g, ' ').slice(0, 40);
    if (r.left < -1 || r.right > W + 1) {
      out.push({label, against: 'viewport', left: Math.round(r.left), right: Math.round(r.right)});
      continue;
    }
    const parent = el.parentElement && el.parentElement.closest('flt-semantics');
    if (!parent) continue;
    const p = parent.getBoundingClientRect();
    if (p.width < 1) continue;
    if (r.left < p.left - 1 || r.right > p.right + 1) {
      out.push({label, against: 'parent', left: Math.round(r.left), right: Math.round(r.right),
                parent_left: Math.round(p.left), parent_right: Math.round(p.right)});
    }
  }
  return out;
}
"""


@dataclass(frozen=True)
class Target:
    role: str
    label: str
    x: int
    y: int
    w: float
    h: float

    @property
    def small(self) -> bool:
        return self.w < MIN_TARGET - 0.5 or self.h < MIN_TARGET - 0.5

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def targets(page: Page) -> list[Target]:
    return [Target(**t) for t in page.evaluate(_TARGETS_JS)]


def overflowing(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate(_OVERFLOW_JS))


_LAYOUT_JS = """
() => [...document.querySelectorAll('flt-semantics')]
  .reduce((sum, el) => sum + el.getBoundingClientRect().height, 0)
"""


def set_text_scale(page: Page, scale: float) -> None:
    """The browser's font-size setting, as a phone's large-text option sets it; waits until
    Flutter has laid the screen out again (its semantics boxes changed), then a frame."""
    before = page.evaluate(_LAYOUT_JS)
    page.evaluate(f"document.documentElement.style.fontSize = '{scale * 100:.0f}%'")
    for _ in range(30):
        page.wait_for_timeout(100)
        if abs(page.evaluate(_LAYOUT_JS) - before) > 0.5:
            break
    page.wait_for_timeout(250)


def text_scale(page: Page) -> float:
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize) || 16")
    return round(float(size) / 16, 3)
