"""send_reminders: due in 7 days and in 1 day, overdue on the first day then weekly; never twice."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from civunit import access
from civunit.notifications.models import Notification, NotificationPreference
from tasks.models import Recurrence, Status, Task, TaskOccurrence
from tasks.reminders import send_reminders
from tests.factories import CampaignFactory

Kind = Notification.Kind
D = datetime.date(2026, 6, 15)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _day(n: int) -> datetime.date:
    return D + datetime.timedelta(days=n)


def make_task(campaign, office, *people, code="1", deadline=D, **extra) -> Task:
    task = Task.objects.create(
        campaign=campaign, code=code, title=f"任务{code}", lead_office=office, deadline=deadline, **extra
    )
    task.responsible_people.set(people)
    return task


def sent(**filters) -> set[tuple[str, str, datetime.date]]:
    return {
        (n.recipient.username, n.kind, n.day)
        for n in Notification.objects.filter(**filters).select_related("recipient")
    }


def test_a_task_due_in_7_days_reminds_its_responsible_people_once(cast, campaign):
    task = make_task(campaign, cast.office_a, cast.staff_a)
    result = send_reminders(today=_day(-7))
    assert result.due_soon == 1
    n = Notification.objects.get()
    assert (n.recipient, n.kind, n.days, n.target) == (cast.staff_a, Kind.DUE_SOON, 7, task)
    assert n.text == "任务“1 任务1”将于 2026-06-15 到期，还有 7 天。"
    assert send_reminders(today=_day(-7)).total == 0
    assert Notification.objects.count() == 1


def test_every_reminder_of_a_task_over_a_month_of_daily_runs(cast, campaign):
    """Run twice a day from ten days before the deadline to sixteen days after it."""
    make_task(campaign, cast.office_a, cast.staff_a)
    for offset in range(-10, 17):
        send_reminders(today=_day(offset))
        send_reminders(today=_day(offset))
    due_soon = {(cast.staff_a.username, Kind.DUE_SOON, _day(-7)), (cast.staff_a.username, Kind.DUE_SOON, _day(-1))}
    overdue = {
        (who, Kind.OVERDUE, _day(n)) for who in (cast.staff_a.username, cast.head_a.username) for n in (1, 8, 15)
    }
    assert sent() == due_soon | overdue
    assert list(
        Notification.objects.filter(recipient=cast.staff_a, kind=Kind.DUE_SOON)
        .order_by("day")
        .values_list("days", flat=True)
    ) == [7, 1]


def test_the_overdue_repeat_is_a_setting(cast, campaign, settings):
    settings.NOTIFICATIONS_OVERDUE_REPEAT_DAYS = 3
    make_task(campaign, cast.office_a, cast.staff_a)
    for offset in range(1, 8):
        send_reminders(today=_day(offset))
    assert {n.day for n in Notification.objects.filter(recipient=cast.staff_a)} == {_day(1), _day(4), _day(7)}


def test_a_missed_run_still_reminds_once_with_the_true_days_left(cast, campaign):
    make_task(campaign, cast.office_a, cast.staff_a)
    send_reminders(today=_day(-5))  # the runs of days -7 and -6 never happened
    send_reminders(today=_day(-4))
    assert list(Notification.objects.values_list("day", "days")) == [(_day(-5), 5)]


def test_overdue_also_goes_to_the_heads_of_responsible_people_from_other_offices(cast, campaign):
    make_task(campaign, cast.office_a, cast.staff_a, cast.staff_b)
    send_reminders(today=_day(1))
    assert {r for r, _k, _d in sent(kind=Kind.OVERDUE)} == {"staff_a", "staff_b", "head_a", "head_b"}


def test_a_task_without_responsible_people_reminds_its_office_head(cast, campaign):
    make_task(campaign, cast.office_a)
    send_reminders(today=_day(-1))
    assert sent() == {("head_a", Kind.DUE_SOON, _day(-1))}


def test_done_pending_review_ongoing_and_past_campaign_tasks_send_nothing(cast, campaign):
    make_task(campaign, cast.office_a, cast.staff_a, code="1", status=Status.DONE)
    make_task(campaign, cast.office_a, cast.staff_a, code="2", status=Status.PENDING_REVIEW)
    make_task(campaign, cast.office_a, cast.staff_a, code="3", recurrence=Recurrence.ONGOING)
    make_task(campaign, cast.office_a, cast.staff_a, code="4", deadline=None)
    old = CampaignFactory(title="上一周期", is_current=False)
    make_task(old, cast.office_a, cast.staff_a, code="5")
    for offset in (-7, -1, 1, 8):
        assert send_reminders(today=_day(offset)).total == 0
    assert not Notification.objects.exists()


def test_a_recurring_task_reminds_about_its_earliest_open_period(cast, campaign):
    task = make_task(campaign, cast.office_a, cast.staff_a, deadline=None, recurrence=Recurrence.MONTHLY)
    TaskOccurrence.objects.create(
        task=task, period_start=_day(-30), period_end=_day(-20), due_date=_day(-20), status=Status.DONE
    )
    TaskOccurrence.objects.create(task=task, period_start=_day(-19), period_end=D, due_date=D)
    send_reminders(today=_day(-1))
    assert sent() == {("staff_a", Kind.DUE_SOON, _day(-1))}


def test_nothing_is_sent_to_someone_who_may_not_read_the_task(cast, campaign, monkeypatch):
    monkeypatch.setitem(access.READ_RULES, "tasks.task", lambda user, task: user.office_id == task.lead_office_id)
    cast.head_b.is_active = False
    cast.head_b.save()
    make_task(campaign, cast.office_a, cast.staff_a, cast.staff_b)
    send_reminders(today=_day(1))
    assert {r for r, _k, _d in sent()} == {"staff_a", "head_a"}


def _run_at(monkeypatch, local: datetime.datetime) -> None:
    instant = local.replace(tzinfo=SHANGHAI).astimezone(datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_runs_either_side_of_midnight_in_shanghai_send_each_reminder_once(cast, campaign, monkeypatch):
    # In UTC all four runs fall on 2026-06-09 (15:59 to 16:01); in Asia/Shanghai two are on the 9th, two on the 10th.
    make_task(campaign, cast.office_a, cast.staff_a, code="1", deadline=_day(-1))  # due on the 14th
    make_task(campaign, cast.office_a, cast.staff_a, code="2", deadline=_day(-5))  # due on the 10th
    make_task(campaign, cast.office_a, cast.staff_a, code="3", deadline=_day(-7))  # due on the 8th
    make_task(campaign, cast.office_a, cast.staff_a, code="4", deadline=_day(2))  # due on the 17th
    for hour, minute, second in ((23, 59, 30), (23, 59, 50)):
        _run_at(monkeypatch, datetime.datetime(2026, 6, 9, hour, minute, second))
    for second in (10, 50):
        _run_at(monkeypatch, datetime.datetime(2026, 6, 10, 0, 0, second))
    got = {
        (n.target.code, n.kind, n.day, n.days)  # type: ignore[union-attr]  # every reminder has its task
        for n in Notification.objects.filter(recipient=cast.staff_a).prefetch_related("target")
    }
    assert got == {
        ("1", Kind.DUE_SOON, _day(-6), 5),  # the week before; nothing new on the 10th (4 days left)
        ("2", Kind.DUE_SOON, _day(-6), 1),  # due tomorrow; on its due day nothing new
        ("3", Kind.OVERDUE, _day(-6), 1),  # first overdue day; nothing on the 10th (weekly)
        ("4", Kind.DUE_SOON, _day(-5), 7),  # 7 days before, counted in Shanghai days (still the 9th in UTC)
    }


def test_reminders_are_emailed_to_who_opted_in_after_commit(cast, campaign, django_capture_on_commit_callbacks):
    cast.staff_a.email = "staff_a@example.org"
    cast.staff_a.save()
    cast.head_a.email = "head_a@example.org"
    cast.head_a.save()
    NotificationPreference.objects.create(user=cast.staff_a, kind=Kind.OVERDUE, email=True)
    make_task(campaign, cast.office_a, cast.staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=_day(1))
        assert mail.outbox == []
    assert [m.to for m in mail.outbox] == [["staff_a@example.org"]]
    assert "任务1" in mail.outbox[0].body


def test_query_count_does_not_grow_with_tasks_when_nothing_is_new(cast, campaign, django_assert_max_num_queries):
    for i in range(20):
        make_task(campaign, cast.office_a, cast.staff_a, cast.staff_b, code=str(i))
    send_reminders(today=_day(1))
    # tasks, responsible people (with their offices' heads), earlier reminders, content type (cached later)
    with django_assert_max_num_queries(4):
        assert send_reminders(today=_day(2)).total == 0


def test_command_rejects_a_bad_date(db):
    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "2026-13-01")


def test_command_reports_what_it_sent(cast, campaign, capsys):
    make_task(campaign, cast.office_a, cast.staff_a)
    call_command("send_reminders", "--date", "2026-06-16")
    assert "0 due soon, 2 overdue" in capsys.readouterr().out


def test_demo_reminders_seeded_twice_add_nothing(cast, campaign):
    from tasks import demo_reminders

    task = Task.objects.create(
        campaign=campaign, code="1", title="任务", lead_office=cast.office_a, deadline=timezone.localdate()
    )
    task.responsible_people.add(cast.staff_a)
    demo_reminders.seed()
    assert Notification.objects.count() == 1
    demo_reminders.seed()
    assert Notification.objects.count() == 1
