"""The evidence by-standard tree's list of items and organ-wide warnings are summed in the database
(`standards_overview`) and are those of the whole tree (`standards_tree`); the page loads only the shown item's
branch, at the same number of queries whatever the size of the table."""

import re

import pytest
from django.urls import reverse

from campaign.models import Criterion, CriterionRequirement, EvidenceCategory
from evidence import browsing, services
from evidence.models import EvidenceItem
from tests.campaign.test_rollups import criteria_built
from tests.evidence.review_factories import make_item
from tests.evidence.test_browse import tree  # noqa: F401 (the fixture)
from tests.factories import CampaignFactory, CriterionFactory

pytestmark = pytest.mark.django_db

Status = EvidenceItem.Status


@pytest.fixture
def archive(cast, campaign, tree):  # noqa: F811
    """Item 6 (the `tree` fixture: 6.2.1 wants photos ≥ 2 and minutes ≥ 1) and item 7 (7.1.1 wants a photo, 7.1.2
    minutes ≥ 2); accepted, pending, returned and binned items, one linked to an indicator, and another campaign's
    item linked to 6.2.1 (which the campaign's counts leave out)."""
    seven = CriterionFactory(campaign=campaign, code="7", title="文明礼仪", level=1, is_leaf=False, ordering=5)
    part = CriterionFactory(campaign=campaign, code="7.1", level=2, is_leaf=False, parent=seven, ordering=6)
    a = CriterionFactory(campaign=campaign, code="7.1.1", level=3, parent=part, ordering=7)
    b = CriterionFactory(campaign=campaign, code="7.1.2", level=3, parent=part, ordering=8)
    CriterionFactory(campaign=campaign, code="8", title="无标准的项目", level=1, ordering=9)
    CriterionRequirement.objects.create(criterion=a, category=EvidenceCategory.PHOTO, min_count=1)
    CriterionRequirement.objects.create(criterion=b, category=EvidenceCategory.MINUTES, min_count=2)
    s1 = tree["s1"]
    make_item(campaign=campaign, uploader=cast.staff_a, standards=[s1], status=Status.ACCEPTED)
    make_item(campaign=campaign, uploader=cast.staff_a, standards=[s1, a], status=Status.ACCEPTED)
    make_item(campaign=campaign, uploader=cast.staff_a, standards=[s1], category="minutes", status=Status.PENDING)
    make_item(campaign=campaign, uploader=cast.staff_a, standards=[tree["indicator"]], status=Status.RETURNED)
    make_item(campaign=campaign, uploader=cast.staff_b, standards=[b], category="minutes", status=Status.ACCEPTED)
    binned = make_item(campaign=campaign, uploader=cast.staff_b, standards=[b], category="minutes")
    services.evidence_delete(user=cast.staff_b, item=binned)
    other = CampaignFactory(is_current=False, title="上一轮")
    make_item(campaign=other, uploader=cast.staff_a, standards=[s1], category="minutes", status=Status.ACCEPTED)
    return campaign


def test_the_items_counts_and_the_warnings_are_the_whole_trees(archive, django_assert_num_queries):
    nodes = browsing.standards_tree(archive)
    with django_assert_num_queries(1):  # the kept counts and the unmet requirements, grouped by item
        overview = browsing.standards_overview(archive)
    roots = [n for n in nodes if n.depth == 0]
    assert [(i.code, i.title) for i in overview.items] == [(r.criterion.code, r.criterion.title) for r in roots]
    for item, root in zip(overview.items, roots, strict=True):
        assert (item.total, item.accepted, item.pending, item.warnings) == (
            root.total,
            root.accepted,
            root.pending,
            root.warnings,
        ), item.code
    assert overview.lacking == sum(1 for n in nodes if n.criterion.is_leaf and not n.evidence.met)


def test_the_figures_are_those_of_a_fresh_count(archive, tree):  # noqa: F811
    overview = browsing.standards_overview(archive)
    six = overview.item("6")
    assert six is not None
    # item 6's links: three items on 6.2.1 and one on 6.2 of this campaign, the other campaign's left out
    links = EvidenceItem.objects.current().alive().filter(campaign=archive, standards__code__startswith="6")
    assert six.total == links.count()
    assert six.accepted == links.filter(status=Status.ACCEPTED).count()
    assert six.pending == links.filter(status=Status.PENDING).count()
    # 6.2.1: photos 2/2 met, minutes 0/1 accepted (the pending one does not count): one unmet
    assert six.warnings == 1
    seven = overview.item("7")
    assert seven is not None and (seven.total, seven.warnings) == (2, 1)  # 7.1.2: minutes 1/2 (one binned)
    assert overview.lacking == 2
    assert overview.item("nothing") is overview.items[0]


def test_one_items_branch_only_is_loaded(archive, tree):  # noqa: F811
    item = browsing.standards_overview(archive).item("7")
    assert item is not None
    with criteria_built() as built:
        nodes = browsing.standards_tree(archive, item_id=item.pk)
    assert sorted(c.code for c in built) == ["7", "7.1", "7.1.1", "7.1.2"]
    assert (nodes[0].total, nodes[0].accepted, nodes[0].warnings) == (item.total, item.accepted, item.warnings)


def _add_items(campaign, first: int, count: int) -> None:
    """`count` items of 1 + 5 indicators + 25 standards, each standard wanting a photo."""
    for i in range(first, first + count):
        root = Criterion.objects.create(
            campaign=campaign, code=f"{i}", title=f"项目{i}", ordering=i * 100, is_leaf=False
        )
        for j in range(1, 6):
            ind = Criterion.objects.create(
                campaign=campaign, code=f"{i}.{j}", title="指标", parent=root, level=2, ordering=i * 100 + j * 10
            )
            for k in range(1, 6):
                s = Criterion.objects.create(
                    campaign=campaign,
                    code=f"{i}.{j}.{k}",
                    title="标准",
                    parent=ind,
                    level=3,
                    ordering=i * 100 + j * 10 + k,
                )
                CriterionRequirement.objects.create(criterion=s, category=EvidenceCategory.PHOTO, min_count=1)


def test_the_page_loads_one_branch_at_the_same_number_of_queries_at_any_size(cast, campaign, login):
    from tests.evidence.test_browse_queries import count_queries

    _add_items(campaign, 1, 2)
    client = login(cast.coordinator)
    url = reverse("evidence:standards_tree")
    small = count_queries(client, url)
    _add_items(campaign, 3, 8)  # 10 items, 310 criteria
    assert count_queries(client, url, {"item": "4"}) == small
    with criteria_built() as built:
        html = client.get(url, {"item": "4"}).content.decode()
    assert {c.code.split(".")[0] for c in built} == {"4"} and len(built) == 31
    # the organ-wide warning still counts every item's standards: 10 × 25 want a photo and have none
    assert re.search(r'data-testid="warning-count">\D*250\D', html)
