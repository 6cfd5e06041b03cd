"""What the home page (工作台) shows a person: the countdown to the inspection and the work waiting for them.

Each figure is one aggregate query over the same querysets the task pages use, so the page costs the same
however large the breakdown grows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet, Window
from django.utils import timezone

from campaign.models import Campaign
from civunit import access
from tasks.selectors import TaskFigures, task_figures

if TYPE_CHECKING:
    from civunit.accounts.models import User
    from tasks.models import Task


@dataclass
class HomeSummary:
    campaign: Campaign | None
    days_to_inspection: int | None
    inspection_date: object
    mine: TaskFigures
    office: TaskFigures | None
    organ: TaskFigures | None
    awaiting_review: int
    works_on_tasks: bool = True
    # 待我审核: evidence versions waiting for the person's review beside the tasks; shown only to reviewers
    evidence_to_review: int = 0
    reviews: bool = False
    # 我分管的工作: the tasks whose 分管领导 the person is (the first few) and how many there are
    supervised: list[Task] = field(default_factory=list)
    supervised_total: int = 0

    @property
    def to_review(self) -> int:
        return self.awaiting_review + self.evidence_to_review


SUPERVISED_SHOWN = 8


def supervised_summary(user: User, campaign: Campaign) -> tuple[list[Task], int]:
    """我分管的工作 of `user`: the first tasks in 序号 order and their number, in one query.

    The same tasks as tasks.selectors.supervised_task_rows() (the task list's ?supervised=1, which the card links
    to), asked for no more than the card shows: no flag of with_flags() (five correlated counts) and nothing
    prefetched, the total counted beside the rows (a window over the same rows)."""
    from tasks.models import Task

    rows = (
        Task.objects.for_campaign(campaign)
        .visible_to(user)
        .filter(leader_in_charge=user)
        .select_related("lead_office")
        .annotate(supervised_total=Window(Count("pk")))
        .order_by("code_key", "pk")
    )
    found = list(rows[:SUPERVISED_SHOWN])
    return list[Task](found), (found[0].supervised_total if found else 0)


def home_summary(user: User, campaign: Campaign | None) -> HomeSummary:
    """The summary for `campaign` (the one the person's pages show; its stages prefetched)."""
    from evidence.browsing import review_queue
    from tasks.models import Task
    from tasks.selectors import awaiting_review_rows

    if campaign is None:
        return HomeSummary(None, None, None, TaskFigures(), None, None, 0)
    inspection = campaign.inspection_date
    days = (inspection - timezone.localdate()).days if inspection else None

    def rows() -> QuerySet[Task]:
        return (
            Task.objects.for_campaign(campaign)
            .visible_to(user)
            .with_flags(stalled_after_days=campaign.stalled_after_days)
        )

    works = not access.is_read_only(user)
    mine = task_figures(rows().filter(responsible_people=user)) if works else TaskFigures()
    office = None
    if works and user.office_id:
        office = task_figures(rows().filter(lead_office_id=user.office_id, parent__isnull=True))
    organ = task_figures(rows().filter(parent__isnull=True)) if access.sees_everything(user) else None
    reviews = works and (access.is_coordinator(user) or bool(user.headed_office_ids))
    awaiting = awaiting_review_rows(user=user, campaign=campaign).order_by().count() if reviews else 0
    evidence = review_queue(user=user, campaign=campaign).order_by().count() if reviews else 0
    supervised, supervised_total = supervised_summary(user, campaign)
    return HomeSummary(
        campaign,
        days,
        inspection,
        mine,
        office,
        organ,
        awaiting,
        works,
        evidence_to_review=evidence,
        reviews=reviews,
        supervised=supervised,
        supervised_total=supervised_total,
    )
