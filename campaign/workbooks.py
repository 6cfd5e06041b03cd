"""The self-assessment table (自评表) as a formatted workbook, beside the report to 市文明办.

One row per 测评标准 under its 测评项目 and 测评指标 (merged over their standards), with the methods, the maximum
score, the self score, the status and the note; a 小计 row after each item and 合计 rows at the end. Every figure
is read from campaign.selectors.criteria_tree (its roll-ups), so the workbook says what the criteria page says.
The words in the cells (headers, statuses) are the table's, in Chinese whatever the interface language is.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import translation

from civunit.xlsx_table import BODY, GROUP, TOTAL, Column, TableBook

from .models import Assessment, Campaign, Criterion
from .selectors import Node, Tree, criteria_tree

STATUS_FILLS = {"未开始": "EDEDED", "推进中": "DDEBF7", "基本达标": "FFF2CC", "达标": "E2EFDA"}
KIND_NOTE: dict[str, str] = {Criterion.Kind.BONUS: "加分项", Criterion.Kind.DEDUCTION: "扣分项"}

COLUMNS = [
    Column("item", "测评项目", 14),
    Column("indicator", "测评指标", 18),
    Column("code", "编码", 8, align="code"),
    Column("standard", "测评标准", 40),
    Column("methods", "测评方法", 16),
    Column("max_score", "分值", 7, align="centre"),
    Column("self_score", "自评得分", 8, align="centre"),
    Column("status", "完成情况", 10, align="centre", fills=STATUS_FILLS),
    Column("note", "备注", 24),
]


def _date_text(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _status_label(status: str) -> str:
    with translation.override("zh-hans"):
        return str(Assessment.Status(status).label)


def _counts_text(node: Node) -> str:
    return f"达标{node.met}项，基本达标{node.basically_met}项，推进中{node.in_progress}项，共{node.standards}项"


def _kind_score(node: Node) -> Decimal | None:
    """What the node's self scores add up to, by its effective kind."""
    if node.is_bonus:
        return node.bonus_total
    if node.is_deduction:
        return node.deduction_total
    return node.score_total


def _ancestors(node: Node) -> list[Node]:
    chain: list[Node] = []
    parent = node.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    return chain[::-1]


def standard_row(node: Node) -> dict[str, object]:
    """The cells of one standard's row."""
    c, a = node.criterion, node.assessment
    note = [KIND_NOTE[node.kind]] if node.kind in KIND_NOTE else []
    if a is not None and a.note:
        note.append(a.note)
    return {
        "code": c.code,
        "standard": c.title,
        "methods": "、".join(c.methods),
        "max_score": c.max_score if node.is_scored else None,
        "self_score": a.self_score if a else None,
        "status": _status_label(node.status),
        "note": "\n".join(note),
    }


def write_self_assessment(book: TableBook, tree: Tree, *, today: datetime.date) -> None:
    campaign = tree.campaign
    total = tree.total
    sheet = book.sheet(
        "自评表",
        title=f"{campaign.organ_name}{campaign.title}自评表",
        subtitle=f"截至{_date_text(today)}，共{total.standards}项测评标准",
        columns=COLUMNS,
    )
    merged = ("item", "indicator")
    for root in tree.roots:
        first = sheet.row + 1
        groups: dict[int, tuple[int, int]] = {}  # indicator node id -> (first row, last row)
        for node in root.subtree():
            if not node.is_standard:
                continue
            ancestors = _ancestors(node)
            indicator = ancestors[-1] if len(ancestors) >= 2 else None
            values = standard_row(node)
            row_first = sheet.row + 1
            if row_first == first:
                values["item"] = root.criterion.title
            if indicator is not None and id(indicator) not in groups:
                values["indicator"] = " / ".join(n.criterion.title for n in ancestors[1:])
            row = sheet.append(values, kind=BODY, fit_skip=merged)
            if indicator is not None:
                start = groups.get(id(indicator), (row, row))[0]
                groups[id(indicator)] = (start, row)
        last = sheet.row
        sheet.merge_down("item", first, last)
        for start, end in groups.values():
            sheet.merge_down("indicator", start, end)
        if root.is_standard:
            continue  # a standard at the top level is its own subtotal
        sheet.append(
            {
                "item": "小计",
                "standard": root.criterion.title,
                "max_score": root.max_total,
                "self_score": _kind_score(root),
                "note": _counts_text(root),
            },
            kind=GROUP,
        )
    sheet.append(
        {
            "item": "合计",
            "max_score": total.max_total,
            "self_score": total.score_total,
            "note": _counts_text(total),
        },
        kind=TOTAL,
    )
    if total.bonus_total is not None:
        sheet.append({"item": "加分项合计", "self_score": total.bonus_total}, kind=TOTAL)
    if total.deduction_total is not None:
        sheet.append({"item": "扣分项合计", "self_score": total.deduction_total}, kind=TOTAL)


def self_assessment_workbook(campaign: Campaign, *, today: datetime.date) -> bytes:
    """The 自评表 as .xlsx bytes: one query (the criteria tree) whatever the number of standards."""
    book = TableBook()
    write_self_assessment(book, criteria_tree(campaign), today=today)
    return book.to_bytes()
