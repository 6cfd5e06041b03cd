"""The readiness page and its one-click rectification: who sees which findings, how they are grouped and counted,
and a finding turned into a rectification task of the office responsible, whose state it shows until its rule
no longer fires."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.models import EvidenceCategory, VetoCondition
from civunit.notifications.models import Notification
from civunit.reports.models import ReadinessFinding, Severity
from civunit.reports.readiness.services import readiness_refresh, rectification_deadline
from evidence.services import evidence_accept
from tasks.models import Status, Task, TaskEvent
from tests.evidence.factories import make_evidence

PAGE = reverse("reports:readiness")


def rectify_url(record: ReadinessFinding) -> str:
    return reverse("reports:readiness_rectify", args=[record.pk])


def record_of(campaign, rule: str, criterion=None) -> ReadinessFinding:
    readiness_refresh(campaign=campaign)
    rows = ReadinessFinding.objects.filter(campaign=campaign, rule=rule, resolved_at__isnull=True)
    if criterion is not None:
        rows = rows.filter(criterion=criterion)
    return rows.get()


def finding_ids(response) -> list[str]:
    return re.findall(r'id="finding-(\d+)"', response.content.decode())


def test_the_coordinator_and_leadership_see_every_finding_grouped_by_evaluation_item(cast, campaign, tree, login):
    for user in (cast.coordinator, cast.leader, cast.admin):
        response = login(user).get(PAGE)
        assert response.status_code == 200, user
        report = response.context["report"]
        # the campaign as a whole (the countdown, explanation reports are the items') first, then items 1 and 2
        assert [g.item.code if g.item else None for g in report.groups] == [None, "1", "2"]
        item1 = report.groups[1]
        assert [(r.finding.rule, r.criterion.code) for r in item1.rows] == [
            ("no_accepted_evidence", "1.1.1"),
            ("no_accepted_evidence", "1.1.2"),
            ("explanation_missing", "1.1"),
        ]
        assert item1.counts == {"critical": 2, "warning": 1, "notice": 0}
        assert report.counts == {"critical": 3, "warning": 2, "notice": 1}
        body = response.content.decode()
        assert 'data-severity-count="critical"' in body
        assert "严重 3" in body


def test_an_office_head_sees_only_the_findings_of_the_office_they_head(cast, campaign, tree, login):
    response = login(cast.head_a).get(PAGE)
    assert response.status_code == 200
    rows = response.context["report"].rows
    assert {(r.finding.rule, r.criterion.code) for r in rows} == {
        ("no_accepted_evidence", "1.1.1"),
        ("no_accepted_evidence", "2.1.1"),
    }
    assert {r.office for r in rows} == {cast.office_a}
    assert b'data-testid="rectify"' not in response.content  # heads do not make rectification tasks
    # another office answers 404, like one that does not exist
    assert login(cast.head_a).get(PAGE, {"office": cast.office_b.pk}).status_code == 404
    assert login(cast.head_a).get(PAGE, {"office": cast.office_a.pk}).status_code == 200


def test_staff_may_not_open_the_page(cast, campaign, tree, login):
    assert login(cast.staff_a).get(PAGE).status_code == 403
    assert login(cast.staff_a).get(reverse("reports:readiness_export")).status_code == 403


def test_the_organ_view_narrows_to_one_office(cast, campaign, tree, login):
    response = login(cast.leader).get(PAGE, {"office": cast.office_b.pk})
    assert {r.criterion.code for r in response.context["report"].rows} == {"1.1.2"}
    # a number beyond 64 bits names no office: ignored, as on the dashboard
    huge = login(cast.leader).get(PAGE, {"office": str(2**64)})
    assert huge.status_code == 200
    assert huge.context["report"].office is None


def test_a_head_sees_an_item_of_another_office_without_its_title(
    cast, campaign, tree, login, django_capture_on_commit_callbacks
):
    from tests.reports.readiness.photos import jpeg, scene

    shot = scene(seed=41)
    with django_capture_on_commit_callbacks(execute=True):
        make_evidence(user=cast.staff_b, campaign=campaign, data=jpeg(shot), standards=[tree.s112], title="B的原图")
        make_evidence(
            user=cast.staff_a, campaign=campaign, data=jpeg(shot, quality=60), standards=[tree.s111], title="A的副本"
        )
    response = login(cast.head_a).get(PAGE)
    (row,) = [r for r in response.context["report"].rows if r.finding.rule == "near_duplicate_photo"]
    (mention,) = row.mentions
    assert mention.label == "A的副本"
    assert mention.other_label == "其他委室的材料"
    assert "B的原图" not in response.content.decode()
    leader_view = login(cast.leader).get(PAGE)
    assert "B的原图" in leader_view.content.decode()


# --- rectification -----------------------------------------------------------------------------------------------


def test_the_coordinator_turns_a_finding_into_a_task_of_the_office_responsible(cast, campaign, tree, login):
    record = record_of(campaign, "no_accepted_evidence", tree.s112)
    assert record.office == cast.office_b
    response = login(cast.coordinator).post(rectify_url(record))
    assert response.status_code == 302
    task = Task.objects.get(campaign=campaign, code="整改-1")
    assert task.lead_office == cast.office_b
    assert task.parent is None
    assert list(task.standards.all()) == [tree.s112]
    assert task.title.startswith("整改：尚无已采用")
    assert "按报送要求补齐佐证材料" in task.measures
    # due READINESS_RECTIFY_DAYS (14) from today, and never after the inspection (tested on its own below)
    assert task.deadline == rectification_deadline(inspection=datetime.date(2026, 11, 1), today=timezone.localdate())
    event = TaskEvent.objects.get(task=task)
    assert event.action == TaskEvent.Action.CREATED
    assert event.actor == cast.coordinator
    assert record.key in event.note
    record.refresh_from_db()
    assert record.task == task
    # the office head is told
    assert Notification.objects.filter(recipient=cast.head_b, object_id=task.pk).exists()
    # the page shows the finding's task and its state
    page = login(cast.coordinator).get(PAGE)
    (row,) = [r for r in page.context["report"].rows if r.record.pk == record.pk]
    assert row.state_label == "整改中：未开始"
    assert not row.may_rectify
    assert f'href="{reverse("tasks:detail", args=[task.pk])}"' in page.content.decode()


def test_a_second_click_makes_no_second_task(cast, campaign, tree, login):
    record = record_of(campaign, "no_accepted_evidence", tree.s112)
    client = login(cast.coordinator)
    client.post(rectify_url(record))
    response = client.post(rectify_url(record), follow=True)
    assert Task.objects.filter(code__startswith="整改-").count() == 1
    assert "该问题已有整改任务" in response.content.decode()


def test_only_the_coordinator_rectifies(cast, campaign, tree, login):
    record = record_of(campaign, "no_accepted_evidence", tree.s111)  # office A's
    assert login(cast.leader).post(rectify_url(record)).status_code == 403
    assert login(cast.head_a).post(rectify_url(record)).status_code == 403  # sees it, may not change it
    assert login(cast.head_b).post(rectify_url(record)).status_code == 404  # does not see it
    assert login(cast.staff_a).post(rectify_url(record)).status_code == 404
    assert not Task.objects.filter(code__startswith="整改-").exists()


def test_a_finding_of_the_leadership_groups_office_goes_to_the_coordinators_office(cast, campaign, tree, login):
    record = record_of(campaign, "explanation_missing", tree.indicator1)
    assert record.office is None
    login(cast.coordinator).post(rectify_url(record))
    task = Task.objects.get(code="整改-1")
    assert task.lead_office == cast.office_main  # the coordinator's own office
    assert list(task.standards.all()) == []  # an indicator is no standard of the breakdown


def test_the_countdown_cannot_be_rectified(cast, campaign, tree, login):
    record = record_of(campaign, "days_to_inspection")
    response = login(cast.coordinator).post(rectify_url(record), follow=True)
    assert "不能转为整改任务" in response.content.decode()
    assert not Task.objects.filter(code__startswith="整改-").exists()


def test_the_finding_shows_the_tasks_state_until_its_rule_no_longer_fires(cast, campaign, tree, login):
    record = record_of(campaign, "no_accepted_evidence", tree.s112)
    client = login(cast.coordinator)
    client.post(rectify_url(record))
    task = Task.objects.get(code="整改-1")
    # the task is done, but nothing was filed: the finding is still there, and may be rectified again
    Task.objects.filter(pk=task.pk).update(status=Status.DONE)
    page = client.get(PAGE)
    (row,) = [r for r in page.context["report"].rows if r.record.pk == record.pk]
    assert (row.state, row.state_label, row.may_rectify) == ("still_found", "整改已完成，问题仍在", True)
    client.post(rectify_url(record))
    assert Task.objects.filter(code="整改-2", lead_office=cast.office_b).exists()
    # the office files evidence and it is accepted: the rule no longer fires, the finding is resolved
    item = make_evidence(user=cast.staff_b, campaign=campaign, standards=[tree.s112], category=EvidenceCategory.PLAN)
    evidence_accept(user=cast.coordinator, item=item)
    page = client.get(PAGE)
    assert str(record.pk) not in finding_ids(page)
    record.refresh_from_db()
    assert record.resolved_at is not None
    response = client.post(rectify_url(record), follow=True)
    assert "最近一次自查未再发现" in response.content.decode()


# --- recording the checks -----------------------------------------------------------------------------------------


def test_a_check_records_new_changed_resolved_and_reopened_findings(cast, campaign, tree):
    first = readiness_refresh(campaign=campaign)
    assert first.added == len(first.findings) == 6
    keys = {record.key for _f, record in first.findings}
    again = readiness_refresh(campaign=campaign)
    assert (again.added, again.resolved) == (0, 0)
    assert {record.key for _f, record in again.findings} == keys
    unchanged = dict(ReadinessFinding.objects.values_list("pk", "updated_at"))
    readiness_refresh(campaign=campaign)
    assert dict(ReadinessFinding.objects.values_list("pk", "updated_at")) == unchanged  # nothing rewritten
    # a veto condition at risk appears, then clears, then comes back: the same record, reopened
    veto = VetoCondition.objects.create(
        campaign=campaign, code="N1", title="弄虚作假", status=VetoCondition.Status.AT_RISK
    )
    assert readiness_refresh(campaign=campaign).added == 1
    record = ReadinessFinding.objects.get(rule="veto_at_risk")
    assert record.severity == Severity.CRITICAL
    VetoCondition.objects.filter(pk=veto.pk).update(status=VetoCondition.Status.CLEAR)
    assert readiness_refresh(campaign=campaign).resolved == 1
    record.refresh_from_db()
    assert record.resolved_at is not None
    VetoCondition.objects.filter(pk=veto.pk).update(status=VetoCondition.Status.TRIGGERED, note="已查实")
    outcome = readiness_refresh(campaign=campaign)
    assert outcome.added == 0
    record.refresh_from_db()
    assert record.resolved_at is None
    assert "已触及" in record.text
    assert (record.mentions[0]["label"], record.mentions[0]["detail"]) == ("N1 弄虚作假", "（已查实）")


@pytest.mark.parametrize("who", ["coordinator", "head_a"])
def test_the_page_asks_a_fixed_number_of_queries(cast, campaign, tree, login, who):
    from tests.tasks.factories import TaskFactory

    client = login(getattr(cast, who))

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(PAGE).status_code == 200
        return len(ctx.captured_queries)

    make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111])  # an item named: its reader checked
    readiness_refresh(campaign=campaign)
    few = count()
    for n in range(6):
        task = TaskFactory(campaign=campaign, code=f"9{n}", lead_office=cast.office_a, status=Status.RETURNED)
        task.standards.set([tree.s111, tree.s211])
        make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s211])
    readiness_refresh(campaign=campaign)  # the new findings recorded: the next check writes nothing new
    assert count() == few


@pytest.mark.parametrize(
    ("today", "inspection", "expected"),
    [
        (datetime.date(2026, 6, 10), datetime.date(2026, 11, 1), datetime.date(2026, 6, 24)),  # 14 days
        (datetime.date(2026, 10, 25), datetime.date(2026, 11, 1), datetime.date(2026, 10, 31)),  # the day before
        (datetime.date(2026, 11, 1), datetime.date(2026, 11, 1), datetime.date(2026, 11, 15)),  # passed: 14 days
        (datetime.date(2026, 6, 10), None, datetime.date(2026, 6, 24)),
    ],
)
def test_a_rectification_is_due_in_14_days_and_before_the_inspection(today, inspection, expected):
    assert rectification_deadline(inspection=inspection, today=today) == expected


def test_the_page_counts_every_item_and_lists_one_page_of_findings(cast, campaign, tree, login, monkeypatch):
    from civunit.reports.readiness import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = login(cast.coordinator)
    response = client.get(PAGE)
    body = response.content.decode()
    # every item counted by severity, whatever the page shows
    assert re.findall(r'<tr data-item="(\d+)"', body) == ["0", str(tree.item1.pk), str(tree.item2.pk)]
    assert len(finding_ids(response)) == 2
    assert response.context["page"].paginator.num_pages == 3
    # one item's findings
    item2 = client.get(PAGE, {"item": tree.item2.pk})
    assert [s.item for s in item2.context["sections"]] == [tree.item2]
    assert {r.criterion.code for r in item2.context["page"].object_list} == {"2.1.1", "2.1"}
    assert "仅显示" in item2.content.decode()
    whole = client.get(PAGE, {"item": 0})
    assert [r.finding.rule for r in whole.context["page"].object_list] == ["days_to_inspection"]
    # an item that is not one of the report's shows every item
    assert client.get(PAGE, {"item": 987654}).context["chosen"] is None


def test_after_a_rectification_the_coordinator_is_back_on_the_page_they_were_on(cast, campaign, tree, login):
    record = record_of(campaign, "no_accepted_evidence", tree.s211)
    back = f"{PAGE}?item={tree.item2.pk}"
    response = login(cast.coordinator).post(rectify_url(record), {"next": back})
    assert response["Location"] == f"{back}#finding-{record.pk}"
    other = record_of(campaign, "no_accepted_evidence", tree.s111)
    response = login(cast.coordinator).post(rectify_url(other), {"next": "https://example.com/readiness/"})
    assert response["Location"] == f"{PAGE}#finding-{other.pk}"
