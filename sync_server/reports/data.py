"""What one visit's reports show, gathered once: the stored ScoreCard (Visit.score, as the
engine computed it), the template's texts, the findings' notes and subjects, the photos."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from fieldcore.annotation import counts_as_evidence
from fieldcore.checklist import MODE_TITLES, Template
from fieldcore.headline import is_per_subject, outcome_line, subject_line
from fieldcore.scorecard import POOLED_LABEL
from sync_server.photos.access import visit_evidence
from sync_server.reports.access import local
from sync_server.tables import Finding, Photo, Region, Site, Subject, User, Visit
from sync_server.templates.versions import get_template

Progress = Callable[[int, int], None]  # (done, total)
RESULT_ZH = {"pass": "合格", "fail": "不合格", "na": "不适用", None: "未检查"}


def no_progress(done: int, total: int) -> None:
    """The default progress callback: report nothing."""


@dataclass(frozen=True)
class ItemRow:
    category: str  # "1 清洁卫生"
    code: str
    text: str
    result: str  # 合格 / 不合格 / 不适用 / 未检查
    amount: int | float | None  # the figure entered, else the count of a failed item
    deducted: int | float
    rule: str
    note: str
    subject: str
    photos: tuple[Photo, ...] = ()


@dataclass
class VisitReport:
    visit: Visit
    site: Site
    region: Region
    template: Template
    inspector: str
    score: dict[str, Any]
    findings: dict[str, Finding] = field(default_factory=dict)
    photos: list[Photo] = field(default_factory=list)
    subjects: dict[uuid.UUID, Subject] = field(default_factory=dict)
    reviewer: str = ""  # who approved or returned it (Visit.reviewed_by), by name

    @property
    def mode_title(self) -> str:
        return MODE_TITLES.get(self.visit.mode, (self.visit.mode, ""))[0]

    def subject_label(self, code: str, finding: Finding | None) -> str:
        known = {s.code: s.title for s in self.template.subjects}
        label = known.get(code, code)
        person = self.subjects.get(finding.subject_id) if finding and finding.subject_id else None
        return f"{label} {person.name}".strip() if person else label

    @property
    def annotations(self) -> dict[uuid.UUID, Photo]:
        """Marked-up copies (标注) by the id of the original they mark; `item_rows` lists
        originals only (a copy is not a photo of its own, fieldcore/annotation.py)."""
        return {p.annotates_id: p for p in self.photos if p.annotates_id is not None}

    def item_rows(self, category: dict[str, Any]) -> list[ItemRow]:
        rows = []
        for item in category["items"]:
            _, tpl_item = self.template.items_by_code[item["code"]]
            finding = self.findings.get(item["code"])
            amount = item["value"]
            if amount is None and item["result"] == "fail":
                amount = item["count"]
            photos = tuple(
                p
                for p in self.photos
                if finding and p.finding_id == finding.id and counts_as_evidence(p.kind)
            )
            rows.append(
                ItemRow(
                    category=f"{category['code']} {category['title']}",
                    code=item["code"],
                    text=tpl_item.text,
                    result=RESULT_ZH[item["result"]],
                    amount=amount,
                    deducted=item["deducted"],
                    rule=item["rule"],
                    note=finding.note if finding else "",
                    subject=self.subject_label(item["subject"], finding),
                    photos=photos,
                )
            )
        return rows


def visit_header(report: VisitReport) -> list[tuple[str, Any]]:
    v, s, t = report.visit, report.score, report.template
    veto = "是 " + "、".join(s.get("veto_items", [])) if s.get("veto") else "否"
    return [
        ("站点 Site", f"{report.site.code} {report.site.name}"),
        ("部门/区域 Region", f"{report.region.code} {report.region.name}"),
        ("模板 Template", t.title),
        ("版本 Version", f"{t.key} ({t.document.code} {t.document.revision})"),
        ("检查方式 Mode", report.mode_title),
        ("检查员 Inspector", report.inspector),
        ("开始 Started", local(v.started_at)),
        ("结束 Finished", local(v.finished_at)),
        ("提交 Submitted", local(v.submitted_at)),
        ("状态 Status", v.status),
        *_result_rows(s),
        ("一票否决 Veto", veto),
        ("编号 Visit ID", str(v.id)),
    ]


def _result_rows(s: dict[str, Any]) -> list[tuple[str, Any]]:
    """The score rows of the header: total, max, percent and grade; for a per-subject
    template the outcome by the every-post rule, one row per post (score, percent, grade,
    pass) and the pooled figure, labelled as for reference only (fieldcore.headline)."""
    if not is_per_subject(s):
        return [
            ("得分 Score", s.get("total")),
            ("满分 Max", s.get("max")),
            ("百分制 Percent", s.get("percent")),
            ("等级 Grade", s.get("grade")),
        ]
    return [
        ("结果 Result", outcome_line(s)),
        *((f"岗位 Post {p.get('title', '')}", subject_line(p)) for p in s.get("subjects", [])),
        (" ".join(POOLED_LABEL), f"{s.get('total')}/{s.get('max')} · {s.get('percent')}"),
    ]


def load_visit_report(session: Session, visit: Visit) -> VisitReport:
    site = session.get(Site, visit.site_id)
    assert site is not None  # foreign key
    region = session.get(Region, site.region_id)
    assert region is not None
    template = get_template(session, visit.template_key)
    inspector = session.get(User, visit.inspector_id)
    reviewer = session.get(User, visit.reviewed_by) if visit.reviewed_by else None
    findings = session.exec(
        select(Finding).where(Finding.visit_id == visit.id, col(Finding.deleted_at).is_(None))
    ).all()
    photos = session.exec(
        select(Photo)
        .where(*visit_evidence(visit))
        .order_by(col(Photo.captured_at), col(Photo.sha256))
    ).all()
    subject_ids = {f.subject_id for f in findings if f.subject_id}
    subjects = (
        session.exec(select(Subject).where(col(Subject.id).in_(subject_ids))).all()
        if subject_ids
        else []
    )
    return VisitReport(
        visit=visit,
        site=site,
        region=region,
        template=template,
        inspector=_name(inspector),
        score=visit.score or {},
        findings={f.item_code: f for f in findings},
        photos=list(photos),
        subjects={s.id: s for s in subjects},
        reviewer=_name(reviewer),
    )


def _name(user: User | None) -> str:
    return (user.display_name or user.username) if user else ""
