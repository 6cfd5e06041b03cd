"""The rows of a criteria table, whatever file they came from, and their validation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from campaign.models import Criterion, EvidenceCategory

CODE_MAX = 30
TITLE_MAX = 500
# The guidance, the evidence requirement and each method: long paragraphs at most, not whole documents.
TEXT_MAX = 10_000

# The 测评方法 as the national system names them; a table may use others, which are kept as written.
KNOWN_METHODS = ["材料审核", "实地考察", "问卷调查", "征求相关部门意见", "听取汇报", "网络平台审核(链接/截图)"]

# Names a table uses for evidence categories → our category. The first name of each category is the one the
# export writes.
CATEGORY_NAMES: dict[str, list[str]] = {
    EvidenceCategory.OFFICIAL_DOCUMENT: ["正式文件", "文件", "通知", "红头文件"],
    EvidenceCategory.MINUTES: ["会议纪要", "会议记录", "纪要", "会议纪要/记录"],
    EvidenceCategory.PLAN: ["方案/计划", "方案", "计划", "实施方案", "工作方案", "工作计划"],
    EvidenceCategory.SUMMARY: ["总结/报告", "总结", "报告", "工作总结", "情况报告"],
    EvidenceCategory.RULES: ["制度", "规章制度", "管理制度"],
    EvidenceCategory.BRIEFING: ["简报/信息", "简报", "信息", "工作信息"],
    EvidenceCategory.MEDIA_REPORT: ["媒体报道", "报道", "新闻报道", "链接", "截图", "网页截图"],
    EvidenceCategory.PHOTO: ["照片", "图片", "相片"],
    EvidenceCategory.AUDIO_VIDEO: ["音视频", "视频", "音频", "录像"],
    EvidenceCategory.TABLE: ["表格/名册", "表格", "名册", "花名册", "登记表", "台账"],
    EvidenceCategory.CERTIFICATE: ["荣誉证书", "证书", "奖状"],
    EvidenceCategory.OTHER: ["其他", "其他材料"],
}
CATEGORY_BY_NAME = {name: cat for cat, names in CATEGORY_NAMES.items() for name in names}
CATEGORY_EXPORT_NAME = {cat: names[0] for cat, names in CATEGORY_NAMES.items()}


@dataclass
class Issue:
    """One problem found in the file: where (row number, or entry number for JSON) and why, in words."""

    row: int | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class CriterionRow:
    row: int | None
    code: str
    parent_code: str | None
    title: str
    guidance: str = ""
    methods: list[str] = field(default_factory=list)
    max_score: Decimal | None = None
    kind: str = Criterion.Kind.SCORED
    veto: bool = False
    requirement_text: str = ""
    requirements: list[tuple[str, int]] = field(default_factory=list)
    declared_level: int | None = None
    # The explanation report (说明报告) when the table carries one; None leaves the current one alone.
    explanation: str | None = None
    # filled by validate_rows
    level: int = 1
    is_leaf: bool = True
    ordering: int = 0


class TableError(Exception):
    """The file cannot be read at all, or its rows are invalid: carries every issue found."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(str(i) for i in issues))
        self.issues = issues


def category_for(name: str) -> str | None:
    return CATEGORY_BY_NAME.get(name.strip())


