"""Browsing: the standards tree with organ-wide counts and requirement warnings computed from ACCEPTED items; by
task, activity, office, kind and date; the photo grid with its lightbox; pagination."""

import datetime

import pytest
from django.urls import reverse

from campaign.models import CriterionRequirement, EvidenceCategory
from evidence import browsing, services
from evidence.models import EvidenceItem
from tests.evidence.review_factories import make_item
from tests.factories import CriterionFactory
from tests.tasks.factories import TaskFactory

Status = EvidenceItem.Status


@pytest.fixture
def tree(campaign):
    """A hand-built branch: item 6 → indicator 6.2 → standards 6.2.1 (photos ≥ 2, minutes ≥ 1) and 6.2.2."""
    item = CriterionFactory(campaign=campaign, code="6", title="志愿服务", level=1, is_leaf=False, ordering=1)
    indicator = CriterionFactory(
        campaign=campaign, code="6.2", title="学雷锋", level=2, is_leaf=False, parent=item, ordering=2
    )
    s1 = CriterionFactory(campaign=campaign, code="6.2.1", title="开展志愿服务", level=3, parent=indicator, ordering=3)
    s2 = CriterionFactory(campaign=campaign, code="6.2.2", title="社区共建", level=3, parent=indicator, ordering=4)
    CriterionRequirement.objects.create(criterion=s1, category=EvidenceCategory.PHOTO, min_count=2)
    CriterionRequirement.objects.create(criterion=s1, category=EvidenceCategory.MINUTES, min_count=1)
    return {"item": item, "indicator": indicator, "s1": s1, "s2": s2}


def _node(nodes, code):
    return next(n for n in nodes if n.criterion.code == code)


def test_requirement_warnings_count_only_accepted_items(cast, campaign, tree):
    s1 = tree["s1"]
    photos = [make_item(campaign=campaign, uploader=cast.staff_a, standards=[s1]) for _ in range(3)]
    services.evidence_accept(user=cast.head_a, item=photos[0])
    minutes = make_item(campaign=campaign, uploader=cast.staff_a, standards=[s1], category="minutes", title="纪要")
    binned = make_item(campaign=campaign, uploader=cast.staff_b, standards=[s1], status=Status.ACCEPTED)
    services.evidence_delete(user=cast.staff_b, item=binned)

    nodes = browsing.standards_tree(campaign)
    node = _node(nodes, "6.2.1")
    assert (node.total, node.accepted, node.pending) == (4, 1, 3)  # the binned item is not counted
    assert [(r.category, r.accepted, r.met) for r in node.requirements] == [
        ("photo", 1, False),
        ("minutes", 0, False),
    ]
    assert node.warnings == 2
    assert _node(nodes, "6.2").warnings == 2 and _node(nodes, "6").total == 4
    assert [n.criterion.code for n in nodes] == ["6", "6.2", "6.2.1", "6.2.2"]
    assert [n.depth for n in nodes] == [0, 1, 2, 2]

    services.evidence_accept(user=cast.head_a, item=photos[1])
    services.evidence_accept(user=cast.head_a, item=minutes)
    node = _node(browsing.standards_tree(campaign), "6.2.1")
    assert [r.met for r in node.requirements] == [True, True]
    assert node.warnings == 0


def test_the_tree_page_shows_warnings_to_everyone_with_the_same_counts(cast, campaign, tree, login):
    make_item(campaign=campaign, uploader=cast.staff_a, standards=[tree["s1"]], status=Status.ACCEPTED)
    for user in (cast.staff_b, cast.leader):
        body = login(user).get(reverse("evidence:standards_tree")).content.decode()
        assert 'data-criterion="6.2.1"' in body
        assert 'data-met="0"' in body  # photos 1/2 and minutes 0/1
        assert "1/2" in body


