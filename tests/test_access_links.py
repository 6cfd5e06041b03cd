"""Who may change links, and so who reads what, through every endpoint that adds or removes them (issue 11).

The offices of a task read the evidence linked to it, a task's supporting offices and sub-tasks bring more
offices in, a task's responsible people act on it, an activity's organiser office decides who may change it and
the recycle bin hides an item. Each endpoint is posted as every role of the cast (and staff of an office with
nothing to do with it): the permitted roles change it; a role that reads the object but may not change it gets
403, one that may not read it 404, and the database is left exactly as it was.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civunit.accounts.roles import Role
from evidence import services
from evidence.models import Activity, EvidenceItem
from tasks.models import Task
from tests.db_state import database_state
from tests.evidence import samples
from tests.evidence.factories import make_evidence
from tests.factories import CriterionFactory, OfficeFactory, UserFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db

ROLES = ["staff_a", "head_a", "staff_b", "head_b", "coordinator", "leader", "admin", "staff_c"]


@pytest.fixture
def scene(cast, campaign, django_capture_on_commit_callbacks):
    """Office A's photo (uploaded by staff_a) linked to office B's task, so office B reads it but may not change
    it; office C's task, which linking would open the photo to; office A's activity; an item in the bin."""
    office_c = OfficeFactory(name="经济委员会办公室", ordering=9)
    staff_c = UserFactory(username="staff_c", real_name="周敏", office=office_c, roles=[Role.STAFF])
    standard = CriterionFactory(campaign=campaign, code="6.2.1", is_leaf=True)
    task_b = TaskFactory(campaign=campaign, code="7", lead_office=cast.office_b, people=[cast.staff_b])
    task_b.supporting_offices.set([cast.office_main])
    task_c = TaskFactory(campaign=campaign, code="8", lead_office=office_c)
    activity = Activity.objects.create(
        campaign=campaign,
        title="学雷锋志愿服务",
        date=datetime.date(2026, 3, 5),
        organiser_office=cast.office_a,
        created_by=cast.staff_a,
    )
    with django_capture_on_commit_callbacks(execute=True):
        item = make_evidence(user=cast.staff_a, campaign=campaign, standards=[standard], tasks=[task_b])
        binned = make_evidence(user=cast.staff_a, campaign=campaign, standards=[standard])
        services.evidence_delete(user=cast.staff_a, item=binned)
    users = {**cast.everyone, "staff_c": staff_c}
    return {
        "users": users,
        "item": item,
        "binned": binned,
        "task_b": task_b,
        "task_c": task_c,
        "office_c": office_c,
        "standard": standard,
        "activity": activity,
    }


def _link_existing(s, user):
    return reverse("evidence:link_existing", args=[s["item"].pk]), {"tasks": [s["task_c"].pk]}


def _edit_links(s, user):
    item = s["item"]
    data = {"title": item.title, "category": item.category, "tasks": [s["task_b"].pk, s["task_c"].pk]}
    return reverse("evidence:edit", args=[item.pk]), data


def _replace_file(s, user):
    photo = SimpleUploadedFile("新.jpg", samples.jpeg(color=(5, 6, 7)), content_type="image/jpeg")
    return reverse("evidence:replace", args=[s["item"].pk]), {"file": photo}


def _delete(s, user):
    return reverse("evidence:delete", args=[s["item"].pk]), {}


def _restore(s, user):
    return reverse("evidence:restore", args=[s["binned"].pk]), {}


def _task_supporting_offices(s, user):
    task = s["task_b"]
    data = {
        "code": task.code,
        "title": task.title,
        "lead_office": task.lead_office_id,
        "supporting_offices": [s["office_c"].pk],
        "recurrence": "none",
        "deadline": "2026-12-31",
        "version": task.version,
    }
    return reverse("tasks:edit", args=[task.pk]), data


def _task_assign(s, user):
    task = s["task_b"]
    head_b = s["users"]["head_b"]
    return reverse("tasks:assign", args=[task.pk]), {"people": [head_b.pk], "version": task.version}


def _task_split(s, user):
    return reverse("tasks:split", args=[s["task_b"].pk]), {
        "title": "分项工作",
        "lead_office": s["task_b"].lead_office_id,
    }


def _task_bulk_assign(s, user):
    # the person assigns themselves: a person of an office they may head, so only the task decides
    return reverse("tasks:bulk"), {"action": "assign", "tasks": [s["task_b"].pk], "people": [user.pk]}


def _activity_edit(s, user):
    activity = s["activity"]
    data = {"title": "学雷锋志愿服务（改）", "date": "2026-03-05", "organiser_office": activity.organiser_office_id}
    return reverse("evidence:activity_edit", args=[activity.pk]), data


CHANGE, FORBIDDEN, ABSENT = "change", 403, 404
# Who may change the item: its uploader, the head of its office, the coordinator (administrators count as
# coordinators); office B reads it through its task; leadership reads everything; office C reads nothing.
ITEM_RULE: dict[str, str | int] = {
    "staff_a": CHANGE,
    "head_a": CHANGE,
    "staff_b": FORBIDDEN,
    "head_b": FORBIDDEN,
    "coordinator": CHANGE,
    "leader": FORBIDDEN,
    "admin": CHANGE,
    "staff_c": ABSENT,
}
COORDINATOR_ONLY = {who: CHANGE if who in ("coordinator", "admin") else FORBIDDEN for who in ROLES}
# Tasks are the organ's plan (everyone reads them): only the head of the task's lead office (office B) runs it.
HEAD_OF_LEAD_OFFICE = {who: CHANGE if who == "head_b" else FORBIDDEN for who in ROLES}
# Its creator, the head of its organiser office, the coordinator; activities are read by everyone.
ACTIVITY_RULE = {who: CHANGE if who in ("staff_a", "head_a", "coordinator", "admin") else FORBIDDEN for who in ROLES}

ENDPOINTS = {
    "evidence:link_existing": (_link_existing, ITEM_RULE),
    "evidence:edit": (_edit_links, ITEM_RULE),
    "evidence:replace": (_replace_file, ITEM_RULE),
    "evidence:delete": (_delete, ITEM_RULE),
    "evidence:restore": (_restore, COORDINATOR_ONLY),
    "tasks:edit": (_task_supporting_offices, COORDINATOR_ONLY),
    "tasks:assign": (_task_assign, HEAD_OF_LEAD_OFFICE),
    "tasks:split": (_task_split, HEAD_OF_LEAD_OFFICE),
    "tasks:bulk": (_task_bulk_assign, HEAD_OF_LEAD_OFFICE),
    "evidence:activity_edit": (_activity_edit, ACTIVITY_RULE),
}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_role_on_every_link_changing_endpoint(scene, login, endpoint, who):
    request, rule = ENDPOINTS[endpoint]
    user = scene["users"][who]
    url, data = request(scene, user)
    client = login(user)
    before = database_state()
    response = client.post(url, data, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    if rule[who] == CHANGE:
        assert response.status_code in (200, 302), (endpoint, who, response.status_code)
        assert database_state() != before, (endpoint, who)
    else:
        assert response.status_code == rule[who], (endpoint, who, response.status_code)
        assert database_state() == before, (endpoint, who)


def test_a_reader_who_may_not_change_an_item_cannot_open_it_to_another_office(scene, login):
    """The defect of issue 11: office B read the photo through its task and linked it to office C's task."""
    staff_c = scene["users"]["staff_c"]
    url, data = _link_existing(scene, None)
    assert login(scene["users"]["head_b"]).post(url, data).status_code == 403
    assert not scene["item"].tasks.filter(pk=scene["task_c"].pk).exists()
    assert login(staff_c).get(reverse("evidence:detail", args=[scene["item"].pk])).status_code == 404


