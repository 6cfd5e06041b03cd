"""The Excel round trip of the task breakdown (工作任务分解表).

    sheet = read_sheet(data, filename=name, campaign=c)    # validated rows; WorkbookError for unreadable files
    plan = plan_import(sheet, campaign=c)                  # created / updated / unchanged / missing
    plan.conflicts                                         # rows numbered like another task of clearly other text
    record = apply_plan(plan, campaign=c, user=u, file_name=name, sha256=digest)  # on_conflict="update" to apply them
    data = export_workbook(c, by_office=False)             # bytes of a formatted .xlsx

Used by `manage.py import_tasks` / `export_tasks` and by the coordinator's pages (tasks/excel_views.py).
"""

from .planning import CONFLICT_SIMILARITY, ConflictsRefused, Plan, PlanChanged, apply_plan, plan_import
from .reading import Problem, Sheet, TaskRow, read_sheet
from .writing import export_workbook

__all__ = [
    "CONFLICT_SIMILARITY",
    "ConflictsRefused",
    "Plan",
    "PlanChanged",
    "Problem",
    "Sheet",
    "TaskRow",
    "apply_plan",
    "export_workbook",
    "plan_import",
    "read_sheet",
]
