"""Bulletins (内部通报): the figures they state, frozen at publication; numbering per year; one transaction with
the audit record; drafts that change only while they are drafts."""

import datetime
from unittest import mock

import pytest
from django.db import IntegrityError
from django.db.models import Value
from django.utils import timezone

from civunit.accounts.models import Office
from civunit.reports.bulletins import services
from civunit.reports.bulletins.snapshot import SNAPSHOT_SCHEMA, UnknownSnapshot, load_snapshot, rank_offices
from civunit.reports.models import Bulletin, BulletinEvent
from tasks.models import Status, Task
from tests.reports.bulletins_data import build_organ, draft, publish
from tests.tasks.factories import TaskFactory


def offices_by_name(content) -> dict:
    return {o["name"]: o for o in content.offices}


def test_a_bulletin_states_progress_offices_highlights_and_overdue_tasks(cast, campaign):
    build_organ(cast, campaign)
    bulletin = publish(draft(cast, campaign), cast.coordinator)
    content = load_snapshot(bulletin.snapshot)

    h = content.headline
    assert (h["tasks"], h["tasks_done"], h["tasks_overdue"], h["tasks_done_percent"]) == (6, 2, 3, 33)
    offices = offices_by_name(content)
    assert (offices["研究室"]["tasks"], offices["研究室"]["done"], offices["研究室"]["overdue"]) == (4, 2, 1)
    assert offices["研究室"]["done_in_period"] == 1
    assert (offices["提案委员会办公室"]["tasks"], offices["提案委员会办公室"]["overdue"]) == (2, 2)
    assert content.highlights["tasks_done"] == 1
    assert [a["title"] for a in content.highlights["activities"]] == ["学雷锋志愿服务活动"]
    # the longest overdue first, each with its office and days overdue
    rows = content.overdue["rows"]
    assert [r["code"] for r in rows] == ["5", "3", "6"]
    assert rows[0]["office"] == "提案委员会办公室"
    assert rows[0]["days"] == 15
    assert content.overdue["total"] == 3


def test_published_figures_do_not_change_when_the_data_changes(cast, campaign, login):
    data = build_organ(cast, campaign)
    bulletin = publish(draft(cast, campaign), cast.coordinator)
    stored = Bulletin.objects.get(pk=bulletin.pk).snapshot
    before = login(cast.staff_a).get(bulletin.get_absolute_url()).content.decode()
    assert "组织道德讲堂" in before

    # the work moves on: overdue tasks done, new tasks, an office renamed, an activity removed
    Task.objects.filter(pk__in=[data["tasks"]["b1"].pk, data["tasks"]["b2"].pk]).update(status=Status.DONE)
    TaskFactory(campaign=campaign, code="7", lead_office=cast.office_b, deadline=timezone.localdate())
    Office.objects.filter(pk=cast.office_b.pk).update(name="提案委")
    data["activity"].delete()

    bulletin.refresh_from_db()
    assert bulletin.snapshot == stored
    content = load_snapshot(bulletin.snapshot)
    assert content.headline["tasks_overdue"] == 3
    assert offices_by_name(content)["提案委员会办公室"]["overdue"] == 2
    after = login(cast.staff_a).get(bulletin.get_absolute_url()).content.decode()
    assert "组织道德讲堂" in after
    assert "提案委员会办公室" in after and "提案委<" not in after
    assert "学雷锋志愿服务活动" in after


def test_a_draft_previews_todays_figures(cast, campaign, login):
    data = build_organ(cast, campaign)
    bulletin = draft(cast, campaign)
    client = login(cast.coordinator)
    assert client.get(bulletin.get_absolute_url()).context["content"].headline["tasks_overdue"] == 3
    Task.objects.filter(pk=data["tasks"]["b1"].pk).update(status=Status.DONE)
    assert client.get(bulletin.get_absolute_url()).context["content"].headline["tasks_overdue"] == 2


def test_the_snapshot_carries_its_schema_and_an_unknown_schema_is_refused(cast, campaign):
    bulletin = publish(draft(cast, campaign), cast.coordinator)
    assert bulletin.snapshot is not None
    assert bulletin.snapshot["schema"] == bulletin.snapshot_schema == SNAPSHOT_SCHEMA
    with pytest.raises(UnknownSnapshot):
        load_snapshot({**bulletin.snapshot, "schema": 99})


def test_offices_in_the_organs_order_or_ranked_by_performance(cast, campaign):
    build_organ(cast, campaign)
    organ = load_snapshot(
        publish(draft(cast, campaign, office_order=Bulletin.OfficeOrder.ORGAN), cast.coordinator).snapshot
    )
    assert [o["name"] for o in organ.offices] == ["研究室", "提案委员会办公室"]  # Office.ordering 2, 3
    assert not organ.ranked
    # office B does better once both its tasks are done: it leads the ranking
    Task.objects.filter(lead_office=cast.office_b).update(status=Status.DONE)
    ranked = load_snapshot(publish(draft(cast, campaign), cast.coordinator).snapshot)
    assert [(o["name"], o["rank"]) for o in ranked.offices] == [("提案委员会办公室", 1), ("研究室", 2)]


def test_equal_offices_share_a_rank_and_keep_the_organs_order():
    def office(name, percent, overdue, on_time=0):
        return {"name": name, "done_percent": percent, "overdue": overdue, "done_on_time": on_time}

    ranked = rank_offices([office("甲", 50, 1), office("乙", 80, 0), office("丙", 50, 1), office("丁", 50, 0)])
    assert [(o["name"], o["rank"]) for o in ranked] == [("乙", 1), ("丁", 2), ("甲", 3), ("丙", 3)]


