"""The period of a bulletin: a month, a quarter or custom dates, and how it is named (2026年3月, 2026年第一季度)."""

from __future__ import annotations

import calendar
import datetime

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civunit.reports.models import Bulletin

QUARTER_NAMES = (
    gettext_lazy("first quarter of %(year)s"),
    gettext_lazy("second quarter of %(year)s"),
    gettext_lazy("third quarter of %(year)s"),
    gettext_lazy("fourth quarter of %(year)s"),
)


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    first = 3 * quarter - 2
    return month_bounds(year, first)[0], month_bounds(year, first + 2)[1]


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def previous_month(today: datetime.date) -> tuple[int, int]:
    """The month before today's: the usual subject of a monthly bulletin, published early the next month."""
    first = today.replace(day=1) - datetime.timedelta(days=1)
    return first.year, first.month


def period_label(kind: str, start: datetime.date, end: datetime.date) -> str:
    if kind == Bulletin.PeriodKind.MONTH:
        return formats.date_format(start, "YEAR_MONTH_FORMAT")
    if kind == Bulletin.PeriodKind.QUARTER:
        return str(QUARTER_NAMES[quarter_of(start) - 1] % {"year": start.year})
    return _("%(start)s to %(end)s") % {"start": formats.date_format(start), "end": formats.date_format(end)}