def test_a_permitted_link_opens_the_item_to_the_task_office_and_is_in_its_history(scene, login):
    staff_c = scene["users"]["staff_c"]
    url, data = _link_existing(scene, None)
    assert login(scene["users"]["head_a"]).post(url, data).status_code == 302
    assert login(staff_c).get(reverse("evidence:detail", args=[scene["item"].pk])).status_code == 200
    event = scene["item"].evidenceevent_set.get(action="linked")
    assert event.actor == scene["users"]["head_a"]
    assert event.details["task_codes"] == ["8"]
    page = login(scene["users"]["head_a"]).get(reverse("evidence:versions", args=[scene["item"].pk]))
    assert "任务 8" in page.content.decode()


def test_the_walk_covers_the_endpoints_the_issue_names():
    assert {"evidence:link_existing", "evidence:edit", "tasks:edit", "tasks:assign", "tasks:bulk"} <= set(ENDPOINTS)


def test_a_task_split_or_assignment_keeps_to_the_offices_of_the_task(scene, login):
    """The head of the lead office gives sub-tasks only to the lead or a supporting office, and assigns only
    people of the lead office: a tampered office or person is refused and nothing is written."""
    head_b = scene["users"]["head_b"]
    client = login(head_b)
    before = database_state()
    task = scene["task_b"]
    client.post(reverse("tasks:split", args=[task.pk]), {"title": "越权", "lead_office": scene["office_c"].pk})
    client.post(
        reverse("tasks:assign", args=[task.pk]), {"people": [scene["users"]["staff_c"].pk], "version": task.version}
    )
    client.post(reverse("tasks:bulk"), {"action": "assign", "tasks": [scene["task_c"].pk], "people": [head_b.pk]})
    assert database_state() == before
    assert not Task.objects.filter(title="越权").exists()
    assert EvidenceItem.objects.filter(pk=scene["item"].pk, deleted_at__isnull=True).exists()
