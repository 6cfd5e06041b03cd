"""Every workflow transition, as every role, through the pages (POST → redirect) and the audit it leaves."""

import datetime

import pytest

from civunit.notifications.models import Notification
from tasks import services
from tasks.models import Status, Task, TaskEvent
from tests.tasks.factories import TaskFactory

ROLES = ["staff_a", "head_a", "staff_b", "head_b", "coordinator", "leader", "admin"]


def post(login, user, task, action, **data):
    data.setdefault("version", Task.objects.get(pk=task.pk).version)
    return login(user).post(f"/tasks/{task.pk}/{action}/", data)


def set_status(task, status, **extra):
    Task.objects.filter(pk=task.pk).update(status=status, **extra)
    task.refresh_from_db()


def status_of(task):
    return Task.objects.get(pk=task.pk).status


# Who may do what on a top-level task led by office A (staff_a responsible, office B supporting).
ALLOWED = {
    "start": {"staff_a", "head_a"},
    "check-off": {"head_a"},
    "accept": {"coordinator", "admin"},
    "return": {"coordinator", "admin"},
    "resume": {"staff_a", "head_a"},
}
FROM = {
    "start": Status.NOT_STARTED,
    "check-off": Status.IN_PROGRESS,
    "accept": Status.PENDING_REVIEW,
    "return": Status.PENDING_REVIEW,
    "resume": Status.RETURNED,
}
TO = {
    "start": Status.IN_PROGRESS,
    "check-off": Status.PENDING_REVIEW,
    "accept": Status.DONE,
    "return": Status.RETURNED,
    "resume": Status.IN_PROGRESS,
}
DATA = {"check-off": {"note": "已制定方案并印发"}, "return": {"reason": "缺少会议纪要"}, "accept": {"note": ""}}


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("who", ROLES)
def test_each_role_may_do_exactly_its_transitions_on_a_top_level_task(cast, task_a, login, action, who):
    set_status(task_a, FROM[action], checked_off_by=cast.head_a)
    user = getattr(cast, who)
    response = post(login, user, task_a, action, **DATA.get(action, {}))
    if who in ALLOWED[action]:
        assert response.status_code == 302
        assert status_of(task_a) == TO[action]
        event = task_a.events.get()
        assert (event.actor, event.from_status, event.to_status) == (user, FROM[action], TO[action])
        assert event.source == TaskEvent.Source.WEB
    else:
        assert response.status_code == 403
        assert status_of(task_a) == FROM[action]
        assert not task_a.events.exists()


@pytest.mark.parametrize("action", list(ALLOWED))
def test_an_action_from_the_wrong_state_changes_nothing_and_says_why(cast, task_a, login, action):
    wrong = Status.DONE
    set_status(task_a, wrong, checked_off_by=cast.head_a)
    user = cast.coordinator if action in ("accept", "return") else cast.head_a
    data = {"version": task_a.version, **DATA.get(action, {})}
    response = login(user).post(f"/tasks/{task_a.pk}/{action}/", data, follow=True)
    assert response.redirect_chain[0][1] == 302
    assert status_of(task_a) == wrong
    assert "只有" in response.content.decode()  # 只有……的任务才能……


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("staff_a", True),
        ("head_a", True),
        ("staff_b", True),
        ("head_b", True),
        ("coordinator", False),
        ("leader", False),
        ("admin", False),
    ],
)
def test_progress_is_reported_by_responsible_people_the_lead_head_and_supporting_offices(
    cast, task_a, login, who, allowed
):
    response = login(getattr(cast, who)).post(f"/tasks/{task_a.pk}/progress/", {"text": "召开专题会议"})
    if allowed:
        assert response.status_code == 302
        assert task_a.progress_reports.get().author == getattr(cast, who)
        assert Task.objects.get(pk=task_a.pk).last_progress_at is not None
    else:
        assert response.status_code == 403
        assert not task_a.progress_reports.exists()


