"""Review transitions (待审核 → 已采用 / 已退回) and who may make them, at the service level."""

import pytest
from django.core.exceptions import PermissionDenied

from civunit.notifications.models import Notification
from evidence import services
from evidence.models import EvidenceEvent, EvidenceItem
from tests.evidence.review_factories import make_item

Status = EvidenceItem.Status


@pytest.fixture
def item(cast, campaign):
    return make_item(campaign=campaign, uploader=cast.staff_a)


def test_head_of_the_items_office_accepts_a_pending_item(cast, item):
    services.evidence_accept(user=cast.head_a, item=item)
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED
    assert item.reviewed_by == cast.head_a
    assert item.reviewed_at is not None
    assert EvidenceEvent.objects.filter(lineage=item.lineage, action=EvidenceEvent.Action.ACCEPTED).count() == 1


def test_coordinator_accepts_an_item_of_any_office(cast, item):
    services.evidence_accept(user=cast.coordinator, item=item)
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED


def test_return_needs_a_reason_and_notifies_the_uploader(cast, item):
    with pytest.raises(services.ReviewError):
        services.evidence_return(user=cast.head_a, item=item, reason="   ")
    item.refresh_from_db()
    assert item.status == Status.PENDING

    services.evidence_return(user=cast.head_a, item=item, reason="照片看不清单位名称")
    item.refresh_from_db()
    assert item.status == Status.RETURNED
    assert item.review_note == "照片看不清单位名称"
    note = Notification.objects.get(recipient=cast.staff_a, kind=Notification.Kind.EVIDENCE_RETURNED)
    assert "照片看不清单位名称" in note.text
    assert note.url == f"/evidence/versions/{item.pk}/"
    event = EvidenceEvent.objects.get(lineage=item.lineage, action=EvidenceEvent.Action.RETURNED)
    assert event.actor == cast.head_a
    assert event.details["reason"] == "照片看不清单位名称"


@pytest.mark.parametrize("who", ["staff_a", "staff_b", "head_b", "leader"])
def test_people_who_are_not_reviewers_of_the_office_may_not_review(cast, item, who):
    user = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        services.evidence_accept(user=user, item=item)
    with pytest.raises(PermissionDenied):
        services.evidence_return(user=user, item=item, reason="不行")
    item.refresh_from_db()
    assert item.status == Status.PENDING


def test_nobody_reviews_their_own_upload_unless_the_campaign_allows_it(cast, campaign):
    own = make_item(campaign=campaign, uploader=cast.head_a)
    with pytest.raises(PermissionDenied):
        services.evidence_accept(user=cast.head_a, item=own)
    campaign.allow_self_review = True
    campaign.save()
    own.refresh_from_db()
    services.evidence_accept(user=cast.head_a, item=own)
    own.refresh_from_db()
    assert own.status == Status.ACCEPTED


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.RETURNED])
def test_only_a_pending_version_is_reviewed(cast, campaign, status):
    done = make_item(campaign=campaign, uploader=cast.staff_a, status=status)
    with pytest.raises(services.ReviewError):
        services.evidence_accept(user=cast.head_a, item=done)
    with pytest.raises(services.ReviewError):
        services.evidence_return(user=cast.head_a, item=done, reason="再看看")


def test_an_item_in_the_recycle_bin_is_not_reviewed(cast, item):
    services.evidence_delete(user=cast.staff_a, item=item)
    item.refresh_from_db()
    with pytest.raises(services.ReviewError):
        services.evidence_accept(user=cast.head_a, item=item)


def test_a_second_reviewer_acting_on_a_stale_copy_loses(cast, item):
    stale = EvidenceItem.objects.get(pk=item.pk)
    services.evidence_accept(user=cast.head_a, item=item)
    with pytest.raises(services.ReviewError):
        services.evidence_return(user=cast.coordinator, item=stale, reason="晚了")
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED


def test_bulk_review_accepts_all_or_none(cast, campaign):
    a = make_item(campaign=campaign, uploader=cast.staff_a, title="一")
    b = make_item(campaign=campaign, uploader=cast.staff_a, title="二")
    other_office = make_item(campaign=campaign, uploader=cast.staff_b, title="三")
    with pytest.raises(PermissionDenied):
        services.evidence_bulk_review(user=cast.head_a, items=[a, b, other_office], action=services.ACCEPT)
    assert set(EvidenceItem.objects.values_list("status", flat=True)) == {Status.PENDING}

    assert services.evidence_bulk_review(user=cast.head_a, items=[a, b], action=services.ACCEPT) == 2
    assert EvidenceItem.objects.filter(status=Status.ACCEPTED).count() == 2


def test_bulk_return_gives_every_item_the_reason(cast, campaign):
    items = [make_item(campaign=campaign, uploader=cast.staff_a, title=f"照片{i}") for i in range(3)]
    with pytest.raises(services.ReviewError):
        services.evidence_bulk_review(user=cast.head_a, items=items, action=services.RETURN, reason="")
    services.evidence_bulk_review(user=cast.head_a, items=items, action=services.RETURN, reason="缺少说明")
    assert list(EvidenceItem.objects.values_list("review_note", flat=True).order_by().distinct()) == ["缺少说明"]
    # one notification a day per item (each item is its own object)
    assert Notification.objects.filter(recipient=cast.staff_a).count() == 3
