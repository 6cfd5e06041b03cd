"""Who reads which evidence, through every evidence URL. Not readable answers 404 exactly like missing."""

import pytest
from django.urls import reverse

from civunit import access
from evidence import access as evidence_access
from evidence.models import EvidenceItem
from tests.evidence import samples
from tests.evidence.factories import make_evidence

pytestmark = pytest.mark.django_db

ITEM_URLS = [
    ("evidence:detail", ()),
    ("evidence:download", ()),
    ("evidence:preview", ("thumbnail",)),
    ("evidence:preview", ("screen",)),
    ("evidence:preview", ("print",)),
]

# Who may read an item of office A that no task links (uploaded by staff_a).
READS_PRIVATE = {
    "staff_a": True,
    "head_a": True,
    "staff_b": False,
    "head_b": False,
    "coordinator": True,
    "leader": True,
    "admin": True,
    "staff_c": False,
}
# The same item linked to a task led by office B (supported by the 办公室): office B reads it too.
READS_LINKED = {**READS_PRIVATE, "staff_b": True, "head_b": True}


@pytest.fixture
def items(cast, campaign, standard, task_b, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        private = make_evidence(user=cast.staff_a, campaign=campaign, title="研究室内部照片", standards=[standard])
        linked = make_evidence(
            user=cast.staff_a, campaign=campaign, title="志愿服务照片", standards=[standard], tasks=[task_b]
        )
    return {"private": private, "linked": linked}


def everyone(cast, staff_c):
    return {**cast.everyone, "staff_c": staff_c}


@pytest.mark.parametrize(("which", "expected"), [("private", READS_PRIVATE), ("linked", READS_LINKED)])
@pytest.mark.parametrize(("url_name", "args"), ITEM_URLS)
def test_every_role_on_every_item_url(cast, staff_c, items, login, which, expected, url_name, args):
    item = items[which]
    url = reverse(url_name, args=[item.pk, *args])
    for who, user in everyone(cast, staff_c).items():
        response = login(user).get(url)
        want = 200 if expected[who] else 404
        assert response.status_code == want, (who, url_name, args, response.status_code)


@pytest.mark.parametrize(("which", "expected"), [("private", READS_PRIVATE), ("linked", READS_LINKED)])
def test_lists_show_exactly_what_each_role_may_read(cast, staff_c, items, login, standard, task_b, which, expected):
    item = items[which]
    for who, user in everyone(cast, staff_c).items():
        pages = {
            reverse("evidence:browse"): expected[who],
            reverse("evidence:standard", args=[standard.pk]): expected[who],
            # only the linked item belongs to the task's page
            reverse("evidence:task", args=[task_b.pk]): expected[who] and which == "linked",
        }
        for url, shown in pages.items():
            body = login(user).get(url).content.decode()
            assert (f'data-evidence="{item.pk}"' in body) is shown, (who, url)
        assert evidence_access.can_read_evidence(user, item) is expected[who]
        assert access.can_read(user, item) is expected[who]
        assert evidence_access.evidence_visible_to(user).filter(pk=item.pk).exists() is expected[who]


def test_my_uploads_lists_only_mine(cast, items, login):
    body = login(cast.staff_a).get(reverse("evidence:mine")).content.decode()
    assert body.count("data-evidence=") == 2
    assert login(cast.head_a).get(reverse("evidence:mine")).content.decode().count("data-evidence=") == 0


def test_anonymous_visitors_are_sent_to_login(client, items):
    for url_name, args in ITEM_URLS:
        response = client.get(reverse(url_name, args=[items["private"].pk, *args]))
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_linking_someone_elses_item_by_id_is_404(cast, staff_c, items, login, standard):
    response = login(staff_c).post(
        reverse("evidence:link_existing", args=[items["private"].pk]), {"primary_standard": standard.pk}
    )
    assert response.status_code == 404


def test_leadership_cannot_link_existing_items(cast, items, login, standard):
    response = login(cast.leader).post(
        reverse("evidence:link_existing", args=[items["linked"].pk]), {"primary_standard": standard.pk}
    )
    assert response.status_code == 403


def test_leadership_sees_no_upload_page(cast, campaign, login):
    assert login(cast.leader).get(reverse("evidence:upload")).status_code == 403
    assert login(cast.staff_a).get(reverse("evidence:upload")).status_code == 200


def test_items_in_the_recycle_bin_are_hidden_from_their_office(cast, items, login):
    item = items["private"]
    EvidenceItem.objects.filter(pk=item.pk).update(deleted_at="2026-04-01T00:00:00Z")
    assert login(cast.staff_a).get(reverse("evidence:detail", args=[item.pk])).status_code == 404
    assert login(cast.coordinator).get(reverse("evidence:detail", args=[item.pk])).status_code == 200


# --- how files are served ---------------------------------------------------------------------------------


def test_a_photo_is_shown_inline_under_a_restrictive_policy(cast, items, login):
    response = login(cast.staff_a).get(reverse("evidence:download", args=[items["private"].pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_asking_for_a_download_makes_a_photo_an_attachment(cast, items, login):
    url = reverse("evidence:download", args=[items["private"].pk]) + "?download=1"
    assert login(cast.staff_a).get(url)["Content-Disposition"].startswith("attachment;")


def test_a_pdf_with_a_chinese_name_downloads_as_an_attachment_in_a_sandbox(cast, campaign, login):
    data = samples.pdf()  # once: Pillow writes the current time into each PDF it makes
    item = make_evidence(user=cast.staff_a, campaign=campaign, data=data, name="会议纪要（第1次）.pdf")
    response = login(cast.staff_a).get(reverse("evidence:download", args=[item.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81" in disposition
    assert "\n" not in disposition
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data


def test_no_public_media_url_exists(settings, client):
    assert not getattr(settings, "MEDIA_URL", "").strip("/")
    assert client.get("/media/evidence/").status_code in (302, 404)


def test_a_supporting_office_of_a_linked_task_reads_the_item(cast, campaign, staff_c, office_c, login):
    from tests.tasks.factories import TaskFactory

    task = TaskFactory(campaign=campaign, code="9", lead_office=cast.office_a)
    task.supporting_offices.set([office_c])
    item = make_evidence(user=cast.staff_a, campaign=campaign, tasks=[task])
    assert login(staff_c).get(reverse("evidence:detail", args=[item.pk])).status_code == 200
    assert login(cast.staff_b).get(reverse("evidence:detail", args=[item.pk])).status_code == 404
    task.supporting_offices.clear()
    assert login(staff_c).get(reverse("evidence:detail", args=[item.pk])).status_code == 404


def test_the_uploader_keeps_reading_after_moving_office(cast, campaign, login, office_c):
    item = make_evidence(user=cast.staff_a, campaign=campaign)
    cast.staff_a.office = office_c
    cast.staff_a.save()
    assert item.office == cast.office_a
    assert login(cast.staff_a).get(reverse("evidence:detail", args=[item.pk])).status_code == 200
