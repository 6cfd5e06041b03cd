"""The evidence index (佐证材料目录) as a formatted workbook, beside the report to 市文明办.

The items come from evidence.selectors.evidence_index, filed by standard as the binder is: a heading row per
standard with its count, then one row per item (archive number, title, category, date, office, every linked
standard, review status). Only what the person downloading it may read is listed; the subtitle says so when
that is not the whole archive. The cells' words are the table's, in Chinese whatever the interface language is.
"""

from __future__ import annotations

import datetime

from django.utils import translation

from campaign.importing.rows import CATEGORY_EXPORT_NAME
from civunit.xlsx_table import BODY, Column, TableBook

from .models import EvidenceStatus
from .selectors import IndexEntry, IndexGroup, evidence_index

STATUS_FILLS = {"待审核": "FFF2CC", "已采用": "E2EFDA", "已退回": "F8CBAD"}

COLUMNS = [
    Column("number", "序号", 6, align="centre"),
    Column("archive_number", "档案号", 12, align="code"),
    Column("title", "材料名称", 34),
    Column("category", "类别", 10, align="centre"),
    Column("date", "日期", 11, align="centre"),
    Column("office", "形成科室", 18),
    Column("standards", "对应测评标准", 16),
    Column("status", "审核状态", 9, align="centre", fills=STATUS_FILLS),
    Column("note", "备注", 24),
]


def _status_label(status: str) -> str:
    with translation.override("zh-hans"):
        return str(EvidenceStatus(status).label)


def entry_row(number: int, entry: IndexEntry) -> dict[str, object]:
    item = entry.item
    return {
        "number": number,
        "archive_number": item.archive_number,
        "title": item.title,
        "category": CATEGORY_EXPORT_NAME.get(item.category, item.category),
        "date": entry.date,
        "office": item.office.name,
        "standards": "、".join(c.code for c in entry.standards),
        "status": _status_label(item.status),
        "note": item.url,
    }


def group_heading(group: IndexGroup) -> str:
    n = len(group.entries)
    if group.standard is None:
        return f"未关联测评标准（{n}件）"
    return f"{group.standard.code} {group.standard.title}（{n}件）"


def write_evidence_index(
    book: TableBook, groups: list[IndexGroup], *, campaign, today: datetime.date, partial: bool
) -> None:
    entries = sum(len(g.entries) for g in groups)
    scope = "，仅含下载人可查阅的材料" if partial else ""
    sheet = book.sheet(
        "佐证材料目录",
        title=f"{campaign.organ_name}{campaign.title}佐证材料目录",
        subtitle=f"截至{today.year}年{today.month}月{today.day}日，共{entries}件{scope}",
        columns=COLUMNS,
    )
    number = 0
    for group in groups:
        sheet.heading(group_heading(group))
        for entry in group.entries:
            number += 1
            sheet.append(entry_row(number, entry), kind=BODY)


def evidence_index_workbook(campaign, *, user, today: datetime.date, partial: bool) -> bytes:
    """The 佐证材料目录 as .xlsx bytes: two queries whatever the number of items (evidence_index)."""
    book = TableBook()
    write_evidence_index(book, evidence_index(campaign, user=user), campaign=campaign, today=today, partial=partial)
    return book.to_bytes()
