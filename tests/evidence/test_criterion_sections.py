"""A standard's page lists its tasks and the evidence the reader may see, beside organ-wide counts."""

from django.urls import reverse

from campaign.models import EvidenceCategory
from tests.evidence.factories import make_evidence


def test_standard_page_lists_linked_tasks_and_readable_evidence_only(cast, campaign, standard, task_b, login):
    mine = make_evidence(
        user=cast.staff_b,
        campaign=campaign,
        title="志愿服务照片",
        category=EvidenceCategory.PHOTO,
        standards=[standard],
    )
    url = reverse("campaign:criterion", args=[standard.pk])

    body = login(cast.staff_b).get(url).content.decode()
    assert "组织志愿服务活动" in body  # the linked task
    assert mine.title in body
    assert "1 份台账资料" in body

    # Office A has nothing to do with the item: it sees the organ-wide count, never the item.
    body = login(cast.staff_a).get(url).content.decode()
    assert "组织志愿服务活动" in body
    assert mine.title not in body
    assert "1 份台账资料" in body


def test_standard_page_query_count_does_not_grow_with_evidence(
    cast, campaign, standard, task_b, login, django_assert_max_num_queries
):
    client = login(cast.coordinator)
    make_evidence(user=cast.staff_b, campaign=campaign, category=EvidenceCategory.PHOTO, standards=[standard])
    url = reverse("campaign:criterion", args=[standard.pk])
    client.get(url)
    with django_assert_max_num_queries(60) as first:
        client.get(url)
    for _ in range(4):
        make_evidence(user=cast.staff_b, campaign=campaign, category=EvidenceCategory.PHOTO, standards=[standard])
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)
