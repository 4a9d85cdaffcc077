"""The three spreadsheet forms, written with openpyxl in write-only (streaming) mode:

- 明细测评表: one visit — header, one row per item, category subtotals and the total
  exactly as the stored ScoreCard (Visit.score) gives them;
- 汇总表: a period's averages by department/region, and by site with each post's (岗位)
  subtotal under its site (summary.py);
- 质检日报: one day's failed items (findings), one row each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from fieldcore.headline import is_per_subject, verdict
from fieldcore.scorecard import POOLED_LABEL
from sync_server.reports.access import local
from sync_server.reports.data import Progress, VisitReport, no_progress, visit_header
from sync_server.reports.summary import Group, Summary
from sync_server.reports.visit_sheet import assumed, assumed_notes
from sync_server.tables import Finding, Visit

ITEM_HEADER = (
    "类别 Category",
    "编号 Code",
    "内容 Item",
    "结果 Result",
    "次数/数值 Count/Value",
    "扣分 Deduction",
    "得分 Score",
    "满分 Max",
    "规则 Rule",
    "备注 Note",
    "对象 Subject",
)
SUBTOTAL, TOTAL = "小计 Subtotal", "合计 Total"
BOLD = Font(bold=True)


def _bold(ws: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Cell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=value)
        cell.font = BOLD
        cells.append(cell)
    return cells


def _sheet(wb: Workbook, title: str, widths: Sequence[int]) -> WriteOnlyWorksheet:
    ws: WriteOnlyWorksheet = wb.create_sheet(title)  # write_only=True makes these
    for n, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + n)].width = width  # type: ignore[attr-defined]  # set up at runtime; types-openpyxl omits it
    return ws


def write_visit_xlsx(report: VisitReport, out: Path, progress: Progress = no_progress) -> None:
    wb = Workbook(write_only=True)
    ws = _sheet(wb, "明细测评表", (16, 8, 48, 10, 10, 10, 10, 10, 28, 24, 16))
    ws.append(_bold(ws, [f"明细测评表 {report.template.title}"]))
    for label, value in visit_header(report):
        ws.append([label, value])
    ws.append([])
    ws.append(_bold(ws, ITEM_HEADER))
    categories = report.score.get("categories", [])
    template = report.template
    for done, cat in enumerate(categories, 1):
        for row in report.item_rows(cat):
            _, item = template.items_by_code[row.code]
            ws.append(
                [
                    row.category,
                    row.code,
                    row.text,
                    row.result,
                    row.amount,
                    row.deducted,
                    None,
                    None,
                    assumed(row.rule, item.assumed),  # 自定: not the regulation's rule
                    row.note,
                    row.subject,
                ]
            )
        label = f"{cat['code']} {cat['title']}"
        own = any(c.code == cat["code"] and c.assumed for c in template.categories)
        notes = ";".join([*cat.get("notes", []), *(["满分自定 max assumed"] if own else [])])
        ws.append(
            _bold(ws, [label, SUBTOTAL, notes, "", None, cat["deducted"], cat["score"], cat["max"]])
        )
        progress(done, len(categories))
    per_subject = is_per_subject(report.score)
    total = " ".join(POOLED_LABEL) if per_subject else TOTAL  # not the regulation's result
    ws.append(
        _bold(
            ws, ["", total, "", "", None, None, report.score.get("total"), report.score.get("max")]
        )
    )
    own_values = assumed_notes(report)
    if own_values:  # what the organisation chose itself, and why, below the table
        ws.append([])
        ws.append(_bold(ws, ["自定 Assumed", "本组织自定的数值,非原规定所给"]))
        for why in own_values:
            ws.append(["", why])
    if per_subject:
        _posts_sheet(wb, report.score)
    wb.save(out)


POST_HEADER = ("岗位 Post", "编码 Code", "得分 Score", "满分 Max", "百分制 Percent",
               "等级 Grade", "达标 Passed", "一票否决 Veto")  # fmt: skip


def _posts_sheet(wb: Workbook, score: dict[str, Any]) -> None:
    """岗位得分: each post's result of a per-subject visit, as numbers, and the outcome."""
    ws = _sheet(wb, "岗位得分", (16, 20, 10, 10, 10, 10, 10, 10))
    ws.append(_bold(ws, POST_HEADER))
    for p in score.get("subjects", []):
        ws.append(
            [p.get("title"), p.get("code"), p.get("score"), p.get("max"), p.get("percent"),
             p.get("grade"), verdict(p.get("passed")), "是" if p.get("veto") else "否"]
        )  # fmt: skip
    ws.append(_bold(ws, ["结果 Result", "", None, None, None, None, verdict(score.get("passed"))]))


