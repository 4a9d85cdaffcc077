"""What the visit PDF's form shows, as plain rows (layout: pdf_layout.py, assembly: pdf.py).

Built from a VisitReport (data.py): the organisation and the template's document control,
the visit's facts, one row per category (分类 / 满分 / 扣分 / 得分, the stored ScoreCard's
own figures), one row per subject when the template scores subjects on their own
(scoring.per_subject, fieldcore.headline), the failed items with their rule, note,
responsible person and photos, the acknowledgement and every photo's hash.

Values the regulation does not give (`assumed` on the scoring, a category or an item) are
marked 自定, never shown as the seed's.

The photos (each failed item's cells, the signature, the hash appendix) are in
sheet_photos.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fieldcore.checklist import MODE_TITLES
from fieldcore.headline import is_per_subject, verdict
from fieldcore.scorecard import POOLED_LABEL, fmt
from fieldcore.workflow import STATUS_ZH
from sync_server.reports.access import local
from sync_server.reports.data import VisitReport
from sync_server.reports.sheet_photos import PhotoCell, photo_flags

ASSUMED = "自定"


def n(value: Any) -> str:
    """A figure as printed: 90, 63.6, — when there is none."""
    return "—" if value is None else str(value)


def lost(maximum: Any, score: Any) -> str:
    """Points the visit lost: 满分 − 得分, so the row adds up as on a paper form (the
    engine's raw sum of deductions can exceed the maximum; the notes then say so)."""
    if maximum is None or score is None:
        return "—"
    return fmt(Decimal(str(maximum)) - Decimal(str(score)))


def assumed(text: str, flag: bool) -> str:
    return f"{text} {ASSUMED}" if flag else text


@dataclass(frozen=True)
class CategoryRow:
    label: str  # "1 清洁卫生"
    max: str  # "20" or "20 自定"
    deducted: str  # 满分 − 得分 (lost); "—" for a category left out (all N/A)
    score: str
    notes: str


@dataclass(frozen=True)
class SubjectRow:
    title: str
    max: str
    score: str
    percent: str
    grade: str
    verdict: str  # 达标 / 未达标 (· 一票否决)


@dataclass(frozen=True)
class FailedItem:
    code: str
    text: str
    category: str
    rule: str  # describe_rule's wording, as the engine stored it; 自定 when assumed
    deducted: str
    amount: str  # count or the figure reported
    responsible: str
    note: str
    photos: tuple[PhotoCell, ...]


def organisation(report: VisitReport) -> str:
    """Whose form this is: the issuer of the regulation the template implements."""
    return report.template.document.issuer or "—"


def document_control(report: VisitReport) -> list[tuple[str, str]]:
    d = report.template.document
    return [
        ("文件编号 Doc. no.", d.code),
        ("版次 Revision", d.revision),
        ("生效日期 Effective", d.effective.isoformat()),
        ("批准 Approved by", d.approver),
    ]


def visit_facts(report: VisitReport) -> list[tuple[str, str]]:
    """Label/value pairs of the header table, in reading order (two pairs a row)."""
    v, t, site = report.visit, report.template, report.site
    started, finished = local(v.started_at), local(v.finished_at)
    day = started[:10] or local(v.submitted_at)[:10]
    span = " – ".join(x[11:] for x in (started, finished) if x) or "—"
    return [
        ("站点 Site", f"{site.code} {site.name}"),
        ("检查方式 Mode", f"{report.mode_title} {MODE_TITLES.get(v.mode, ('', ''))[1]}".strip()),
        ("地址 Address", site.address or "—"),
        ("部门/区域 Region", f"{report.region.code} {report.region.name}"),
        ("检查日期 Date", day or "—"),
        ("时间 Time", span),
        ("检查员 Inspector", report.inspector or "—"),
        ("状态 Status", f"{STATUS_ZH.get(v.status, v.status)} {v.status}"),
        ("检查表 Template", t.title),
        ("版本 Version", f"{t.key}(第{t.version}版)"),
        ("提交 Submitted", local(v.submitted_at) or "—"),
        ("审核 Reviewed", f"{report.reviewer} {local(v.reviewed_at)}".strip() or "—"),
        ("编号 Visit ID", str(v.id)),
    ]


def category_rows(report: VisitReport) -> list[CategoryRow]:
    by_code = {c.code: c for c in report.template.categories}
    rows = []
    for cat in report.score.get("categories", []):
        tpl = by_code.get(cat["code"])
        rows.append(
            CategoryRow(
                label=f"{cat['code']} {cat['title']}",
                max=assumed(n(cat.get("max")), bool(tpl and tpl.assumed)),
                deducted="—" if cat.get("excluded") else lost(cat.get("max"), cat.get("score")),
                score=n(cat.get("score")),
                notes=";".join(cat.get("notes", [])),
            )
        )
    return rows


def total_row(report: VisitReport) -> CategoryRow:
    """合计, or 合计(仅供参考) when each subject is scored on its own (the pooled
    figure is not the regulation's)."""
    s = report.score
    pooled = is_per_subject(s)
    label = f"{POOLED_LABEL[0]} Pooled, reference only" if pooled else "合计 Total"
    return CategoryRow(
        label, n(s.get("max")), lost(s.get("max"), s.get("total")), n(s.get("total")), ""
    )


def subject_rows(report: VisitReport) -> list[SubjectRow]:
    """Each post's own result (SubjectScore as stored), for a per-subject template."""
    if not is_per_subject(report.score):
        return []
    return [
        SubjectRow(
            title=str(p.get("title") or p.get("code", "")),
            max=n(p.get("max")),
            score=n(p.get("score")),
            percent=n(p.get("percent")),
            grade=n(p.get("grade")),
            verdict=verdict(p.get("passed")) + (" · 一票否决" if p.get("veto") else ""),
        )
        for p in report.score.get("subjects", [])
    ]


def result_facts(report: VisitReport) -> list[tuple[str, str]]:
    """The visit's headline under the table: percent, grade, pass mark, veto; the grade and
    pass mark are marked 自定 when the scoring says they are the organisation's own."""
    s, scoring = report.score, report.template.scoring
    mark = assumed(n(scoring.pass_mark), scoring.assumed)
    veto = "是 " + "、".join(s.get("veto_items", [])) if s.get("veto") else "否"
    if is_per_subject(s):
        return [
            ("结果 Result", verdict(s.get("passed"))),
            ("合格线 Pass mark", f"{mark}(每岗位 per post)"),
            ("一票否决 Veto", veto),
        ]
    return [
        ("百分制 Percent", n(s.get("percent"))),
        ("等级 Grade", assumed(n(s.get("grade")), scoring.assumed and bool(s.get("grade")))),
        ("合格线 Pass mark", mark),
        ("结果 Result", verdict(s.get("passed"))),
        ("一票否决 Veto", veto),
    ]


def assumed_notes(report: VisitReport) -> list[str]:
    """Why each 自定 value is the organisation's own (its assumed_note), one line each."""
    t = report.template
    out = []
    if t.scoring.assumed:
        out.append(f"评分等级/合格线 Grades, pass mark: {t.scoring.assumed_note or ASSUMED}")
    for cat in t.categories:
        if cat.assumed:
            out.append(f"{cat.code} {cat.title} 满分: {cat.assumed_note or ASSUMED}")
        for item in cat.items:
            if item.assumed:
                out.append(f"{item.code} 扣分标准: {item.assumed_note or ASSUMED}")
    return out


def failed_items(report: VisitReport) -> list[FailedItem]:
    out = []
    for cat in report.score.get("categories", []):
        effects = {i["code"]: i.get("effect") or "" for i in cat["items"]}
        for row in report.item_rows(cat):
            if row.result != "不合格":
                continue
            _, item = report.template.items_by_code[row.code]
            out.append(
                FailedItem(
                    code=row.code,
                    text=row.text,
                    category=row.category,
                    rule=assumed(row.rule, item.assumed),
                    deducted=_taken(row.deducted, effects.get(row.code, "")),
                    amount=n(row.amount),
                    responsible=row.subject or "—",
                    note=row.note or "—",
                    photos=tuple(
                        PhotoCell(p, report.annotations.get(p.id), photo_flags(report, p))
                        for p in row.photos
                    ),
                )
            )
    return out


def _taken(deducted: Any, effect: str) -> str:
    """What a failed item cost: its points, or what its rule does to the category or the
    visit (a 不得分 item deducts nothing itself; its category scores 0)."""
    points = f"−{n(deducted)}" if deducted else "0"
    if effect == "zero_category":
        return "本类计0分 category scores 0"
    if effect == "veto":
        return f"{points} · 一票否决 veto"
    return points
