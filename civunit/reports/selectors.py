"""What the home page (工作台) shows a person: the countdown to the inspection and the work waiting for them.

Each figure is one aggregate query over the same querysets the task pages use, so the page costs the same
however large the breakdown grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
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


def home_summary(user: User, campaign: Campaign | None) -> HomeSummary:
    """The summary for `campaign` (the one the person's pages show; its stages prefetched)."""
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
    awaiting = awaiting_review_rows(user=user, campaign=campaign).order_by().count() if works else 0
    return HomeSummary(campaign, days, inspection, mine, office, organ, awaiting, works)
