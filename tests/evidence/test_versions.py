"""Versions: an accepted item is locked; a change makes a new version in 待审核 and the accepted version stays the
current one until the new one is accepted; every version is kept and viewable."""

import pytest
from django.core.exceptions import PermissionDenied

from evidence import services
from evidence.models import EvidenceEvent, EvidenceItem
from evidence.services import versions
from tests.evidence.review_factories import make_item, make_stored_file
from tests.factories import CriterionFactory

Status = EvidenceItem.Status


@pytest.fixture
def accepted(cast, campaign):
    standard = CriterionFactory(campaign=campaign, code="6.2.1")
    item = make_item(campaign=campaign, uploader=cast.staff_a, standards=[standard], archive_number="6.2.1-001")
    services.evidence_accept(user=cast.head_a, item=item)
    return item


def _versions(item):
    return list(EvidenceItem.objects.filter(lineage=item.lineage).order_by("version"))


def test_editing_an_accepted_item_makes_a_pending_version_and_the_accepted_one_stays_current(cast, accepted):
    new = services.evidence_edit(user=cast.staff_a, item=accepted, changes={"caption": "2026年3月5日 学雷锋志愿服务"})
    v1, v2 = _versions(accepted)
    assert new.pk == v2.pk
    assert (v1.status, v1.is_current, v1.caption) == (Status.ACCEPTED, True, "")
    assert (v2.status, v2.is_current, v2.version) == (Status.PENDING, False, 2)
    assert v2.caption == "2026年3月5日 学雷锋志愿服务"
    assert v2.previous_id == v1.pk
    assert v2.archive_number == v1.archive_number == "6.2.1-001"
    assert list(v2.standard_links.values_list("criterion__code", flat=True)) == ["6.2.1"]
    # pages list current versions: still the accepted one
    assert list(EvidenceItem.objects.current().filter(lineage=accepted.lineage)) == [v1]


def test_accepting_the_new_version_makes_it_current(cast, accepted):
    new = services.evidence_edit(user=cast.staff_a, item=accepted, changes={"title": "新标题"})
    services.evidence_accept(user=cast.head_a, item=new)
    v1, v2 = _versions(accepted)
    assert (v1.is_current, v2.is_current, v2.status) == (False, True, Status.ACCEPTED)
    assert v1.status == Status.ACCEPTED  # the old version keeps its own record


def test_returning_the_new_version_leaves_the_accepted_one_current(cast, accepted):
    new = services.evidence_edit(user=cast.staff_a, item=accepted, changes={"title": "改错了"})
    services.evidence_return(user=cast.head_a, item=new, reason="标题不对")
    v1, v2 = _versions(accepted)
    assert (v1.is_current, v2.is_current, v2.status) == (True, False, Status.RETURNED)


def test_only_the_latest_version_is_changed_or_reviewed(cast, accepted):
    services.evidence_edit(user=cast.staff_a, item=accepted, changes={"title": "二"})
    accepted.refresh_from_db()
    with pytest.raises(services.ReviewError):
        services.evidence_edit(user=cast.staff_a, item=accepted, changes={"title": "三"})


def test_a_pending_item_is_edited_in_place(cast, campaign):
    item = make_item(campaign=campaign, uploader=cast.staff_a)
    same = services.evidence_edit(user=cast.staff_a, item=item, changes={"place": "社区服务中心"})
    assert same.pk == item.pk
    assert EvidenceItem.objects.filter(lineage=item.lineage).count() == 1
    item.refresh_from_db()
    assert item.place == "社区服务中心"
    event = EvidenceEvent.objects.get(lineage=item.lineage, action=EvidenceEvent.Action.UPDATED)
    assert event.details["changed"] == ["place"]


def test_a_returned_item_with_a_new_file_gets_a_current_pending_version(cast, campaign):
    item = make_item(campaign=campaign, uploader=cast.staff_a)
    services.evidence_return(user=cast.head_a, item=item, reason="太暗")
    new_file = make_stored_file()
    new = services.evidence_new_version(user=cast.staff_a, item=item, stored_file=new_file, original_name="IMG_2.jpg")
    v1, v2 = _versions(item)
    assert (v1.is_current, v1.status, v1.stored_file_id) == (False, Status.RETURNED, item.stored_file_id)
    assert (v2.is_current, v2.status, v2.stored_file_id, v2.original_name) == (
        True,
        Status.PENDING,
        new_file.pk,
        "IMG_2.jpg",
    )
    assert new.pk == v2.pk
    event = EvidenceEvent.objects.get(lineage=item.lineage, action=EvidenceEvent.Action.NEW_VERSION)
    assert "file" in event.details["changed"]


