"""Task.objects.with_flags() writes its counts and the next due date as hand-written correlated subqueries: the
same figures as the ORM's, also when the flagged rows are themselves used inside another query (relabelled
aliases), and cheap to build (a list page builds them on every request)."""

import datetime

import pytest
from django.db.models import Count, Q

from tasks.models import Status, Task, TaskOccurrence
from tests.tasks.factories import TaskFactory

D = datetime.date
TODAY = D(2026, 5, 20)
NOW = datetime.datetime(2026, 5, 20, 4, 0, tzinfo=datetime.UTC)


@pytest.fixture
def tree(cast, campaign):
    parent = TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a, deadline=D(2026, 5, 1))
    TaskFactory(campaign=campaign, code="1.1", parent=parent, lead_office=cast.office_a, status=Status.DONE)
    TaskFactory(campaign=campaign, code="1.2", parent=parent, lead_office=cast.office_a)
    monthly = TaskFactory(campaign=campaign, code="2", lead_office=cast.office_b, recurrence="monthly", deadline=None)
    for month, status, late in [(2, Status.DONE, True), (3, Status.DONE, False), (4, "not_started", False)]:
        TaskOccurrence.objects.create(
            task=monthly,
            period_start=D(2026, month, 1),
            period_end=D(2026, month, 28),
            due_date=D(2026, month, 28),
            status=status,
            checked_off_late=late,
        )
    TaskOccurrence.objects.create(
        task=monthly, period_start=D(2026, 5, 1), period_end=D(2026, 5, 31), due_date=D(2026, 5, 31)
    )
    TaskFactory(campaign=campaign, code="3", lead_office=cast.office_b, recurrence="ongoing", deadline=None)
    return parent, monthly


def flagged():
    return Task.objects.with_flags(stalled_after_days=14, today=TODAY, now=NOW)


def test_the_counts_and_the_due_date_are_the_orm_s(tree):
    _parent, monthly = tree
    rows = {t.code: t for t in flagged()}
    assert (rows["1"].children_total, rows["1"].children_done) == (2, 1)
    assert rows["1"].due == D(2026, 5, 1) and rows["1"].is_overdue
    m = rows["2"]
    assert (m.periods_done, m.periods_late, m.periods_missed) == (2, 1, 1)
    assert m.due == D(2026, 4, 28)  # the earliest period still open
    assert rows["3"].due is None and not rows["3"].is_overdue
    # the same figures counted by the ORM itself
    orm = Task.objects.annotate(
        kids=Count("children", distinct=True),
        kids_done=Count("children", filter=Q(children__status=Status.DONE), distinct=True),
    )
    for task in orm:
        assert (rows[task.code].children_total, rows[task.code].children_done) == (task.kids, task.kids_done)
    occurrences = TaskOccurrence.objects.filter(task=monthly)
    assert m.periods_done == occurrences.filter(status=Status.DONE).count()


def test_flagged_rows_work_inside_another_query(tree):
    inner = flagged().filter(Q(is_overdue=True) | Q(children_total__gt=0) | Q(periods_missed__gt=0)).values("pk")
    outer = Task.objects.filter(pk__in=inner).order_by("code_key")
    assert [t.code for t in outer] == ["1", "2"]
    # and as a filter on the same table's rows, flags of the outer rows compared with the inner ones
    assert sorted(flagged().filter(pk__in=inner).values_list("code", flat=True)) == ["1", "2"]