SITE_HEADER = (
    "部门 Region", "站点 Site", "名称 Name", "岗位 Post", "岗位编码 Post code", "抽查数 Visits",
    "平均分 Average", "最低 Min", "最高 Max", "否决 Vetoes", "扣分 Lost", "得分 Score",
    "满分 Full marks", "达标 Passed",
)  # fmt: skip
SITE_ROW = "全站 Whole site"
PER_POST_SITE = "全站:按岗位计分 Scored per post"  # no pooled site figure (summary.py)


def _figures(g: Group) -> list[Any]:
    """抽查数 … 达标 of a site or a post: averages of percents, sums of the engine's points
    (扣分 = 满分 − 得分, as the visit forms print it)."""
    passes = f"{g.passes}/{g.judged}" if g.judged else None  # per-subject templates only
    return [len(g.percents), g.average, min(g.percents), max(g.percents), g.vetoes,
            g.lost, g.points, g.full, passes]  # fmt: skip


def write_summary_xlsx(summary: Summary, out: Path, progress: Progress = no_progress) -> None:
    wb = Workbook(write_only=True)
    period = f"{summary.first.isoformat()} – {summary.last.isoformat()}"
    ws = _sheet(wb, "部门汇总", (12, 20, 10, 10, 12, 12, 12))
    ws.append(_bold(ws, [f"服务质量测评汇总表 {period}"]))
    ws.append(
        _bold(ws, ["部门 Code", "名称 Name", "站点数 Sites", "抽查数 Visits", "平均分 Average",
                   "达标(85) Meets 85", "考核扣分 Appraisal −"])
    )  # fmt: skip
    for region, n_sites, n_visits, avg, meets, minus in summary.region_rows():
        ws.append(
            [region.code, region.name, n_sites, n_visits, avg, "是" if meets else "否", minus]
        )
    ws = _sheet(wb, "站点汇总", (12, 12, 20, 16, 18, 10, 12, 10, 10, 10, 10, 10, 10, 10))
    ws.append(_bold(ws, SITE_HEADER))
    blocks = list(summary.site_blocks())
    for done, block in enumerate(blocks, 1):
        where, code = block.region.code, block.site.code
        if block.group is None:  # per-subject visits only: the posts are the results
            ws.append(_bold(ws, [where, code, block.site.name, PER_POST_SITE, None, 0]))
        else:
            ws.append(_bold(ws, [where, code, block.site.name, SITE_ROW, None,
                                 *_figures(block.group)]))  # fmt: skip
        for post, title, g in block.posts:  # 岗位小计: each post's subtotal under its site
            ws.append([where, code, None, title, post, *_figures(g)])
        progress(done, len(blocks))
    wb.save(out)


DAILY_HEADER = (
    "时间 Time", "部门 Region", "站点 Site", "检查方式 Mode", "类别 Category", "编号 Code",
    "问题 Finding", "扣分 Deduction", "备注 Note", "责任对象 Responsible", "检查员 Inspector",
    "照片 Photos", "状态 Status",
)  # fmt: skip


def write_daily_xlsx(
    day_title: str,
    rows: Iterable[tuple[VisitReport, Visit, Finding | None, Any]],
    total: int,
    out: Path,
    progress: Progress = no_progress,
) -> None:
    """`rows`: (report, visit, finding, ItemRow) for each failed item, streamed."""
    wb = Workbook(write_only=True)
    ws = _sheet(wb, "质检日报", (16, 10, 16, 8, 16, 8, 48, 8, 24, 16, 12, 6, 10))
    ws.append(_bold(ws, [f"质检日报 {day_title}"]))
    ws.append(_bold(ws, DAILY_HEADER))
    for done, (report, visit, _finding, item) in enumerate(rows, 1):
        ws.append(
            [
                local(visit.submitted_at),
                report.region.code,
                f"{report.site.code} {report.site.name}",
                report.mode_title,
                item.category,
                item.code,
                item.text,
                item.deducted,
                item.note,
                item.subject,
                report.inspector,
                len(item.photos),
                visit.status,
            ]
        )
        progress(done, total)
    wb.save(out)
