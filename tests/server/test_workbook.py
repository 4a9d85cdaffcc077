"""Checklist workbooks (.xlsx): every template round-trips; every problem is reported at its
sheet, row and column, and nothing is produced unless the whole workbook is valid."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from fieldcore.checklist import Template
from fieldcore.deduction_rules import read_deduction
from fieldcore.template_loader import TemplateError, parse_template
from sync_server.templates.catalog import load_catalog
from sync_server.templates.template_json import template_json
from sync_server.templates.workbook import read_workbook, write_workbook

CATALOG = load_catalog()
MALL = next(t for t in CATALOG if t.id == "mall-property")


def why_not(phrase: str) -> str:
    """The reader's reason for not understanding a phrase (its wording is the reader's)."""
    reading = read_deduction(phrase)
    assert reading.deduction is None and reading.problem
    return reading.problem


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(TemplateError) as caught:
        read_workbook(data, "book.xlsx")
    assert caught.value.source == "book.xlsx"
    return caught.value.problems


def edited(template: Template, edit: Callable[[Workbook], None]) -> bytes:
    """The template's workbook after `edit`, as a person would change it in Excel."""
    book = load_workbook(io.BytesIO(write_workbook(template)))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column(sheet: Worksheet, header: str) -> int:
    return next(c.column for c in sheet[1] if c.value == header)


def put(book: Workbook, sheet: str, row: int, header: str, value: Any) -> None:
    ws = book[sheet]
    ws.cell(row, column(ws, header)).value = value


@pytest.mark.parametrize("template", CATALOG, ids=lambda t: t.key)
def test_every_catalog_template_reads_back_from_its_workbook(template: Template) -> None:
    assert read_workbook(write_workbook(template), f"{template.key}.xlsx") == template


@pytest.mark.parametrize("template", CATALOG, ids=lambda t: t.key)
def test_template_json_is_pretty_stable_and_loads(template: Template) -> None:
    text = template_json(template)
    assert parse_template(text, f"{template.key}.json") == template
    assert text.startswith('{\n  "id": ') and text.endswith("}\n") and "\\u" not in text
    assert template_json(parse_template(text)) == text


def test_assumed_values_per_subject_and_unusual_values_round_trip() -> None:
    category = MALL.categories[0]
    item = category.items[0].model_copy(
        update={"assumed": True, "assumed_note": "种子未给分值,本表定为1分", "text_en": ""}
    )
    figure = category.items[1].model_copy(
        update={
            "guidance": "=SUM(A1:A2) 不是公式",
            "deduction": category.items[1].deduction.model_copy(
                update={
                    "kind": "figure",
                    "points": Decimal("0.5"),
                    "min": Decimal("12.345"),
                    "cap": None,
                    "step": Decimal("0.1"),
                    "unit": "‰",
                }
            ),
        }
    )
    changed = category.model_copy(
        update={
            "assumed": True,
            "assumed_note": "本类分值自定",
            "floor": "none",
            "items": [item, figure, *category.items[2:]],
        }
    )
    scoring = MALL.scoring.model_copy(
        update={"assumed": True, "assumed_note": "等级自定", "per_subject": True}
    )
    template = MALL.model_copy(
        update={
            "categories": [changed, *MALL.categories[1:]],
            "scoring": scoring,
            "rectification_days": {"minor": 10, "critical": 1},
            "description": "",
        }
    )
    template = parse_template(template_json(template))  # a valid template, checked
    assert read_workbook(write_workbook(template), "t.xlsx") == template


