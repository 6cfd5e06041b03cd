"""Writes of the task breakdown. Every state change happens here, with its audit record (TaskEvent) in the same
transaction, and as a conditional UPDATE on (pk, version) so that of two people acting at once exactly one wins.

The Excel import calls task_create / task_update / task_set_status_from_import with source=import.

core: creating and describing tasks, linking people; workflow: the state machine, progress, assigning,
splitting and bulk actions; occurrences: the periods of recurring tasks; rectification: the tasks the readiness
check's findings become.
"""

from .core import (
    StaleTask,
    TaskActionError,
    link_pending_people,
    people_link_pending,
    person_by_name,
    task_create,
    task_set_status_from_import,
    task_update,
)
from .occurrences import occurrences_roll
from .rectification import task_create_rectification
from .workflow import (
    CheckOffNeedsConfirmation,
    check_off_concerns,
    next_child_code,
    progress_report_add,
    task_accept,
    task_assign,
    task_check_off,
    task_resume,
    task_return,
    task_reviewers,
    task_set_deadline,
    task_split,
    task_start,
    tasks_bulk_assign,
    tasks_bulk_set_deadline,
)

__all__ = [
    "CheckOffNeedsConfirmation",
    "StaleTask",
    "TaskActionError",
    "check_off_concerns",
    "link_pending_people",
    "next_child_code",
    "occurrences_roll",
    "people_link_pending",
    "person_by_name",
    "progress_report_add",
    "task_accept",
    "task_assign",
    "task_check_off",
    "task_create",
    "task_create_rectification",
    "task_resume",
    "task_return",
    "task_reviewers",
    "task_set_deadline",
    "task_set_status_from_import",
    "task_split",
    "task_start",
    "task_update",
    "tasks_bulk_assign",
    "tasks_bulk_set_deadline",
]
