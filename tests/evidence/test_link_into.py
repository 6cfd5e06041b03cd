"""Linking an item of an earlier campaign into the current one: a new item of the current campaign that shares the
old item's stored file (no second copy of the bytes), linked to the standards and tasks with the same codes, awaiting
review; the old item untouched; for the coordinator and the item's office only."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from campaign import services as campaign_services
from campaign.access import CampaignArchived
from campaign.models import Campaign
from evidence import services
from evidence.models import EvidenceEvent, EvidenceItem, StoredFile
from tests.evidence.factories import make_evidence
from tests.factories import CampaignFactory, CriterionFactory
from tests.tasks.factories import TaskFactory


def _stored_files_on_disk() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "evidence" / "files"
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def old_photo(cast, campaign, standard, task_b, django_capture_on_commit_callbacks):
    """A photo of office A in the world's campaign, linked to 6.2.1 and task 7."""
    with django_capture_on_commit_callbacks(execute=True):
        return make_evidence(
            user=cast.staff_a, campaign=campaign, standards=[standard], tasks=[task_b], title="学雷锋志愿服务合影"
        )


@pytest.fixture
def this_year(cast, campaign):
    """The next campaign, current, with the same standard and task codes (a copied table and breakdown)."""
    new = CampaignFactory(
        title="2028年复查", start_date=datetime.date(2028, 1, 1), end_date=datetime.date(2028, 12, 31), is_current=False
    )
    campaign_services.campaign_make_current(campaign=new, user=cast.coordinator)
    CriterionFactory(campaign=new, code="6.2.1", title="开展学雷锋志愿服务", is_leaf=True)
    TaskFactory(campaign=new, code="7", title="组织志愿服务活动", lead_office=cast.office_b)
    new.refresh_from_db()
    return new


def test_a_linked_item_shares_the_stored_file_and_takes_this_years_standards_and_tasks(cast, old_photo, this_year):
    files_before, stored_before = _stored_files_on_disk(), StoredFile.objects.count()
    old_values = EvidenceItem.objects.filter(pk=old_photo.pk).values().get()
    new = services.evidence_link_into(user=cast.coordinator, item=old_photo, campaign=this_year)
    assert new.campaign_id == this_year.pk and new.pk != old_photo.pk
    assert new.stored_file_id == old_photo.stored_file_id  # the same bytes ...
    assert StoredFile.objects.count() == stored_before and _stored_files_on_disk() == files_before  # ... no copy
    assert new.lineage != old_photo.lineage and new.status == EvidenceItem.Status.PENDING
    assert [link.criterion.campaign_id for link in new.standard_links.select_related("criterion")] == [this_year.pk]
    assert new.primary_standard is not None and new.primary_standard.code == "6.2.1"
    assert new.archive_number == "6.2.1-001"
    assert [(t.campaign_id, t.code) for t in new.tasks.all()] == [(this_year.pk, "7")]
    assert (new.title, new.office_id, new.category) == (old_photo.title, old_photo.office_id, old_photo.category)
    event = EvidenceEvent.objects.get(lineage=new.lineage)
    assert event.action == EvidenceEvent.Action.LINKED_IN and event.details["from_item"] == old_photo.pk
    assert EvidenceItem.objects.filter(pk=old_photo.pk).values().get() == old_values  # the old item is untouched
    assert not EvidenceEvent.objects.filter(lineage=old_photo.lineage, action=EvidenceEvent.Action.LINKED_IN).exists()


def test_linking_it_again_is_refused(cast, old_photo, this_year):
    services.evidence_link_into(user=cast.coordinator, item=old_photo, campaign=this_year)
    count = EvidenceItem.objects.count()
    with pytest.raises(services.ReviewError):
        services.evidence_link_into(user=cast.staff_a, item=old_photo, campaign=this_year)
    with pytest.raises(services.ReviewError):  # nor into its own campaign
        services.evidence_link_into(user=cast.coordinator, item=old_photo, campaign=old_photo.campaign)
    assert EvidenceItem.objects.count() == count


def test_the_coordinator_and_the_items_office_link_it_others_may_not(cast, old_photo, this_year):
    for user in (cast.staff_b, cast.head_b, cast.leader):
        with pytest.raises(PermissionDenied):
            services.evidence_link_into(user=user, item=old_photo, campaign=this_year)
    assert services.evidence_link_into(user=cast.head_a, item=old_photo, campaign=this_year).uploader == cast.head_a


