"""Home pages and notifications: 待我审核 counts evidence as well as tasks and shows only to reviewers; the cards
link to the lists they count; 我分管的工作; people hear of acceptances; acting on a notification marks it read."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civunit.notifications.models import Notification
from civunit.notifications.services import notify
from evidence import services as evidence_services
from evidence.models import EvidenceItem
from tasks import services as task_services
from tasks.models import Status, Task
from tests.evidence.review_factories import make_item
from tests.tasks.factories import TaskFactory

Kind = Notification.Kind


def workbench(client) -> str:
    response = client.get("/workbench/")
    assert response.status_code == 200
    return response.content.decode()


def figure(page: str, testid: str) -> int:
    found = re.search(rf'data-testid="{testid}">(\d+)<', page)
    assert found, testid
    return int(found.group(1))


def test_awaiting_my_review_counts_evidence_and_tasks_of_the_head(cast, campaign, login):
    client = login(cast.head_a)
    before = workbench(client)
    assert figure(before, "awaiting-total") == 0
    make_item(campaign=campaign, uploader=cast.staff_a)  # office A's pending item: head A reviews it
    make_item(campaign=campaign, uploader=cast.staff_b)  # office B's: not head A's
    parent = TaskFactory(campaign=campaign, code="5", lead_office=cast.office_a)
    TaskFactory(campaign=campaign, code="5.1", parent=parent, lead_office=cast.office_b, status=Status.PENDING_REVIEW)
    page = workbench(client)
    assert figure(page, "awaiting-total") == 2
    assert "/evidence/review/" in page and "/tasks/?review=1" in page


def test_people_who_review_nothing_see_no_awaiting_card(cast, campaign, login):
    make_item(campaign=campaign, uploader=cast.staff_b)
    assert 'data-testid="awaiting-review"' not in workbench(login(cast.staff_a))


def test_the_review_filter_of_the_task_list_shows_what_the_home_counts(cast, campaign, login):
    parent = TaskFactory(campaign=campaign, code="5", lead_office=cast.office_a)
    TaskFactory(campaign=campaign, code="5.1", parent=parent, lead_office=cast.office_b, status=Status.PENDING_REVIEW)
    TaskFactory(campaign=campaign, code="6", lead_office=cast.office_b, status=Status.PENDING_REVIEW)  # coordinator's
    page = login(cast.head_a).get("/tasks/?review=1").content.decode()
    assert "5.1" in page and ">6<" not in page


def test_the_organ_card_links_to_the_top_level_list_and_the_totals_agree(cast, campaign, login):
    parent = TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a)
    TaskFactory(campaign=campaign, code="1.1", parent=parent, lead_office=cast.office_a)
    TaskFactory(campaign=campaign, code="2", lead_office=cast.office_b)
    client = login(cast.coordinator)
    page = workbench(client)
    assert "/tasks/?top=1" in page
    top = client.get("/tasks/?top=1")
    assert top.context["page"].paginator.count == 2
    everything = client.get("/tasks/").content.decode()
    assert 'data-testid="task-total"' in everything  # says that sub-tasks are included


def test_a_leader_in_charge_sees_the_work_they_supervise_with_constant_queries(cast, campaign, login):
    client = login(cast.leader)
    assert 'data-testid="supervised"' not in client.get("/").content.decode()
    TaskFactory(
        campaign=campaign, code="1", title="分管的任务", lead_office=cast.office_a, leader_in_charge=cast.leader
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/").content.decode()
        assert 'data-testid="supervised"' in page and "分管的任务" in page
        return len(ctx.captured_queries)

    first = queries()
    for n in range(20):
        TaskFactory(campaign=campaign, code=str(10 + n), lead_office=cast.office_b, leader_in_charge=cast.leader)
    assert queries() <= first + 2  # the dashboard's cache may be rebuilt; the list itself is constant
    listed = client.get("/tasks/?supervised=1")
    assert listed.context["page"].paginator.count == 21


def test_the_uploader_hears_their_evidence_was_accepted_and_the_reviewer_notification_is_read(cast, campaign, login):
    item = make_item(campaign=campaign, uploader=cast.staff_a)
    told = notify(recipient=cast.head_a, kind=Kind.AWAITING_REVIEW, obj=item, text="待审核", actor=cast.staff_a)
    assert told is not None and told.read_at is None
    response = login(cast.head_a).post(f"/evidence/review/{item.pk}/accept/")
    assert response.status_code == 302
    assert EvidenceItem.objects.get(pk=item.pk).status == EvidenceItem.Status.ACCEPTED
    assert Notification.objects.filter(recipient=cast.staff_a, kind=Kind.EVIDENCE_ACCEPTED, object_id=item.pk).exists()
    told.refresh_from_db()
    assert told.read_at is not None


def test_returning_evidence_also_marks_the_awaiting_notification_read(cast, campaign):
    item = make_item(campaign=campaign, uploader=cast.staff_a)
    told = notify(recipient=cast.head_a, kind=Kind.AWAITING_REVIEW, obj=item, text="待审核", actor=cast.staff_a)
    evidence_services.evidence_return(user=cast.head_a, item=item, reason="不清晰")
    assert told is not None
    told.refresh_from_db()
    assert told.read_at is not None


def test_a_task_accepted_is_told_to_those_who_did_it_and_the_reviewers_notice_is_read(cast, campaign, login):
    task = TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a, people=[cast.staff_a])
    Task.objects.filter(pk=task.pk).update(status=Status.IN_PROGRESS)
    task = Task.objects.get(pk=task.pk)
    task_services.task_check_off(task=task, user=cast.head_a, note="已完成")
    awaiting = Notification.objects.get(recipient=cast.coordinator, kind=Kind.AWAITING_REVIEW)
    assert awaiting.read_at is None
    response = login(cast.coordinator).post(
        f"/tasks/{task.pk}/accept/", {"version": Task.objects.get(pk=task.pk).version, "note": ""}
    )
    assert response.status_code == 302 and Task.objects.get(pk=task.pk).status == Status.DONE
    told = set(Notification.objects.filter(kind=Kind.TASK_ACCEPTED).values_list("recipient__username", flat=True))
    assert told == {"head_a", "staff_a"}
    awaiting.refresh_from_db()
    assert awaiting.read_at is not None


def test_resuming_a_returned_task_marks_the_return_notification_read(cast, campaign, login):
    task = TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a, people=[cast.staff_a])
    Task.objects.filter(pk=task.pk).update(status=Status.IN_PROGRESS)
    task = Task.objects.get(pk=task.pk)
    task_services.task_check_off(task=task, user=cast.head_a, note="已完成")
    task_services.task_return(task=Task.objects.get(pk=task.pk), user=cast.coordinator, reason="缺材料")
    returned = Notification.objects.get(recipient=cast.staff_a, kind=Kind.RETURNED)
    login(cast.staff_a).post(f"/tasks/{task.pk}/resume/", {"version": Task.objects.get(pk=task.pk).version})
    assert Task.objects.get(pk=task.pk).status == Status.IN_PROGRESS
    returned.refresh_from_db()
    assert returned.read_at is not None
    # head A's own notice stays unread: they did not act on it
    assert Notification.objects.get(recipient=cast.head_a, kind=Kind.RETURNED).read_at is None


@pytest.mark.parametrize("kind", [Kind.TASK_ACCEPTED, Kind.EVIDENCE_ACCEPTED])
def test_the_new_kinds_have_chinese_labels(kind):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert re.search(r"[\u4e00-\u9fff]", Notification(kind=kind).kind_label)
