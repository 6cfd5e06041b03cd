"""The rows of the evidence lists (evidence/templatetags/evidence_rows.py): their thumbnails, status badges and
labels, and the review queue's cost, which must not grow with its rows."""

from __future__ import annotations

from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from evidence.models import EvidenceItem, EvidenceKind, StoredFile
from tests.evidence.review_factories import make_item, make_stored_file

ROW = Template(
    "{% load evidence_rows %}{% evidence_thumb item %}|{% evidence_status item %}"
    "|{{ item|category_label }}|{{ item|kind_label }}"
)


def row(item) -> str:
    with translation.override("zh-hans"):
        return ROW.render(Context({"item": item}))


def test_a_row_shows_its_thumbnail_status_and_labels(cast, campaign):
    item = make_item(campaign=campaign, uploader=cast.staff_a, title='<照片> & "标题"')
    html = row(item)
    thumb = reverse("evidence:preview", args=[item.pk, "thumbnail"])
    assert html.startswith(f'<img src="{thumb}" alt="&lt;照片&gt; &amp; &quot;标题&quot;" class="evidence-thumb"')
    assert '<span class="badge status status-pending" data-status="pending">待审核</span>' in html
    with translation.override("zh-hans"):
        assert html.endswith(f"|{item.get_category_display()}|{item.get_kind_display()}")


def test_a_row_without_a_thumbnail_says_why(cast, campaign):
    stored = make_stored_file(with_previews=False)
    item = make_item(campaign=campaign, uploader=cast.staff_a, stored_file=stored, status=EvidenceItem.Status.ACCEPTED)
    for status in (StoredFile.PreviewStatus.FAILED, StoredFile.PreviewStatus.PENDING):
        StoredFile.objects.filter(pk=stored.pk).update(preview_status=status)
        item.refresh_from_db()
        with translation.override("zh-hans"):
            expected = str(StoredFile.PreviewStatus(status).label)
        assert f">{expected}</span>" in row(item) and "<img" not in row(item)
    StoredFile.objects.filter(pk=stored.pk).update(preview_status=StoredFile.PreviewStatus.NONE)
    item.refresh_from_db()
    with translation.override("zh-hans"):
        assert f'text-muted">{EvidenceKind.PHOTO.label}</span>' in row(item)
    assert 'data-status="accepted"' in row(item)


def test_a_value_outside_the_choices_shows_itself(cast, campaign):
    item = make_item(campaign=campaign, uploader=cast.staff_a)
    item.category = "old_category"
    assert "|old_category|" in row(item)


def test_the_review_queue_costs_the_same_for_3_and_30_items(cast, campaign, login, django_assert_num_queries):
    client = login(cast.head_a)
    for _ in range(3):
        make_item(campaign=campaign, uploader=cast.staff_a)
    client.get(reverse("evidence:review"))  # warm-up
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("evidence:review")).status_code == 200
    for _ in range(27):
        make_item(campaign=campaign, uploader=cast.staff_a, stored_file=make_stored_file(with_previews=False))
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(reverse("evidence:review")).content.decode()
    assert body.count('data-testid="accept"') == 30
    assert body.count(f'name="next" value="{reverse("evidence:review")}"') == 60


def test_a_rows_url_is_what_reverse_writes_under_any_script_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    from evidence.templatetags.evidence_rows import item_url

    before = get_script_prefix()
    try:
        for prefix in ("/", "/civunit/"):
            set_script_prefix(prefix)
            for pk in (1, 7, 2**40):
                assert item_url("evidence:accept", pk) == reverse("evidence:accept", args=[pk])
                assert item_url("evidence:preview", pk, "thumbnail") == reverse(
                    "evidence:preview", args=[pk, "thumbnail"]
                )
                assert item_url("evidence:preview", pk, "screen") == reverse("evidence:preview", args=[pk, "screen"])
        assert reverse("evidence:accept", args=[7]).startswith("/civunit/")
    finally:
        set_script_prefix(before)