def validate_rows(rows: list[CriterionRow]) -> list[Issue]:
    """Check the rows as a whole: codes unique, parents present, no cycles, scores within the parent's.

    Fills level, is_leaf and ordering on each row. Returns every issue found (empty when all is well).
    """
    issues: list[Issue] = []
    if not rows:
        return [Issue(None, _("The file contains no criteria."))]
    by_code: dict[str, CriterionRow] = {}
    for r in rows:
        if not r.code:
            issues.append(Issue(r.row, _("The code is missing.")))
            continue
        if len(r.code) > CODE_MAX:
            issues.append(Issue(r.row, _("The code “%(code)s” is too long.") % {"code": r.code[:40]}))
        if not r.title:
            issues.append(Issue(r.row, _("The title of %(code)s is empty.") % {"code": r.code}))
        if len(r.title) > TITLE_MAX:
            issues.append(
                Issue(
                    r.row,
                    _("The title of %(code)s is longer than %(max)d characters.") % {"code": r.code, "max": TITLE_MAX},
                )
            )
        if max((len(t) for t in [r.guidance, r.requirement_text, *r.methods]), default=0) > TEXT_MAX:
            issues.append(
                Issue(
                    r.row,
                    _("A text of %(code)s is longer than %(max)d characters.") % {"code": r.code, "max": TEXT_MAX},
                )
            )
        if r.code in by_code:
            first = by_code[r.code]
            issues.append(
                Issue(
                    r.row,
                    _("The code %(code)s appears twice (also in row %(other)s).")
                    % {"code": r.code, "other": first.row if first.row is not None else "?"},
                )
            )
            continue
        by_code[r.code] = r
    children: dict[str | None, list[CriterionRow]] = defaultdict(list)
    for r in by_code.values():
        if r.parent_code is not None and r.parent_code not in by_code:
            issues.append(
                Issue(
                    r.row,
                    _("The parent %(parent)s of %(code)s does not exist in the file.")
                    % {"parent": r.parent_code, "code": r.code},
                )
            )
            continue
        children[r.parent_code].append(r)
    # Levels by walking down from the roots; whatever is not reached sits in a cycle.
    reached: set[str] = set()
    stack = [(r, 1) for r in children[None]]
    while stack:
        node, level = stack.pop()
        node.level = level
        reached.add(node.code)
        kids = children.get(node.code, [])
        node.is_leaf = not kids
        for kid in kids:
            if node.veto:
                kid.veto = True
            if node.kind != Criterion.Kind.SCORED and kid.kind == Criterion.Kind.SCORED:
                kid.kind = node.kind  # a bonus or deduction item's children count the same way
            stack.append((kid, level + 1))
    for r in by_code.values():
        if r.code not in reached and r.parent_code in by_code:
            issues.append(Issue(r.row, _("The code %(code)s is its own ancestor.") % {"code": r.code}))
        elif r.declared_level is not None and r.code in reached and r.declared_level != r.level:
            issues.append(
                Issue(
                    r.row,
                    _("%(code)s is declared at level %(declared)d but sits at level %(level)d.")
                    % {"code": r.code, "declared": r.declared_level, "level": r.level},
                )
            )
    # A scored node's scored children may not add up to more than the node's maximum.
    for parent_code, kids in children.items():
        if parent_code is None:
            continue
        parent = by_code[parent_code]
        if parent.veto or parent.kind != Criterion.Kind.SCORED or parent.max_score is None:
            continue
        scored = [k for k in kids if k.kind == Criterion.Kind.SCORED]
        scores = [k.max_score for k in scored if k.max_score is not None]
        if scored and len(scores) == len(scored):
            total = sum(scores, Decimal(0))
            if total > parent.max_score:
                issues.append(
                    Issue(
                        parent.row,
                        _("The scores under %(code)s add up to %(total)s, more than its %(max)s.")
                        % {
                            "code": parent.code,
                            "total": _fmt(total),
                            "max": _fmt(parent.max_score),
                        },
                    )
                )
    for r in by_code.values():
        seen: set[str] = set()
        for category, _count in r.requirements:
            if category in seen:
                issues.append(
                    Issue(
                        r.row,
                        _("The evidence category %(category)s is listed twice for %(code)s.")
                        % {"category": CATEGORY_EXPORT_NAME[category], "code": r.code},
                    )
                )
            seen.add(category)
    # `ordering` is the node's place in the whole tree, depth first, with siblings in the file's order: a
    # file listed level by level and one listed depth first give the same numbers, and ordering a flat list
    # of criteria (all standards, say) by it gives the tree's reading order.
    position = 0
    walk = list(reversed(children.get(None, [])))
    while walk:
        node = walk.pop()
        position += 1
        node.ordering = position * 10
        walk.extend(reversed(children.get(node.code, [])))
    issues.sort(key=lambda i: (i.row is None, i.row or 0))
    return issues


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