def test_empty_progress_or_check_off_note_is_refused_with_a_message(cast, task_a, login):
    login(cast.staff_a).post(f"/tasks/{task_a.pk}/progress/", {"text": "   "})
    assert not task_a.progress_reports.exists()
    set_status(task_a, Status.IN_PROGRESS)
    response = post(login, cast.head_a, task_a, "check-off", note="")
    assert response.status_code == 302
    assert status_of(task_a) == Status.IN_PROGRESS


def test_return_needs_a_reason(cast, task_a, login):
    set_status(task_a, Status.PENDING_REVIEW, checked_off_by=cast.head_a)
    post(login, cast.coordinator, task_a, "return", reason="")
    assert status_of(task_a) == Status.PENDING_REVIEW


def test_returned_task_can_be_checked_off_again_and_accepted(cast, task_a, login):
    set_status(task_a, Status.IN_PROGRESS)
    post(login, cast.head_a, task_a, "check-off", note="第一次")
    post(login, cast.coordinator, task_a, "return", reason="材料不全")
    assert status_of(task_a) == Status.RETURNED
    post(login, cast.head_a, task_a, "check-off", note="补充了会议纪要")
    assert status_of(task_a) == Status.PENDING_REVIEW
    post(login, cast.coordinator, task_a, "accept")
    task = Task.objects.get(pk=task_a.pk)
    assert task.status == Status.DONE and task.completed_at is not None
    actions = list(task.events.order_by("pk").values_list("action", flat=True))
    assert actions == ["checked_off", "returned", "checked_off", "accepted"]


def test_page_shows_the_return_reason_and_history(cast, task_a, login):
    set_status(task_a, Status.IN_PROGRESS)
    post(login, cast.head_a, task_a, "check-off", note="已完成")
    post(login, cast.coordinator, task_a, "return", reason="照片缺少时间地点说明")
    page = login(cast.staff_a).get(f"/tasks/{task_a.pk}/").content.decode()
    assert "照片缺少时间地点说明" in page
    assert 'data-action="returned"' in page and 'data-action="checked_off"' in page


# --- Sub-tasks: the head of the parent's lead office reviews ---------------------------------------------


@pytest.fixture
def sub_b(cast, task_a):
    """A sub-task of task_a given to supporting office B."""
    return TaskFactory(
        campaign=task_a.campaign, code="1.1", parent=task_a, lead_office=cast.office_b, people=[cast.staff_b]
    )


@pytest.mark.parametrize("who", ROLES)
def test_sub_task_is_checked_off_by_its_office_head_and_reviewed_by_the_parent_office_head(cast, sub_b, login, who):
    set_status(sub_b, Status.IN_PROGRESS)
    response = post(login, getattr(cast, who), sub_b, "check-off", note="完成")
    assert (response.status_code == 302) == (who == "head_b")
    set_status(sub_b, Status.PENDING_REVIEW, checked_off_by=cast.head_b)
    response = post(login, getattr(cast, who), sub_b, "accept")
    assert (response.status_code == 302) == (who == "head_a"), (who, response.status_code)
    assert (status_of(sub_b) == Status.DONE) == (who == "head_a")


def test_sub_task_check_off_notifies_the_parent_office_head(cast, sub_b):
    set_status(sub_b, Status.IN_PROGRESS)
    services.task_check_off(
        task=Task.objects.select_related("parent__lead_office__head").get(pk=sub_b.pk), user=cast.head_b, note="完成"
    )
    assert Notification.objects.filter(recipient=cast.head_a, kind=Notification.Kind.AWAITING_REVIEW).exists()
    assert not Notification.objects.filter(recipient=cast.coordinator).exists()


# --- Nobody accepts their own check-off ----------------------------------------------------------------------


@pytest.fixture
def task_main(cast, campaign):
    """A top-level task of the 办公室, which the coordinator heads."""
    return TaskFactory(campaign=campaign, code="2", lead_office=cast.office_main, status=Status.IN_PROGRESS)


