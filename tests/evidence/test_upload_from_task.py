"""Uploads that count: the upload page opened from a task chooses the task and its standards, so the file gets its
archive number and counts toward the standard's requirement; the task list puts the person's own and their
office's tasks first; the desktop hints are hidden on phones."""

import datetime
import re

import pytest
from django.conf import settings

from evidence.forms.fields import LISTED_TASKS
from evidence.models import Activity, EvidenceItem
from evidence.selectors import standards_evidence
from tasks.models import Task
from tests.evidence import samples
from tests.factories import CriterionFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db


def selected(page: str, name: str) -> list[str]:
    """The values of the selected options of the select named `name`."""
    block = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert block, name
    return re.findall(r'<option value="(\d+)"[^>]*selected', block.group(0))


def test_opening_the_upload_page_from_a_task_chooses_the_task_and_its_standards(
    cast, campaign, standard, task_b, login
):
    second = CriterionFactory(campaign=campaign, code="6.2.9", title="志愿服务记录", is_leaf=True, ordering=999)
    task_b.standards.add(second)
    page = login(cast.head_b).get(f"/evidence/upload/?task={task_b.pk}").content.decode()
    assert selected(page, "tasks") == [str(task_b.pk)]
    assert selected(page, "primary_standard") == [str(standard.pk)]
    assert selected(page, "other_standards") == [str(second.pk)]
    assert 'data-testid="upload-for-task"' in page and "6.2.9" in page


def test_the_file_posted_from_that_page_gets_its_archive_number_and_counts(
    cast, campaign, standard, task_b, login, post_file
):
    page = login(cast.head_b).get(f"/evidence/upload/?task={task_b.pk}").content.decode()
    fields = {"primary_standard": selected(page, "primary_standard"), "tasks": selected(page, "tasks")}
    response = post_file(cast.head_b, "志愿服务.jpg", samples.jpeg(date="2026:03:05 09:30:00"), **fields)
    body = response.json()
    assert body["ok"] and body["archive_number"] == "6.2.1-001"
    item = EvidenceItem.objects.get(pk=body["id"])
    assert list(item.tasks.all()) == [task_b]
    assert standards_evidence(criterion_ids=[standard.pk])[standard.pk].total == 1


def _activity(cast, campaign, title, day, *tasks, office=None):
    activity = Activity.objects.create(
        campaign=campaign,
        title=title,
        date=datetime.date(2026, 3, day),
        place="幸福社区",
        organiser_office=office or cast.office_b,
        participants="机关青年志愿者",
    )
    activity.tasks.set(tasks)
    return activity


def test_uploading_from_a_task_chooses_its_latest_activity(cast, campaign, standard, task_b, login):
    _activity(cast, campaign, "三月志愿服务", 5, task_b)
    latest = _activity(cast, campaign, "学雷锋志愿服务进社区", 20, task_b)
    unrelated = _activity(cast, campaign, "读书分享会", 25)
    page = login(cast.head_b).get(f"/evidence/upload/?task={task_b.pk}").content.decode()
    assert selected(page, "activity") == [str(latest.pk)]
    assert "学雷锋志愿服务进社区" in page.split('data-testid="upload-for-task"')[1].split("</div>")[0]
    # the campaign's other activities are offered after it, the chosen one first
    block = re.search(r'<select name="activity".*?</select>', page, re.S)
    assert block is not None
    options = re.findall(r'<option value="(\d+)"', block.group(0))
    assert options[0] == str(latest.pk) and str(unrelated.pk) in options
    # without a task, no activity is chosen
    assert selected(login(cast.head_b).get("/evidence/upload/").content.decode(), "activity") == []


def test_a_file_posted_with_the_activity_joins_its_record_and_its_tasks(
    cast, campaign, standard, task_b, login, post_file
):
    other_task = TaskFactory(campaign=campaign, code="9", title="道德讲堂", lead_office=cast.office_b)
    activity = _activity(cast, campaign, "学雷锋志愿服务进社区", 20, task_b, other_task)
    activity.standards.set([standard])
    page = login(cast.head_b).get(f"/evidence/upload/?task={task_b.pk}").content.decode()
    fields = {"tasks": selected(page, "tasks"), "activity": selected(page, "activity")}  # no standard chosen
    body = post_file(cast.head_b, "志愿服务.jpg", samples.jpeg(), **fields).json()
    assert body["ok"] and body["archive_number"] == "6.2.1-001"  # the activity's standard
    item = EvidenceItem.objects.get(pk=body["id"])
    assert item.activity == activity
    assert set(item.tasks.all()) == {task_b, other_task}
    assert (item.taken_on, item.place, item.caption) == (datetime.date(2026, 3, 20), "幸福社区", activity.title)


def test_an_activity_of_another_campaign_or_no_activity_is_refused_and_nothing_is_stored(
    cast, campaign, task_b, login, post_file
):
    from tests.factories import CampaignFactory

    elsewhere = _activity(cast, CampaignFactory(is_current=False), "旧活动", 1)
    before = EvidenceItem.objects.count()
    for junk in (str(elsewhere.pk), "999999", "-1", "abc", "1" * 40):
        response = post_file(cast.head_b, "志愿服务.jpg", samples.jpeg(), activity=junk)
        body = response.json()
        assert response.status_code == 400 and not body["ok"] and "活动" in body["error"], junk
    assert EvidenceItem.objects.count() == before


