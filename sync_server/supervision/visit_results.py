"""A visit's result as reviewers read it, pooled or per subject (scoring.per_subject).

`headline` is the score line(s) of the visit screen: the total, percent and grade of a
pooled template as before; for a per-subject template the outcome by the every-post rule,
each post's score, grade and pass, and the pooled figure as 合计(仅供参考)
(fieldcore.headline). `posts_of` reads the stored per-post results of a page of visits,
for the queue (whose score column is empty for such visits: no pooled headline).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from fieldcore.headline import is_per_subject, per_subject_lines, verdict
from fieldcore.scorecard import fmt
from sync_server.tables import VisitSubjectResult


@dataclass(frozen=True)
class PostResult:
    code: str
    title: str
    percent: Decimal | None
    grade: str | None
    passed: bool | None

    def text(self) -> str:
        """ "送货员 63.6 不合格 未达标", as the queue shows it."""
        percent = "—" if self.percent is None else fmt(self.percent)
        return f"{self.title} {percent} {self.grade or '—'} {verdict(self.passed)}"


def headline(score: Mapping[str, Any] | None) -> list[str]:
    """The visit screen's score lines (see the module docstring)."""
    score = score or {}
    if is_per_subject(score):
        return per_subject_lines(score)
    total = f"得分 {score.get('total', '—')}/{score.get('max', '—')} · {score.get('percent', '—')}"
    return [f"{total} · {score.get('grade') or ''}"]


def posts_of(session: Session, visit_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[PostResult]]:
    """Visit id → its per-post results (per-subject templates only), in template order."""
    ids = list(visit_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(VisitSubjectResult)
        .where(col(VisitSubjectResult.visit_id).in_(ids))
        .order_by(col(VisitSubjectResult.visit_id), col(VisitSubjectResult.position))
    ).all()
    out: dict[uuid.UUID, list[PostResult]] = {}
    for r in rows:
        out.setdefault(r.visit_id, []).append(
            PostResult(r.subject_code, r.title, r.percent, r.grade, r.passed)
        )
    return out