def test_several_problems_are_all_reported_by_cell_and_nothing_is_produced() -> None:
    def edit(book: Workbook) -> None:
        book["设置"]["B3"] = "第二版"  # 版本
        book["检查项"].cell(1, 40).value = "备注"
        put(book, "检查项", 3, "分值", -1)
        put(book, "检查项", 4, "扣分方式", None)
        put(book, "检查项", 4, "扣分标准", "视情况酌情扣分")
        put(book, "检查项", 5, "不合格需拍照", "也许")
        put(book, "检查项", 6, "严重程度", "很严重")
        put(book, "等级", 3, "最低分", "九十")
        put(book, "检查项", 8, "编号", "1.1")  # a duplicate: a template rule, found as well
        put(book, "检查项", 2, "编号", "1.1")
        put(book, "检查项", 9, "编号", "第九条")  # not a code: its duplicates are not sought
        book.create_sheet("草稿")

    assert problems_of(edited(MALL, edit)) == [
        "草稿: unknown sheet (the sheets: 设置、等级、责任对象、检查项)",
        "设置!B3 版本: must be a whole number",
        "等级!C3 最低分: must be a number",
        "检查项!AN1 备注: unknown column (the columns: 类别编号、类别、类别英文、类别分值、"
        "扣完为止、类别责任对象、类别自定分值、类别自定说明、编号、检查内容、英文、检查方法、"
        "扣分标准、扣分方式、分值、上限、下限值、上限值、步长、单位、适用方式、不合格需拍照、"
        "可不适用、严重程度、责任对象、来源、自定分值、自定说明、仅限现场拍照)",
        "检查项!I2, I8 编号: duplicate code '1.1'",
        "检查项!O3 分值: must be > 0",
        f"检查项!M4 扣分标准: '视情况酌情扣分' not understood: {why_not('视情况酌情扣分')}",
        "检查项!V5 不合格需拍照: must be 是 or 否 (yes or no)",
        "检查项!X6 严重程度: must be one of 一般 (minor), 较重 (major), 严重 (critical)",
        "检查项!I9 编号: has the wrong format (expected ^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)*$)",
    ]


def test_template_rules_are_reported_at_the_cells_they_came_from() -> None:
    def edit(book: Workbook) -> None:
        put(book, "检查项", 3, "编号", "1.1")
        put(book, "检查项", 2, "编号", "1.1")
        put(book, "检查项", 4, "自定分值", "否")
        put(book, "检查项", 4, "自定说明", "没有标自定")
        put(book, "检查项", 5, "扣分方式", "固定扣分")
        put(book, "检查项", 5, "上限", 3)
        put(book, "检查项", 2, "类别责任对象", "nobody")
        put(book, "等级", 2, "最低分", 0)  # a second band starting at 0
        put(book, "检查项", 6, "扣分方式", "看着办")  # unreadable: its other columns are not judged
        put(book, "检查项", 6, "上限", 3)

    last_grade = len(MALL.scoring.grades) + 1
    assert problems_of(edited(MALL, edit)) == [
        f"等级!C2, C{last_grade} 最低分: duplicate code '0'",
        "检查项!F2 类别责任对象: 'nobody' is not in subjects",
        "检查项!I2, I3 编号: duplicate code '1.1'",
        "检查项!AB4 自定说明: only an assumed value has a note (set assumed: true)",
        "检查项!P5 上限: only per_occurrence and figure deductions can be capped, not fixed",
        "检查项!N6 扣分方式: must be one of 固定扣分 (fixed), 按次扣分 (per_occurrence), "
        "本类不得分 (zero_category), 一票否决 (veto), 按数值扣分 (figure)",
    ]


def test_a_blank_kind_is_read_from_the_rule_in_words() -> None:
    def edit(book: Workbook) -> None:
        for header in ("扣分方式", "分值", "上限"):
            put(book, "检查项", 2, header, None)
        put(book, "检查项", 2, "扣分标准", "一项不符扣3分。")

    item = read_workbook(edited(MALL, edit), "b.xlsx").categories[0].items[0]
    assert (item.deduction.kind, item.deduction.points) == ("fixed", Decimal(3))


def test_explicit_columns_must_agree_with_the_rule_when_the_kind_is_blank() -> None:
    def edit(book: Workbook) -> None:
        put(book, "检查项", 2, "扣分方式", None)
        put(book, "检查项", 2, "上限", None)
        put(book, "检查项", 2, "分值", 5)
        put(book, "检查项", 2, "扣分标准", "扣2分")

    assert problems_of(edited(MALL, edit)) == [
        "检查项!O2 分值: 5 disagrees with 扣分标准, read as 一项不符扣2分 (分值 2); "
        "fill 扣分方式 to make the columns count, or correct one"
    ]


