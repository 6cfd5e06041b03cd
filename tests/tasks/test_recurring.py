"""Recurring tasks: one occurrence per period, created for the current and next period on a rolling basis, each
checked off and reviewed on its own; done / late / missed counts."""

import datetime

import pytest
from django.utils import timezone

from tasks import services
from tasks.models import Status, Task, TaskOccurrence
from tasks.periods import period_of, periods_between
from tests.tasks.factories import TaskFactory

D = datetime.date


def at(monkeypatch, *args):
    moment = datetime.datetime(*args).replace(tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.mark.parametrize(
    ("recurrence", "day", "expected"),
    [
        ("monthly", D(2026, 2, 14), (D(2026, 2, 1), D(2026, 2, 28))),
        ("monthly", D(2028, 2, 29), (D(2028, 2, 1), D(2028, 2, 29))),
        ("monthly", D(2026, 12, 31), (D(2026, 12, 1), D(2026, 12, 31))),
        ("quarterly", D(2026, 3, 31), (D(2026, 1, 1), D(2026, 3, 31))),
        ("quarterly", D(2026, 4, 1), (D(2026, 4, 1), D(2026, 6, 30))),
        ("half_yearly", D(2026, 6, 30), (D(2026, 1, 1), D(2026, 6, 30))),
        ("half_yearly", D(2026, 7, 1), (D(2026, 7, 1), D(2026, 12, 31))),
        ("yearly", D(2026, 12, 31), (D(2026, 1, 1), D(2026, 12, 31))),
    ],
)
def test_periods_are_calendar_months_quarters_halves_and_years(recurrence, day, expected):
    assert period_of(recurrence, day) == expected


def test_periods_between_cross_the_year_end():
    assert periods_between("quarterly", D(2026, 11, 5), D(2027, 1, 2)) == [
        (D(2026, 10, 1), D(2026, 12, 31)),
        (D(2027, 1, 1), D(2027, 3, 31)),
    ]


@pytest.fixture
def quarterly(cast, campaign, monkeypatch):
    at(monkeypatch, 2026, 2, 10, 2, 0)
    task = services.task_create(
        campaign=campaign,
        code="7",
        title="每季度召开一次创建工作推进会",
        lead_office=cast.office_a,
        recurrence="quarterly",
        user=cast.coordinator,
    )
    return Task.objects.select_related("campaign", "parent", "lead_office__head").get(pk=task.pk)


def periods(task):
    return list(
        TaskOccurrence.objects.filter(task=task).order_by("period_start").values_list("period_start", flat=True)
    )


def test_creating_a_recurring_task_makes_the_current_and_next_period(quarterly):
    assert periods(quarterly) == [D(2026, 1, 1), D(2026, 4, 1)]


def test_rolling_across_a_period_boundary_adds_the_next_period_once(quarterly, monkeypatch):
    at(monkeypatch, 2026, 3, 31, 15, 59)  # 23:59 on 31 March in Shanghai: still Q1
    assert services.occurrences_roll() == 0
    at(monkeypatch, 2026, 3, 31, 16, 0)  # 00:00 on 1 April in Shanghai: Q2 is current, Q3 is next
    assert services.occurrences_roll() == 1
    assert services.occurrences_roll() == 0  # idempotent
    assert periods(quarterly) == [D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1)]


def test_no_period_is_made_past_the_campaign_end(cast, campaign, monkeypatch):
    at(monkeypatch, 2027, 11, 20, 2, 0)
    task = services.task_create(
        campaign=campaign, code="8", title="月度通报", lead_office=cast.office_a, recurrence="monthly"
    )
    assert periods(task) == [D(2027, 11, 1), D(2027, 12, 1)]  # the campaign ends 2027-12-31
    at(monkeypatch, 2027, 12, 20, 2, 0)
    assert services.occurrences_roll() == 0


