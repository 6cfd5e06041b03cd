"""Each folder's index (目录.xlsx): one row per item filed in the folder, then one per item filed under another
standard that supports this one too, with its archive number, title, category, date, office, file name and
SHA-256. Text goes through civunit.xlsx.set_text, so a title beginning with = + - @ stays text and never runs as
a formula; a file name links to the file (relative to the index, so it works wherever the binder is unpacked)."""

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

from civunit.xlsx import set_text

from .plan import BinderFolder, BinderPlan, Entry

HEADER_ROW = 3
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", start_color="1F4E79", end_color="1F4E79")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")


def columns() -> list[tuple[str, int]]:
    """The index's headers (an archive's words: 档号, 题名, 责任部门) and column widths."""
    return [
        (pgettext("archive", "No."), 6),
        (pgettext("archive", "Archive number"), 14),
        (pgettext("archive", "Title"), 36),
        (pgettext("archive", "Category"), 12),
        (pgettext("archive", "Date"), 12),
        (pgettext("archive", "Office"), 18),
        (pgettext("archive", "File name"), 44),
        ("SHA-256", 30),
        (pgettext("archive", "Remarks"), 28),
    ]


def _remark(entry: Entry, folder: BinderFolder) -> str:
    if entry.problem:
        return entry.problem
    if entry.folder != folder.name:
        return _("Filed under “%(folder)s”; listed here only") % {"folder": entry.folder}
    if entry.listed_in:
        return _("Also supports: %(folders)s") % {"folders": "、".join(entry.listed_in)}
    if not entry.has_file:
        return _("Link (no file)")
    return ""


def _target(entry: Entry, folder: BinderFolder) -> str:
    """Where the file-name cell links to: the file, relative to this folder's index; or the item's address."""
    if not entry.has_file:
        return entry.url if entry.url.startswith(("https://", "http://")) else ""
    if entry.problem:
        return ""
    target = entry.name if entry.folder == folder.name else f"../{entry.folder}/{entry.name}"
    return "" if "#" in target or "%" in target else target  # both would be read as part of a URL


def folder_index(plan: BinderPlan, folder: BinderFolder) -> bytes:
    """The folder's 目录.xlsx as bytes (a few hundred rows at most: built in memory)."""
    book = Workbook()
    ws = cast(Worksheet, book.active)
    ws.title = _("Index")
    cols = columns()
    last_col = get_column_letter(len(cols))
    ws.merge_cells(f"A1:{last_col}1")
    set_text(ws["A1"], _("%(folder)s: index") % {"folder": folder.heading})
    ws["A1"].font = Font(name="宋体", size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    ws.merge_cells(f"A2:{last_col}2")
    set_text(
        ws["A2"],
        _("%(organ)s · %(campaign)s · %(filed)s filed here, %(listed)s listed from other folders")
        % {
            "organ": plan.campaign.organ_name,
            "campaign": plan.campaign.title,
            "filed": len(folder.filed),
            "listed": len(folder.listed),
        },
    )
    ws["A2"].font = Font(size=10, color="595959")
    ws["A2"].alignment = Alignment(horizontal="right")
    for c, (header, width) in enumerate(cols, start=1):
        cell = ws.cell(row=HEADER_ROW, column=c)
        set_text(cell, header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = CENTER
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(c)].width = width

    body = Font(size=10)
    link = Font(size=10, color="0563C1", underline="single")
    for n, entry in enumerate([*folder.filed, *folder.listed], start=1):
        r = HEADER_ROW + n
        name = entry.name if entry.has_file else entry.url
        values: list[int | str | datetime.date] = [
            n,
            entry.archive_number,
            entry.title,
            entry.category,
            entry.date,
            entry.office,
            name,
            entry.sha256,
            _remark(entry, folder),
        ]
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            if c == 5:
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            elif c == 1:
                cell.value = value
            else:
                set_text(cell, value or None)
            cell.font = body
            cell.border = BORDER
            cell.alignment = CENTER if c in (1, 2, 4, 5) else WRAP_TOP
        target = _target(entry, folder)
        if target:
            ws.cell(row=r, column=7).hyperlink = target
            ws.cell(row=r, column=7).font = link

    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.auto_filter.ref = (
        f"A{HEADER_ROW}:{last_col}{max(HEADER_ROW + 1, HEADER_ROW + len(folder.filed) + len(folder.listed))}"
    )
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