def test_the_explicit_columns_count_when_the_kind_is_given() -> None:
    def edit(book: Workbook) -> None:
        put(book, "检查项", 2, "扣分方式", "fixed")
        put(book, "检查项", 2, "上限", None)
        put(book, "检查项", 2, "分值", 4)
        put(book, "检查项", 2, "扣分标准", "本单位自己的说法,读不懂也无妨")

    item = read_workbook(edited(MALL, edit), "b.xlsx").categories[0].items[0]
    assert (item.deduction.kind, item.deduction.points) == ("fixed", Decimal(4))


def test_a_row_without_kind_or_rule_is_an_error_at_its_cell() -> None:
    def edit(book: Workbook) -> None:
        put(book, "检查项", 7, "扣分方式", None)
        put(book, "检查项", 7, "扣分标准", None)

    assert problems_of(edited(MALL, edit)) == [
        "检查项!M7 扣分标准: give 扣分方式 or 扣分标准 (how a failed item takes points)"
    ]


def sheet_rows(book: Workbook, name: str, rows: Sequence[Sequence[object]]) -> None:
    ws = book.create_sheet(name)
    for row in rows:
        ws.append(row)


def handmade(
    items: Sequence[Sequence[object]], settings: Sequence[Sequence[object]] | None = None
) -> bytes:
    """A workbook as an organisation writes it: few columns, in its own order."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    sheet_rows(
        book,
        "设置",
        settings
        or [
            ["项目", "值"],
            ["编号", "night-check"],
            ["版本", 2],
            ["标题", "夜间巡查表"],
            ["检查方式", "明查、暗访"],
            ["合格线", 80],
            ["文件编号", "NC-01"],
            ["生效日期", "2026-12-01"],
            ["批准", "安保部"],
        ],
    )
    sheet_rows(book, "等级", [["等级", "最低分"], ["合格", 80], ["不合格", 0]])
    sheet_rows(book, "责任对象", [["编码", "名称"], ["site", "门店"], ["guard", "保安"]])
    sheet_rows(book, "检查项", items)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ITEM_HEADER = ["编号", "检查内容", "扣分标准", "来源", "类别编号", "类别", "类别分值", "责任对象"]


def test_a_handmade_workbook_with_columns_in_any_order_and_heading_rows() -> None:
    template = read_workbook(
        handmade(
            [
                ITEM_HEADER,
                [None, None, None, None, "1", "岗位", 10],  # a heading row
                ["1.1", "按时到岗", "扣2分", "002:L5", None, None, None, "保安"],
                [],
                ["1.2", "着装整齐", "一项不符扣1分", "002:L6"],
                ["2.1", "门窗关闭", "扣5分", "002:L9", "2", "安全", 20],
            ]
        ),
        "night.xlsx",
    )
    assert (template.key, template.modes, template.scoring.pass_mark) == (
        "night-check.v2",
        ["overt", "covert"],
        Decimal(80),
    )
    assert [(c.code, c.max, [i.code for i in c.items]) for c in template.categories] == [
        ("1", Decimal(10), ["1.1", "1.2"]),
        ("2", Decimal(20), ["2.1"]),
    ]
    first = template.categories[0].items[0]
    assert (first.subject, first.deduction.points, first.covert_ok) == ("guard", Decimal(2), True)


def test_headers_missing_values_and_settings_are_named() -> None:
    problems = problems_of(
        handmade(
            [
                ["编号", "检查内容", "来源", "类别编号", "类别"],
                ["1.1", "x", "002:L5", "1", "岗位"],
                ["1.2", "y", "002:L6", "1", "另一个名字", None, "多出来的"],
            ],
            settings=[
                ["项目", "值"],
                ["编号", "night-check"],
                ["版本", 1],
                ["颜色", "红"],
                ["版本", 2],
                [None, "无名"],
            ],
        )
    )
    assert problems == [
        "设置 标题: is required",
        "设置 检查方式: is required",
        "设置 合格线: is required",
        "设置 文件编号: is required",
        "设置 生效日期: is required",
        "设置 批准: is required",
        "设置!A4 项目: unknown setting '颜色' (the settings: 编号、版本、标题、英文标题、说明、"
        "适用场所、检查方式、合格线、等级/合格线自定、自定说明、分主体评分、整改天数(一般)、"
        "整改天数(较重)、整改天数(严重)、文件编号、版次、生效日期、批准、发布、暗访仅限现场拍照)",
        "设置!A5 项目: 版本 given twice (also row 3)",
        "设置!A6 项目: a value without its setting's name",
        "检查项!1:1 类别分值: required column is missing",
        "检查项!1:1 扣分标准: give 扣分方式 or 扣分标准 (the columns are missing)",
        "检查项!E3 类别: differs from row 2, the category's first row "
        "(give a category's columns on its first row)",
        "检查项!G3: a value in a column without a header",
    ]


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, not a workbook", b"PK\x03\x04broken", b"\xd0\xcf\x11\xe0 old .xls"],
    ids=["empty", "text", "broken-zip", "xls"],
)
def test_garbage_is_one_clear_problem(data: bytes) -> None:
    (problem,) = problems_of(data)
    assert problem.startswith("not an Excel workbook (.xlsx; 请另存为 Excel 工作簿)")


def test_a_zip_that_is_not_a_workbook_is_one_clear_problem() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    (problem,) = problems_of(out.getvalue())
    assert problem.startswith("not an Excel workbook")


def doc_example() -> dict[str, list[list[object]]]:
    """The sheets of XLSX.md's example, as the tables the document shows."""
    text = (Path(__file__).parents[2] / "assets/checklists/XLSX.md").read_text(encoding="utf-8")
    example = text.split("## Example", 1)[1]
    heading = r"\n`([^`]+)`[^\n]*:\n"  # `设置`: … introduces a sheet's table
    sheets: dict[str, list[list[object]]] = {}
    for name, body in zip(
        re.findall(heading, example), re.split(heading, example)[2::2], strict=True
    ):
        lines = [line for line in body.strip().splitlines() if line.startswith("|")]
        rows = [[cell.strip() or None for cell in line.strip("|").split("|")] for line in lines]
        sheets[name] = [rows[0], *rows[2:]]  # without the |---| line
    return sheets


