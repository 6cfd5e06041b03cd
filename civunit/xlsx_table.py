"""Formatted tables for people to print and hand around (自评表, 佐证材料目录): the breakdown export's look, written
in openpyxl's write-only mode with named styles.

    book = TableBook()
    sheet = book.sheet("自评表", title="…自评表", subtitle="截至2026年3月5日", columns=[Column("code", "编码", 8), …])
    first = sheet.append({"code": "1.1", …})             # returns the row number
    sheet.append({…}, kind=GROUP)                         # a subtotal row: bold on a light fill
    sheet.merge_down("item", first, last)                 # one cell over several rows (item, indicator)
    data = book.to_bytes()

Write-only mode streams each row to the file as it is appended (memory stays flat with the row count), so
everything above the rows (column widths, frozen panes) is set when the sheet is made, and a row's height
before the row. Each kind of cell shares one named style, registered once per workbook, instead of a copy of
its font, fill, border and alignment per cell. Text goes through civunit.xlsx.set_text (a cell beginning with
= + - @ stays text) after dropping the characters XML cannot hold (civunit.utils.xml_safe).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from civunit.utils import xml_safe
from civunit.xlsx import set_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Row kinds
BODY = "body"
GROUP = "group"  # a subtotal row
TOTAL = "total"  # the grand total

HEADER_ROW = 3  # rows 1 and 2: title and subtitle
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = "1F4E79"
_ROW_FILLS = {GROUP: "F2F2F2", TOTAL: "DDEBF7"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int  # Excel units: a Chinese character takes about 2
    align: str = "text"  # "text" (wrapped, top left), "centre", "code" (centred text: 3.10 stays 3.10)
    fills: Mapping[str, str] = field(default_factory=dict)  # cell word -> background colour (status words)


def _text_units(text: str) -> int:
    """Width of a line in Excel's units: Chinese characters (and other wide ones) take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def row_height(values: Mapping[str, Any], columns: Iterable[Column], *, skip: Iterable[str] = ()) -> float:
    """Enough height for the wrapped text (LibreOffice and WPS do not grow rows whose text wraps on opening)."""
    skipped = set(skip)
    lines = 1
    for column in columns:
        value = values.get(column.key)
        if column.key in skipped or not isinstance(value, str) or not value:
            continue
        usable = max(column.width - 1, 1)
        lines = max(lines, sum(max(1, -(-_text_units(line) // usable)) for line in value.split("\n")))
    return min(15 * lines, 409)  # points; Excel's maximum row height is 409


class TableBook:
    """A write-only workbook of formatted tables; its named styles are made on first use."""

    def __init__(self) -> None:
        self.book = Workbook(write_only=True)
        self._styles: set[str] = set()
        self._sheets: list[TableSheet] = []

    def style(self, name: str) -> str:
        """The name of a registered named style: 'title', 'subtitle', 'header' or '<row kind>-<align>'."""
        if name not in self._styles:
            self.book.add_named_style(_make_style(name))
            self._styles.add(name)
        return name

    def sheet(self, name: str, *, title: str, subtitle: str, columns: list[Column]) -> TableSheet:
        sheet = TableSheet(self, name=name, title=title, subtitle=subtitle, columns=columns)
        self._sheets.append(sheet)
        return sheet

    def save(self, out: BinaryIO) -> None:
        for sheet in self._sheets:
            sheet.finish()
        self.book.save(out)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.save(buf)
        return buf.getvalue()


def _make_style(name: str) -> NamedStyle:
    style = NamedStyle(name=name)
    if name == "title":
        style.font = Font(name="宋体", size=16, bold=True)
        style.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        return style
    if name == "subtitle":
        style.font = Font(size=10, color="595959")
        style.alignment = Alignment(horizontal="right")
        return style
    style.border = _BORDER
    if name == "header":
        style.font = Font(bold=True, color="FFFFFF")
        style.fill = PatternFill("solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL)
        style.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        return style
    kind, _, align = name.partition("-")
    style.font = Font(size=10, bold=kind != BODY)
    if kind in _ROW_FILLS:
        colour = _ROW_FILLS[kind]
        style.fill = PatternFill("solid", start_color=colour, end_color=colour)
    if align == "text":
        style.alignment = Alignment(wrap_text=True, vertical="top")
    else:
        style.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    if align == "code":
        style.number_format = "@"
    elif align == "date":
        style.number_format = "yyyy-mm-dd"
    return style


class TableSheet:
    """One formatted table: title and subtitle rows, a styled header frozen and repeated on every printed page,
    bordered rows, A4 landscape fitted to the page width, page numbers in the footer."""

    def __init__(self, book: TableBook, *, name: str, title: str, subtitle: str, columns: list[Column]):
        self.book = book
        self.columns = columns
        self.ws: Any = book.book.create_sheet(name[:31])
        self.row = 0
        self._finished = False
        ws, width = self.ws, len(columns)
        last = get_column_letter(width)
        # Written with the first row (write-only mode): widths, frozen panes.
        for c, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(c)].width = column.width
        ws.freeze_panes = f"A{HEADER_ROW + 1}"
        ws.merged_cells.add(f"A1:{last}1")
        ws.merged_cells.add(f"A2:{last}2")
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        self._write([(title, "title")], height=32)
        self._write([(subtitle, "subtitle")])
        self._write([(column.header, "header") for column in columns], height=24)

    def _cell(self, value: object, style: str) -> Any:
        cell = WriteOnlyCell(self.ws)
        cell.style = self.book.style(style)
        if isinstance(value, str):
            set_text(cell, xml_safe(value) or None)
        elif isinstance(value, datetime.date | int | float | Decimal) or value is None:
            cell.value = value
        else:
            set_text(cell, xml_safe(str(value)))
        return cell

    def _write(self, cells: list[tuple[object, str]], *, height: float | None = None) -> int:
        self.row += 1
        if height is not None:
            self.ws.row_dimensions[self.row].height = height
        self.ws.append([self._cell(value, style) for value, style in cells])
        return self.row

    def append(self, values: Mapping[str, object], *, kind: str = BODY, fit_skip: Iterable[str] = ()) -> int:
        """Write one row of `values` (by column key); returns its row number. `fit_skip`: keys whose text the
        row's height need not fit (cells merged over several rows)."""
        cells = []
        for column in self.columns:
            value = values.get(column.key)
            align = "date" if isinstance(value, datetime.date) else column.align
            cells.append((value, f"{kind}-{align}"))
        return self._write(cells, height=row_height(values, self.columns, skip=fit_skip))

    def heading(self, text: str, *, kind: str = GROUP) -> int:
        """A row holding `text` alone, across the whole table (a section such as one standard's items)."""
        style = f"{kind}-text"
        across = Column("heading", "", sum(c.width for c in self.columns))
        height = row_height({"heading": text}, [across])
        row = self._write([(text, style)] + [(None, style)] * (len(self.columns) - 1), height=height)
        self.ws.merged_cells.add(f"A{row}:{get_column_letter(len(self.columns))}{row}")
        return row

    def merge_down(self, key: str, first: int, last: int) -> None:
        """Merge column `key` over rows first..last (the value sits in the first row)."""
        if last > first:
            letter = get_column_letter([c.key for c in self.columns].index(key) + 1)
            self.ws.merged_cells.add(f"{letter}{first}:{letter}{last}")

    def finish(self) -> None:
        """The filter over the rows and the colours of status words (called by TableBook.save)."""
        if self._finished:
            return
        self._finished = True
        last_col = get_column_letter(len(self.columns))
        last_row = max(self.row, HEADER_ROW + 1)
        self.ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{last_row}"
        for c, column in enumerate(self.columns, start=1):
            letter = get_column_letter(c)
            cells = f"{letter}{HEADER_ROW + 1}:{letter}{last_row}"
            for word, colour in column.fills.items():
                fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
                self.ws.conditional_formatting.add(
                    cells, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill)
                )
