"""Overdue, due-soon and stalled are computed in SQL with Asia/Shanghai dates; ongoing tasks are never overdue."""

import datetime

import pytest
from django.utils import timezone

from tasks import services
from tasks.models import Status, Task
from tests.tasks.factories import TaskFactory

UTC = datetime.UTC


def at(monkeypatch, *args):
    """Freeze the clock at a UTC instant (timezone.localdate() then gives the Asia/Shanghai date)."""
    moment = datetime.datetime(*args).replace(tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.fixture
def due_june_30(cast, campaign):
    return TaskFactory(
        campaign=campaign,
        code="1",
        lead_office=cast.office_a,
        deadline=datetime.date(2026, 6, 30),
        status=Status.IN_PROGRESS,
    )


def test_a_task_becomes_overdue_at_midnight_in_shanghai_not_in_utc(due_june_30, monkeypatch):
    at(monkeypatch, 2026, 6, 30, 15, 59, 59)  # 23:59:59 on 30 June in Shanghai
    assert timezone.localdate() == datetime.date(2026, 6, 30)
    assert not Task.objects.overdue().exists()
    at(monkeypatch, 2026, 6, 30, 16, 0, 0)  # 00:00 on 1 July in Shanghai, still 30 June in UTC
    assert list(Task.objects.overdue()) == [due_june_30]


def test_overdue_filter_on_the_list_page_follows_the_shanghai_date(cast, due_june_30, login, monkeypatch):
    client = login(cast.head_a)
    at(monkeypatch, 2026, 6, 30, 15, 59)
    page = client.get("/tasks/?overdue=on").content.decode()
    assert 'data-task="1"' not in page
    at(monkeypatch, 2026, 6, 30, 16, 1)
    page = client.get("/tasks/?overdue=on").content.decode()
    assert 'data-task="1"' in page and 'data-flag="overdue"' in page


@pytest.mark.parametrize(
    ("status", "overdue"),
    [
        (Status.NOT_STARTED, True),
        (Status.IN_PROGRESS, True),
        (Status.RETURNED, True),
        (Status.PENDING_REVIEW, False),  # the office did its part; the reviewer is late, not the office
        (Status.DONE, False),
    ],
)
def test_only_open_tasks_are_overdue(due_june_30, monkeypatch, status, overdue):
    Task.objects.filter(pk=due_june_30.pk).update(status=status)
    at(monkeypatch, 2026, 7, 2, 0, 0)
    assert Task.objects.overdue().exists() is overdue


def test_ongoing_tasks_are_never_overdue_and_show_their_last_progress(cast, campaign, login, monkeypatch):
    ongoing = TaskFactory(
        campaign=campaign,
        code="5",
        lead_office=cast.office_a,
        recurrence="ongoing",
        deadline=None,
        status=Status.IN_PROGRESS,
    )
    at(monkeypatch, 2027, 12, 1, 0, 0)
    assert not Task.objects.overdue().exists()
    assert not Task.objects.due_within(3650).exists()
    services.progress_report_add(task=ongoing, user=cast.head_a, text="持续开展志愿服务")
    page = login(cast.head_a).get("/tasks/").content.decode()
    assert "2027-12-01" in page  # 最近进展 date in the row
    assert 'data-flag="overdue"' not in page


def test_due_within_n_days_includes_today_and_the_nth_day(cast, campaign, monkeypatch):
    at(monkeypatch, 2026, 6, 1, 4, 0)  # 12:00 on 1 June in Shanghai
    days = {
        "1": datetime.date(2026, 6, 1),
        "2": datetime.date(2026, 6, 8),
        "3": datetime.date(2026, 6, 9),
        "4": datetime.date(2026, 5, 31),
    }
    for code, day in days.items():
        TaskFactory(campaign=campaign, code=code, lead_office=cast.office_a, deadline=day)
    codes = sorted(Task.objects.due_within(7).values_list("code", flat=True))
    assert codes == ["1", "2"]


def test_a_task_with_no_progress_for_the_campaign_setting_is_stalled(cast, campaign, monkeypatch):
    campaign.stalled_after_days = 14
    campaign.save()
    now = at(monkeypatch, 2026, 6, 30, 2, 0)
    quiet = TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a, status=Status.IN_PROGRESS)
    busy = TaskFactory(campaign=campaign, code="2", lead_office=cast.office_a, status=Status.IN_PROGRESS)
    Task.objects.filter(pk=quiet.pk).update(
        started_at=now - datetime.timedelta(days=20), created_at=now - datetime.timedelta(days=30)
    )
    Task.objects.filter(pk=busy.pk).update(
        started_at=now - datetime.timedelta(days=20), last_progress_at=now - datetime.timedelta(days=3)
    )
    assert list(Task.objects.stalled(14)) == [quiet]
    flagged = dict(Task.objects.with_flags(stalled_after_days=14).values_list("code", "is_stalled"))  # type: ignore[misc]  # annotated by with_flags(); the plugin knows fields only
    assert flagged == {"1": True, "2": False}


def test_flags_on_the_list_page(cast, campaign, login, monkeypatch):
    at(monkeypatch, 2026, 6, 28, 2, 0)
    TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a, deadline=datetime.date(2026, 6, 20))
    TaskFactory(campaign=campaign, code="2", lead_office=cast.office_a, deadline=datetime.date(2026, 7, 1))
    page = login(cast.staff_a).get("/tasks/?due_within=7").content.decode()
    assert 'data-task="2"' in page and 'data-task="1"' not in page and 'data-flag="due-soon"' in page


def test_recurring_tasks_are_never_stalled_their_missed_periods_show_instead(cast, campaign, monkeypatch):
    now = at(monkeypatch, 2026, 6, 30, 2, 0)
    task = TaskFactory(
        campaign=campaign, code="1", lead_office=cast.office_a, status=Status.IN_PROGRESS, recurrence="quarterly"
    )
    Task.objects.filter(pk=task.pk).update(started_at=now - datetime.timedelta(days=60))
    assert not Task.objects.stalled(14).exists()
    assert not Task.objects.with_flags(stalled_after_days=14).get(pk=task.pk).is_stalled  # type: ignore[attr-defined]  # annotated by with_flags(); the plugin knows fields only
