"""The self-check and rectification list (自查整改清单) as a workbook: one row per finding, in the page's order
(by 测评项目, most serious first), with the standard, the finding and the items it names, the office responsible,
the suggested measure, the deadline and the state of its rectification. Title rows, a frozen header repeated on
every printed page, wrapped text, A4 landscape fitted to the width; text goes through civunit.xlsx.set_text, so
a title beginning with = + - @ stays text and never runs as a formula.
"""

from __future__ import annotations

import datetime
import io
from typing import cast

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from civunit.reports.models import Severity
from civunit.xlsx import set_text

from .selectors import FindingRow, ReadinessReport
from .services import rectification_deadline

HEADER_ROW = 3
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", start_color="1F4E79", end_color="1F4E79")
SEVERITY_FILLS = {Severity.CRITICAL: "F8CBAD", Severity.WARNING: "FFF2CC", Severity.NOTICE: "EDEDED"}
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
CENTERED = ("number", "severity", "deadline", "state")


def _columns() -> list[tuple[str, str, int]]:
    return [
        ("number", _("No."), 6),
        ("item", _("Evaluation item"), 16),
        ("standard", _("Standard"), 30),
        ("finding", _("Finding"), 34),
        ("items", _("Items concerned"), 40),
        ("severity", _("Severity"), 8),
        ("office", _("Office responsible"), 14),
        ("measure", _("Suggested measure"), 34),
        ("deadline", pgettext("rectification list", "Deadline"), 12),
        ("state", pgettext("rectification list", "State"), 16),
    ]


def _values(number: int, row: FindingRow, *, report: ReadinessReport) -> dict[str, object]:
    criterion = row.criterion
    items = "\n".join(m.text for m in row.mentions)
    if row.more:
        items += "\n" + _("and %(n)s more") % {"n": row.more}
    deadline: datetime.date | None = row.deadline
    if deadline is None and row.rule.rectifiable:
        deadline = rectification_deadline(inspection=report.campaign.inspection_date, today=report.today)
    return {
        "number": number,
        "item": f"{row.item.code} {row.item.title}" if row.item is not None else _("The campaign as a whole"),
        "standard": f"{criterion.code} {criterion.title}" if criterion is not None else "",
        "finding": row.finding.text,
        "items": items.strip(),
        "severity": row.severity_label,
        "office": row.office_name,
        "measure": row.finding.measure,
        "deadline": deadline,
        "state": row.state_label if row.rule.rectifiable else _("For information"),
    }


def _text_units(text: str) -> int:
    """Width of a line in Excel's units: Chinese characters (and other wide ones) take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _row_height(values: dict[str, object], columns: list[tuple[str, str, int]]) -> float:
    lines = 1
    for key, _header, width in columns:
        value = values[key]
        if isinstance(value, str) and value:
            usable = max(width - 1, 1)
            lines = max(lines, sum(max(1, -(-_text_units(line) // usable)) for line in value.split("\n")))
    return min(15 * lines, 409)  # points; Excel's maximum row height is 409


def readiness_workbook(report: ReadinessReport) -> bytes:
    """The 自查整改清单 of `report` as .xlsx bytes."""
    columns = _columns()
    book = Workbook()
    ws = cast(Worksheet, book.active)
    ws.title = _("Rectification list")
    last = get_column_letter(len(columns))
    campaign, today = report.campaign, report.today
    ws.merge_cells(f"A1:{last}1")
    title = _("%(organ)s readiness self-check and rectification list") % {"organ": campaign.organ_name}
    if report.office is not None:
        title = f"{title}（{report.office.name}）"
    set_text(ws["A1"], title)
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    ws.merge_cells(f"A2:{last}2")
    counts = report.counts
    set_text(
        ws["A2"],
        _("As of %(date)s: %(total)s findings (%(critical)s critical, %(warning)s warnings, %(notice)s notices)")
        % {
            "date": f"{today.year}-{today.month:02d}-{today.day:02d}",
            "total": report.total,
            "critical": counts[Severity.CRITICAL],
            "warning": counts[Severity.WARNING],
            "notice": counts[Severity.NOTICE],
        },
    )
    ws["A2"].alignment = Alignment(horizontal="right")
    ws["A2"].font = Font(size=10, color="595959")
    for c, (_key, header, width) in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=c)
        set_text(cell, header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = WRAP_CENTER
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.row_dimensions[HEADER_ROW].height = 24
    body = Font(size=10)
    for r, row in enumerate(report.rows, start=HEADER_ROW + 1):
        values = _values(r - HEADER_ROW, row, report=report)
        ws.row_dimensions[r].height = _row_height(values, columns)
        for c, (key, _header, _width) in enumerate(columns, start=1):
            cell = ws.cell(row=r, column=c)
            value = values[key]
            if isinstance(value, datetime.date | int):
                cell.value = value
                if isinstance(value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
            else:
                set_text(cell, value or None)
            cell.font = body
            cell.border = BORDER
            cell.alignment = WRAP_CENTER if key in CENTERED else WRAP_TOP
            if key == "severity":
                colour = SEVERITY_FILLS[Severity(row.severity)]
                cell.fill = PatternFill("solid", start_color=colour, end_color=colour)
    last_row = max(HEADER_ROW + report.total, HEADER_ROW + 1)
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{last_row}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if ws.oddFooter is not None:
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def workbook_name(report: ReadinessReport) -> str:
    today = report.today
    name = _("Readiness rectification list")
    suffix = f"（{report.office.name}）" if report.office is not None else ""
    return f"{name}{suffix}{today:%Y%m%d}.xlsx"
