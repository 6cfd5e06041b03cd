"""The kept counts of evidence per office (OfficeEvidenceCount, moved by database triggers) equal the counts of
current, not deleted items after every kind of change: upload, review, a new version accepted or returned, the
recycle bin, a purge, and changes made outside the services; and the dashboard reads them."""

from collections import Counter

from django.db import connection

from civunit.reports.dashboard import _Scope
from evidence import services as evidence_services
from evidence.models import EvidenceItem, OfficeEvidenceCount
from tests.evidence.review_factories import make_item
from tests.factories import CampaignFactory

Status = EvidenceItem.Status


def _exact() -> Counter:
    """What the table must hold: every current, not deleted item, by campaign, office and status."""
    rows = EvidenceItem.objects.filter(is_current=True, deleted_at__isnull=True)
    return Counter(
        (r["campaign_id"], r["office_id"], r["status"]) for r in rows.values("campaign_id", "office_id", "status")
    )


def _kept() -> Counter:
    return Counter({(c.campaign_id, c.office_id, c.status): c.n for c in OfficeEvidenceCount.objects.filter(n__gt=0)})


def _check() -> None:
    assert _kept() == _exact()
    assert not OfficeEvidenceCount.objects.filter(n__lt=0).exists()


def test_the_counts_follow_upload_review_versions_and_the_recycle_bin(cast, campaign):
    office = cast.staff_a.office_id
    item = make_item(campaign=campaign, uploader=cast.staff_a, category="minutes")
    other = make_item(campaign=campaign, uploader=cast.staff_a)
    _check()
    assert _kept()[(campaign.pk, office, Status.PENDING)] == 2

    evidence_services.evidence_accept(user=cast.head_a, item=item)
    evidence_services.evidence_return(user=cast.head_a, item=other, reason="照片不清楚")
    _check()
    assert _kept()[(campaign.pk, office, Status.ACCEPTED)] == 1
    assert _kept()[(campaign.pk, office, Status.RETURNED)] == 1

    # a new version waits beside the accepted one (which stays current), then replaces it once accepted
    item.refresh_from_db()
    new = evidence_services.evidence_edit(user=cast.staff_a, item=item, changes={"title": "新标题"})
    _check()
    assert _kept()[(campaign.pk, office, Status.PENDING)] == 0
    evidence_services.evidence_accept(user=cast.head_a, item=new)
    _check()
    new.refresh_from_db()
    newer = evidence_services.evidence_edit(user=cast.staff_a, item=new, changes={"title": "再改"})
    evidence_services.evidence_return(user=cast.head_a, item=newer, reason="标题不对")
    _check()

    new.refresh_from_db()
    evidence_services.evidence_delete(user=cast.staff_a, item=new)
    _check()
    assert _kept()[(campaign.pk, office, Status.ACCEPTED)] == 0
    new.refresh_from_db()
    evidence_services.evidence_restore(user=cast.coordinator, item=new)
    _check()
    assert _kept()[(campaign.pk, office, Status.ACCEPTED)] == 1
    new.refresh_from_db()
    evidence_services.evidence_delete(user=cast.staff_a, item=new)
    new.refresh_from_db()
    evidence_services.evidence_purge(user=cast.coordinator, item=new)
    _check()
    assert _kept()[(campaign.pk, office, Status.ACCEPTED)] == 0


def test_the_counts_follow_changes_made_outside_the_services(cast, campaign):
    items = [make_item(campaign=campaign, uploader=cast.staff_a) for _ in range(4)]
    elsewhere = CampaignFactory(is_current=False)
    first, second, third, fourth = items
    _check()
    EvidenceItem.objects.filter(pk__in=[first.pk, second.pk]).update(status=Status.ACCEPTED)
    EvidenceItem.objects.filter(pk=second.pk).update(office=cast.office_b, campaign=elsewhere)
    EvidenceItem.objects.filter(pk=third.pk).update(is_current=False)
    EvidenceItem.objects.filter(pk=fourth.pk).update(deleted_at=fourth.created_at)
    _check()
    assert _kept()[(elsewhere.pk, cast.office_b.pk, Status.ACCEPTED)] == 1
    EvidenceItem.objects.filter(pk=third.pk).update(is_current=True)
    EvidenceItem.objects.filter(pk=fourth.pk).update(deleted_at=None, office=cast.office_b)
    first.delete()
    _check()
    # an update that changes nothing counted (the category is not counted) leaves the counts alone
    EvidenceItem.objects.filter(pk=second.pk).update(title="另一个标题", category="plan")
    _check()
    # rows written in bulk count too; a row inserted not current or deleted does not
    EvidenceItem.objects.bulk_create([EvidenceItem(**_copy(second), is_current=False), EvidenceItem(**_copy(third))])
    _check()
    assert _kept()[(campaign.pk, cast.office_a.pk, Status.PENDING)] == 2


def _copy(item: EvidenceItem) -> dict:
    skip = {"id", "lineage", "is_current", "archive_number"}
    return {f.attname: getattr(item, f.attname) for f in item._meta.concrete_fields if f.name not in skip}


def test_the_dashboard_reads_the_kept_counts(cast, campaign):
    """Submitted, accepted and returned per office come from the table, not from the items."""
    item = make_item(campaign=campaign, uploader=cast.staff_a)
    evidence_services.evidence_accept(user=cast.head_a, item=item)
    OfficeEvidenceCount.objects.filter(campaign_id=campaign.pk, status=Status.ACCEPTED).update(n=5)
    figures = _Scope(campaign=campaign, user=cast.coordinator).evidence_by_office[cast.office_a.pk]
    assert (figures.submitted, figures.accepted, figures.returned) == (5, 5, 0)


def test_the_triggers_exist_after_the_migrations(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'evidence_office_count_%'"
            )
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'evidence_office_count_%'")
        names = {row[0] for row in cursor.fetchall()}
    expected = (
        {"evidence_office_count_insert", "evidence_office_count_update", "evidence_office_count_delete"}
        if connection.vendor == "sqlite"
        else {"evidence_office_count_change", "evidence_office_count_update"}
    )
    assert names == expected