def test_a_task_without_standards_says_so_and_a_bad_task_is_ignored(cast, campaign, login):
    bare = TaskFactory(campaign=campaign, code="8", lead_office=cast.office_a)
    client = login(cast.staff_a)
    page = client.get(f"/evidence/upload/?task={bare.pk}").content.decode()
    assert selected(page, "tasks") == [str(bare.pk)] and selected(page, "primary_standard") == []
    assert "alert-warning" in page
    for junk in ("abc", "999999", "-1", "1e9"):
        response = client.get(f"/evidence/upload/?task={junk}")
        assert response.status_code == 200 and 'data-testid="upload-for-task"' not in response.content.decode()


def option_order(page: str) -> list[str]:
    found = re.search(r'<select name="tasks".*?</select>', page, re.S)
    assert found is not None
    block = found.group(0)
    return re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', block)


def test_own_and_office_tasks_come_first_with_a_constant_number_of_queries(
    cast, campaign, login, django_assert_max_num_queries
):
    TaskFactory(campaign=campaign, code="1", title="别人的任务", lead_office=cast.office_b)
    TaskFactory(campaign=campaign, code="2", title="本科室的任务", lead_office=cast.office_a)
    TaskFactory(campaign=campaign, code="3", title="我的任务", lead_office=cast.office_b, people=[cast.staff_a])
    TaskFactory(campaign=campaign, code="4", title="配合的任务", lead_office=cast.office_b, supporting=[cast.office_a])
    client = login(cast.staff_a)
    page = client.get("/evidence/upload/").content.decode()
    # another office's task is not listed (it is found by typing: tasks:choices), unless uploading from it
    assert option_order(page) == ["3 我的任务", "2 本科室的任务", "4 配合的任务"]
    assert "<optgroup" in page and 'data-task-choice data-target="id_tasks"' in page
    other = Task.objects.get(campaign=campaign, code="1")
    assert option_order(client.get(f"/evidence/upload/?task={other.pk}").content.decode()) == [
        "3 我的任务",
        "2 本科室的任务",
        "4 配合的任务",
        "1 别人的任务",
    ]

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/evidence/upload/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(30):
        TaskFactory(campaign=campaign, code=f"{10 + n}", lead_office=cast.office_b, people=[cast.staff_a])
        TaskFactory(campaign=campaign, code=f"{100 + n}", lead_office=cast.office_a)
        TaskFactory(campaign=campaign, code=f"{200 + n}", lead_office=cast.office_b)
    assert count() == before
    # at most LISTED_TASKS options, the person's own first; the others are found by typing
    listed = option_order(client.get("/evidence/upload/").content.decode())
    assert len(listed) == LISTED_TASKS and listed[0] == "3 我的任务"
    others = {"1", *(f"{200 + n}" for n in range(30))}
    assert not any(o.split()[0] in others for o in listed)  # no other office's task


def test_phones_see_no_desktop_hints(cast, campaign, login):
    """The Ctrl-click and drag hints carry .desktop-hint, hidden by civunit.css on narrow screens and wherever the
    pointer is coarse (a phone, a tablet); their tap counterparts .touch-hint, shown only there."""
    page = login(cast.staff_a).get("/evidence/upload/").content.decode()
    ctrl = re.search(r'<span class="([^"]*)">[^<]*Ctrl', page)
    assert ctrl and "desktop-hint" in ctrl.group(1)
    drop = re.search(r'<p class="([^"]*)">[^<]*(拖|Drop)', page)
    assert drop and "desktop-hint" in drop.group(1)
    assert re.search(r'<[a-z]+ class="[^"]*touch-hint[^"]*">[^<]*点', page)
    css = (settings.BASE_DIR / "static" / "css" / "civunit.css").read_text()
    assert re.search(r"@media \(max-width: 767\.98px\), \(pointer: coarse\) \{\s*\.desktop-hint \{ display: none", css)


def activity_options(page: str) -> list[str]:
    found = re.search(r'<select name="activity".*?</select>', page, re.S)
    assert found is not None
    return re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', found.group(0))


def test_the_newest_activities_of_ones_own_tasks_come_first_with_a_constant_number_of_queries(
    cast, campaign, login, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evidence.forms.fields import LISTED_ACTIVITIES

    mine = TaskFactory(campaign=campaign, code="3", title="我的任务", lead_office=cast.office_b, people=[cast.staff_a])
    other = TaskFactory(campaign=campaign, code="1", title="别人的任务", lead_office=cast.office_b)
    _activity(cast, campaign, "别人的新活动", 28, other)
    _activity(cast, campaign, "我的旧活动", 1, mine)
    client = login(cast.staff_a)
    client.get("/evidence/upload/")  # warm-up
    with CaptureQueriesContext(connection) as few:
        assert activity_options(client.get("/evidence/upload/").content.decode()) == [
            "2026-03-01 我的旧活动",
            "2026-03-28 别人的新活动",
        ]
    for day in range(2, 27):
        _activity(cast, campaign, f"我的活动{day}", day, mine)
    with django_assert_num_queries(len(few.captured_queries)):
        listed = activity_options(client.get("/evidence/upload/").content.decode())
    # the newest of one's own first, as many as the list holds; the others' after them (none fits here)
    assert listed == [f"2026-03-{day:02d} 我的活动{day}" for day in range(26, 26 - LISTED_ACTIVITIES, -1)]
