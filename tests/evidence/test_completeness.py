"""Check-off and self-assessment tell the truth: a task whose standards lack accepted evidence, or whose
sub-tasks are open, is checked off only after a confirmation (or never, where the campaign says so); a standard
marked 达标 while its evidence requirement is unmet warns the same way."""

import pytest

from campaign.models import Assessment
from evidence.models import EvidenceItem
from tasks.models import Status, Task
from tests.evidence.review_factories import make_item
from tests.tasks.factories import TaskFactory

Accepted = EvidenceItem.Status.ACCEPTED


@pytest.fixture
def task_std(cast, campaign, standard):
    """A task of office A in progress, linked to `standard` (photos ≥ 2, minutes ≥ 1)."""
    task = TaskFactory(campaign=campaign, code="3", lead_office=cast.office_a, status=Status.IN_PROGRESS)
    task.standards.set([standard])
    return task


def check_off(client, task, **extra):
    data = {"version": Task.objects.get(pk=task.pk).version, "note": "已完成", **extra}
    return client.post(f"/tasks/{task.pk}/check-off/", data)


def test_check_off_with_unmet_evidence_asks_for_confirmation_then_goes_through(cast, task_std, login):
    client = login(cast.head_a)
    response = check_off(client, task_std)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="check-off-concerns"' in page and "6.2.1" in page
    assert 'name="confirm" value="1"' in page
    assert Task.objects.get(pk=task_std.pk).status == Status.IN_PROGRESS  # nothing changed yet
    assert not task_std.events.exists()

    response = check_off(client, task_std, confirm="1")
    assert response.status_code == 302
    assert Task.objects.get(pk=task_std.pk).status == Status.PENDING_REVIEW


def test_check_off_with_the_evidence_met_needs_no_confirmation(cast, campaign, task_std, standard, login):
    for category in ("photo", "photo", "minutes"):
        make_item(campaign=campaign, uploader=cast.staff_a, standards=[standard], status=Accepted, category=category)
    response = check_off(login(cast.head_a), task_std)
    assert response.status_code == 302
    assert Task.objects.get(pk=task_std.pk).status == Status.PENDING_REVIEW


def test_pending_evidence_does_not_count_toward_the_requirement(cast, campaign, task_std, standard, login):
    for category in ("photo", "photo", "minutes"):
        make_item(
            campaign=campaign,
            uploader=cast.staff_a,
            standards=[standard],
            status=EvidenceItem.Status.PENDING,
            category=category,
        )
    assert check_off(login(cast.head_a), task_std).status_code == 200
    assert Task.objects.get(pk=task_std.pk).status == Status.IN_PROGRESS


def test_open_sub_tasks_warn_too(cast, campaign, login):
    parent = TaskFactory(campaign=campaign, code="4", lead_office=cast.office_a, status=Status.IN_PROGRESS)
    TaskFactory(campaign=campaign, code="4.1", parent=parent, lead_office=cast.office_a, status=Status.IN_PROGRESS)
    response = check_off(login(cast.head_a), parent)
    assert response.status_code == 200 and "1" in response.content.decode()
    assert Task.objects.get(pk=parent.pk).status == Status.IN_PROGRESS
    Task.objects.filter(parent=parent).update(status=Status.DONE)
    assert check_off(login(cast.head_a), parent).status_code == 302
    assert Task.objects.get(pk=parent.pk).status == Status.PENDING_REVIEW


def test_the_campaign_setting_blocks_instead_even_when_confirmed(cast, campaign, task_std, login):
    campaign.block_incomplete_completion = True
    campaign.save()
    client = login(cast.head_a)
    response = check_off(client, task_std, confirm="1")
    assert response.status_code == 302
    assert Task.objects.get(pk=task_std.pk).status == Status.IN_PROGRESS
    shown = client.get(response["Location"]).content.decode()
    assert "6.2.1" in shown


def assess(client, standard, **extra):
    return client.post(f"/campaign/criteria/{standard.pk}/assessment/", {"status": "met", "note": "", **extra})


def test_marking_a_standard_met_without_its_evidence_asks_for_confirmation(cast, standard, login):
    client = login(cast.coordinator)
    response = assess(client, standard, self_score="", note="自评")
    assert response.status_code == 200
    assert 'data-testid="assessment-gaps"' in response.content.decode()
    assert not Assessment.objects.filter(criterion=standard).exists()
    response = assess(client, standard, self_score="", note="自评", confirm="1")
    assert response.status_code == 302
    assert Assessment.objects.get(criterion=standard).status == Assessment.Status.MET


def test_other_statuses_and_met_evidence_need_no_confirmation(cast, campaign, standard, login):
    client = login(cast.coordinator)
    assert assess(client, standard, status="basically_met").status_code == 302
    for category in ("photo", "photo", "minutes"):
        make_item(campaign=campaign, uploader=cast.staff_a, standards=[standard], status=Accepted, category=category)
    assert assess(client, standard).status_code == 302
    assert Assessment.objects.get(criterion=standard).status == Assessment.Status.MET


def test_blocking_setting_refuses_met_with_a_message(cast, campaign, standard, login):
    campaign.block_incomplete_completion = True
    campaign.save()
    response = assess(login(cast.coordinator), standard, confirm="1")
    assert response.status_code == 400
    assert not Assessment.objects.filter(criterion=standard).exists()
