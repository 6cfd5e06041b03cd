"""The review demo: activities with their evidence, items accepted, returned and pending, one newer version
awaiting review, one item in the recycle bin; running it again changes nothing."""

import datetime

from evidence import demo_review
from evidence.demo import DEMO_NOTE
from evidence.models import Activity, EvidenceItem
from tests.evidence.review_factories import make_item
from tests.factories import UserFactory


def test_demo_review_seeds_a_realistic_state_once(cast, campaign):
    # the demo's usernames
    for user, name in ((cast.staff_a, "staff"), (cast.staff_b, "staff2"), (cast.coordinator, "coordinator")):
        user.username = name
        user.save()
    UserFactory(username="head", office=cast.office_a)
    for n in range(1, 21):
        make_item(
            campaign=campaign,
            uploader=cast.staff_a if n % 2 else cast.staff_b,
            original_name=f"6.2.1_20260305_学雷锋_{n:02d}.jpg",
            description=f"演示{DEMO_NOTE}",
            taken_on=datetime.date(2026, 3, 5) if n < 5 else datetime.date(2026, 7, 1),
        )
    demo_review.seed()

    def state():
        return sorted(EvidenceItem.objects.values_list("pk", "status", "is_current", "deleted_at", "activity_id"))

    first = state()
    statuses = [s for _pk, s, current, _d, _a in first if current]
    assert statuses.count("accepted") >= 8
    assert statuses.count("returned") >= 3
    assert statuses.count("pending") >= 4
    assert EvidenceItem.objects.filter(version=2, is_current=False, status="pending").count() == 1
    assert EvidenceItem.objects.filter(deleted_at__isnull=False).count() == 1
    activity = Activity.objects.get(title="学雷锋志愿服务进社区")
    assert activity.evidence.count() == 4

    demo_review.seed()
    assert state() == first
