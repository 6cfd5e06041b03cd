"""A small hand-built campaign for the bulletin tests, and shortcuts to draft and publish through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from civunit.reports.bulletins import services
from civunit.reports.bulletins.periods import month_bounds, previous_month
from civunit.reports.models import Bulletin
from evidence.models import Activity
from tasks.models import Status
from tests.tasks.factories import TaskFactory


def last_month() -> tuple[datetime.date, datetime.date]:
    return month_bounds(*previous_month(timezone.localdate()))


def build_organ(cast, campaign) -> dict:
    """研究室 (office A) leads 4 tasks: 2 done (one completed last month), 1 overdue, 1 open and not yet due.
    提案委员会办公室 (office B) leads 2 tasks: both overdue. One activity held last month by office A."""
    today = timezone.localdate()
    start, _end = last_month()
    in_period = timezone.make_aware(datetime.datetime.combine(start + datetime.timedelta(days=3), datetime.time(10)))
    earlier = in_period - datetime.timedelta(days=60)
    late = today - datetime.timedelta(days=5)
    future = today + datetime.timedelta(days=20)
    a = cast.office_a
    b = cast.office_b
    tasks = {
        "a1": TaskFactory(
            campaign=campaign, code="1", lead_office=a, status=Status.DONE, deadline=future, completed_at=in_period
        ),
        "a2": TaskFactory(
            campaign=campaign, code="2", lead_office=a, status=Status.DONE, deadline=future, completed_at=earlier
        ),
        "a3": TaskFactory(campaign=campaign, code="3", lead_office=a, status=Status.IN_PROGRESS, deadline=late),
        "a4": TaskFactory(campaign=campaign, code="4", lead_office=a, status=Status.NOT_STARTED, deadline=future),
        "b1": TaskFactory(
            campaign=campaign,
            code="5",
            title="组织道德讲堂",
            lead_office=b,
            status=Status.NOT_STARTED,
            deadline=late - datetime.timedelta(days=10),
        ),
        "b2": TaskFactory(campaign=campaign, code="6", lead_office=b, status=Status.RETURNED, deadline=late),
    }
    activity = Activity.objects.create(
        campaign=campaign, title="学雷锋志愿服务活动", date=start + datetime.timedelta(days=5), organiser_office=a
    )
    return {"tasks": tasks, "activity": activity}


def draft(cast, campaign, *, office_order=Bulletin.OfficeOrder.RANKED, text="请各委室抓紧推进。", **period) -> Bulletin:
    start, end = last_month()
    values = {"period_kind": Bulletin.PeriodKind.MONTH, "period_start": start, "period_end": end, **period}
    return services.bulletin_create(
        user=cast.coordinator, campaign=campaign, office_order=office_order, text=text, **values
    )


def publish(bulletin: Bulletin, user, **kwargs) -> Bulletin:
    return services.bulletin_publish(bulletin=bulletin, user=user, version=bulletin.version, **kwargs)
