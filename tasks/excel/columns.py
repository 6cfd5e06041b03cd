"""The vocabulary of the task breakdown table (工作任务分解表): its columns as real tables name them, and the words
its cells use for deadlines and states.

These words are the table's data, not the interface's: they stay Chinese whatever the interface language is, so
that an exported workbook reads back unchanged and matches what offices type.
"""

from __future__ import annotations

import re

from tasks.models import Recurrence, Status

# Logical column -> header texts seen in real tables (the first is the one the export writes). find_table matches
# a header exactly first, then by the longest synonym it contains; keys earlier here win exact ties.
COLUMNS: dict[str, list[str]] = {
    "code": ["序号", "编号", "任务序号", "任务编号"],
    "standard_code": ["标准编码", "测评标准编码", "指标编码", "标准编号", "对应标准编码", "对应标准"],
    "item": ["测评项目", "测评类别"],
    "indicator": ["测评指标"],
    "standard": ["测评标准", "测评内容", "标准内容"],
    "title": ["工作任务", "任务内容", "主要任务", "重点任务", "工作内容", "任务名称"],
    "measures": ["具体措施", "工作措施", "主要措施", "具体要求", "推进措施"],
    "lead_office": ["牵头科室", "牵头单位", "牵头部门", "牵头委室", "责任科室", "责任单位", "责任部门"],
    "supporting_offices": ["配合科室", "配合单位", "配合部门", "协办科室", "协助科室", "参与科室", "协办单位"],
    "leader": ["分管领导", "责任领导", "牵头领导", "分管负责人"],
    "people": ["责任人", "具体责任人", "经办人", "具体负责人"],
    "deadline": ["完成时限", "完成时间", "时间节点", "完成期限", "时间要求"],
    "evidence": ["佐证材料要求", "佐证材料", "提供材料", "报送说明", "台账资料", "材料要求"],
    "progress": ["进展情况", "完成情况", "推进情况", "工作进展", "进度"],
    "status": ["状态", "任务状态", "完成状态"],
    "notes": ["备注"],
}

# What the export writes, in this order (labels are COLUMNS[key][0] except where named here).
EXPORT_COLUMNS: list[tuple[str, str, int]] = [  # key, header, column width (Excel units; a Chinese character ≈ 2)
    ("code", "序号", 6),
    ("standard_code", "标准编码", 9),
    ("standard", "测评标准", 18),
    ("title", "工作任务", 22),
    ("measures", "具体措施", 26),
    ("lead_office", "牵头科室", 11),
    ("supporting_offices", "配合科室", 13),
    ("leader", "分管领导", 8),
    ("people", "责任人", 10),
    ("deadline", "完成时限", 11),
    ("evidence", "佐证材料要求", 16),
    ("status", "状态", 8),
    ("progress", "进展情况", 20),
    ("notes", "备注", 10),
]  # about 190 units: A4 landscape at a readable size once fitted to the page width

# 状态: the workflow's words.
STATUS_WORDS: dict[str, str] = {
    "未开始": Status.NOT_STARTED,
    "进行中": Status.IN_PROGRESS,
    "待审核": Status.PENDING_REVIEW,
    "已完成": Status.DONE,
    "已退回": Status.RETURNED,
}
STATUS_LABEL = {status: word for word, status in STATUS_WORDS.items()}

# 进展情况: the common words for a state (any other text is a progress report).
PROGRESS_WORDS: dict[str, str] = {
    "未启动": Status.NOT_STARTED,
    "推进中": Status.IN_PROGRESS,
    "已完成": Status.DONE,
    "需整改": Status.RETURNED,
    **STATUS_WORDS,
}
RETURNED_REASON = "导入：需整改"

# 完成时限 written as a rhythm rather than a date; a cell starting with one of these words.
RECURRENCE_WORDS: list[tuple[str, str]] = [
    ("每月", Recurrence.MONTHLY),
    ("按月", Recurrence.MONTHLY),
    ("每季度", Recurrence.QUARTERLY),
    ("每季", Recurrence.QUARTERLY),
    ("按季度", Recurrence.QUARTERLY),
    ("每半年", Recurrence.HALF_YEARLY),
    ("每年", Recurrence.YEARLY),
    ("每年度", Recurrence.YEARLY),
    ("长期", Recurrence.ONGOING),
    ("常态化", Recurrence.ONGOING),
    ("持续", Recurrence.ONGOING),
]
RECURRENCE_LABEL: dict[str, str] = {
    Recurrence.MONTHLY: "每月",
    Recurrence.QUARTERLY: "每季度",
    Recurrence.HALF_YEARLY: "每半年",
    Recurrence.YEARLY: "每年",
    Recurrence.ONGOING: "长期",
}

# Several offices (or standard codes) in one cell.
OFFICE_SEPARATORS = re.compile(r"[、，,；;\n]+")
CODE_SEPARATORS = re.compile(r"[、，,；;\s]+")

# 牵头/配合 cells name groups of offices as breakdowns write them: the collective name -> the office kinds it
# stands for (civunit.accounts.models.Office.Kind values). "各委室、机关服务中心" is the committee offices and that one
# office. A name is compared without spaces; an unknown name that starts like a group (各, 全体, 所有) is reported
# as a group the import does not know, and one whose kinds have no office is a row problem naming the cell.
_COMMITTEES = ("committee",)
_SECTIONS = ("section",)
_ALL = ("committee", "section", "leadership_office")
COLLECTIVE_OFFICES: dict[str, tuple[str, ...]] = {
    "各委室": _COMMITTEES,
    "机关各委室": _COMMITTEES,
    "各专委会": _COMMITTEES,
    "各专门委员会": _COMMITTEES,
    "各委员会办公室": _COMMITTEES,
    "全体委室": _COMMITTEES,
    "所有委室": _COMMITTEES,
    "各科室": _SECTIONS,
    "机关各科室": _SECTIONS,
    "各处室": _SECTIONS,
    "机关各处室": _SECTIONS,
    "全体科室": _SECTIONS,
    "所有科室": _SECTIONS,
    "各部门": _ALL,
    "机关各部门": _ALL,
    "各委室科室": _ALL,
    "各委室和科室": _ALL,
    "各委室及科室": _ALL,
    "机关各委室科室": _ALL,
    "全机关": _ALL,
    "机关全体": _ALL,
    "机关各单位": _ALL,
}
COLLECTIVE_EXAMPLES = "各委室、各科室、机关各部门、全机关"
COLLECTIVE_PREFIX = re.compile(r"^(机关)?(各|全体|所有)")