def test_coordinator_heading_the_office_cannot_accept_their_own_check_off(cast, task_main, login):
    post(login, cast.coordinator, task_main, "check-off", note="本办已完成")
    assert status_of(task_main) == Status.PENDING_REVIEW
    response = post(login, cast.coordinator, task_main, "accept")
    assert response.status_code == 403
    assert status_of(task_main) == Status.PENDING_REVIEW
    page = login(cast.coordinator).get(f"/tasks/{task_main.pk}/").content.decode()
    assert 'data-testid="accept-form"' not in page
    # another coordinator (the administrator) may
    assert post(login, cast.admin, task_main, "accept").status_code == 302
    assert status_of(task_main) == Status.DONE


def test_campaign_setting_allows_self_review_for_a_one_person_office(cast, task_main, login, campaign):
    campaign.allow_self_review = True
    campaign.save()
    post(login, cast.coordinator, task_main, "check-off", note="本办已完成")
    assert post(login, cast.coordinator, task_main, "accept").status_code == 302
    assert status_of(task_main) == Status.DONE


# --- Stale forms, missing tasks, other offices -------------------------------------------------------------


def test_a_stale_form_never_overwrites_a_newer_change(cast, task_a, login):
    set_status(task_a, Status.IN_PROGRESS)
    old_version = Task.objects.get(pk=task_a.pk).version
    post(login, cast.head_a, task_a, "check-off", note="第一次")
    post(login, cast.coordinator, task_a, "return", reason="退回")
    # head_a's second tab still shows the old form
    response = login(cast.head_a).post(
        f"/tasks/{task_a.pk}/check-off/", {"note": "旧表单", "version": old_version}, follow=True
    )
    assert status_of(task_a) == Status.RETURNED
    assert "刷新" in response.content.decode()  # 此任务已被他人更新，请刷新页面后重试。


def test_head_of_another_office_acting_by_url_gets_403_and_missing_tasks_404(cast, task_a, login):
    set_status(task_a, Status.IN_PROGRESS)
    for action, data in (("start", {}), ("check-off", {"note": "x"}), ("resume", {})):
        assert post(login, cast.head_b, task_a, action, **data).status_code == 403
    assert login(cast.head_b).get(f"/tasks/{task_a.pk}/split/").status_code == 403
    assert login(cast.head_b).get(f"/tasks/{task_a.pk}/assign/").status_code == 403
    assert login(cast.head_b).post("/tasks/987654/check-off/", {"version": 1, "note": "x"}).status_code == 404
    assert status_of(task_a) == Status.IN_PROGRESS


def test_an_occurrence_of_another_task_is_404(cast, task_a, login, campaign):
    other = TaskFactory(campaign=campaign, code="9", lead_office=cast.office_a, recurrence="monthly")
    occurrence = other.occurrences.create(
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        due_date=datetime.date(2026, 1, 31),
    )
    set_status(task_a, Status.IN_PROGRESS)
    response = post(login, cast.head_a, task_a, "check-off", note="x", occurrence=occurrence.pk)
    assert response.status_code == 404


def test_leadership_reads_the_task_page_but_changes_nothing(cast, task_a, login):
    client = login(cast.leader)
    page = client.get(f"/tasks/{task_a.pk}/").content.decode()
    assert task_a.title in page and 'data-testid="progress-form"' not in page
    assert client.post(f"/tasks/{task_a.pk}/progress/", {"text": "x"}).status_code == 403


# --- Notifications and the audit of imports ---------------------------------------------------------------