def test_the_documented_example_reads_as_described() -> None:
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for name, rows in doc_example().items():
        sheet_rows(book, name, rows)
    out = io.BytesIO()
    book.save(out)
    template = read_workbook(out.getvalue(), "example.xlsx")
    assert (template.key, template.scoring.assumed) == ("night-check.v2", True)
    items = template.items_by_code
    assert items["1.1"][1].deduction.model_dump(exclude_defaults=True) == {
        "kind": "fixed",
        "points": Decimal(2),
    }
    assert (items["1.1"][1].subject, items["1.2"][1].subject) == ("guard", "guard")
    assert items["1.2"][1].deduction.model_dump(exclude_defaults=True) == {
        "kind": "per_occurrence",
        "points": Decimal(1),
        "cap": Decimal(3),
    }
    assert (items["2.1"][1].deduction.points, items["2.1"][1].covert_ok) == (Decimal(5), False)
    assert [c.max for c in template.categories] == [Decimal(10), Decimal(20)]


def test_a_workbook_with_a_broken_sheet_is_one_clear_problem() -> None:
    broken = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(write_workbook(MALL))) as source,
        zipfile.ZipFile(broken, "w") as target,
    ):
        for info in source.infolist():
            body = source.read(info.filename)
            cut = info.filename == "xl/worksheets/sheet4.xml"  # 检查项
            target.writestr(info, body[: len(body) // 2] if cut else body)
    (problem,) = problems_of(broken.getvalue())
    assert problem.startswith("not an Excel workbook (.xlsx; 请另存为 Excel 工作簿): ParseError")


def test_without_the_category_column_the_items_are_not_judged_one_by_one() -> None:
    problems = problems_of(
        handmade([["编号", "检查内容", "扣分标准", "来源"], ["1.1", "x", "扣1分", "002:L5"]])
    )
    assert problems == [
        "检查项!1:1 类别编号: required column is missing",
        "检查项!1:1 类别: required column is missing",
        "检查项!1:1 类别分值: required column is missing",
    ]


def test_an_item_before_any_category_is_named() -> None:
    problems = problems_of(
        handmade(
            [
                ITEM_HEADER,
                ["0.1", "无类别", "扣1分", "002:L4"],
                ["1.1", "按时到岗", "扣2分", "002:L5", "1", "岗位", 10],
            ]
        )
    )
    assert problems == ["检查项!E2 类别编号: the first row needs the category's 类别编号"]


def test_explicit_columns_add_what_the_rule_does_not_say_and_are_judged() -> None:
    def edit(book: Workbook) -> None:
        put(book, "检查项", 2, "扣分方式", None)
        put(book, "检查项", 2, "分值", None)
        put(book, "检查项", 2, "上限", 3)
        put(book, "检查项", 2, "扣分标准", "扣2分")

    assert problems_of(edited(MALL, edit)) == [
        "检查项!P2 上限: only per_occurrence and figure deductions can be capped, not fixed"
    ]


def test_the_written_workbook_offers_the_words_of_its_choice_columns() -> None:
    sheet = load_workbook(io.BytesIO(write_workbook(MALL)))["检查项"]
    offered = {
        get_column_letter(column(sheet, "扣分方式")): None,
        get_column_letter(column(sheet, "严重程度")): None,
    }
    for rule in sheet.data_validations.dataValidation:
        letter = str(rule.sqref).split(":")[0].rstrip("0123456789")
        if letter in offered:
            offered[letter] = rule.formula1
    assert list(offered.values()) == [
        '"固定扣分,按次扣分,本类不得分,一票否决,按数值扣分"',
        '"一般,较重,严重"',
    ]


@pytest.mark.parametrize(
    ("phrase", "deduction"),
    [
        ("出现一次扣2分,最多扣6分", {"kind": "per_occurrence", "points": 2, "cap": 6}),
        ("低于90%的,每少1%扣2分", {"kind": "figure", "points": 2, "min": 90}),
        ("一票否决", {"kind": "veto"}),
    ],
)
def test_the_readers_phrasing_fills_a_blank_kind(phrase: str, deduction: dict[str, int]) -> None:
    def edit(book: Workbook) -> None:
        for header in ("扣分方式", "分值", "上限", "下限值", "上限值", "步长", "单位"):
            put(book, "检查项", 2, header, None)
        put(book, "检查项", 2, "扣分标准", phrase)

    item = read_workbook(edited(MALL, edit), "b.xlsx").categories[0].items[0]
    assert item.deduction.model_dump(exclude_defaults=True) == {
        k: v if isinstance(v, str) else Decimal(v) for k, v in deduction.items()
    }


def test_a_sheet_that_states_a_wrong_size_is_read_whole() -> None:
    """Some programs write a <dimension> smaller than the data; every cell is still read."""
    shrunk = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(write_workbook(MALL))) as source,
        zipfile.ZipFile(shrunk, "w") as target,
    ):
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                body = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', body)
            target.writestr(info, body)
    assert read_workbook(shrunk.getvalue(), "shrunk.xlsx") == MALL


