"""The exported breakdown: a workbook people would hand around, and that reads back through the import unchanged.

Title rows, a styled header row frozen and repeated on every printed page, column widths, wrapped text, status
colours as conditional fills, a drop-down of the workflow's words in 状态, A4 landscape fitted to the page width;
optionally one more sheet per lead office. Text is written with civunit.xlsx.set_text, so a cell beginning with
= + - @ stays text and can never run as a formula.

Fast as the breakdown grows: the workbook is written in openpyxl's write-only mode (rows streamed out as they are
appended), each kind of cell's style is made once (CellStyles) and copied onto its cells (openpyxl would otherwise
hash a fresh Font, Border and Alignment for every cell), and each task's values are computed once for the
breakdown and its office's sheet.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Sequence

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.dimensions import RowDimension

from civunit.xlsx import set_text

from .columns import EXPORT_COLUMNS, RECURRENCE_LABEL, STATUS_LABEL, STATUS_WORDS
from .planning import office_names
from .snapshot import TaskSnapshot, task_snapshots

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
FORMULA_LIKE = ("=", "+", "-", "@")


CENTERED_KEYS = frozenset({"code", "status", "deadline"})
KEYS = [key for key, _header, _width in EXPORT_COLUMNS]
WIDTHS = [w for _key, _header, w in EXPORT_COLUMNS]


def export_workbook(campaign, *, by_office: bool = False, today: datetime.date | None = None, office_ids=None) -> bytes:
    """The campaign's breakdown as .xlsx bytes (4 queries, whatever the number of tasks); with `office_ids`,
    only the tasks those offices lead."""
    today = today or timezone.localdate()
    tasks = task_snapshots(campaign, office_ids=office_ids)
    book = Workbook(write_only=True)
    title = f"{campaign.organ_name}{campaign.title}工作任务分解表"
    used = {"工作任务分解表"}
    sheet = _sheet(book, "工作任务分解表")
    styles = CellStyles(sheet)
    # Each task's cells are made once: a sheet writes a row out as it is appended, so an office's sheet appends
    # the same cells again (at its own row numbers).
    lines = [styles.row(sheet, task) for task in tasks]
    _fill(sheet, lines, title=title, today=today, styles=styles)
    if by_office:
        offices: dict[int, tuple] = {}
        for task, line in zip(tasks, lines, strict=True):
            offices.setdefault(task.lead_office.pk, (task.lead_office, []))[1].append(line)
        for office, office_lines in sorted(offices.values(), key=lambda v: (v[0].ordering, v[0].name)):
            name = _sheet_name(office.name, used)
            _fill(_sheet(book, name), office_lines, title=f"{title}（{office.name}）", today=today, styles=styles)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


class StyledCell(Cell):
    """A cell that knows its style's index in the workbook's table of cell styles (`style_id`), so that writing
    it does not hash its style array again (openpyxl looks the index up, by hash, for every cell it writes)."""

    __slots__ = ("_style_index",)

    def __init__(self, sheet, style: StyleArray, style_index: int | None):
        super().__init__(sheet, 1, 1)  # placed when its row is appended
        self._style = style
        self._style_index = style_index

    @property
    def style_id(self) -> int:
        if self._style_index is None:
            return super().style_id
        return self._style_index


class CellStyles:
    """Each kind of cell's style, made once per workbook (font, border, fill, alignment and number format are
    hashed into the workbook's style tables once, not once per cell), with its index among the cell styles.
    Cells of a kind share its style array, which nothing changes: a cell whose text looks like a formula gets a
    copy of its own, which set_text marks quoted."""

    def __init__(self, sheet):

        def make(*, font=None, fill=None, alignment=None, border=None, number_format=None):
            cell = WriteOnlyCell(sheet)
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            if alignment is not None:
                cell.alignment = alignment
            if border is not None:
                cell.border = border
            if number_format is not None:
                cell.number_format = number_format
            return cell.style_id, cell._style  # type: ignore[attr-defined]  # every Cell's style array

        body = Font(size=10)
        self.title = make(font=Font(name="宋体", size=16, bold=True), alignment=CENTER)
        self.subtitle = make(font=Font(size=10, color="595959"), alignment=Alignment(horizontal="right"))
        self.header = make(font=Font(bold=True, color="FFFFFF"), fill=HEADER_FILL, alignment=WRAP_CENTER, border=BORDER)
        self.top = make(font=body, alignment=WRAP_TOP, border=BORDER)
        self.center = make(font=body, alignment=WRAP_CENTER, border=BORDER)
        self.code = make(font=body, alignment=WRAP_CENTER, border=BORDER, number_format="@")
        self.date = make(font=body, alignment=WRAP_CENTER, border=BORDER, number_format="yyyy-mm-dd")
        # one per column of the body: the code's, the centred ones' or the text's (a date takes self.date)
        self.columns = [self.code if k == "code" else self.center if k in CENTERED_KEYS else self.top for k in KEYS]

    def row(self, sheet, task: TaskSnapshot) -> tuple[list[Cell], float]:
        """A task's cells and its row's height."""
        values, height = _line(task)
        date, cell = self.date, self.cell
        cells = [
            cell(sheet, date if isinstance(value, datetime.date) else style, value)
            for style, value in zip(self.columns, values, strict=True)
        ]
        return cells, height

    @staticmethod
    def cell(sheet, kind: tuple[int, StyleArray], value=None) -> Cell:
        """A cell of this kind of style holding `value` (text through set_text: never a formula)."""
        index, style = kind
        if isinstance(value, str) and value.startswith(FORMULA_LIKE):
            cell = StyledCell(sheet, StyleArray(style), None)
            set_text(cell, value)
        else:
            cell = StyledCell(sheet, style, index)
            cell.value = value
        return cell


CENTER = Alignment(horizontal="center", vertical="center")


class _CellsSheet(WriteOnlyWorksheet):
    """A write-only sheet whose rows are appended as ready cells. (The base class tries each cell as a value
    first and catches the ValueError that raises, formatting the cell's repr for the message: a third of the
    export's time.)"""

    def _values_to_row(self, values, row_idx):
        for col_idx, cell in enumerate(values, 1):
            cell.column, cell.row = col_idx, row_idx
            yield cell


def _sheet(book: Workbook, title: str) -> _CellsSheet:
    ws = _CellsSheet(parent=book, title=title)
    book._add_sheet(ws)  # type: ignore[attr-defined]  # what create_sheet does, for a subclass of the sheet
    return ws


def _sheet_name(name: str, used: set[str]) -> str:
    base = BAD_SHEET_CHARS.sub("", name)[:28] or "Sheet"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}{n}", n + 1
    used.add(candidate)
    return candidate


