"""The one counter of task states (tasks.selectors.task_figures): a hand-built breakdown with known answers, by
office, and one query however many tasks there are."""

import dataclasses
import datetime

import pytest
from django.utils import timezone

from tasks.models import Recurrence, Status, Task
from tasks.selectors import TaskFigures, task_figures, task_figures_by, task_rows
from tests.tasks.factories import TaskFactory


@pytest.fixture
def breakdown(cast, campaign):
    """Office A: overdue, due soon and stalled, returned, pending review, done. Office B: overdue, done, ongoing."""
    today = timezone.localdate()
    days = datetime.timedelta
    long_ago = timezone.now() - days(days=30)

    def task(code, office, status, due, **fields):
        return TaskFactory(campaign=campaign, code=code, lead_office=office, status=status, deadline=due, **fields)

    a, b = cast.office_a, cast.office_b
    task("1", a, Status.NOT_STARTED, today - days(days=3))  # overdue
    task("2", a, Status.IN_PROGRESS, today + days(days=3), started_at=long_ago)  # due soon and stalled
    task("3", a, Status.RETURNED, today + days(days=30))
    task("4", a, Status.PENDING_REVIEW, today - days(days=1))  # late, but the office did its part: not overdue
    task("5", a, Status.DONE, today - days(days=10))
    task("6", b, Status.IN_PROGRESS, today - days(days=1))  # overdue
    task("7", b, Status.DONE, today)
    task("8", b, Status.NOT_STARTED, None, recurrence=Recurrence.ONGOING)  # ongoing: never overdue
    return campaign


def test_figures_of_a_hand_built_breakdown(cast, breakdown):
    figures = task_figures(task_rows(user=cast.coordinator, campaign=breakdown))
    assert figures == TaskFigures(
        total=8,
        not_started=2,
        in_progress=2,
        pending_review=1,
        done=2,
        returned=1,
        overdue=2,
        due_soon=1,
        stalled=1,
    )
    assert (figures.open, figures.done_percent) == (5, 25)


def test_figures_by_lead_office(cast, breakdown):
    by_office = task_figures_by(task_rows(user=cast.leader, campaign=breakdown), "lead_office_id")
    a, b = by_office[cast.office_a.pk], by_office[cast.office_b.pk]
    assert (a.total, a.open, a.overdue, a.due_soon, a.stalled, a.pending_review, a.done) == (5, 3, 1, 1, 1, 1, 1)
    assert (b.total, b.open, b.overdue, b.due_soon, b.stalled, b.pending_review, b.done) == (3, 2, 1, 0, 0, 0, 1)
    assert cast.office_main.pk not in by_office


def test_figures_count_what_the_rows_hold(cast, breakdown):
    rows = task_rows(user=cast.coordinator, campaign=breakdown)
    assert task_figures(rows.filter(lead_office=cast.office_b)).total == 3
    assert task_figures(rows.none()) == TaskFigures()


def test_figures_need_the_flags_of_with_flags(breakdown):
    with pytest.raises(ValueError, match="with_flags"):
        task_figures(Task.objects.for_campaign(breakdown))


def test_every_workflow_state_has_a_figure():
    fields = {f.name for f in dataclasses.fields(TaskFigures)}
    assert set(Status.values) <= fields


def test_figures_cost_one_query_however_many_tasks(cast, breakdown, django_assert_num_queries):
    def count():
        rows = task_rows(user=cast.coordinator, campaign=breakdown)
        with django_assert_num_queries(2):  # one aggregate, one grouped aggregate
            return task_figures(rows), task_figures_by(rows, "lead_office_id")

    small, _ = count()
    today = timezone.localdate()
    for i in range(200):
        TaskFactory(campaign=breakdown, code=f"10.{i}", lead_office=cast.office_a, deadline=today, parent=None)
    large, by_office = count()
    assert (small.total, large.total, by_office[cast.office_a.pk].total) == (8, 208, 205)