def test_english_headers_and_words_and_excel_booleans_are_understood() -> None:
    header = [
        "code",
        "text",
        "deduction",
        "points",
        "cap",
        "source",
        "category_code",
        "category",
        "category_max",
        "modes",
        "severity",
        "photo_on_fail",
        "na_allowed",
    ]
    template = read_workbook(
        handmade(
            [
                header,
                [
                    "1.1",
                    "按时到岗",
                    "per_occurrence",
                    1,
                    3,
                    "002:L5",
                    "1",
                    "岗位",
                    10,
                    "overt only",
                    "Major",
                    True,
                    "no",
                ],
                [
                    "1.2",
                    "着装整齐",
                    "固定扣分",
                    2,
                    None,
                    "002:L6",
                    None,
                    None,
                    None,
                    "明查 , 暗访",
                    "严重",
                    "是",
                    False,
                ],
            ]
        ),
        "en.xlsx",
    )
    first, second = template.categories[0].items
    assert (first.deduction.kind, first.deduction.cap, first.covert_ok) == (
        "per_occurrence",
        Decimal(3),
        False,
    )
    assert (first.severity, first.photo_on_fail, first.na_allowed) == ("major", True, False)
    assert (second.covert_ok, second.severity, second.photo_on_fail) == (True, "critical", True)
    assert second.na_allowed is False