def test_nothing_is_linked_into_an_archived_campaign(cast, old_photo, this_year, campaign):
    other = CampaignFactory(title="已归档", is_current=False, status=Campaign.Status.CLOSED)
    with pytest.raises(CampaignArchived):
        services.evidence_link_into(user=cast.coordinator, item=old_photo, campaign=other)
    assert not EvidenceItem.objects.filter(campaign=other).exists()


def test_purging_the_linked_item_keeps_the_file_the_old_one_needs(cast, old_photo, this_year):
    new = services.evidence_link_into(user=cast.coordinator, item=old_photo, campaign=this_year)
    files = _stored_files_on_disk()
    services.evidence_delete(user=cast.coordinator, item=new)
    new.refresh_from_db()
    assert services.evidence_purge(user=cast.coordinator, item=new) == []
    assert StoredFile.objects.filter(pk=old_photo.stored_file_id).exists() and _stored_files_on_disk() == files


def test_the_page_of_an_old_item_links_it_into_the_current_campaign(cast, login, old_photo, this_year, campaign):
    campaign_services.campaign_archive(campaign=campaign, user=cast.coordinator)  # the old one may be archived
    client = login(cast.staff_a)
    page = client.get(reverse("evidence:detail", args=[old_photo.pk])).content.decode()
    assert 'data-testid="link-into-current"' in page
    response = client.post(reverse("evidence:link_into_current", args=[old_photo.pk]))
    new = EvidenceItem.objects.get(campaign=this_year)
    assert response.status_code == 302 and response["Location"] == reverse("evidence:detail", args=[new.pk])
    page = client.get(reverse("evidence:detail", args=[old_photo.pk])).content.decode()
    assert 'data-testid="linked-there"' in page and 'data-testid="link-into-current"' not in page
    # its download serves the same bytes
    old_bytes = b"".join(client.get(reverse("evidence:download", args=[old_photo.pk])).streaming_content)
    new_bytes = b"".join(client.get(reverse("evidence:download", args=[new.pk])).streaming_content)
    assert old_bytes == new_bytes and old_bytes


def test_other_offices_get_no_button_and_403(cast, login, old_photo, this_year):
    client = login(cast.head_b)  # reads the item (it is linked to office B's task) but it is not office B's
    page = client.get(reverse("evidence:detail", args=[old_photo.pk])).content.decode()
    assert 'data-testid="link-into-current"' not in page
    assert client.post(reverse("evidence:link_into_current", args=[old_photo.pk])).status_code == 403
    assert login(cast.staff_b).post(reverse("evidence:link_into_current", args=[old_photo.pk])).status_code in (
        403,
        404,
    )
    assert not EvidenceItem.objects.filter(campaign=this_year).exists()


def test_uploading_an_old_campaigns_file_again_offers_to_link_it_into_this_one(
    cast, login, old_photo, this_year, post_file
):
    from evidence.files import open_stored

    with open_stored(old_photo.stored_file.file.name) as fh:
        data = fh.read()
    response = post_file(cast.staff_a, "again.jpg", data)
    assert response.status_code == 409
    body = response.json()
    assert body["duplicate"] and "往期" in body["error"]
    offered = body["items"][0]
    assert offered["id"] == old_photo.pk and offered["earlier_campaign"]
    assert offered["link_url"] == reverse("evidence:link_into_current", args=[old_photo.pk])
    linked = login(cast.staff_a).post(offered["link_url"], HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert linked.status_code == 200 and linked.json()["ok"]
    new = EvidenceItem.objects.get(campaign=this_year)
    assert linked.json()["url"] == reverse("evidence:detail", args=[new.pk])
    assert new.stored_file_id == old_photo.stored_file_id
    # the same file uploaded once more: this year's item comes first, to be linked to other standards
    again = post_file(cast.staff_a, "again.jpg", data).json()
    assert again["items"][0]["id"] == new.pk and not again["items"][0]["earlier_campaign"]
    assert again["items"][0]["link_url"] == reverse("evidence:link_existing", args=[new.pk])
