"""The home page (工作台): countdown to the inspection and the work waiting for the person."""

import datetime

from django.utils import timezone

from campaign.models import Stage
from tasks.models import Status
from tests.tasks.factories import TaskFactory


def make_tasks(cast, campaign, n: int):
    today = timezone.localdate()
    for i in range(n):
        TaskFactory(
            campaign=campaign,
            code=str(100 + i),
            lead_office=cast.office_a,
            people=[cast.staff_a],
            deadline=today - datetime.timedelta(days=3) if i % 2 else today + datetime.timedelta(days=30),
        )


def test_home_counts_my_open_and_overdue_tasks_and_the_countdown(cast, campaign, login):
    today = timezone.localdate()
    Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.INSPECTION,
        name="迎检验收",
        start_date=today + datetime.timedelta(days=40),
        end_date=today + datetime.timedelta(days=60),
    )
    make_tasks(cast, campaign, 4)
    TaskFactory(campaign=campaign, code="200", lead_office=cast.office_a, people=[cast.staff_a], status=Status.DONE)
    response = login(cast.staff_a).get("/")
    summary = response.context["summary"]
    assert summary.days_to_inspection == 40
    assert summary.mine.open == 4
    assert summary.mine.overdue == 2
    assert summary.mine.done == 1
    assert summary.organ is None  # staff see their own and their office's figures only
    body = response.content.decode()
    assert "还有 40 天" in body


def test_coordinator_sees_the_whole_organ_on_the_workbench(cast, campaign, login):
    make_tasks(cast, campaign, 3)
    summary = login(cast.coordinator).get("/workbench/").context["summary"]
    assert summary.organ.total == 3
    assert summary.organ.overdue == 1


def test_home_query_count_does_not_grow_with_tasks(cast, campaign, login, django_assert_max_num_queries):
    client = login(cast.head_a)
    make_tasks(cast, campaign, 3)
    client.get("/")  # warm-up: session, user, roles
    with django_assert_max_num_queries(20) as small:
        client.get("/")
    make_tasks_more = 40
    today = timezone.localdate()
    for i in range(make_tasks_more):
        TaskFactory(campaign=campaign, code=f"9{i}", lead_office=cast.office_a, deadline=today)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/")


def test_home_without_a_campaign_says_so(cast, login):
    response = login(cast.staff_a).get("/")
    assert response.status_code == 200
    assert "当前没有进行中的创建周期" in response.content.decode()


def test_leadership_sees_the_organ_not_personal_work_on_the_workbench(cast, campaign, login):
    make_tasks(cast, campaign, 2)
    response = login(cast.leader).get("/workbench/")
    summary = response.context["summary"]
    assert not summary.works_on_tasks
    assert summary.office is None
    assert summary.organ.total == 2
    assert 'data-testid="my-open"' not in response.content.decode()


def test_work_i_supervise_is_one_query_whatever_its_number(cast, campaign, django_assert_num_queries):
    """我分管的工作 (the dashboard's and the workbench's card): the first tasks in 序号 order and how many there are,
    asked in one query with none, a few or more tasks than the card shows; only the reader's, in this campaign."""
    from civunit.reports.selectors import SUPERVISED_SHOWN, supervised_summary

    with django_assert_num_queries(1):
        assert supervised_summary(cast.leader, campaign) == ([], 0)
    TaskFactory(campaign=campaign, code="1", lead_office=cast.office_b, leader_in_charge=cast.coordinator)
    for i in (12, 3, 7):
        TaskFactory(campaign=campaign, code=str(i), lead_office=cast.office_a, leader_in_charge=cast.leader)
    with django_assert_num_queries(1):
        shown, total = supervised_summary(cast.leader, campaign)
        assert [(t.code, t.lead_office.name) for t in shown] == [(c, cast.office_a.name) for c in ("3", "7", "12")]
    assert total == 3
    for i in range(20, 20 + SUPERVISED_SHOWN):
        TaskFactory(campaign=campaign, code=str(i), lead_office=cast.office_a, leader_in_charge=cast.leader)
    with django_assert_num_queries(1):
        shown, total = supervised_summary(cast.leader, campaign)
        assert len(shown) == SUPERVISED_SHOWN and [t.code for t in shown[:3]] == ["3", "7", "12"]
    assert total == 3 + SUPERVISED_SHOWN


def test_the_workbench_asks_a_pinned_number_of_queries_at_3_and_43_tasks(cast, campaign, login):
    """session, user (roles, headships, office), the campaigns with their stages (2), the person's, the office's
    (and the organ's) task figures in one grouped query, the person's 我分管的工作 count, the bell; a reviewer
    adds the tasks and the evidence awaiting their review (one count each)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    staff, head = login(cast.staff_a), login(cast.head_a)
    make_tasks(cast, campaign, 3)
    staff.get("/")
    head.get("/")
    small = (count(staff), count(head))
    make_tasks_more = 40
    today = timezone.localdate()
    for i in range(make_tasks_more):
        TaskFactory(campaign=campaign, code=f"9{i}", lead_office=cast.office_a, people=[cast.staff_a], deadline=today)
    assert (count(staff), count(head)) == small == (7, 9)
