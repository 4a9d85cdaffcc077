"""Actions on many checklist items at once (still one transaction per tap)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session

from fieldapp.store.work import editable_visit, local_score, record_answer


def pass_unanswered(session: Session, now: datetime, visit_id: uuid.UUID) -> list[str]:
    """Mark every unanswered item of the visit as passed; returns their codes.

    Items measured by a figure (每少1%扣2分 …) are left alone: a pass there means nothing
    without the figure itself, so the inspector still enters it.
    """
    visit = editable_visit(session, visit_id)
    template, card = local_score(session, visit)
    items = template.items_by_code
    done = [code for code in card.unanswered if items[code][1].deduction.kind != "figure"]
    for code in done:
        record_answer(session, now, visit_id, code, "pass")
    return done