def test_check_off_return_and_assign_notify_the_right_people(cast, task_a, login):
    set_status(task_a, Status.IN_PROGRESS)
    post(login, cast.head_a, task_a, "check-off", note="已完成")
    assert Notification.objects.filter(recipient=cast.coordinator, kind=Notification.Kind.AWAITING_REVIEW).exists()
    post(login, cast.coordinator, task_a, "return", reason="缺材料")
    returned = set(Notification.objects.filter(kind=Notification.Kind.RETURNED).values_list("recipient", flat=True))
    assert returned == {cast.head_a.pk, cast.staff_a.pk}


def test_assign_replaces_responsible_people_and_notifies_the_newly_assigned(cast, task_a, login):
    colleague = type(cast.staff_a).objects.create(username="staff_a2", real_name="周敏", office=cast.office_a)
    response = login(cast.head_a).post(
        f"/tasks/{task_a.pk}/assign/",
        {"version": task_a.version, "people": [colleague.pk], "deadline": "2026-05-31"},
    )
    assert response.status_code == 302
    task = Task.objects.get(pk=task_a.pk)
    assert list(task.responsible_people.all()) == [colleague]
    assert task.deadline == datetime.date(2026, 5, 31)
    assert Notification.objects.filter(recipient=colleague, kind=Notification.Kind.ASSIGNED).exists()


def test_assigning_someone_of_another_office_is_refused(cast, task_a, login):
    response = login(cast.head_a).post(
        f"/tasks/{task_a.pk}/assign/", {"version": task_a.version, "people": [cast.staff_b.pk]}
    )
    assert response.status_code == 200  # the form again, with its error
    assert list(Task.objects.get(pk=task_a.pk).responsible_people.all()) == [cast.staff_a]


def test_status_set_by_an_import_is_audited_with_its_source(cast, task_a):
    services.task_set_status_from_import(task=task_a, status=Status.DONE, user=cast.coordinator, reason="表格")
    event = task_a.events.get()
    assert (event.source, event.from_status, event.to_status, event.note) == (
        TaskEvent.Source.IMPORT,
        Status.NOT_STARTED,
        Status.DONE,
        "表格",
    )
    assert Task.objects.get(pk=task_a.pk).version == task_a.version


# --- Splitting --------------------------------------------------------------------------------------------


def test_head_splits_a_task_for_their_office_and_assigns_it(cast, task_a, login):
    response = login(cast.head_a).post(
        f"/tasks/{task_a.pk}/split/",
        {
            "title": "起草学习计划",
            "lead_office": cast.office_a.pk,
            "people": [cast.staff_a.pk],
            "deadline": "2026-05-01",
        },
    )
    assert response.status_code == 302
    child = Task.objects.get(parent=task_a)
    assert (child.code, child.lead_office, child.deadline) == ("1.1", cast.office_a, datetime.date(2026, 5, 1))
    assert list(child.responsible_people.all()) == [cast.staff_a]
    assert task_a.events.filter(action=TaskEvent.Action.SPLIT).exists()
    # a sub-task of a sub-task: any depth
    response = login(cast.head_a).post(f"/tasks/{child.pk}/split/", {"title": "分工", "lead_office": cast.office_a.pk})
    assert Task.objects.get(parent=child).code == "1.1.1"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"title": "x", "lead_office": "OTHER"}, "an office that neither leads nor supports"),
        ({"title": "x", "deadline": "2026-09-01"}, "a deadline after the parent's"),
        (
            {
                "title": "",
            },
            "no title",
        ),
        ({"title": "x", "code": "1"}, "a number already used"),
        ({"title": "x", "people": ["STAFF_B"]}, "someone of another office"),
        ({"title": "x", "deadline": "not-a-date"}, "a bad date"),
    ],
)
def test_bad_split_input_creates_nothing(cast, task_a, login, data, reason):
    other = type(cast.office_a).objects.create(name="文史委")
    data = {"lead_office": cast.office_a.pk, **data}
    data = {k: (other.pk if v == "OTHER" else v) for k, v in data.items()}
    if "people" in data:
        data["people"] = [cast.staff_b.pk]
    response = login(cast.head_a).post(f"/tasks/{task_a.pk}/split/", data)
    assert response.status_code == 200, reason
    assert not Task.objects.filter(parent=task_a).exists(), reason


