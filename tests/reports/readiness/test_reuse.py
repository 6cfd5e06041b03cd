"""The readiness page shows the latest recorded check while nothing the check reads has changed since (its change
stamp, readiness/stamps.py), and runs the check afresh after any change: a task's or an evidence item's (their
audit events), the veto list, an explanation report, a photo's perceptual hash written by the previews job, a
new day or hour. The coordinator's recheck button runs it whatever."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaign.models import Campaign, VetoCondition
from campaign.services import explanation_save, veto_update
from civunit.reports.models import ReadinessCheck, ReadinessFinding
from civunit.reports.readiness import check as check_module
from civunit.reports.readiness import services
from civunit.reports.readiness.check import Check
from civunit.reports.readiness.services import readiness_check
from civunit.reports.readiness.stamps import check_stamp, stamp_values
from evidence.models import EvidenceItem, StoredFile
from evidence.services import evidence_accept
from tasks.services.workflow import task_set_deadline
from tests.evidence.factories import make_evidence
from tests.tasks.factories import TaskFactory

from .conftest import TODAY

PAGE = reverse("reports:readiness")
RECHECK = reverse("reports:readiness_recheck")


@pytest.fixture
def runs(monkeypatch):
    """How many times the rules ran (every check runs them all once)."""
    counted = []
    real = check_module.run

    def run(check, names=None):
        counted.append(check.today)
        return real(check, names)

    monkeypatch.setattr(services, "run", run)
    return counted


def rules(response) -> set[tuple[str, str | None]]:
    return {(r.rule.name, r.criterion.code if r.criterion else None) for r in response.context["report"].rows}


def checked_at(campaign) -> datetime.datetime:
    return ReadinessCheck.objects.get(campaign=campaign).checked_at


def test_viewing_again_runs_no_check_while_nothing_changed(cast, campaign, tree, login, runs):
    client = login(cast.coordinator)
    first = client.get(PAGE)
    assert len(runs) == 1
    when = checked_at(campaign)
    assert first.context["report"].checked_at == when
    written = dict(ReadinessFinding.objects.values_list("pk", "updated_at"))
    for user in (cast.coordinator, cast.leader, cast.head_a):
        assert login(user).get(PAGE).status_code == 200
    again = client.get(PAGE)
    assert len(runs) == 1  # the recorded check, shown as it is
    assert checked_at(campaign) == when
    assert again.context["report"].checked_at == when
    assert dict(ReadinessFinding.objects.values_list("pk", "updated_at")) == written
    assert rules(again) == rules(first)
    assert "检查于" in again.content.decode()
    # the workbook reads the same recorded check
    assert client.get(reverse("reports:readiness_export")).status_code == 200
    assert len(runs) == 1


def test_a_task_event_runs_the_check_again_and_the_person_sees_their_change(cast, campaign, tree, login, runs):
    client = login(cast.head_a)
    assert ("tasks_overdue_or_returned", "1.1.1") not in rules(client.get(PAGE))
    task_set_deadline(task=tree.task1, user=cast.head_a, deadline=datetime.date(2026, 6, 1))
    after = client.get(PAGE)
    assert len(runs) == 2
    assert ("tasks_overdue_or_returned", "1.1.1") in rules(after)


def test_an_evidence_event_runs_the_check_again(cast, campaign, tree, login, runs):
    client = login(cast.coordinator)
    assert ("no_accepted_evidence", "1.1.2") in rules(client.get(PAGE))
    item = make_evidence(user=cast.staff_b, campaign=campaign, standards=[tree.s112])
    evidence_accept(user=cast.coordinator, item=item)
    after = client.get(PAGE)
    assert len(runs) == 2
    assert ("no_accepted_evidence", "1.1.2") not in rules(after)
    assert ReadinessFinding.objects.get(rule="no_accepted_evidence", criterion=tree.s112).resolved_at is not None


def test_a_new_day_runs_the_check_again(cast, campaign, tree, login, runs, monkeypatch):
    client = login(cast.leader)
    client.get(PAGE)
    client.get(PAGE)
    assert runs == [TODAY]
    tomorrow = TODAY + datetime.timedelta(days=1)
    real = timezone.localdate
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda value=None, tz=None: real(value, tz) if value else tomorrow
    )
    page = client.get(PAGE)
    assert runs == [TODAY, tomorrow]
    (countdown,) = [r for r in page.context["report"].rows if r.rule.name == "days_to_inspection"]
    assert "143" in countdown.finding.text  # 1 November, from 11 June


def test_a_new_hour_runs_the_check_again(cast, campaign, tree, login, runs, monkeypatch):
    client = login(cast.leader)
    client.get(PAGE)
    later = timezone.localtime() + datetime.timedelta(hours=1)
    real = timezone.localtime
    monkeypatch.setattr(
        "django.utils.timezone.localtime", lambda value=None, tz=None: real(value, tz) if value else later
    )
    client.get(PAGE)
    assert len(runs) == 2


def test_changes_without_an_audit_event_run_the_check_again(cast, campaign, tree, login, runs, settings):
    settings.READINESS_LAG_SECONDS = 0  # (a hash lags with the day-to-day work: tested below)
    client = login(cast.coordinator)
    client.get(PAGE)
    # the veto list and the explanation reports (the coordinator's own changes)
    veto = VetoCondition.objects.create(campaign=campaign, code="N1", title="弄虚作假")
    client.get(PAGE)
    assert len(runs) == 2
    veto_update(condition=veto, user=cast.coordinator, status=VetoCondition.Status.AT_RISK, note="")
    assert ("veto_at_risk", None) in rules(client.get(PAGE))
    explanation_save(criterion=tree.indicator1, user=cast.coordinator, text="说明")
    assert ("explanation_missing", "1.1") not in rules(client.get(PAGE))
    assert len(runs) == 4
    # a photo's perceptual hash, written by the previews job after the upload
    item = make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111])
    client.get(PAGE)
    runs.clear()
    StoredFile.objects.filter(items=item).update(phash=1234)
    client.get(PAGE)
    assert len(runs) == 1


def test_the_recheck_button_runs_the_check_whatever(cast, campaign, tree, login, runs):
    client = login(cast.coordinator)
    page = client.get(PAGE)
    assert 'data-testid="readiness-recheck"' in page.content.decode()
    response = client.post(RECHECK, {"next": f"{PAGE}?item={tree.item1.pk}"})
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?item={tree.item1.pk}"
    assert len(runs) == 2
    assert client.post(RECHECK, {"next": "https://example.com/"})["Location"] == PAGE
    # leadership and heads read the page, without the button
    for user in (cast.leader, cast.head_a):
        assert 'data-testid="readiness-recheck"' not in login(user).get(PAGE).content.decode()
        assert login(user).post(RECHECK).status_code == 403
    assert len(runs) == 3


def test_a_check_with_the_recorded_stamp_runs_nothing(cast, campaign, tree, runs):
    fresh = Campaign.objects.get(pk=campaign.pk)
    first = readiness_check(campaign=fresh)
    assert first is not None
    stamp = check_stamp(Check(campaign=fresh), stamp_values(fresh))
    assert ReadinessCheck.objects.get(campaign=campaign).stamp == stamp.full
    # as a view that read the stamps before another one recorded the check: nothing runs, nothing is written
    assert readiness_check(campaign=fresh, stamp=stamp) is None
    assert len(runs) == 1
    assert readiness_check(campaign=fresh, stamp=stamp, force=True) is not None
    assert len(runs) == 2


def test_the_dashboard_card_shows_the_time_of_the_latest_check(cast, campaign, tree, login):
    client = login(cast.coordinator)
    client.get(PAGE)
    ReadinessFinding.objects.update(checked_at=timezone.now() - datetime.timedelta(days=3))  # as written then
    home = client.get("/")
    assert home.context["readiness"].checked_at == checked_at(campaign)


def test_a_resolved_finding_keeps_the_time_of_the_last_check_that_found_it(cast, campaign, tree, login):
    client = login(cast.coordinator)
    client.post(RECHECK)
    found = checked_at(campaign)
    item = make_evidence(user=cast.staff_b, campaign=campaign, standards=[tree.s112])
    evidence_accept(user=cast.coordinator, item=item)
    client.get(PAGE)
    record = ReadinessFinding.objects.get(rule="no_accepted_evidence", criterion=tree.s112)
    assert record.resolved_at == checked_at(campaign) > found
    assert record.checked_at == found


def test_others_day_to_day_work_may_lag_for_a_while_but_never_the_readers_own(
    cast, campaign, tree, login, runs, settings
):
    settings.READINESS_LAG_SECONDS = 30
    leader, head = login(cast.leader), login(cast.head_a)
    first = leader.get(PAGE)
    when = checked_at(campaign)
    # others' day-to-day work (an upload, a deadline): the leader is shown the recorded check, with its time
    make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111])
    task_set_deadline(task=tree.task1, user=cast.head_a, deadline=datetime.date(2026, 6, 1))
    lagging = leader.get(PAGE)
    assert len(runs) == 1
    assert lagging.context["report"].checked_at == when
    assert rules(lagging) == rules(first)
    # the head made the change: they see it at once, and so does everyone after them
    assert ("tasks_overdue_or_returned", "1.1.1") in rules(head.get(PAGE))
    assert len(runs) == 2
    assert ("tasks_overdue_or_returned", "1.1.1") in rules(leader.get(PAGE))
    assert len(runs) == 2
    # any other kind of change checks at once, whoever made it
    VetoCondition.objects.create(campaign=campaign, code="N1", title="弄虚作假", status=VetoCondition.Status.AT_RISK)
    assert ("veto_at_risk", None) in rules(leader.get(PAGE))
    assert len(runs) == 3
    # the perceptual hash the previews job writes after an upload lags with the upload
    item = make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111])
    leader.get(PAGE)
    StoredFile.objects.filter(items=item).update(phash=1234)
    leader.get(PAGE)
    assert len(runs) == 3
    # past the lag, others' work is checked too
    ReadinessCheck.objects.update(checked_at=timezone.now() - datetime.timedelta(seconds=31))
    leader.get(PAGE)
    assert len(runs) == 4
    # without the lag, every change is checked at the next view
    settings.READINESS_LAG_SECONDS = 0
    make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111])
    leader.get(PAGE)
    assert len(runs) == 5


@pytest.mark.parametrize("who", ["coordinator", "leader", "head_a"])
def test_the_recorded_check_costs_a_fixed_number_of_queries(cast, campaign, tree, login, who, settings):
    settings.READINESS_LAG_SECONDS = 0  # every change checked at the next view (the lag is tested above)
    client = login(getattr(cast, who))

    def count() -> int:
        client.get(PAGE)  # runs the check if anything changed
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(PAGE).status_code == 200
        assert not any("UPDATE" in q["sql"] or "INSERT" in q["sql"] for q in ctx.captured_queries)
        return len(ctx.captured_queries)

    make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111])  # an item named: its reader checked
    few = count()
    for n in range(8):
        task = TaskFactory(
            campaign=campaign, code=f"9{n}", lead_office=cast.office_a, deadline=datetime.date(2026, 6, 1)
        )
        task.standards.set([tree.s111, tree.s211])
        make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s211])
    assert ReadinessFinding.objects.filter(rule="tasks_overdue_or_returned").count() == 0
    many = count()
    assert ReadinessFinding.objects.filter(rule="tasks_overdue_or_returned").exists()
    assert EvidenceItem.objects.count() == 9
    assert many == few
    # session, user, groups, offices (the picker), the campaign with its stamps, the findings, the criteria, the
    # page's findings, the unread notifications, the reader's office (the navigation); for a head, the offices
    # they head and which of the items named they may read
    assert few == {"coordinator": 8, "leader": 8, "head_a": 9}[who]
