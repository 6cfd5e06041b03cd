"""The exported breakdown: formatted for handing around, safe against formula injection, and a round trip."""

import datetime
import io

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from tasks.excel import export_workbook, plan_import, read_sheet
from tasks.models import Task
from tests.tasks.test_excel_import import HEADER, run_import, xlsx_bytes

TODAY = datetime.date(2026, 11, 27)


def _typed_as_text(ws) -> None:
    """Row 5's formula-like cells stored as text, the way a spreadsheet program keeps what a user typed."""
    for c in (3, 4, 10, 11, 12):
        ws.cell(row=5, column=c).data_type = "s"


@pytest.fixture
def imported(cast, campaign):
    from tests.factories import CriterionFactory

    CriterionFactory(campaign=campaign, code="1.1.1", title="党组理论学习中心组学习")
    data = xlsx_bytes(
        [
            [*HEADER, "状态"],
            [
                1,
                "1.1.1",
                "组织理论学习",
                "每月一次",
                "办公室",
                "研究室、提案委员会办公室",
                "赵国强",
                "陈静",
                "每月",
                "会议记录",
                "",
                "",
                "进行中",
            ],
            [
                2,
                "",
                "开展志愿服务",
                "",
                "研究室",
                "",
                "",
                "张伟、钱多多",
                "2026-09-30",
                "照片",
                "已开展两次活动",
                "重点",
                "已完成",
            ],
            [2.1, "", "社区服务", "", "研究室", "", "", "", "长期", "", "", "", "待审核"],
            [
                3,
                "",
                '=HYPERLINK("http://example.com")',
                "+1 各科室",
                "提案委员会办公室",
                "",
                "",
                "",
                "",
                "-2 份",
                "@所有人",
                "=1+1",
                "已退回",
            ],
        ],
        build=_typed_as_text,
    )
    run_import(data, campaign, cast.coordinator)
    return data


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def content(data: bytes) -> dict:
    """Every sheet's cell values, merged ranges and the print titles: what a reader of the workbook sees."""
    book = load(data)
    return {
        ws.title: (
            [[c.value for c in row] for row in ws.iter_rows()],
            sorted(str(r) for r in ws.merged_cells.ranges),
            ws.print_title_rows,
        )
        for ws in book.worksheets
    }


def test_the_export_is_formatted_for_print_and_reading(imported, campaign):
    ws = load(export_workbook(campaign, today=TODAY)).active
    assert isinstance(ws, Worksheet)

    assert ws["A1"].value == "某市政协机关创建全国文明单位工作任务分解表"
    assert ws["A1"].font.bold and ws["A1"].font.size == 16
    assert "A1:N1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[3]] == [
        "序号", "标准编码", "测评标准", "工作任务", "具体措施", "牵头科室", "配合科室",
        "分管领导", "责任人", "完成时限", "佐证材料要求", "状态", "进展情况", "备注",
    ]  # fmt: skip
    assert ws["A3"].font.bold and ws["A3"].fill.fgColor.rgb.endswith("1F4E79")
    assert ws.freeze_panes == "B4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize or 0) == 9  # A4
    fit = ws.sheet_properties.pageSetUpPr
    assert fit and fit.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.column_dimensions["D"].width > ws.column_dimensions["A"].width
    assert ws["D4"].alignment.wrap_text
    rules = [rule.formula[0] for rng in ws.conditional_formatting for rule in rng.rules]
    assert {'"已完成"', '"进行中"', '"待审核"', '"已退回"', '"未开始"'} <= set(rules)
    rows = {ws.cell(row=r, column=1).value: [c.value for c in ws[r]] for r in range(4, ws.max_row + 1)}
    assert rows["1"][5:10] == ["办公室", "研究室、提案委员会办公室", "赵国强", "陈静", "每月"]
    assert rows["2"][9] == datetime.datetime(2026, 9, 30)
    assert rows["2"][11:13] == ["已完成", "已开展两次活动"]  # 状态 and the latest progress
    assert rows["2.1"][9] == "长期"
    assert rows["1"][1:3] == ["1.1.1", "党组理论学习中心组学习"]
    heights = {ws.cell(row=r, column=1).value: ws.row_dimensions[r].height for r in range(4, ws.max_row + 1)}
    assert heights == {"1": 30, "2": 30, "2.1": 15, "3": 30}  # wrapped text gets its lines (two here)


def test_text_that_looks_like_a_formula_is_exported_as_text(imported, campaign):
    ws = load(export_workbook(campaign, today=TODAY)).active
    assert isinstance(ws, Worksheet)
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=1).value == "3")
    cells = [ws.cell(row=row, column=c) for c in (4, 5, 11, 13, 14)]
    assert [c.value for c in cells] == ['=HYPERLINK("http://example.com")', "+1 各科室", "-2 份", "@所有人", "=1+1"]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_only_formula_like_cells_are_quoted(imported, campaign):
    """Cells share their kind's style, so marking one quoted must not mark the others."""
    ws = load(export_workbook(campaign, today=TODAY)).active
    assert isinstance(ws, Worksheet)
    quoted = {
        (ws.cell(row=r, column=1).value, c)
        for r in range(4, ws.max_row + 1)
        for c in range(1, 15)
        if ws.cell(row=r, column=c).quotePrefix
    }
    assert quoted == {("3", 4), ("3", 5), ("3", 11), ("3", 13), ("3", 14)}
    assert not any(c.quotePrefix for c in ws[3])  # nor the header


def test_one_sheet_per_office_can_be_added(imported, campaign):
    book = load(export_workbook(campaign, by_office=True, today=TODAY))
    assert book.sheetnames == ["工作任务分解表", "办公室", "研究室", "提案委员会办公室"]
    assert [book["研究室"].cell(row=r, column=1).value for r in (4, 5)] == ["2", "2.1"]
    assert book["研究室"]["A1"].value.endswith("（研究室）")


def test_importing_an_export_changes_nothing(imported, campaign):
    exported = export_workbook(campaign, today=TODAY)
    plan = plan_import(read_sheet(exported, filename="导出.xlsx", campaign=campaign), campaign=campaign)
    assert plan.ok, [str(e) for e in plan.sheet.errors]
    assert (len(plan.created), len(plan.updated), len(plan.missing)) == (0, 0, 0)
    assert len(plan.unchanged) == 4


def test_export_import_export_gives_the_same_workbook(imported, cast, campaign):
    first = export_workbook(campaign, by_office=True, today=TODAY)
    Task.objects.filter(parent__isnull=False).delete()
    Task.objects.all().delete()
    run_import(first, campaign, cast.coordinator)  # into an empty campaign: everything is created again

    second = export_workbook(campaign, by_office=True, today=TODAY)

    assert content(second) == content(first)


def test_the_export_asks_the_database_the_same_number_of_times_however_many_tasks(imported, campaign, cast):
    export_workbook(campaign, today=TODAY)  # warm-up
    # campaign tasks with lead office/leader/parent joined and the latest progress as a subquery (1), then the
    # prefetches of supporting offices, responsible people and standards (3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        export_workbook(campaign, today=TODAY)
    more = [[n, "", f"任务{n}", "", "研究室", "办公室", "", "张伟", "", "", "", ""] for n in range(10, 40)]
    run_import(xlsx_bytes([HEADER, *more]), campaign, cast.coordinator)
    with CaptureQueriesContext(connection) as many:
        export_workbook(campaign, today=TODAY)
    assert len(few) == len(many) == 4