# --- Numbering ------------------------------------------------------------------------------------------------


def test_bulletins_are_numbered_within_their_year(cast, campaign):
    first = publish(draft(cast, campaign), cast.coordinator, today=datetime.date(2026, 11, 30))
    second = publish(draft(cast, campaign), cast.coordinator, today=datetime.date(2026, 12, 31))
    third = publish(draft(cast, campaign), cast.coordinator, today=datetime.date(2027, 1, 4))
    assert [(b.year, b.number) for b in (first, second, third)] == [(2026, 1), (2026, 2), (2027, 1)]
    assert str(second) == "2026年第2期通报"


def test_a_draft_has_no_number_until_published(cast, campaign):
    bulletin = draft(cast, campaign)
    assert (bulletin.year, bulletin.number, bulletin.snapshot) == (None, None, None)


def test_numbering_takes_the_next_number_when_another_publication_took_it(cast, campaign):
    """Two publications computing the same number at once (PostgreSQL): the unique constraint refuses the
    second, and publishing retries with the next number in a savepoint."""
    publish(draft(cast, campaign), cast.coordinator, today=datetime.date(2026, 5, 1))
    bulletin = draft(cast, campaign)
    real = services._next_number
    calls = []

    def stale_first(year):
        calls.append(year)
        return Value(1) if len(calls) == 1 else real(year)

    with mock.patch.object(services, "_next_number", stale_first):
        bulletin = publish(bulletin, cast.coordinator, today=datetime.date(2026, 5, 2))
    assert (bulletin.year, bulletin.number, len(calls)) == (2026, 2, 2)


def test_the_database_refuses_a_second_bulletin_with_the_same_number(cast, campaign):
    first = publish(draft(cast, campaign), cast.coordinator)
    second = publish(draft(cast, campaign), cast.coordinator)
    with pytest.raises(IntegrityError):
        Bulletin.objects.filter(pk=second.pk).update(number=first.number)


# --- One transaction, conditional on the draft ---------------------------------------------------------------


def test_publishing_writes_its_audit_record(cast, campaign):
    bulletin = publish(draft(cast, campaign), cast.coordinator)
    events = list(bulletin.events.values_list("action", "actor"))
    assert events == [
        (BulletinEvent.Action.CREATED, cast.coordinator.pk),
        (BulletinEvent.Action.PUBLISHED, cast.coordinator.pk),
    ]
    assert (bulletin.published_by, bulletin.status) == (cast.coordinator, Bulletin.Status.PUBLISHED)


def test_a_publication_that_fails_leaves_the_draft_as_it_was(cast, campaign):
    bulletin = draft(cast, campaign)
    with (
        mock.patch.object(services, "_event", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        publish(bulletin, cast.coordinator)
    bulletin.refresh_from_db()
    assert (bulletin.status, bulletin.number, bulletin.snapshot) == (Bulletin.Status.DRAFT, None, None)


def test_publishing_twice_or_a_changed_draft_is_refused(cast, campaign):
    bulletin = draft(cast, campaign)
    seen = bulletin.version
    services.bulletin_update(
        bulletin=Bulletin.objects.get(pk=bulletin.pk),
        user=cast.coordinator,
        version=seen,
        period_kind=bulletin.period_kind,
        period_start=bulletin.period_start,
        period_end=bulletin.period_end,
        office_order=bulletin.office_order,
        text="另一个标签页改过的导语",
    )
    # the coordinator publishes what they previewed before the change: refused
    with pytest.raises(services.StaleBulletin):
        services.bulletin_publish(bulletin=bulletin, user=cast.coordinator, version=seen)
    bulletin.refresh_from_db()
    published = publish(bulletin, cast.coordinator)
    with pytest.raises(services.StaleBulletin):
        services.bulletin_publish(bulletin=published, user=cast.coordinator, version=published.version)
    assert Bulletin.objects.get(pk=bulletin.pk).number == 1


def test_a_published_bulletin_cannot_be_changed_or_deleted(cast, campaign):
    bulletin = publish(draft(cast, campaign), cast.coordinator)
    with pytest.raises(services.StaleBulletin):
        services.bulletin_update(
            bulletin=bulletin,
            user=cast.coordinator,
            version=bulletin.version,
            period_kind=bulletin.period_kind,
            period_start=bulletin.period_start,
            period_end=bulletin.period_end,
            office_order=bulletin.office_order,
            text="改",
        )
    with pytest.raises(services.StaleBulletin):
        services.bulletin_delete(bulletin=bulletin, user=cast.coordinator, version=bulletin.version)
    assert Bulletin.objects.get(pk=bulletin.pk).text == "请各委室抓紧推进。"


@pytest.mark.parametrize("who", ["staff_a", "head_a", "leader"])
def test_only_the_coordinator_drafts_and_publishes(cast, campaign, who):
    from django.core.exceptions import PermissionDenied

    bulletin = draft(cast, campaign)
    user = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        draft(cast.__class__(**{**vars(cast), "coordinator": user}), campaign)
    with pytest.raises(PermissionDenied):
        publish(bulletin, user)
    assert Bulletin.objects.get(pk=bulletin.pk).status == Bulletin.Status.DRAFT


def test_the_read_rule_published_for_everyone_active_drafts_for_the_coordinator(cast, campaign):
    from civunit import access

    drafted = draft(cast, campaign)
    published = publish(draft(cast, campaign), cast.coordinator)
    for who, user in cast.everyone.items():
        assert access.can_read(user, published), who
        assert access.can_read(user, drafted) == (who in {"coordinator", "admin"}), who
    cast.staff_a.is_active = False
    assert not access.can_read(cast.staff_a, published)
