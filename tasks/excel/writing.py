"""The exported breakdown: a workbook people would hand around, and that reads back through the import unchanged.

Title rows, a styled header row frozen and repeated on every printed page, column widths, wrapped text, status
colours as conditional fills, a drop-down of the workflow's words in 状态, A4 landscape fitted to the page width;
optionally one more sheet per lead office. Text is written with civunit.xlsx.set_text, so a cell beginning with
= + - @ stays text and can never run as a formula.
"""

from __future__ import annotations

import datetime
import io
import re
from typing import cast

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from civunit.xlsx import set_text

from .columns import EXPORT_COLUMNS, RECURRENCE_LABEL, STATUS_LABEL, STATUS_WORDS
from .planning import leader_text, office_names, responsible_list, tasks_for_plan

HEADER_ROW = 3
STATUS_FILLS = {  # 状态 word -> background colour
    "未开始": "EDEDED",
    "进行中": "DDEBF7",
    "待审核": "FFF2CC",
    "已完成": "E2EFDA",
    "已退回": "F8CBAD",
}
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", start_color="1F4E79", end_color="1F4E79")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def export_workbook(campaign, *, by_office: bool = False, today: datetime.date | None = None) -> bytes:
    """The campaign's breakdown as .xlsx bytes (one query set of 5 queries, whatever the number of tasks)."""
    today = today or timezone.localdate()
    tasks = list(tasks_for_plan(campaign))
    book = Workbook()
    ws = cast(Worksheet, book.active)
    ws.title = "工作任务分解表"
    title = f"{campaign.organ_name}{campaign.title}工作任务分解表"
    _fill(ws, tasks, title=title, today=today)
    if by_office:
        used = {ws.title}
        offices: dict[int, tuple] = {}
        for task in tasks:
            offices.setdefault(task.lead_office_id, (task.lead_office, []))[1].append(task)
        for office, office_tasks in sorted(offices.values(), key=lambda v: (v[0].ordering, v[0].name)):
            name = _sheet_name(office.name, used)
            _fill(book.create_sheet(name), office_tasks, title=f"{title}（{office.name}）", today=today)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    base = BAD_SHEET_CHARS.sub("", name)[:28] or "Sheet"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}{n}", n + 1
    used.add(candidate)
    return candidate


def _values(task) -> dict[str, object]:
    standards = sorted(task.standards.all(), key=lambda c: (c.ordering, c.code))
    if task.recurrence in RECURRENCE_LABEL:
        deadline: object = RECURRENCE_LABEL[task.recurrence]
    else:
        deadline = task.deadline
    return {
        "code": task.code,
        "standard_code": "、".join(c.code for c in standards),
        "standard": "\n".join(c.title for c in standards),
        "title": task.title,
        "measures": task.measures,
        "lead_office": task.lead_office.name,
        "supporting_offices": office_names(task.supporting_offices.all()),
        "leader": leader_text(task),
        "people": "、".join(responsible_list(task)),
        "deadline": deadline,
        "evidence": task.evidence_requirement,
        "status": STATUS_LABEL[task.status],
        "progress": task.latest_progress or "",
        "notes": task.notes,
    }


def _text_units(text: str) -> int:
    """Width of a line in Excel's units: Chinese characters (and other wide ones) take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _row_height(values: dict, keys: list[str], widths: list[int]) -> float:
    """Enough height for the wrapped text (LibreOffice and WPS do not grow rows whose text wraps on opening)."""
    lines = 1
    for key, width in zip(keys, widths, strict=True):
        value = values[key]
        if isinstance(value, str) and value:
            usable = max(width - 1, 1)
            lines = max(lines, sum(max(1, -(-_text_units(line) // usable)) for line in value.split("\n")))
    return min(15 * lines, 409)  # points; Excel's maximum row height is 409


def _fill(ws, tasks, *, title: str, today: datetime.date) -> None:
    width = len(EXPORT_COLUMNS)
    last_col = get_column_letter(width)
    ws.merge_cells(f"A1:{last_col}1")
    set_text(ws["A1"], title)
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    ws.merge_cells(f"A2:{last_col}2")
    ws["A2"] = f"截至{today.year}年{today.month}月{today.day}日，共{len(tasks)}项任务"
    ws["A2"].alignment = Alignment(horizontal="right")
    ws["A2"].font = Font(size=10, color="595959")

    for c, (_key, header, col_width) in enumerate(EXPORT_COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=c, value=header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = WRAP_CENTER
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(c)].width = col_width
    ws.row_dimensions[HEADER_ROW].height = 24

    keys = [key for key, _header, _width in EXPORT_COLUMNS]
    widths = [w for _key, _header, w in EXPORT_COLUMNS]
    body = Font(size=10)
    for r, task in enumerate(tasks, start=HEADER_ROW + 1):
        values = _values(task)
        ws.row_dimensions[r].height = _row_height(values, keys, widths)
        for c, key in enumerate(keys, start=1):
            cell = ws.cell(row=r, column=c)
            value = values[key]
            if isinstance(value, datetime.date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            else:
                set_text(cell, value or None)
                if key == "code":
                    cell.number_format = "@"
            cell.font = body
            cell.border = BORDER
            cell.alignment = WRAP_CENTER if key in ("code", "status", "deadline") else WRAP_TOP

    last_row = max(HEADER_ROW + len(tasks), HEADER_ROW + 1)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{last_row}"
    status_col = get_column_letter(keys.index("status") + 1)
    status_range = f"{status_col}{HEADER_ROW + 1}:{status_col}{last_row}"
    for word, colour in STATUS_FILLS.items():
        fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
        ws.conditional_formatting.add(status_range, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill))
    choices = DataValidation(type="list", formula1='"{}"'.format(",".join(STATUS_WORDS)), allow_blank=True)
    choices.error = "请选择：" + "、".join(STATUS_WORDS)
    ws.add_data_validation(choices)
    choices.add(status_range)

    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
