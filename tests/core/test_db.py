import datetime

from django.db.models import Q
from django.utils import timezone

from civunit.db import insert_many
from tasks.models import TaskEvent, TaskOccurrence
from tests.tasks.factories import TaskFactory


def test_insert_many_fills_defaults_and_auto_timestamps(cast, campaign):
    task = TaskFactory(campaign=campaign, lead_office=cast.office_a)
    events = [TaskEvent(task=task, actor=cast.coordinator, action=TaskEvent.Action.CREATED) for _ in range(3)]
    assert insert_many(TaskEvent, events) == 3
    rows = list(TaskEvent.objects.filter(task=task))
    assert len(rows) == 3
    assert all(e.created_at is not None and e.actor_id == cast.coordinator.pk for e in rows)


def test_insert_many_can_skip_rows_that_break_a_unique_constraint(cast, campaign):
    task = TaskFactory(campaign=campaign, lead_office=cast.office_a)
    start = datetime.date(2026, 3, 1)

    def period():
        return TaskOccurrence(task=task, period_start=start, period_end=start, due_date=start)

    insert_many(TaskOccurrence, [period()], ignore_conflicts=True)
    insert_many(TaskOccurrence, [period(), period()], ignore_conflicts=True)
    assert TaskOccurrence.objects.filter(task=task).count() == 1


def test_insert_values_takes_defaults_and_the_present_time_for_missing_fields(cast, campaign):
    from civunit.db import insert_values

    task = TaskFactory(campaign=campaign, lead_office=cast.office_a)
    start = datetime.date(2026, 4, 1)
    rows = [{"task_id": task.pk, "period_start": start, "period_end": start, "due_date": start}]
    assert insert_values(TaskOccurrence, rows + rows, ignore_conflicts=True) == 2
    (occurrence,) = TaskOccurrence.objects.filter(task=task)
    assert occurrence.status == "not_started"  # the field's default
    assert occurrence.version == 1
    assert occurrence.created_at is not None
    insert_values(TaskEvent, [{"task_id": task.pk, "action": TaskEvent.Action.CREATED, "note": "导入"}])
    event = TaskEvent.objects.get(task=task)
    assert (event.note, event.actor_id, event.to_status) == ("导入", None, "")
    assert event.created_at is not None


def test_write_atomically_replaces_the_file_whole_or_not_at_all(tmp_path, monkeypatch):
    import os

    import pytest

    from civunit.utils import write_atomically

    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "表.xlsx"
    write_atomically(target, b"first")
    assert target.read_bytes() == b"first"

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomically(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in folder.iterdir()] == ["表.xlsx"]  # no temporary file left behind


# --- LaterLocalDay: a datetime's local day against a date ------------------------------------------------------

ZONES = ("Asia/Shanghai", "Europe/Berlin", "America/New_York")


def _later_local_day_rows(campaign, office, zone):
    """Tasks whose check-off time lies just before, at and just after the local midnights around their deadline,
    on days in every season, near today and far from it (1988: Asia/Shanghai kept summer time then)."""
    from zoneinfo import ZoneInfo

    from tasks.models import Task

    tz = ZoneInfo(zone)
    today = timezone.localdate()
    days = [today, today + datetime.timedelta(days=120), today - datetime.timedelta(days=200)]
    days += [datetime.date(today.year, 3, 30), datetime.date(today.year, 10, 26), datetime.date(1988, 7, 1)]
    days += [datetime.date(1988, 1, 15), datetime.date(today.year + 15, 7, 1)]
    expected = {}
    n = 0
    for day in days:
        ends = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        for moment in (ends - datetime.timedelta(microseconds=1), ends, ends + datetime.timedelta(seconds=1), None):
            n += 1
            task = TaskFactory(campaign=campaign, lead_office=office, code=f"{zone[:2]}{n}", deadline=day)
            Task.objects.filter(pk=task.pk).update(checked_off_at=moment)
            expected[task.pk] = None if moment is None else moment.astimezone(tz).date() > day
    task = TaskFactory(campaign=campaign, lead_office=office, code=f"{zone[:2]}-none", deadline=None)
    Task.objects.filter(pk=task.pk).update(checked_off_at=ends)
    expected[task.pk] = None
    return expected


def test_later_local_day_agrees_with_the_date_lookup_in_every_zone(cast, campaign):
    """True, False or NULL exactly as `moment__date__gt=day` (and the Python local date) says, on both sides of
    each local midnight, in zones with and without summer time, near today (the fast comparison on SQLite) and
    far from it (the lookup)."""
    from django.db.models import F

    from civunit.db import LaterLocalDay
    from tasks.models import Task

    for zone in ZONES:
        with timezone.override(zone):
            expected = _later_local_day_rows(campaign, cast.office_a, zone)
            rows = Task.objects.filter(pk__in=expected).annotate(
                later=LaterLocalDay("checked_off_at", "deadline"),
                by_lookup=Q(checked_off_at__date__gt=F("deadline")),
            )
            found = {r.pk: r.later for r in rows}
            assert found == expected, zone
            assert all(r.later == r.by_lookup for r in rows), zone
            late = set(Task.objects.filter(LaterLocalDay("checked_off_at", "deadline")).values_list("pk", flat=True))
            assert late == {pk for pk, value in expected.items() if value}
            Task.objects.filter(pk__in=expected).delete()


def test_fixed_offset_span_is_every_day_for_shanghai_and_one_season_with_summer_time():
    from zoneinfo import ZoneInfo

    from civunit.db import FIXED_OFFSET_YEARS, fixed_offset_span

    today = datetime.date(2026, 6, 10)
    lo, hi, offset = fixed_offset_span(ZoneInfo("Asia/Shanghai"), today)
    assert offset == datetime.timedelta(hours=8)
    assert (today - lo).days >= 365 * FIXED_OFFSET_YEARS and (hi - today).days >= 365 * FIXED_OFFSET_YEARS
    # Berlin: summer time from 02:00 on 29 March 2026 to 03:00 on 25 October; the first day whose following
    # midnight is in summer time is 29 March (30 March 00:00), the last 24 October (25 October 00:00)
    lo, hi, offset = fixed_offset_span(ZoneInfo("Europe/Berlin"), today)
    assert (lo, hi, offset) == (datetime.date(2026, 3, 29), datetime.date(2026, 10, 24), datetime.timedelta(hours=2))
