"""Demo review state, called by `manage.py seed_demo` after evidence.demo: activities gathering the demo evidence
of their day, most items reviewed (accepted, or returned with a reason), some left awaiting review, one accepted
item with a newer version awaiting review, and one item in the recycle bin.

Running it again changes nothing: each item's fate is decided by its file name, and items already reviewed,
changed or binned are left alone. Reviews go through the services, so history entries and notifications are real.
"""

from __future__ import annotations

import datetime
import re

from django.db import transaction

from campaign.demo import demo_campaign
from campaign.models import Campaign
from civunit.accounts.models import User

from . import services
from .demo import DEMO_NOTE
from .models import Activity, EvidenceEvent, EvidenceItem, EvidenceKind

ACTIVITIES = [
    # title, date, place, organiser (username whose office organises), participants, theme
    ("学雷锋志愿服务进社区", datetime.date(2026, 3, 5), "阳光社区", "staff", "机关青年志愿者20人", "弘扬雷锋精神"),
    ("书香机关读书分享会", datetime.date(2026, 4, 23), "机关图书室", "staff2", "干部职工30余人", "全民阅读"),
    ("文明礼仪专题培训", datetime.date(2026, 5, 28), "机关报告厅", "coordinator", "全体干部职工", "文明礼仪"),
    ("“我们的节日·端午”活动", datetime.date(2026, 6, 19), "机关食堂", "staff", "干部职工及家属", "传统文化"),
]
REASONS = [
    "照片中看不到单位名称和活动横幅，请补拍一张",
    "缺少时间、地点、人物说明，请补充图片说明",
    "文件未盖章，请上传盖章后的扫描件",
]
NUMBER = re.compile(r"_(\d+)\.\w+$")


def _fate(item: EvidenceItem) -> str:
    """accept, return or pending, from the running number in the demo file name."""
    match = NUMBER.search(item.original_name)
    n = int(match.group(1)) if match else 0
    if n % 10 in (3, 7):
        return "return"
    if n % 10 in (5, 9):
        return "pending"
    return "accept"


def _reviewer(item: EvidenceItem, coordinator: User | None) -> User | None:
    """The head of the item's office, else the coordinator; never the uploader (self-review is off)."""
    for candidate in (item.office.head, coordinator):
        if candidate is not None and candidate.pk != item.uploader_id:
            return candidate
    return None


def _activities(campaign: Campaign, scale: int = 1) -> list[Activity]:
    """The demo's activities; with `--scale N`, N of each, copy k a day after copy k-1 (as its evidence is)."""
    users = {u.username: u for u in User.objects.filter(username__in=[a[3] for a in ACTIVITIES])}
    result = []
    for copy in range(scale):
        for title, date, place, organiser, participants, theme in ACTIVITIES:
            user = users.get(organiser)
            if user is None or user.office_id is None:
                continue
            activity, _created = Activity.objects.get_or_create(
                campaign=campaign,
                title=title if copy == 0 else f"{title}（第{copy + 1}场）",
                defaults={
                    "date": date + datetime.timedelta(days=copy),
                    "place": place,
                    "organiser_office_id": user.office_id,
                    "participants": participants,
                    "theme": theme,
                    "created_by": user,
                },
            )
            result.append(activity)
    return result


def seed(*, scale: int = 1, stdout=None) -> None:
    campaign = demo_campaign()
    if campaign is None:
        return
    demo = EvidenceItem.objects.filter(campaign=campaign, description__endswith=DEMO_NOTE)
    activities = _activities(campaign, scale)

    # Demo evidence joins the activity held on its day (the first version carries it to later ones).
    linked = 0
    for activity in activities:
        items = demo.filter(taken_on=activity.date, activity__isnull=True)
        linked += items.update(activity=activity)
        standards = {i.primary_standard_id for i in demo.filter(activity=activity) if i.primary_standard_id}
        if standards and not activity.standards.exists():
            activity.standards.set(sorted(standards)[:3])
        # and carries out the tasks its evidence reports on (uploading from one of them offers the activity)
        tasks = set(
            EvidenceItem.tasks.through.objects.filter(evidenceitem__activity=activity).values_list("task_id", flat=True)
        )
        if tasks and not activity.tasks.exists():
            activity.tasks.set(sorted(tasks)[:3])

    coordinator = User.objects.filter(username="coordinator").first()
    reviewed = returned = 0
    pending = list(
        demo.filter(status=EvidenceItem.Status.PENDING, is_current=True, deleted_at__isnull=True, version=1)
        .select_related("campaign", "office__head", "uploader")
        .order_by("pk")
    )
    for item in pending:
        fate = _fate(item)
        reviewer = _reviewer(item, coordinator)
        if fate == "pending" or reviewer is None:
            continue
        with transaction.atomic():
            if fate == "accept":
                services.evidence_accept(user=reviewer, item=item)
                reviewed += 1
            else:
                reason = REASONS[item.pk % len(REASONS)]
                services.evidence_return(user=reviewer, item=item, reason=reason)
                returned += 1

    # One accepted photo with a corrected caption waiting for review (the accepted version stays current).
    if not demo.filter(version__gt=1).exists():
        target = demo.filter(
            status=EvidenceItem.Status.ACCEPTED, kind=EvidenceKind.PHOTO, deleted_at__isnull=True
        ).first()
        if target is not None:
            services.evidence_edit(
                user=target.uploader,
                item=target,
                changes={"caption": f"{target.caption}（补充：参加人员{target.people or '机关干部'}）"},
            )

    # One item in the recycle bin, for the coordinator to restore or purge.
    if not EvidenceEvent.objects.filter(
        action=EvidenceEvent.Action.DELETED, lineage__in=demo.values("lineage")
    ).exists():
        doomed = demo.filter(status=EvidenceItem.Status.RETURNED, deleted_at__isnull=True).first()
        if doomed is not None:
            services.evidence_delete(user=doomed.uploader, item=doomed)

    if stdout:
        stdout.write(
            f"  evidence review: {len(activities)} activities, {linked} items linked, "
            f"{reviewed} accepted, {returned} returned"
        )
