"""What the checklist editor shows beside the form, as lines of text: the live preview
(sample visits scored as the inspector would see them, or why the draft cannot be scored
yet), the diff against the published version, a refused save's other editor's changes, and
what the 扣分标准 reader understood."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fieldcore.deduction_rules import RuleReading
from sync_server.templates.diff import diff_bodies
from sync_server.templates.preview import Preview

MAX_LINES = 200


def preview_lines(p: Preview) -> list[str]:
    if p.template is None:
        return [f"尚不能评分,需修正 {len(p.problems)} 处 Problems to fix before publishing:"] + [
            f"· {problem}" for problem in p.problems
        ]
    t = p.template
    head = (
        f"满分 {t.max_points} · 合格线 {t.scoring.pass_mark}"
        + (" (自定 assumed)" if t.scoring.assumed else "")
        + (" · 分主体评分 per subject" if t.scoring.per_subject else "")
    )
    out = [head]
    for s in p.scenarios:
        out.append(f"{s.title}: {s.summary}")
        if t.scoring.per_subject:
            out += [f"    {line}" for line in s.subjects()]
    return out


def diff_lines(base: Mapping[str, Any] | None, body: Mapping[str, Any]) -> list[str]:
    if base is None:
        return ["新模板,尚无已发布版本 A new template: nothing published yet"]
    changes = diff_bodies(base, body)
    if not changes:
        return ["与已发布版本相同 Same as the published version"]
    shown = [str(c) for c in changes[:MAX_LINES]]
    more = len(changes) - len(shown)
    return [f"共 {len(changes)} 处修改 {len(changes)} changes:", *shown] + (
        [f"……另有 {more} 处"] if more else []
    )


def conflict_lines(details: Mapping[str, Any], unsaved: list[str]) -> list[str]:
    """A refused save: who changed what since the author's revision, and what the author
    has not saved (kept on screen until they reload)."""
    out = [f"草稿已被他人修改,当前为修订 {details.get('revision')};您的修改未保存。"]
    for change in details.get("changes", []):
        fields = "、".join(change.get("fields") or []) or "(无字段变化)"
        out.append(f"修订 {change['revision']} · {change['by']} · {change['at'][:19]}: {fields}")
    if unsaved:
        out.append("您未保存的修改 Your unsaved edits: " + "、".join(unsaved))
    return out


def reading_line(reading: RuleReading) -> str:
    if reading.deduction is not None:
        return f"已识别 Understood: {reading.explanation or reading.deduction.kind}"
    return f"未能识别 Not understood: {reading.problem or ''}"