def _line(task: TaskSnapshot) -> tuple[list[str | datetime.date | None], float]:
    """A task's cells in EXPORT_COLUMNS order (None for an empty one) and its row height."""
    standards = task.standards
    values = {
        "code": task.code,
        "standard_code": "、".join(c.code for c in standards),
        "standard": "\n".join(c.title for c in standards),
        "title": task.title,
        "measures": task.measures,
        "lead_office": task.lead_office.name,
        "supporting_offices": office_names(task.supporting_offices),
        "leader": task.leader,
        "people": "、".join(task.responsible),
        "deadline": RECURRENCE_LABEL.get(task.recurrence, task.deadline),
        "evidence": task.evidence_requirement,
        "status": STATUS_LABEL[task.status],
        "progress": task.latest_progress,
        "notes": task.notes,
    }
    cells = [values[key] or None for key in KEYS]
    return cells, _row_height(cells)


def _text_units(text: str) -> int:
    """Width of a line in Excel's units, near enough for a row height: ASCII takes one, other characters (Chinese
    ones, full-width punctuation, “”) two."""
    return 2 * len(text) - len(text.encode("ascii", "ignore"))


def _row_height(cells: Sequence[object]) -> float:
    """Enough height for the wrapped text (LibreOffice and WPS do not grow rows whose text wraps on opening)."""
    lines = 1
    for value, width in zip(cells, WIDTHS, strict=True):
        if isinstance(value, str):
            usable = max(width - 1, 1)
            if 2 * len(value) <= usable and "\n" not in value:
                continue  # one line even if every character is wide
            lines = max(lines, sum(max(1, -(-_text_units(line) // usable)) for line in value.split("\n")))
    return min(15 * lines, 409)  # points; Excel's maximum row height is 409


def _fill(ws, lines, *, title: str, today: datetime.date, styles: CellStyles) -> None:
    """Write a sheet: everything about the sheet first (write-only mode streams the rows out as they come)."""
    last_col = get_column_letter(len(KEYS))
    last_row = max(HEADER_ROW + len(lines), HEADER_ROW + 1)
    for c, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
    ws.merged_cells.add(f"A1:{last_col}1")
    ws.merged_cells.add(f"A2:{last_col}2")
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{last_row}"
    status_col = get_column_letter(KEYS.index("status") + 1)
    status_range = f"{status_col}{HEADER_ROW + 1}:{status_col}{last_row}"
    for word, colour in STATUS_FILLS.items():
        fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
        ws.conditional_formatting.add(status_range, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill))
    choices = DataValidation(type="list", formula1='"{}"'.format(",".join(STATUS_WORDS)), allow_blank=True)
    choices.error = "请选择：" + "、".join(STATUS_WORDS)
    choices.add(status_range)
    ws.data_validations.append(choices)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    ws.row_dimensions[1].height = 32
    ws.append([styles.cell(ws, styles.title, title)])
    ws.append(
        [styles.cell(ws, styles.subtitle, f"截至{today.year}年{today.month}月{today.day}日，共{len(lines)}项任务")]
    )
    ws.row_dimensions[HEADER_ROW].height = 24
    ws.append([styles.cell(ws, styles.header, header) for _key, header, _width in EXPORT_COLUMNS])
    heights: dict[float, RowDimension] = {}  # rows of one height share its dimension (openpyxl makes one per row)
    for r, (cells, height) in enumerate(lines, start=HEADER_ROW + 1):
        if height not in heights:
            heights[height] = RowDimension(ws, ht=height, customHeight=True)
        ws.row_dimensions[r] = heights[height]
        ws.append(cells)