def test_each_period_is_checked_off_and_reviewed_on_its_own_and_counted(cast, quarterly, login, monkeypatch):
    q1, q2 = TaskOccurrence.objects.filter(task=quarterly).order_by("period_start")
    at(monkeypatch, 2026, 3, 20, 2, 0)
    client = login(cast.head_a)
    client.post(f"/tasks/{quarterly.pk}/check-off/", {"version": 1, "occurrence": q1.pk, "note": "一季度推进会纪要"})
    q1.refresh_from_db()
    assert q1.status == Status.PENDING_REVIEW and not q1.checked_off_late
    assert Task.objects.get(pk=quarterly.pk).status == Status.IN_PROGRESS  # started by its first check-off
    login(cast.coordinator).post(f"/tasks/{quarterly.pk}/accept/", {"version": q1.version, "occurrence": q1.pk})
    q1.refresh_from_db()
    assert q1.status == Status.DONE
    q2.refresh_from_db()
    assert q2.status == Status.NOT_STARTED  # the next period is untouched

    # Q2 is not checked off by 30 June: on 1 July (Shanghai) it is missed and the task is overdue
    at(monkeypatch, 2026, 6, 30, 16, 30)
    services.occurrences_roll()
    row = Task.objects.with_flags(stalled_after_days=14).get(pk=quarterly.pk)
    assert (row.periods_done, row.periods_late, row.periods_missed, row.is_overdue) == (1, 0, 1, True)  # type: ignore[attr-defined]  # annotated by with_flags(); the plugin knows fields only
    assert row.due == D(2026, 6, 30)  # type: ignore[attr-defined]  # annotated by with_flags(); the plugin knows fields only
    page = login(cast.staff_a).get(f"/tasks/{quarterly.pk}/").content.decode()
    assert page.count('data-flag="missed"') == 1

    # checked off late and accepted: done late, nothing missed, next due is Q3's end
    q2.refresh_from_db()
    login(cast.head_a).post(  # a fresh session: the clock jumped past the first one's age
        f"/tasks/{quarterly.pk}/check-off/", {"version": q2.version, "occurrence": q2.pk, "note": "补开"}
    )
    login(cast.coordinator).post(f"/tasks/{quarterly.pk}/accept/", {"version": q2.version + 1, "occurrence": q2.pk})
    row = Task.objects.with_flags(stalled_after_days=14).get(pk=quarterly.pk)
    assert (row.periods_done, row.periods_late, row.periods_missed, row.is_overdue) == (2, 1, 0, False)  # type: ignore[attr-defined]  # annotated by with_flags(); the plugin knows fields only
    assert row.due == D(2026, 9, 30)  # type: ignore[attr-defined]  # annotated by with_flags(); the plugin knows fields only
    page = login(cast.staff_a).get(f"/tasks/{quarterly.pk}/").content.decode()
    assert 'data-testid="occurrences"' in page and 'data-period="2026-04-01"' in page


def test_a_recurring_task_itself_cannot_be_checked_off_without_a_period(cast, quarterly, login):
    Task.objects.filter(pk=quarterly.pk).update(status=Status.IN_PROGRESS)
    response = login(cast.head_a).post(f"/tasks/{quarterly.pk}/check-off/", {"version": 2, "note": "x"})
    assert response.status_code == 302
    assert Task.objects.get(pk=quarterly.pk).status == Status.IN_PROGRESS


def test_returned_period_notifies_and_can_be_checked_off_again(cast, quarterly, login):
    q1 = TaskOccurrence.objects.filter(task=quarterly).order_by("period_start").first()
    assert q1 is not None
    services.task_check_off(task=quarterly, user=cast.head_a, note="纪要", occurrence=q1)
    services.task_return(task=quarterly, user=cast.coordinator, reason="缺签到表", occurrence=q1)
    q1.refresh_from_db()
    assert q1.status == Status.RETURNED
    services.task_check_off(task=quarterly, user=cast.head_a, note="补签到表", occurrence=q1)
    q1.refresh_from_db()
    assert q1.status == Status.PENDING_REVIEW


def test_factory_made_recurring_task_rolls_from_its_creation(cast, campaign, monkeypatch):
    at(monkeypatch, 2026, 5, 3, 2, 0)
    task = TaskFactory(campaign=campaign, code="3", lead_office=cast.office_a, recurrence="half_yearly")
    assert services.occurrences_roll() == 2
    assert periods(task) == [D(2026, 1, 1), D(2026, 7, 1)]


def test_progress_can_be_reported_for_a_period(cast, quarterly, login, monkeypatch):
    at(monkeypatch, 2026, 2, 20, 2, 0)
    q1 = TaskOccurrence.objects.filter(task=quarterly).order_by("period_start").first()
    assert q1 is not None
    page = login(cast.staff_a).get(f"/tasks/{quarterly.pk}/").content.decode()
    # staff_a is not responsible for this task; the lead office's head is
    assert 'id="progress-period"' not in page
    client = login(cast.head_a)
    assert 'id="progress-period"' in client.get(f"/tasks/{quarterly.pk}/").content.decode()
    client.post(f"/tasks/{quarterly.pk}/progress/", {"text": "已拟定议题", "occurrence": q1.pk})
    assert q1.progress_reports.get().text == "已拟定议题"
