"""The dashboard's evidence awaiting review per office equals the review queue's definition (every version
awaiting review, not in the recycle bin, that no version replaces) after every path that makes or moves a
version: upload, a new file for a version awaiting review, review, a new version waiting beside an accepted one
and replaced in turn, the recycle bin and a purge. The dashboard reads the current versions from the kept counts
(OfficeEvidenceCount) and asks only the versions that are not current whether anything replaces them, which
holds because a current version awaiting review is always the latest one."""

from collections import Counter

from civunit.reports.dashboard import _Scope
from evidence import services as evidence_services
from evidence.models import EvidenceItem, OfficeEvidenceCount
from tests.evidence.review_factories import make_item, make_stored_file

Status = EvidenceItem.Status


def _queue(campaign) -> Counter:
    """The review queue's definition, item by item (evidence.browsing.queues.review_queue)."""
    rows = EvidenceItem.objects.filter(
        campaign=campaign, status=Status.PENDING, deleted_at__isnull=True, next_versions__isnull=True
    )
    return Counter(rows.values_list("office_id", flat=True))


def _dashboard(campaign, user) -> Counter:
    figures = _Scope(campaign=campaign, user=user).evidence_by_office
    return Counter({office_id: f.pending_review for office_id, f in figures.items() if f.pending_review})


def _check(campaign, user) -> Counter:
    found = _dashboard(campaign, user)
    assert found == _queue(campaign)
    return found


def test_awaiting_review_per_office_follows_every_version_path(cast, campaign):
    a, b, reader = cast.office_a.pk, cast.office_b.pk, cast.coordinator
    first = make_item(campaign=campaign, uploader=cast.staff_a)
    second = make_item(campaign=campaign, uploader=cast.staff_a)
    make_item(campaign=campaign, uploader=cast.staff_b)
    assert _check(campaign, reader) == Counter({a: 2, b: 1})

    # a new file for a version awaiting review: the new version is current, the old one is replaced
    replaced = evidence_services.evidence_new_version(user=cast.staff_a, item=first, stored_file=make_stored_file())
    assert _check(campaign, reader) == Counter({a: 2, b: 1})

    evidence_services.evidence_accept(user=cast.head_a, item=replaced)
    assert _check(campaign, reader) == Counter({a: 1, b: 1})

    # a change to the accepted version waits beside it (not current) ...
    replaced.refresh_from_db()
    waiting = evidence_services.evidence_edit(user=cast.staff_a, item=replaced, changes={"title": "新标题"})
    assert not waiting.is_current
    assert _check(campaign, reader) == Counter({a: 2, b: 1})
    # ... and a new file for the waiting version waits in its place
    newer = evidence_services.evidence_new_version(user=cast.staff_a, item=waiting, stored_file=make_stored_file())
    assert not newer.is_current
    assert _check(campaign, reader) == Counter({a: 2, b: 1})

    evidence_services.evidence_return(user=cast.head_a, item=newer, reason="照片不清楚")
    assert _check(campaign, reader) == Counter({a: 1, b: 1})
    newer.refresh_from_db()
    again = evidence_services.evidence_edit(user=cast.staff_a, item=newer, changes={"title": "再改"})
    assert _check(campaign, reader) == Counter({a: 2, b: 1})
    evidence_services.evidence_accept(user=cast.head_a, item=again)
    assert _check(campaign, reader) == Counter({a: 1, b: 1})

    evidence_services.evidence_delete(user=cast.staff_a, item=second)
    assert _check(campaign, reader) == Counter({b: 1})
    second.refresh_from_db()
    evidence_services.evidence_restore(user=cast.coordinator, item=second)
    assert _check(campaign, reader) == Counter({a: 1, b: 1})
    second.refresh_from_db()
    evidence_services.evidence_delete(user=cast.staff_a, item=second)
    second.refresh_from_db()
    evidence_services.evidence_purge(user=cast.coordinator, item=second)
    assert _check(campaign, reader) == Counter({b: 1})


def test_the_current_versions_awaiting_review_come_from_the_kept_counts(cast, campaign):
    """Only the versions that are not current are counted item by item."""
    item = make_item(campaign=campaign, uploader=cast.staff_a)
    evidence_services.evidence_accept(user=cast.head_a, item=item)
    item.refresh_from_db()
    evidence_services.evidence_edit(user=cast.staff_a, item=item, changes={"title": "新标题"})  # waits beside
    make_item(campaign=campaign, uploader=cast.staff_a)
    OfficeEvidenceCount.objects.filter(campaign_id=campaign.pk, status=Status.PENDING).update(n=7)
    figures = _Scope(campaign=campaign, user=cast.coordinator).evidence_by_office[cast.office_a.pk]
    assert figures.pending_review == 7 + 1
