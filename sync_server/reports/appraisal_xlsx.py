"""The appraisal (考核) workbook, laid out like the 汇总表 export (xlsx.py): row 1 the
form's title and period, row 2 the bilingual header, one row per person or department.

- guard month (000:L929, L933): 月度考核表 — person, visits, month score /100, veto, bonus;
- guard quarter (000:L931, L933): 季度考核表 — person, the three month scores, the quarter
  score /300, veto, the month bonuses and the quarter bonus;
- tobacco half-year (001:L154-L156, L180-L182): 测评汇总表 — person, sampled visits, score,
  points lost; and 部(所)汇总 — people, customers, sample required / taken, average, ≥ mark,
  the head's points lost;
- every workbook: 部门汇总 (guard) and 考核设置 — each setting in force, its seed line and
  whether it is assumed, so a reader sees which figures are the organisation's own.
`appraisal_sheets` builds the sheets as plain rows (the console shows the same tables);
`write_appraisal_xlsx` writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from fieldcore.appraisal_settings import SPECS
from sync_server.reports.appraisal import AppraisalReport, Person

BOLD = Font(bold=True)
PERSON = ("部门 Department", "站点 Site", "岗位 Post", "姓名 Name")
YES_NO = {True: "是", False: "否"}


@dataclass
class Sheet:
    """One table: its sheet name, title line (row 1), header (row 2) and rows."""

    name: str
    heading: str
    header: Sequence[str]
    rows: list[list[Any]] = field(default_factory=list)

    def append(self, row: list[Any]) -> None:
        self.rows.append(row)


def appraisal_sheets(report: AppraisalReport) -> list[Sheet]:
    """The workbook's tables, in order (see the module docstring)."""
    sheets: list[Sheet] = []
    if report.scheme == "tobacco":
        _tobacco(sheets, report)
    elif report.period.kind == "quarter":
        _guard_quarter(sheets, report)
        _guard_departments(sheets, report)
    else:
        _guard_month(sheets, report)
        _guard_departments(sheets, report)
    _settings(sheets, report)
    return sheets


def write_appraisal_xlsx(report: AppraisalReport, out: Path) -> None:
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for sheet in appraisal_sheets(report):
        ws = wb.create_sheet(sheet.name)
        ws.append([sheet.heading])
        ws.append(list(sheet.header))
        for cell in (*ws[1], *ws[2]):
            cell.font = BOLD
        for n in range(len(sheet.header)):
            ws.column_dimensions[chr(ord("A") + n)].width = 14 if n > 3 else 18
        for row in sheet.rows:
            ws.append(row)
    wb.save(out)


def _sheet(sheets: list[Sheet], name: str, heading: str, header: Sequence[str]) -> Sheet:
    sheets.append(Sheet(name, heading, header))
    return sheets[-1]


def _who(p: Person) -> list[Any]:
    return [p.department.code, f"{p.site.code} {p.site.name}", p.title, p.name]


def _guard_month(sheets: list[Sheet], r: AppraisalReport) -> None:
    s = r.settings
    header = (*PERSON, "检查次数 Visits", f"月度得分({s.month_max}) Score", "一票否决 Veto",
              f"月度绩效奖金(总额{s.month_pool}) Bonus")  # fmt: skip
    table = _sheet(sheets, "月度考核表", f"保安月度绩效考核表 {r.period.text}", header)
    for p in r.people:
        m = p.months[0]
        table.append([*_who(p), m.visits, m.score, YES_NO[m.veto], m.bonus])


def _guard_quarter(sheets: list[Sheet], r: AppraisalReport) -> None:
    s = r.settings
    header = (*PERSON, *r.period.month_labels(), f"季度得分({s.quarter_max}) Quarter",
              "一票否决 Veto", "月度奖金合计 Month bonuses",
              f"季度绩效奖金(总额{s.quarter_pool}) Bonus")  # fmt: skip
    table = _sheet(sheets, "季度考核表", f"保安季度绩效考核表 {r.period.text}", header)
    for p in r.people:
        q = p.quarter
        assert q is not None  # a quarter period gives every person a quarter
        month_bonus = sum((m.bonus or Decimal(0) for m in p.months), Decimal(0))
        scores = [m.score for m in p.months]
        table.append([*_who(p), *scores, q.total, YES_NO[q.veto], month_bonus, q.bonus])


def _guard_departments(sheets: list[Sheet], r: AppraisalReport) -> None:
    quarter = r.period.kind == "quarter"
    extra = ["季度平均 Quarter avg", "季度奖金合计 Quarter bonuses"] if quarter else []
    header = ("部门 Department", "名称 Name", "人数 People",
              *(f"{m} 平均" for m in r.period.month_labels()), "否决人数 Vetoed",
              "月度奖金合计 Month bonuses", *extra)  # fmt: skip
    table = _sheet(sheets, "部门汇总", f"部门考核汇总 {r.period.text}", header)
    for d in r.departments:
        tail = [d.quarter_average, d.quarter_bonus] if quarter else []
        table.append([d.region.code, d.region.name, d.people, *d.month_averages, d.vetoed,
                      d.month_bonus, *tail])  # fmt: skip


def _tobacco(sheets: list[Sheet], r: AppraisalReport) -> None:
    s = r.settings
    header: tuple[str, ...] = (*PERSON, "抽查户数 Sampled", "测评得分 Score",
                               f"达标({s.staff_mark}) Meets", "扣考核分 Points lost")  # fmt: skip
    table = _sheet(sheets, "测评汇总表", f"客户服务质量测评汇总表 {r.period.text}", header)
    for p in r.people:
        assert p.score is not None
        meets = YES_NO[p.score >= s.staff_mark]
        table.append([*_who(p), len(p.marks), p.score, meets, p.deduction])
    header = ("部(所) Department", "名称 Name", "人数 People", "零售客户数 Customers",
              "应抽样户数 Sample", "已抽样户数 Sampled", "综合平均成绩 Average",
              f"达标({s.department_mark}) Meets", "部(所)长扣分 Head's points lost")  # fmt: skip
    table = _sheet(sheets, "部(所)汇总", f"部(所)服务测评成绩 {r.period.text}", header)
    for d in r.departments:
        t = d.tobacco
        assert t is not None
        table.append([d.region.code, d.region.name, d.people, d.customers, t.required_sample,
                      t.sampled, t.average, YES_NO[not t.short], t.head_deduction])  # fmt: skip


def _settings(sheets: list[Sheet], r: AppraisalReport) -> None:
    header = ("项目 Setting", "值 Value", "来源 Source", "假定 Assumed", "说明 Note")
    table = _sheet(sheets, "考核设置", f"考核设置 Settings {r.period.text}", header)
    for spec in SPECS:
        value = r.settings.values[spec.key]
        table.append([spec.title, value, spec.source, YES_NO[spec.assumed], spec.assumed_note])
