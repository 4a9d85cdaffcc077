"""Last time at hand: an item's previous result at a site and whether it keeps failing.

A domain rule the phone and the server can share: it takes plain rows (earlier visits of a
site with their findings) and decides, per item code, what the inspector sees when a new
visit starts — 上次: 不合格 · date · note (and photos) — and whether the item is a repeat
problem (重复问题).

Which earlier visits count (`COUNTED`): visits handed in — submitted, resubmitted, approved,
published. Not the visit being made, not drafts (unfinished), not returned visits (handed back
for correction, so their answers may still change), not voided ones (declared invalid by a
reviewer). Deleted rows never reach this function.

Matching: by item code within one template id, across its versions (v1 → v2 may renumber a
few items; an item's code is its identity). A code the earlier visit has no answer for gives
no hint from that visit. The previous result is the most recent counted visit that answered
the item (a covert visit may have skipped items only checked openly). An item is a repeat
problem when it failed in at least two of the last three counted visits of that template at
the site — whether or not those visits answered it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

COUNTED: frozenset[str] = frozenset({"submitted", "resubmitted", "approved", "published"})
REPEAT_WINDOW = 3  # the last three counted visits …
REPEAT_FAILS = 2  # … of which this many failed the item


@dataclass(frozen=True)
class PastFinding:
    result: str | None  # pass | fail | na | None (unanswered)
    note: str = ""
    photos: tuple[str, ...] = ()  # sha256 of the evidence photos, oldest first


@dataclass(frozen=True)
class PastVisit:
    visit_id: str
    template_id: str
    status: str
    when: datetime  # when the visit was made (started, else submitted)
    findings: Mapping[str, PastFinding] = field(default_factory=dict)  # by item code


@dataclass(frozen=True)
class ItemHistory:
    """What the inspector sees on an item's card: the last answer and the repeat flag."""

    item_code: str
    result: str
    when: datetime
    note: str
    photos: tuple[str, ...]
    visit_id: str
    repeat: bool


def counted(visits: Iterable[PastVisit], template_id: str, current_id: str) -> list[PastVisit]:
    """The earlier visits that count, newest first."""
    kept = [
        v
        for v in visits
        if v.template_id == template_id and v.status in COUNTED and v.visit_id != current_id
    ]
    return sorted(kept, key=lambda v: (v.when, v.visit_id), reverse=True)


def is_repeat(code: str, newest_first: list[PastVisit]) -> bool:
    recent = newest_first[:REPEAT_WINDOW]
    fails = sum(1 for v in recent if _result(v, code) == "fail")
    return fails >= REPEAT_FAILS


def item_history(
    visits: Iterable[PastVisit], template_id: str, current_id: str, codes: Iterable[str]
) -> dict[str, ItemHistory]:
    """Per item code of the current visit's checklist: its hint (codes without one are left
    out)."""
    ordered = counted(visits, template_id, current_id)
    out: dict[str, ItemHistory] = {}
    for code in codes:
        last = next((v for v in ordered if _result(v, code) is not None), None)
        if last is None:
            continue
        found = last.findings[code]
        out[code] = ItemHistory(
            code,
            str(found.result),
            last.when,
            found.note,
            found.photos,
            last.visit_id,
            is_repeat(code, ordered),
        )
    return out


def _result(visit: PastVisit, code: str) -> str | None:
    found = visit.findings.get(code)
    return found.result if found else None
