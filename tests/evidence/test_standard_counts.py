"""The kept counts of evidence per standard (StandardEvidenceCount, moved by database triggers) equal the counts of
current, not deleted items and their links after every kind of change: upload, review, a new version accepted or
returned, edits of links and category, the recycle bin, a purge, and changes made outside the services."""

from collections import Counter

import pytest

from evidence import services as evidence_services
from evidence.models import EvidenceItem, EvidenceStandard, StandardEvidenceCount
from evidence.selectors import standards_evidence
from tests.evidence.review_factories import make_item
from tests.factories import CampaignFactory, CriterionFactory

Status = EvidenceItem.Status


def _exact() -> Counter:
    """What the table must hold: every link of a current, not deleted item, by its item's campaign."""
    links = EvidenceStandard.objects.filter(item__is_current=True, item__deleted_at__isnull=True)
    return Counter(
        (row["item__campaign_id"], row["criterion_id"], row["item__category"], row["item__status"])
        for row in links.values("item__campaign_id", "criterion_id", "item__category", "item__status")
    )


def _kept() -> Counter:
    return Counter(
        {
            (c.campaign_id, c.criterion_id, c.category, c.status): c.n
            for c in StandardEvidenceCount.objects.filter(n__gt=0)
        }
    )


def _check() -> None:
    assert _kept() == _exact()
    assert not StandardEvidenceCount.objects.filter(n__lt=0).exists()


@pytest.fixture
def standards(campaign):
    return [CriterionFactory(campaign=campaign, code=f"6.2.{i}") for i in (1, 2, 3)]


def test_the_counts_follow_upload_review_versions_and_the_recycle_bin(cast, campaign, standards):
    s1, s2, s3 = standards
    item = make_item(campaign=campaign, uploader=cast.staff_a, standards=[s1, s2], category="minutes")
    other = make_item(campaign=campaign, uploader=cast.staff_a, standards=[s2])
    _check()
    assert _kept()[(campaign.pk, s1.pk, "minutes", Status.PENDING)] == 1

    evidence_services.evidence_accept(user=cast.head_a, item=item)
    evidence_services.evidence_return(user=cast.head_a, item=other, reason="照片不清楚")
    _check()
    assert _kept()[(campaign.pk, s2.pk, "minutes", Status.ACCEPTED)] == 1
    assert _kept()[(campaign.pk, s2.pk, "photo", Status.RETURNED)] == 1

    # a new version waits beside the accepted one (which stays current), then replaces it once accepted
    item.refresh_from_db()
    new = evidence_services.evidence_edit(user=cast.staff_a, item=item, changes={"title": "新标题"})
    _check()
    evidence_services.evidence_accept(user=cast.head_a, item=new)
    _check()
    # a new version returned leaves the accepted one current
    new.refresh_from_db()
    newer = evidence_services.evidence_edit(user=cast.staff_a, item=new, changes={"title": "再改"})
    evidence_services.evidence_return(user=cast.head_a, item=newer, reason="标题不对")
    _check()

    new.refresh_from_db()
    evidence_services.evidence_delete(user=cast.staff_a, item=new)
    _check()
    assert _kept()[(campaign.pk, s1.pk, "minutes", Status.ACCEPTED)] == 0
    new.refresh_from_db()
    evidence_services.evidence_restore(user=cast.coordinator, item=new)
    _check()
    assert _kept()[(campaign.pk, s1.pk, "minutes", Status.ACCEPTED)] == 1
    new.refresh_from_db()
    evidence_services.evidence_delete(user=cast.staff_a, item=new)
    new.refresh_from_db()
    evidence_services.evidence_purge(user=cast.coordinator, item=new)
    _check()
    assert standards_evidence(campaign=campaign)[s3.pk].total == 0


def test_the_counts_follow_changes_made_outside_the_services(cast, campaign, standards):
    s1, s2, s3 = standards
    items = [make_item(campaign=campaign, uploader=cast.staff_a, standards=[s1, s2]) for _ in range(3)]
    elsewhere = CampaignFactory(is_current=False)
    _check()
    first, second, third = items
    # links changed, added and removed
    link = EvidenceStandard.objects.get(item=first, criterion=s2)
    link.criterion = s3
    link.save()
    EvidenceStandard.objects.create(item=second, criterion=s3, position=2)
    EvidenceStandard.objects.filter(item=third, criterion=s1).delete()
    _check()
    # bulk updates of status, category and campaign; an item no longer current; deleted rows
    EvidenceItem.objects.filter(pk__in=[first.pk, second.pk]).update(status=Status.ACCEPTED)
    EvidenceItem.objects.filter(pk=second.pk).update(category="plan", campaign=elsewhere)
    EvidenceItem.objects.filter(pk=third.pk).update(is_current=False)
    _check()
    EvidenceItem.objects.filter(pk=third.pk).update(is_current=True)
    EvidenceStandard.objects.filter(item=first).delete()
    first.delete()
    _check()
    # an update that changes nothing counted leaves the counts alone; a campaign's counts are its own items'
    EvidenceItem.objects.filter(pk=second.pk).update(title="另一个标题")
    _check()
    assert standards_evidence(campaign=elsewhere)[s3.pk].accepted == 0  # s3 is not a standard of that campaign
    assert standards_evidence(campaign=campaign)[s3.pk].total == 0
    assert standards_evidence(criterion_ids=[s3.pk])[s3.pk].accepted == 1


def test_the_triggers_survive_every_migration(db):
    """Django's SQLite schema editor rebuilds a table for some changes (copy, drop, rename), which drops its
    triggers: a later migration of evidence items or links must create them again (see migration 0004)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'evidence_count_%'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'evidence_count_%'")
        names = {row[0] for row in cursor.fetchall()}
    expected = (
        {"evidence_count_link_insert", "evidence_count_link_delete", "evidence_count_link_update"}
        if connection.vendor == "sqlite"
        else {"evidence_count_link_change", "evidence_count_link_update"}
    ) | {"evidence_count_item_update", "evidence_count_item_delete"}
    assert names == expected
