"""Criteria tables as .xlsx workbooks, read through the shared safe reader civunit.xlsx.

Two shapes are understood:

- flat: one row per node with a code column (编码) and a title column (名称), optionally 上级编码, 层级, 类型,
  分值, 测评方法, 释义, 报送说明, 佐证材料类别及数量, 负面清单, 说明报告. This is what export_criteria writes.
- hierarchical, as provinces publish them: 测评项目 / 测评指标 / 测评标准 columns (vertically merged or left
  blank below the first row of a group), numbering inside the texts (一、 （一） 1. 1.2.3, or none: then
  numbered by position), scores in a column or inside titles like （10分）, the negative list as an item named
  负面清单 or 一票否决.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from campaign.models import Criterion
from civunit import xlsx

from .parse import BadValue, clean, parse_methods, parse_requirements, parse_score, split_numbering, split_score
from .rows import CriterionRow, Issue, TableError

COLUMNS = {
    "code": ["编码", "标准编码", "代码", "编号", "序号"],
    "parent_code": ["上级编码", "父级编码"],
    "level": ["层级", "级别"],
    "title": ["名称", "标题"],
    "item": ["测评项目", "一级指标"],
    "indicator": ["测评指标", "二级指标"],
    "standard": ["测评标准", "三级指标", "测评内容", "考核内容", "评价标准", "标准内容"],
    "methods": ["测评方法", "考核方法", "评价方法"],
    "score": ["分值", "分数", "标准分", "满分", "标准分值"],
    "kind": ["类型"],
    "guidance": ["释义", "测评要点", "指导说明", "工作要求"],
    "requirement_text": ["报送说明", "佐证材料要求", "提供材料", "材料要求", "报送材料", "佐证材料"],
    "requirements": ["佐证材料类别及数量", "材料类别及数量"],
    "veto": ["负面清单", "一票否决", "否决项"],
    "explanation": ["说明报告"],
}

KIND_WORDS = {
    "": Criterion.Kind.SCORED,
    "得分": Criterion.Kind.SCORED,
    "计分": Criterion.Kind.SCORED,
    "基本分": Criterion.Kind.SCORED,
    "加分": Criterion.Kind.BONUS,
    "加分项": Criterion.Kind.BONUS,
    "扣分": Criterion.Kind.DEDUCTION,
    "扣分项": Criterion.Kind.DEDUCTION,
}
VETO_WORDS = ("负面清单", "一票否决", "否决条件", "否决项")
YES = {"是", "Y", "y", "yes", "true", "TRUE", "1", "√", "✓"}


def read_xlsx(data: bytes, *, file_name: str = "criteria.xlsx") -> tuple[list[CriterionRow], list[Issue]]:
    """Rows and the problems of single rows; raises TableError when the workbook cannot be read at all."""
    try:
        book = xlsx.open_workbook(data, filename=file_name)
        table = xlsx.find_table(book, COLUMNS, any_of=[["title", "standard"]])
    except xlsx.WorkbookError as e:
        raise TableError([Issue(None, m) for m in e.messages]) from None
    columns = table.header.columns
    if "title" in columns and "code" in columns:
        rows, issues = _read_flat(table)
    elif "standard" in columns:
        rows, issues = _read_hierarchical(table)
    else:
        raise TableError([Issue(None, _("The header row has a title column (名称) but no code column (编码)."))])
    return rows, issues


def _text(row: xlsx.Row, key: str) -> str:
    """A text cell as typed, with only full-width digits, letters and spaces made half-width.

    civunit.xlsx's display text applies NFKC to everything, which would also turn Chinese punctuation
    (，（）：) into ASCII; titles and guidance keep theirs. Numbers and dates use the displayed text.
    """
    value = row.raw.get(key)
    if isinstance(value, str):
        return clean(value)
    return clean(row.get(key))


def _raw_text(row: xlsx.Row, key: str) -> str:
    value = row.raw.get(key)
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else row.get(key)


def _score(row: xlsx.Row, issues: list[Issue], text: str | None = None) -> Decimal | None:
    raw = row.get("score") if text is None else text
    try:
        return parse_score(raw)
    except BadValue:
        issues.append(Issue(row.number, _("The score “%(value)s” is not a number of points.") % {"value": raw}))
        return None


def _requirements(row: xlsx.Row) -> list[tuple[str, int]]:
    structured = row.get("requirements")
    if structured:
        return parse_requirements(structured)
    return parse_requirements(_text(row, "requirement_text"))


def _numeric_code_hint(row: xlsx.Row, key: str = "code") -> bool:
    value = row.raw.get(key)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _read_flat(table: xlsx.Table) -> tuple[list[CriterionRow], list[Issue]]:
    rows: list[CriterionRow] = []
    issues: list[Issue] = []
    seen: dict[str, tuple[int, bool]] = {}  # code -> (first row, stored as a number)
    for row in table.rows():
        if xlsx.is_note_row(row):
            continue
        code = clean(row.get("code"))
        title = _text(row, "title")
        if not code and not title:
            continue
        if not code:
            issues.append(Issue(row.number, _("The code is missing.")))
            continue
        numeric = _numeric_code_hint(row)
        if code in seen and (numeric or seen[code][1]):
            # Two codes that read the same where one was stored as a number: say what Excel did.
            issues.append(
                Issue(
                    row.number,
                    _(
                        "The code %(code)s collides with row %(other)d. The code was stored as a number, so "
                        "Excel may have turned e.g. 3.10 into 3.1: format the code column as text and type the "
                        "codes again."
                    )
                    % {"code": code, "other": seen[code][0]},
                )
            )
            continue
        seen.setdefault(code, (row.number, numeric))
        if "parent_code" in table.header.columns:
            parent = clean(row.get("parent_code")) or None
        else:
            parent = code.rsplit(".", 1)[0] if "." in code else None
        kind_text = clean(row.get("kind"))
        veto = clean(row.get("veto")) in YES or kind_text in ("否决", "否决项")
        kind = KIND_WORDS.get(kind_text)
        if kind is None and not veto:
            issues.append(
                Issue(row.number, _("The kind “%(kind)s” is not 得分, 加分项 or 扣分项.") % {"kind": kind_text})
            )
            kind = Criterion.Kind.SCORED
        level_text = clean(row.get("level"))
        level = None
        if level_text:
            if level_text.isascii() and level_text.isdigit() and int(level_text) >= 1:
                level = int(level_text)
            else:
                issues.append(
                    Issue(row.number, _("The level “%(level)s” is not a whole number.") % {"level": level_text})
                )
        rows.append(
            CriterionRow(
                row=row.number,
                code=code,
                parent_code=parent,
                title=title,
                guidance=_text(row, "guidance"),
                methods=parse_methods(row.get("methods")),
                max_score=_score(row, issues),
                kind=kind or Criterion.Kind.SCORED,
                veto=veto,
                requirement_text=_text(row, "requirement_text"),
                requirements=_requirements(row),
                declared_level=level,
                explanation=_raw_text(row, "explanation") or None,
            )
        )
    return rows, issues


class _Node:
    def __init__(self, row: CriterionRow):
        self.row = row
        self.children = 0


def _read_hierarchical(table: xlsx.Table) -> tuple[list[CriterionRow], list[Issue]]:
    """Items, indicators and standards from their three columns; codes from numbering or position."""
    issues: list[Issue] = []
    out: list[CriterionRow] = []
    items: dict[str, _Node] = {}
    indicators: dict[tuple[str, str], _Node] = {}
    roots = 0
    prev_item = prev_indicator = ""
    has_indicator_col = "indicator" in table.header.columns

    def make(number: int, text: str, parent: _Node | None, *, position: int, row: xlsx.Row, leaf: bool):
        numbering, title = split_numbering(clean(text))
        title, title_score = split_score(title)
        code = None
        if numbering and numbering[0] == "code":
            code = str(numbering[1])
        elif leaf and row.get("code") and "." in row.get("code"):
            code = clean(row.get("code"))
        elif numbering:
            n = numbering[1]
            code = f"{parent.row.code}.{n}" if parent else str(n)
        if code is None:
            code = f"{parent.row.code}.{position}" if parent else str(position)
        veto = parent.row.veto if parent else any(w in title for w in VETO_WORDS)
        if parent is None and veto and not numbering:
            code = "N"
        if parent:
            kind = parent.row.kind
        elif "加分" in title:
            kind = Criterion.Kind.BONUS
        elif "扣分" in title:
            kind = Criterion.Kind.DEDUCTION
        else:
            kind = Criterion.Kind.SCORED
        node = CriterionRow(
            row=number,
            code=code,
            parent_code=parent.row.code if parent else None,
            title=title,
            max_score=title_score,
            kind=kind,
            veto=veto,
        )
        out.append(node)
        return _Node(node)

    for row in table.rows():
        if xlsx.is_note_row(row):
            continue
        item_text = _text(row, "item")
        indicator_text = _text(row, "indicator") if has_indicator_col else ""
        standard_text = _text(row, "standard")
        # A blank cell below a group's first row continues the group (tables written without merges).
        if not item_text:
            item_text = prev_item
        elif item_text != prev_item:
            prev_indicator = ""
        if not indicator_text and _text(row, "item") in ("", prev_item):
            indicator_text = prev_indicator
        if not (item_text or indicator_text or standard_text):
            continue
        if not item_text:
            issues.append(Issue(row.number, _("The row has no item (测评项目) above it.")))
            continue
        item = items.get(item_text)
        if item is None:
            roots += 1
            item = items[item_text] = make(row.number, item_text, None, position=roots, row=row, leaf=False)
        node = item
        if indicator_text:
            key = (item_text, indicator_text)
            indicator = indicators.get(key)
            if indicator is None:
                item.children += 1
                indicator = indicators[key] = make(
                    row.number, indicator_text, item, position=item.children, row=row, leaf=False
                )
            node = indicator
        prev_item, prev_indicator = item_text, indicator_text
        target = node
        if standard_text:
            node.children += 1
            target = make(row.number, standard_text, node, position=node.children, row=row, leaf=True)
        # The row's own columns describe its deepest node.
        data = target.row
        if row.get("score"):
            score = _score(row, issues)
            if score is not None:
                if data.max_score is not None and data.max_score != score:
                    issues.append(
                        Issue(
                            row.number,
                            _("The score column says %(column)s but the title says %(title)s.")
                            % {"column": score.normalize(), "title": data.max_score.normalize()},
                        )
                    )
                data.max_score = score
        data.methods = parse_methods(row.get("methods")) or data.methods
        data.guidance = _text(row, "guidance") or data.guidance
        data.requirement_text = _text(row, "requirement_text") or data.requirement_text
        data.requirements = _requirements(row) or data.requirements
    # Items and indicators carry the methods of their standards, in order of first use.
    by_code = {r.code: r for r in out}
    depth: dict[str, int] = {}
    for r in out:
        depth[r.code] = depth.get(r.parent_code, 0) + 1 if r.parent_code else 1
    for level in sorted(set(depth.values()), reverse=True):
        for r in out:
            if depth[r.code] == level and r.parent_code in by_code:
                parent = by_code[r.parent_code]
                parent.methods.extend(m for m in r.methods if m not in parent.methods)
    return out, issues
