"""The evidence pages: counts beside each structured requirement, constant query counts, the criteria include."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.models import EvidenceCategory
from evidence import selectors
from evidence.models import EvidenceItem
from tests.evidence import samples
from tests.evidence.factories import make_evidence

pytestmark = pytest.mark.django_db


def test_requirement_counts_are_organ_wide_and_separate_accepted(cast, campaign, standard, login):
    make_evidence(user=cast.staff_a, campaign=campaign, standards=[standard])
    accepted = make_evidence(user=cast.staff_b, campaign=campaign, standards=[standard])
    EvidenceItem.objects.filter(pk=accepted.pk).update(status=EvidenceItem.Status.ACCEPTED)
    make_evidence(
        user=cast.staff_b,
        campaign=campaign,
        data=samples.pdf(),
        name="纪要.pdf",
        standards=[standard],
        category=EvidenceCategory.MINUTES,
    )
    deleted = make_evidence(user=cast.staff_b, campaign=campaign, standards=[standard])
    EvidenceItem.objects.filter(pk=deleted.pk).update(deleted_at="2026-04-01T00:00:00Z")

    [criterion] = selectors.annotate_standards([standard])
    requirements = criterion.evidence_requirements  # type: ignore[attr-defined]  # set by annotate_standards()
    rows = {r.category: (r.present, r.accepted, r.met, r.enough_uploaded) for r in requirements}
    # photo ≥ 2: two uploaded, one accepted; minutes ≥ 1: one uploaded, none accepted
    assert rows == {"photo": (2, 1, False, True), "minutes": (1, 0, False, True)}
    assert (criterion.evidence_total, criterion.evidence_accepted) == (3, 1)  # type: ignore[attr-defined]  # set by annotate_standards()

    # staff_a reads only one of the photos but sees the organ-wide counts.
    body = login(cast.staff_a).get(reverse("evidence:standard", args=[standard.pk])).content.decode()
    assert 'data-category="photo"' in body
    assert body.count("data-evidence=") == 1
    assert "共 3 份" in body


def test_a_requirement_is_met_only_by_accepted_items(cast, campaign, standard):
    items = [make_evidence(user=cast.staff_a, campaign=campaign, standards=[standard]) for _ in range(2)]
    [criterion] = selectors.annotate_standards([standard])
    photo = next(r for r in criterion.evidence_requirements if r.category == EvidenceCategory.PHOTO)  # type: ignore[attr-defined]  # set by annotate_standards()
    assert (photo.met, photo.enough_uploaded) == (False, True)
    EvidenceItem.objects.filter(pk__in=[i.pk for i in items]).update(status=EvidenceItem.Status.ACCEPTED)
    [criterion] = selectors.annotate_standards([standard])
    photo = next(r for r in criterion.evidence_requirements if r.category == EvidenceCategory.PHOTO)  # type: ignore[attr-defined]  # set by annotate_standards()
    assert photo.met is True


def test_the_criterion_include_renders_counts_without_queries(cast, campaign, standard, django_assert_num_queries):
    make_evidence(user=cast.staff_a, campaign=campaign, standards=[standard])
    criteria = selectors.annotate_standards([standard])
    with django_assert_num_queries(0):
        html = render_to_string("evidence/_criterion_evidence.html", {"criterion": criteria[0]})
    assert f'data-testid="criterion-evidence-{standard.pk}"' in html
    assert "1 份台账资料" in html


def test_the_task_page_shows_its_standards_with_counts(cast, campaign, standard, task_b, login):
    make_evidence(user=cast.staff_b, campaign=campaign, standards=[standard], tasks=[task_b])
    body = login(cast.head_b).get(reverse("evidence:task", args=[task_b.pk])).content.decode()
    assert "6.2.1" in body
    assert f'data-testid="requirements-{standard.pk}"' in body
    assert body.count("data-evidence=") == 1


def test_the_task_detail_page_offers_the_evidence_panel(cast, campaign, task_b, login):
    body = login(cast.head_b).get(reverse("tasks:detail", args=[task_b.pk])).content.decode()
    assert reverse("evidence:task", args=[task_b.pk]) in body


@pytest.mark.parametrize("page", ["evidence:browse", "evidence:mine", "evidence:standard"])
@pytest.mark.parametrize("user_name", ["staff_a", "coordinator"])
def test_list_pages_ask_the_same_number_of_queries_for_3_and_13_items(
    cast, campaign, standard, login, django_assert_num_queries, user_name, page
):
    user = getattr(cast, user_name)
    client = login(user)
    url = reverse(page, args=[standard.pk]) if page == "evidence:standard" else reverse(page)
    for _ in range(3):
        make_evidence(user=user, campaign=campaign, standards=[standard])
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        make_evidence(user=user, campaign=campaign, standards=[standard])
    # session, user, roles (groups), headed offices, the navigation's and the bell's reads, the page's own
    # reads (filters, counts), the paginator's COUNT and the page of items with their files, offices,
    # uploaders and primary standards in one query: none of them grows with the number of items.
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("data-evidence=") == 13


def test_the_detail_page_shows_metadata_and_links(cast, campaign, standard, task_b, login):
    item = make_evidence(
        user=cast.staff_a,
        campaign=campaign,
        standards=[standard],
        tasks=[task_b],
        caption="2026年3月5日，阳光社区",
        place="阳光社区",
    )
    body = login(cast.staff_a).get(reverse("evidence:detail", args=[item.pk])).content.decode()
    assert "6.2.1-001" in body
    assert "阳光社区" in body
    assert reverse("evidence:task", args=[task_b.pk]) in body
    assert "已上传" in body  # history
