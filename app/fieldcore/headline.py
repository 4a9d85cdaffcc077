"""A visit's result in words for a per-subject template (scoring.per_subject), the same
on the phone, in the console and in the reports: the visit's outcome (scorecard.
visit_passed: every post must pass), each subject's score, percent, grade and pass, and
the pooled figure labelled as not the regulation's (合计(仅供参考)).

Works on the JSON-shaped scorecard (ScoreCard.to_dict(), which the server stores as
Visit.score), so readers of stored visits and the phone's live card say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fieldcore.scorecard import POOLED_LABEL

VERDICTS = {
    "zh": {True: "达标", False: "未达标", None: "—"},
    "en": {True: "passed", False: "not passed", None: "—"},
}


def _n(value: Any) -> str:
    return "—" if value is None else str(value)


def is_per_subject(score: Mapping[str, Any] | None) -> bool:
    return bool(score and score.get("per_subject"))


def verdict(passed: bool | None, lang: str = "zh") -> str:
    return VERDICTS["en" if lang == "en" else "zh"][passed]


def subject_line(
    subject: Mapping[str, Any], lang: str = "zh", grades: Mapping[str, str] | None = None
) -> str:
    """ "送货员 70/110 · 63.6 · 不合格 · 未达标" (· 一票否决 when its own veto failed);
    `grades` maps a grade code to the name to show (English titles)."""
    grade = subject.get("grade")
    shown = (grades or {}).get(grade, grade) if grade else None
    parts = [
        f"{subject.get('title', subject.get('code', ''))} "
        f"{_n(subject.get('score'))}/{_n(subject.get('max'))}",
        _n(subject.get("percent")),
        _n(shown),
        verdict(subject.get("passed"), lang),
    ]
    if subject.get("veto"):
        parts.append("veto" if lang == "en" else "一票否决")
    return " · ".join(parts)


def outcome_line(score: Mapping[str, Any], lang: str = "zh") -> str:
    """The visit's outcome under the per-subject rule."""
    passed = score.get("passed")
    if lang == "en":
        return f"Result: {verdict(passed, lang)} (every post must pass)"
    return f"结果:{verdict(passed, lang)}(各岗位均达标方为达标)"


def pooled_line(score: Mapping[str, Any], lang: str = "zh") -> str:
    """The pooled figure, labelled as for reference only."""
    label = POOLED_LABEL[1 if lang == "en" else 0]
    return f"{label} {_n(score.get('total'))}/{_n(score.get('max'))} · {_n(score.get('percent'))}"


def per_subject_lines(
    score: Mapping[str, Any], lang: str = "zh", grades: Mapping[str, str] | None = None
) -> list[str]:
    """Outcome, one line per subject, then the pooled line."""
    return [
        outcome_line(score, lang),
        *(subject_line(s, lang, grades) for s in score.get("subjects", [])),
        pooled_line(score, lang),
    ]


def compact_posts(score: Mapping[str, Any], lang: str = "zh") -> str:
    """One short line for lists: "客户经理 100 达标 / 送货员 63.6 未达标"."""
    return " / ".join(
        f"{p.get('title', p.get('code', ''))} {_n(p.get('percent'))} "
        f"{verdict(p.get('passed'), lang)}"
        for p in score.get("subjects", [])
    )
