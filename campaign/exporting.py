"""Writing a campaign's criteria back as a table, in the shapes the import reads: the project's JSON and the
flat .xlsx (one row per node). Export → import changes nothing."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import cast

from .importing.parse import format_requirements
from .importing.rows import CATEGORY_EXPORT_NAME
from .models import Campaign, Criterion
from .selectors import criteria_tree, veto_list

XLSX_HEADERS = [
    ("code", "编码"),
    ("parent_code", "上级编码"),
    ("level", "层级"),
    ("title", "名称"),
    ("kind", "类型"),
    ("max_score", "分值"),
    ("methods", "测评方法"),
    ("guidance", "释义"),
    ("requirement_text", "报送说明"),
    ("requirements", "佐证材料类别及数量"),
    ("veto", "负面清单"),
    ("explanation", "说明报告"),
]
KIND_LABELS = {Criterion.Kind.SCORED: "得分", Criterion.Kind.BONUS: "加分项", Criterion.Kind.DEDUCTION: "扣分项"}


def _score(value: Decimal | None) -> float | None:
    if value is None:
        return None
    return float(value)


def criteria_entries(campaign: Campaign) -> list[dict]:
    """The campaign's criteria and veto list as entries of the JSON format (criteria-example.json)."""
    tree = criteria_tree(campaign, with_requirements=True)
    entries = []
    for node in tree.nodes:
        c = node.criterion
        entry = {
            "code": c.code,
            "level": c.level,
            "parent_code": node.parent.code if node.parent else None,
            "title": c.title,
            "guidance": c.guidance,
            "methods": list(c.methods),
            "max_score": _score(c.max_score),
            "kind": c.kind,
            "veto": False,
        }
        if node.is_standard:
            entry["requirements"] = [
                {"category": CATEGORY_EXPORT_NAME[r.category], "min_count": r.min_count} for r in c.requirements.all()
            ]
            entry["requirement_text"] = c.requirement_text
        if node.explanation is not None and node.explanation.text:
            entry["explanation"] = node.explanation.text
        entries.append(entry)
    conditions = veto_list(campaign)
    codes: dict[int | None, str] = {v.pk: v.code for v in conditions}
    for v in conditions:
        entries.append(
            {
                "code": v.code,
                "level": v.level,
                "parent_code": codes.get(v.parent_id),
                "title": v.title,
                "guidance": v.guidance,
                "methods": list(v.methods),
                "max_score": None,
                "veto": True,
            }
        )
    return entries


def criteria_json(campaign: Campaign) -> bytes:
    return json.dumps(criteria_entries(campaign), ensure_ascii=False, indent=1).encode("utf-8")


def criteria_xlsx(campaign: Campaign) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.worksheet import Worksheet

    from civunit.xlsx import set_text

    wb = openpyxl.Workbook()
    ws = cast(Worksheet, wb.active)
    ws.title = "测评体系"
    ws.append([label for _key, label in XLSX_HEADERS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for entry in criteria_entries(campaign):
        reqs = [(_category(r["category"]), r["min_count"]) for r in entry.get("requirements", [])]
        values = {
            "code": entry["code"],
            "parent_code": entry["parent_code"] or "",
            "level": entry["level"],
            "title": entry["title"],
            "kind": "否决项" if entry["veto"] else KIND_LABELS[entry["kind"]],
            "max_score": entry["max_score"],
            "methods": "、".join(entry["methods"]),
            "guidance": entry["guidance"],
            "requirement_text": entry.get("requirement_text", ""),
            "requirements": format_requirements(reqs),
            "veto": "是" if entry["veto"] else "",
            "explanation": entry.get("explanation", ""),
        }
        ws.append([None] * len(XLSX_HEADERS))
        row = ws.max_row
        for col, (key, _label) in enumerate(XLSX_HEADERS, start=1):
            cell = ws.cell(row=row, column=col)
            value = values[key]
            if key in ("code", "parent_code"):
                cell.number_format = "@"  # codes stay text: 3.10 must not become 3.1
            set_text(cell, value if value != "" else None)
            if key in ("guidance", "requirement_text", "explanation"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGHIJKL", (10, 10, 6, 36, 8, 8, 28, 40, 30, 28, 8, 50), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _category(name: str) -> str | None:
    from .importing.rows import category_for

    return category_for(name)