def test_browse_by_standard_includes_the_standards_below_a_branch(cast, campaign, tree):
    make_item(campaign=campaign, uploader=cast.staff_a, standards=[tree["s1"]], title="甲")
    make_item(campaign=campaign, uploader=cast.staff_a, standards=[tree["s2"]], title="乙")
    make_item(campaign=campaign, uploader=cast.staff_a, title="丙")
    rows = browsing.evidence_rows

    def titles(**f):
        return sorted(
            rows(user=cast.staff_a, campaign=campaign, filters=browsing.EvidenceFilters(**f)).values_list(
                "title", flat=True
            )
        )

    assert titles(standard=tree["s1"]) == ["甲"]
    assert titles(standard=tree["indicator"]) == ["乙", "甲"]
    assert titles() == ["丙", "乙", "甲"]


def test_browse_by_task_kind_and_status(cast, campaign):
    task = TaskFactory(campaign=campaign, code="7", title="志愿服务", lead_office=cast.office_a)
    make_item(campaign=campaign, uploader=cast.staff_a, title="任务材料", tasks=[task], status=Status.ACCEPTED)
    make_item(campaign=campaign, uploader=cast.staff_a, title="文件", kind="pdf", category="plan")

    def titles(**f):
        qs = browsing.evidence_rows(user=cast.staff_a, campaign=campaign, filters=browsing.EvidenceFilters(**f))
        return sorted(qs.values_list("title", flat=True))

    assert titles(task=task) == ["任务材料"]
    assert titles(kind="pdf") == ["文件"]
    assert titles(status=Status.ACCEPTED) == ["任务材料"]


def test_photo_grid_has_a_lightbox_and_pages(cast, campaign, login, settings):
    for i in range(50):
        make_item(campaign=campaign, uploader=cast.staff_a, title=f"照片{i:02d}", taken_on=datetime.date(2026, 3, 5))
    client = login(cast.staff_a)
    body = client.get(reverse("evidence:browse"), {"kind": "photo"}).content.decode()
    assert 'data-testid="photo-grid"' in body
    assert 'id="evidence-lightbox"' in body
    assert "js/evidence-lightbox.js" in body
    assert body.count("evidence-lightbox-link") == 48
    second = client.get(reverse("evidence:browse"), {"kind": "photo", "page": 2}).content.decode()
    assert second.count("evidence-lightbox-link") == 2
    listing = client.get(reverse("evidence:browse"), {"kind": "photo", "view": "list"}).content.decode()
    assert 'data-testid="evidence-table"' in listing and "evidence-lightbox-link" not in listing


def test_the_tabs_offer_only_pages_the_user_may_open(cast, campaign, login):
    def tabs(user):
        body = login(user).get(reverse("evidence:browse")).content.decode()
        return ('data-testid="nav-review"' in body, 'data-testid="nav-bin"' in body)

    assert tabs(cast.staff_a) == (False, False)  # staff review nothing
    assert tabs(cast.head_a) == (True, False)
    assert tabs(cast.coordinator) == (True, True)
    assert tabs(cast.leader) == (False, True)


def test_the_tree_page_shows_one_item_at_a_time(cast, campaign, tree, login):
    other = CriterionFactory(campaign=campaign, code="7", title="文明礼仪", level=1, is_leaf=False, ordering=5)
    CriterionFactory(campaign=campaign, code="7.1", title="礼仪培训", level=2, parent=other, ordering=6)
    make_item(campaign=campaign, uploader=cast.staff_a, standards=[tree["s1"]], status=Status.ACCEPTED)
    client = login(cast.staff_a)
    url = reverse("evidence:standards_tree")
    body = client.get(url).content.decode()
    # the first item by default; both in the list, with their counts (accepted / all) and unmet requirements
    assert 'data-criterion="6.2.1"' in body and 'data-criterion="7.1"' not in body
    assert 'data-item="6"' in body and 'data-item="7"' in body and "1/1</span>" in body
    assert 'data-testid="item-warnings">2<' in body  # 6.2.1: photos 1/2 and minutes 0/1
    assert 'data-testid="warning-count"' in body  # the organ-wide warnings, whatever the item shown
    body = client.get(url, {"item": "7"}).content.decode()
    assert 'data-criterion="7.1"' in body and 'data-criterion="6.2.1"' not in body
    assert 'href="/evidence/?standard=7.1"' in body  # each standard still opens its evidence
    body = client.get(url, {"item": "nothing"}).content.decode()
    assert 'data-criterion="6.2.1"' in body
