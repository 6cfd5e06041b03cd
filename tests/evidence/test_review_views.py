"""Review, versions and the recycle bin through the pages: who gets what answer, and what changes."""

import pytest
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import EvidenceEvent, EvidenceItem
from tests.evidence.review_factories import jpeg_bytes, make_item

Status = EvidenceItem.Status


@pytest.fixture
def item(cast, campaign):
    return make_item(campaign=campaign, uploader=cast.staff_a, caption="社区志愿服务")


def test_head_accepts_from_the_review_queue(cast, item, login):
    client = login(cast.head_a)
    page = client.get(reverse("evidence:review"))
    assert page.status_code == 200
    assert item.title in page.content.decode()
    response = client.post(reverse("evidence:accept", args=[item.pk]), {"next": reverse("evidence:review")})
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:review")
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED


def test_return_without_a_reason_changes_nothing_and_says_why(cast, item, login):
    client = login(cast.head_a)
    response = client.post(reverse("evidence:return", args=[item.pk]), {"reason": " "}, follow=True)
    item.refresh_from_db()
    assert item.status == Status.PENDING
    assert [m.level for m in response.context["messages"]] == [messages.ERROR]


def test_return_with_a_reason_shows_on_the_versions_page_for_the_uploader(cast, item, login):
    login(cast.head_a).post(reverse("evidence:return", args=[item.pk]), {"reason": "照片太暗"})
    page = login(cast.staff_a).get(reverse("evidence:versions", args=[item.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "照片太暗" in body
    assert 'data-testid="replace"' in body


def test_other_office_gets_404_and_leadership_403_on_review(cast, item, login):
    for url in (reverse("evidence:accept", args=[item.pk]), reverse("evidence:return", args=[item.pk])):
        assert login(cast.head_b).post(url, {"reason": "x"}).status_code == 404
        assert login(cast.leader).post(url, {"reason": "x"}).status_code == 403
        assert login(cast.staff_a).post(url, {"reason": "x"}).status_code == 403
    item.refresh_from_db()
    assert item.status == Status.PENDING


def test_review_queue_lists_only_what_the_user_reviews(cast, campaign, item, login):
    theirs = make_item(campaign=campaign, uploader=cast.staff_b, title="提案办照片")
    own = make_item(campaign=campaign, uploader=cast.head_a, title="自己上传的")
    body = login(cast.head_a).get(reverse("evidence:review")).content.decode()
    assert item.title in body
    assert theirs.title not in body
    assert own.title not in body
    coordinator_body = login(cast.coordinator).get(reverse("evidence:review")).content.decode()
    assert theirs.title in coordinator_body and own.title in coordinator_body
    assert login(cast.leader).get(reverse("evidence:review")).status_code == 403


def test_bulk_accept_and_return_through_the_page(cast, campaign, login):
    items = [make_item(campaign=campaign, uploader=cast.staff_a, title=f"照片{i}") for i in range(3)]
    client = login(cast.head_a)
    client.post(reverse("evidence:review_bulk"), {"action": "accept", "items": [items[0].pk, items[1].pk]})
    client.post(reverse("evidence:review_bulk"), {"action": "return", "items": [items[2].pk], "reason": "重拍"})
    statuses = dict(EvidenceItem.objects.values_list("title", "status"))
    assert statuses == {"照片0": Status.ACCEPTED, "照片1": Status.ACCEPTED, "照片2": Status.RETURNED}


def test_bulk_review_of_an_item_outside_the_queue_changes_nothing(cast, campaign, login):
    mine = make_item(campaign=campaign, uploader=cast.staff_a, title="甲")
    other = make_item(campaign=campaign, uploader=cast.staff_b, title="乙")
    response = login(cast.head_a).post(
        reverse("evidence:review_bulk"), {"action": "accept", "items": [mine.pk, other.pk]}
    )
    assert response.status_code == 302
    assert set(EvidenceItem.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_editing_an_accepted_item_through_the_page_makes_a_new_version(cast, item, login):
    login(cast.head_a).post(reverse("evidence:accept", args=[item.pk]))
    client = login(cast.staff_a)
    form = client.get(reverse("evidence:edit", args=[item.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("evidence:edit", args=[item.pk]),
        {"title": "新标题", "category": "photo", "caption": "社区志愿服务", "place": "社区"},
    )
    new = EvidenceItem.objects.get(lineage=item.lineage, version=2)
    assert response["Location"] == reverse("evidence:versions", args=[new.pk])
    item.refresh_from_db()
    assert (item.is_current, new.is_current, new.status, new.title) == (True, False, Status.PENDING, "新标题")
    page = client.get(reverse("evidence:versions", args=[item.pk])).content.decode()
    assert 'data-version="2"' in page and 'data-version="1"' in page


def test_replacing_the_file_of_a_returned_photo_makes_a_new_version(
    cast, campaign, login, stored, django_capture_on_commit_callbacks
):
    item = make_item(campaign=campaign, uploader=cast.staff_a)
    login(cast.head_a).post(reverse("evidence:return", args=[item.pk]), {"reason": "太暗"})
    client = login(cast.staff_a)
    assert client.get(reverse("evidence:replace_form", args=[item.pk])).status_code == 200
    data = jpeg_bytes(color=(10, 200, 10))
    upload = SimpleUploadedFile("重拍.jpg", data, content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):  # the previews job
        response = client.post(reverse("evidence:replace", args=[item.pk]), {"file": upload})
    new = EvidenceItem.objects.get(lineage=item.lineage, version=2)
    assert response["Location"] == reverse("evidence:versions", args=[new.pk])
    assert (new.status, new.is_current, new.original_name) == (Status.PENDING, True, "重拍.jpg")
    assert new.stored_file_id != item.stored_file_id
    assert new.stored_file and item.stored_file
    assert new.stored_file.sha256 != item.stored_file.sha256
    assert stored.read(new.stored_file.file.name) == data
    assert new.stored_file.thumbnail.name in stored.names("evidence/previews")  # made from the stored original


def test_replacing_with_a_disguised_file_stores_nothing(cast, item, login):
    client = login(cast.staff_a)
    upload = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    response = client.post(reverse("evidence:replace", args=[item.pk]), {"file": upload}, follow=True)
    assert response.status_code == 200
    assert EvidenceItem.objects.filter(lineage=item.lineage).count() == 1
    assert list(response.context["messages"])


def test_replace_is_refused_to_other_offices_and_leadership(cast, item, login):
    upload = SimpleUploadedFile("x.jpg", jpeg_bytes(), content_type="image/jpeg")
    assert login(cast.staff_b).post(reverse("evidence:replace", args=[item.pk]), {"file": upload}).status_code == 404
    assert login(cast.leader).post(reverse("evidence:replace", args=[item.pk]), {"file": upload}).status_code == 403
    assert EvidenceItem.objects.filter(lineage=item.lineage).count() == 1


def test_delete_restore_and_purge_through_the_pages(cast, item, login, django_capture_on_commit_callbacks):
    staff = login(cast.staff_a)
    assert staff.post(reverse("evidence:delete", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.is_deleted
    # gone from the uploader's view; the bin is the coordinator's
    assert staff.get(reverse("evidence:versions", args=[item.pk])).status_code == 404
    assert staff.get(reverse("evidence:recycle_bin")).status_code == 403
    assert staff.post(reverse("evidence:restore", args=[item.pk])).status_code == 403
    assert login(cast.leader).get(reverse("evidence:recycle_bin")).status_code == 200
    assert login(cast.leader).post(reverse("evidence:purge", args=[item.pk]), {"confirm": "on"}).status_code == 403

    coordinator = login(cast.coordinator)
    assert item.title in coordinator.get(reverse("evidence:recycle_bin")).content.decode()
    coordinator.post(reverse("evidence:restore", args=[item.pk]))
    item.refresh_from_db()
    assert not item.is_deleted

    staff.post(reverse("evidence:delete", args=[item.pk]))
    assert coordinator.get(reverse("evidence:purge", args=[item.pk])).status_code == 200
    coordinator.post(reverse("evidence:purge", args=[item.pk]), {})  # not confirmed
    assert EvidenceItem.objects.filter(pk=item.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(reverse("evidence:purge", args=[item.pk]), {"confirm": "on"})
    assert not EvidenceItem.objects.filter(pk=item.pk).exists()
    actions = list(EvidenceEvent.objects.filter(lineage=item.lineage).values_list("action", flat=True))
    assert actions[-1] == EvidenceEvent.Action.PURGED


def test_versions_page_shows_history_with_who_and_what(cast, item, login):
    login(cast.head_a).post(reverse("evidence:return", args=[item.pk]), {"reason": "缺少时间地点"})
    body = login(cast.coordinator).get(reverse("evidence:versions", args=[item.pk])).content.decode()
    assert 'data-action="uploaded"' in body
    assert 'data-action="returned"' in body
    assert "缺少时间地点" in body
    assert cast.head_a.real_name in body


@pytest.mark.parametrize(
    ("who", "code"), [("staff_b", 404), ("head_b", 404), ("leader", 403), ("staff_a", 302), ("head_a", 302)]
)
def test_who_may_move_an_item_to_the_bin(cast, item, login, who, code):
    response = login(getattr(cast, who)).post(reverse("evidence:delete", args=[item.pk]))
    assert response.status_code == code
    item.refresh_from_db()
    assert item.is_deleted == (code == 302)


@pytest.mark.parametrize(("who", "code"), [("staff_b", 404), ("leader", 403)])
def test_who_may_not_change_caption_and_links(cast, item, login, who, code):
    client = login(getattr(cast, who))
    assert client.get(reverse("evidence:edit", args=[item.pk])).status_code == code
    assert (
        client.post(reverse("evidence:edit", args=[item.pk]), {"title": "x", "category": "photo"}).status_code == code
    )
    item.refresh_from_db()
    assert item.title != "x"


def test_the_uploader_opens_the_return_notification_and_lands_on_the_versions_page(cast, item, login):
    from civunit.notifications.models import Notification

    login(cast.head_a).post(reverse("evidence:return", args=[item.pk]), {"reason": "请补充说明"})
    note = Notification.objects.get(recipient=cast.staff_a)
    response = login(cast.staff_a).post(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:versions", args=[item.pk])


def test_the_edit_form_sets_the_primary_standard_first(cast, campaign, login):
    from tests.factories import CriterionFactory

    first = CriterionFactory(campaign=campaign, code="6.2.1")
    second = CriterionFactory(campaign=campaign, code="7.1.1")
    item = make_item(campaign=campaign, uploader=cast.staff_a, standards=[first])
    client = login(cast.staff_a)
    page = client.get(reverse("evidence:edit", args=[item.pk])).content.decode()
    assert f'<option value="{first.pk}" selected>' in page
    client.post(
        reverse("evidence:edit", args=[item.pk]),
        {"title": item.title, "category": "photo", "primary_standard": second.pk, "other_standards": [first.pk]},
    )
    item.refresh_from_db()
    assert item.primary_standard == second
    assert list(item.standard_links.order_by("position").values_list("criterion__code", flat=True)) == [
        "7.1.1",
        "6.2.1",
    ]


def test_the_edit_form_shows_the_date_as_a_date_input_can_read_it(cast, campaign, login):
    import datetime

    item = make_item(campaign=campaign, uploader=cast.staff_a, taken_on=datetime.date(2026, 3, 5))
    page = login(cast.staff_a).get(reverse("evidence:edit", args=[item.pk])).content.decode()
    assert 'value="2026-03-05"' in page
