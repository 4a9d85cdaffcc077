"""The checklist workbook's layout: its sheets, their columns and the words cells may hold.

One table of truth for the reader (workbook_read), the writer (workbook_write) and the
documentation (assets/checklists/XLSX.md). Every column and setting has a Chinese name
(what the writer puts in the header) and an English name (also accepted when reading);
`path` says where its value goes in the template's JSON, relative to the row's object.
"""

from __future__ import annotations

from dataclasses import dataclass

SETTINGS = "设置"
GRADES = "等级"
SUBJECTS = "责任对象"
ITEMS = "检查项"
SHEETS = (SETTINGS, GRADES, SUBJECTS, ITEMS)


@dataclass(frozen=True)
class Column:
    """One column of a table sheet, or one row of the settings sheet.

    kind: how a cell is read and written — text, number, int, bool, list, modes, date,
    severity, deduction_kind, covert, floor, raw (see workbook_values), or rule (扣分标准).
    """

    zh: str
    en: str
    path: str
    kind: str = "text"
    required: bool = False  # the header (or setting) must be present

    def names(self) -> tuple[str, str]:
        return self.zh, self.en


SETTING_ROWS: tuple[Column, ...] = (
    Column("编号", "id", "id", required=True),
    Column("版本", "version", "version", "int", required=True),
    Column("标题", "title", "title", required=True),
    Column("英文标题", "title_en", "title_en"),
    Column("说明", "description", "description"),
    Column("适用场所", "site_types", "site_types", "list"),
    Column("检查方式", "modes", "modes", "modes", required=True),
    Column("合格线", "pass_mark", "scoring.pass_mark", "number", required=True),
    Column("等级/合格线自定", "scoring_assumed", "scoring.assumed", "bool"),
    Column("自定说明", "scoring_assumed_note", "scoring.assumed_note"),
    Column("分主体评分", "per_subject", "scoring.per_subject", "bool"),
    Column("整改天数(一般)", "rectification_days_minor", "rectification_days.minor", "int"),
    Column("整改天数(较重)", "rectification_days_major", "rectification_days.major", "int"),
    Column("整改天数(严重)", "rectification_days_critical", "rectification_days.critical", "int"),
    Column("文件编号", "document_code", "document.code", required=True),
    Column("版次", "revision", "document.revision"),
    Column("生效日期", "effective", "document.effective", "date", required=True),
    Column("批准", "approver", "document.approver", required=True),
    Column("发布", "issuer", "document.issuer"),
    Column("暗访仅限现场拍照", "covert_camera_only", "covert_camera_only", "bool"),
)
SETTING_HEADERS = (
    Column("项目", "setting", "name", required=True),
    Column("值", "value", "value", "raw", required=True),  # read as its setting says
)

GRADE_COLUMNS: tuple[Column, ...] = (
    Column("等级", "grade", "code", required=True),
    Column("英文", "title_en", "title_en"),
    Column("最低分", "min", "min", "number", required=True),
)

SUBJECT_COLUMNS: tuple[Column, ...] = (
    Column("编码", "code", "code", required=True),
    Column("名称", "title", "title", required=True),
    Column("英文名称", "title_en", "title_en"),
)

# Columns whose path starts with "category." belong to the category: given on its first row.
CATEGORY = "category."
ITEM_COLUMNS: tuple[Column, ...] = (
    Column("类别编号", "category_code", "category.code", required=True),
    Column("类别", "category", "category.title", required=True),
    Column("类别英文", "category_en", "category.title_en"),
    Column("类别分值", "category_max", "category.max", "number", required=True),
    Column("扣完为止", "floor", "category.floor", "floor"),
    Column("类别责任对象", "category_subject", "category.subject", "subject"),
    Column("类别自定分值", "category_assumed", "category.assumed", "bool"),
    Column("类别自定说明", "category_assumed_note", "category.assumed_note"),
    Column("编号", "code", "code", required=True),
    Column("检查内容", "text", "text", required=True),
    Column("英文", "text_en", "text_en"),
    Column("检查方法", "guidance", "guidance"),
    Column("扣分标准", "rule", "rule", "rule"),
    Column("扣分方式", "deduction", "deduction.kind", "deduction_kind"),
    Column("分值", "points", "deduction.points", "number"),
    Column("上限", "cap", "deduction.cap", "number"),
    Column("下限值", "min", "deduction.min", "number"),
    Column("上限值", "max", "deduction.max", "number"),
    Column("步长", "step", "deduction.step", "number"),
    Column("单位", "unit", "deduction.unit"),
    Column("适用方式", "modes", "covert_ok", "covert"),
    Column("不合格需拍照", "photo_on_fail", "photo_on_fail", "bool"),
    Column("可不适用", "na_allowed", "na_allowed", "bool"),
    Column("严重程度", "severity", "severity", "severity"),
    Column("责任对象", "subject", "subject", "subject"),
    Column("来源", "source", "source", required=True),
    Column("自定分值", "assumed", "assumed", "bool"),
    Column("自定说明", "assumed_note", "assumed_note"),
    Column("仅限现场拍照", "camera_only", "camera_only", "bool"),  # last: older letters stay
)
# The explicit deduction fields, authoritative when 扣分方式 is given.
DEDUCTION_FIELDS = ("points", "cap", "min", "max", "step", "unit")

TABLES: dict[str, tuple[Column, ...]] = {
    SETTINGS: SETTING_HEADERS,
    GRADES: GRADE_COLUMNS,
    SUBJECTS: SUBJECT_COLUMNS,
    ITEMS: ITEM_COLUMNS,
}


def column_for(columns: tuple[Column, ...], path: str) -> Column:
    return next(c for c in columns if c.path == path)
