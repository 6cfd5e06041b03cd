"""The browse, search, tree, review, activity and recycle-bin pages ask the database the same number of times
with 100 items as with 2,000 (rows made with bulk_create, all sharing one stored file, to stay fast): a query per
row or per page would show at 20 times the rows as surely as at 100 times, in half the time."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.models import CriterionRequirement, EvidenceCategory
from evidence.models import Activity, EvidenceItem, EvidenceStandard
from tests.evidence.review_factories import make_stored_file
from tests.factories import CriterionFactory
from tests.tasks.factories import TaskFactory

Status = EvidenceItem.Status
STATUSES = [Status.PENDING, Status.ACCEPTED, Status.RETURNED, Status.ACCEPTED]
SMALL, LARGE = 100, 2_000


@pytest.fixture
def world(cast, campaign):
    parent = CriterionFactory(campaign=campaign, code="6", is_leaf=False, level=1)
    standards = [CriterionFactory(campaign=campaign, code=f"6.{i}", parent=parent, level=2) for i in range(1, 6)]
    for s in standards:
        CriterionRequirement.objects.create(criterion=s, category=EvidenceCategory.PHOTO, min_count=3)
    activity = Activity.objects.create(
        campaign=campaign, title="志愿服务活动", date=datetime.date(2026, 3, 5), organiser_office=cast.office_a
    )
    task = TaskFactory(campaign=campaign, lead_office=cast.office_a)
    return {"standards": standards, "activity": activity, "task": task, "file": make_stored_file()}


def add_items(cast, campaign, world, start: int, count: int) -> None:
    uploaders = [cast.staff_a, cast.staff_b, cast.head_a]
    items = [
        EvidenceItem(
            campaign=campaign,
            lineage=uuid.uuid4(),
            stored_file=world["file"],
            original_name=f"IMG_{n:05d}.jpg",
            kind="photo",
            category="photo" if n % 3 else "minutes",
            title=f"志愿服务照片{n}" if n % 2 else f"会议材料{n}",
            caption="社区志愿服务",
            place="社区",
            taken_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300),
            office=uploaders[n % 3].office,
            uploader=uploaders[n % 3],
            activity=world["activity"] if n % 5 == 0 else None,
            primary_standard=world["standards"][n % 5],
            status=STATUSES[n % 4],
            deleted_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC) if n % 50 == 7 else None,
        )
        for n in range(start, start + count)
    ]
    EvidenceItem.objects.bulk_create(items, batch_size=1000)
    created = EvidenceItem.objects.filter(original_name__in=[i.original_name for i in items]).values_list(
        "pk", "primary_standard_id"
    )
    EvidenceStandard.objects.bulk_create(
        [EvidenceStandard(item_id=pk, criterion_id=std, position=0) for pk, std in created], batch_size=1000
    )
    Through = EvidenceItem.tasks.through
    Through.objects.bulk_create(
        [Through(evidenceitem_id=pk, task_id=world["task"].pk) for pk, _std in created[::7]], batch_size=1000
    )


def count_queries(client, url, params=None) -> int:
    client.get(url, params or {})  # warm-up: session, user, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def pages(world):
    return [
        ("browse", reverse("evidence:browse"), {}),
        ("grid", reverse("evidence:browse"), {"kind": "photo"}),
        ("search", reverse("evidence:browse"), {"q": "志愿", "standard": world["standards"][0].code}),
        ("by task", reverse("evidence:browse"), {"task": world["task"].code, "page": 2}),
        ("tree", reverse("evidence:standards_tree"), {}),
        ("review", reverse("evidence:review"), {}),
        ("activities", reverse("evidence:activities"), {}),
        ("activity", reverse("evidence:activity", args=[world["activity"].pk]), {}),
        ("bin", reverse("evidence:recycle_bin"), {}),
    ]


@pytest.mark.slow
def test_query_counts_are_the_same_at_100_and_at_2000_items(cast, campaign, world, login):
    add_items(cast, campaign, world, 0, SMALL)
    clients = {"staff": login(cast.staff_a), "head": login(cast.head_a), "coordinator": login(cast.coordinator)}
    small = {
        (who, name): count_queries(client, url, params)
        for who, client in clients.items()
        for name, url, params in pages(world)
        if not (name == "bin" and who != "coordinator")
    }
    add_items(cast, campaign, world, SMALL, LARGE - SMALL)
    assert EvidenceItem.objects.count() == LARGE
    large = {
        (who, name): count_queries(client, url, params)
        for who, client in clients.items()
        for name, url, params in pages(world)
        if not (name == "bin" and who != "coordinator")
    }
    assert large == small


def test_the_browse_page_costs_a_fixed_number_of_queries(cast, campaign, world, login, django_assert_num_queries):
    add_items(cast, campaign, world, 0, 60)
    client = login(cast.staff_a)
    client.get(reverse("evidence:browse"))
    # session, user (with their roles, headed offices and office), the current campaign, the count of matching
    # rows, the bell's unread notifications, the filter form's choices (offices; the tasks, standards and
    # activities are never listed: the page's script asks tasks:choices, campaign:standard_choices and
    # evidence:activity_choices for a few as one types; 11 while the activities were options), the page of rows
    # (file, office, uploader, primary standard and activity joined)
    with django_assert_num_queries(PINNED_BROWSE):
        client.get(reverse("evidence:browse"), {"q": "志愿"})


PINNED_BROWSE = 7
