"""Periods of recurring tasks: calendar months, quarters, half-years and years (Asia/Shanghai dates)."""

from __future__ import annotations

import datetime

from .models import Recurrence

_MONTHS = {
    Recurrence.MONTHLY: 1,
    Recurrence.QUARTERLY: 3,
    Recurrence.HALF_YEARLY: 6,
    Recurrence.YEARLY: 12,
}


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_of(recurrence: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period of a recurring task that contains `day`: (first day, last day)."""
    length = _MONTHS[Recurrence(recurrence)]
    first_month = (day.month - 1) // length * length + 1
    start = datetime.date(day.year, first_month, 1)
    end = _add_months(start, length) - datetime.timedelta(days=1)
    return start, end


def periods_between(
    recurrence: str, first_day: datetime.date, last_day: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """Every period from the one containing `first_day` to the one containing `last_day`, in order."""
    periods = []
    start, end = period_of(recurrence, first_day)
    while start <= last_day:
        periods.append((start, end))
        start, end = period_of(recurrence, end + datetime.timedelta(days=1))
    return periods