def test_changing_standards_makes_the_first_one_primary(cast, accepted, campaign):
    other = CriterionFactory(campaign=campaign, code="7.1.1")
    first = accepted.standard_links.get().criterion
    new = services.evidence_edit(user=cast.staff_a, item=accepted, changes={}, standards=[other, first])
    assert new.primary_standard == other
    assert list(new.standard_links.order_by("position").values_list("criterion__code", flat=True)) == [
        "7.1.1",
        "6.2.1",
    ]


def test_an_edit_that_changes_nothing_makes_no_version(cast, accepted):
    same = services.evidence_edit(user=cast.staff_a, item=accepted, changes={"title": accepted.title})
    assert same.pk == accepted.pk
    assert EvidenceItem.objects.filter(lineage=accepted.lineage).count() == 1


@pytest.mark.parametrize("who", ["staff_b", "head_b", "leader"])
def test_people_who_may_not_change_the_item_cannot_make_a_version(cast, accepted, who):
    with pytest.raises(PermissionDenied):
        services.evidence_edit(user=getattr(cast, who), item=accepted, changes={"title": "x"})


def test_the_office_head_and_coordinator_may_change_an_item_of_their_staff(cast, accepted):
    v2 = services.evidence_edit(user=cast.head_a, item=accepted, changes={"title": "二"})
    same = services.evidence_edit(user=cast.coordinator, item=v2, changes={"title": "三"})  # pending: in place
    assert (v2.version, same.pk, same.title) == (2, v2.pk, "三")


def test_two_people_making_a_version_from_the_same_one_get_a_clear_error_not_a_crash(cast, accepted):
    stale = EvidenceItem.objects.get(pk=accepted.pk)
    services.evidence_edit(user=cast.staff_a, item=accepted, changes={"title": "甲改"})
    # the second person's copy was loaded before the first version existed; is_latest() now says no
    with pytest.raises(services.ReviewError):
        services.evidence_edit(user=cast.head_a, item=stale, changes={"title": "乙改"})
    assert EvidenceItem.objects.filter(lineage=accepted.lineage).count() == 2


def test_the_version_number_constraint_is_reported_as_a_review_error(cast, accepted, monkeypatch):
    # the race itself: both passed the latest-version check before either saved
    monkeypatch.setattr(versions, "is_latest", lambda item: True)
    services.evidence_new_version(user=cast.staff_a, item=accepted, changes={"title": "甲改"})
    with pytest.raises(services.ReviewError):
        services.evidence_new_version(user=cast.head_a, item=accepted, changes={"title": "乙改"})
    assert EvidenceItem.objects.filter(lineage=accepted.lineage).count() == 2


def test_history_says_what_changed_from_what_to_what(cast, accepted, login):
    from django.urls import reverse

    new = services.evidence_edit(user=cast.staff_a, item=accepted, changes={"place": "幸福社区"})
    event = EvidenceEvent.objects.get(lineage=accepted.lineage, action=EvidenceEvent.Action.NEW_VERSION)
    assert event.details["values"] == {"place": ["", "幸福社区"]}
    services.evidence_edit(user=cast.staff_a, item=new, changes={"place": "阳光社区"})  # pending: in place
    event = EvidenceEvent.objects.get(lineage=accepted.lineage, action=EvidenceEvent.Action.UPDATED)
    assert event.details["values"] == {"place": ["幸福社区", "阳光社区"]}
    body = login(cast.head_a).get(reverse("evidence:versions", args=[accepted.pk])).content.decode()
    assert "<del>幸福社区</del> → 阳光社区" in body


def test_the_office_head_hears_of_a_new_version_awaiting_review(cast, accepted):
    from civunit.notifications.models import Notification

    new = services.evidence_edit(user=cast.staff_a, item=accepted, changes={"title": "新"})
    note = Notification.objects.get(recipient=cast.head_a, kind=Notification.Kind.AWAITING_REVIEW)
    assert note.object_id == new.pk
    # nobody is told of their own change
    services.evidence_edit(user=cast.head_a, item=new, changes={"title": "再改"})
    assert Notification.objects.filter(kind=Notification.Kind.AWAITING_REVIEW).count() == 1