def test_a_sub_task_given_to_a_supporting_office_notifies_its_head_who_assigns_and_checks_it_off(cast, task_a, login):
    response = login(cast.head_a).post(
        f"/tasks/{task_a.pk}/split/", {"title": "提案办理情况汇总", "lead_office": cast.office_b.pk}
    )
    assert response.status_code == 302
    child = Task.objects.get(parent=task_a)
    assert Notification.objects.filter(recipient=cast.head_b, kind=Notification.Kind.ASSIGNED).exists()
    assert login(cast.head_a).get(f"/tasks/{child.pk}/assign/").status_code == 403
    response = login(cast.head_b).post(
        f"/tasks/{child.pk}/assign/", {"version": child.version, "people": [cast.staff_b.pk]}
    )
    assert response.status_code == 302
    assert list(Task.objects.get(pk=child.pk).responsible_people.all()) == [cast.staff_b]


def test_on_a_sub_task_kept_in_the_office_staff_check_off_and_the_head_reviews(cast, task_a, login):
    child = TaskFactory(
        campaign=task_a.campaign,
        code="1.1",
        parent=task_a,
        lead_office=cast.office_a,
        people=[cast.staff_a],
        status=Status.IN_PROGRESS,
    )
    assert post(login, cast.staff_b, child, "check-off", note="x").status_code == 403
    assert post(login, cast.staff_a, child, "check-off", note="已完成初稿").status_code == 302
    assert status_of(child) == Status.PENDING_REVIEW
    assert post(login, cast.head_a, child, "accept").status_code == 302
    assert status_of(child) == Status.DONE


def test_a_sub_task_whose_parent_office_has_no_head_is_reviewed_by_the_coordinator(cast, sub_b, login):
    type(cast.office_a).objects.filter(pk=cast.office_a.pk).update(head=None)
    set_status(sub_b, Status.PENDING_REVIEW, checked_off_by=cast.head_b)
    assert post(login, cast.head_a, sub_b, "accept").status_code == 403
    mine = login(cast.coordinator).get("/tasks/mine/").content.decode()
    assert 'data-testid="to-review"' in mine and 'data-task="1.1"' in mine
    assert post(login, cast.coordinator, sub_b, "accept").status_code == 302
    assert status_of(sub_b) == Status.DONE


@pytest.mark.parametrize("action", ["start", "check-off", "accept", "return", "resume", "progress"])
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"version": "abc"},
        {"version": "-1", "note": "x", "reason": "x", "text": ""},
        {"version": "1", "occurrence": "x", "note": "x", "reason": "x", "text": "x"},
        {"version": "1", "occurrence": "987654", "note": "x", "reason": "x", "text": "x"},
        {"version": "99999999999999999999", "note": "x", "reason": "x"},
        {"version": "0", "note": "x" * 5000, "reason": "x" * 5000, "text": "x" * 5000},
    ],
)
def test_garbage_posted_to_an_action_never_errors_and_changes_nothing(cast, task_a, login, action, data):
    set_status(task_a, FROM.get(action, Status.IN_PROGRESS), checked_off_by=cast.head_a)
    user = cast.coordinator if action in ("accept", "return") else cast.head_a
    response = login(user).post(f"/tasks/{task_a.pk}/{action}/", data)
    assert response.status_code in (302, 404)
    assert not task_a.events.exists()
    assert not task_a.progress_reports.exists()


def test_the_task_page_says_when_a_reader_has_nothing_to_do(cast, task_a, login):
    from django.urls import reverse

    url = reverse("tasks:detail", args=[task_a.pk])
    assert 'data-testid="no-actions"' in login(cast.leader).get(url).content.decode()
    assert 'data-testid="no-actions"' not in login(cast.head_a).get(url).content.decode()
