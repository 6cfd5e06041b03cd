"""The items' and the campaign's roll-ups summed in the database (`item_rollups`) are those of the tree
(`criteria_tree`), and the pages that show one item at a time load only that item's rows."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db.models.signals import post_init
from django.urls import reverse

from campaign import selectors
from campaign.models import Assessment, Criterion

pytestmark = pytest.mark.django_db

S, K = Assessment.Status, Criterion.Kind


def _node(campaign, code, parent=None, *, max_score=None, kind=K.SCORED, methods=(), status=None, score=None):
    node = Criterion.objects.create(
        campaign=campaign,
        parent=parent,
        code=code,
        title=f"节点{code}",
        max_score=max_score,
        kind=kind,
        methods=list(methods),
        ordering=Criterion.objects.filter(campaign=campaign).count(),
        level=1 if parent is None else parent.level + 1,
    )
    if status is not None:
        Assessment.objects.create(criterion=node, status=status, self_score=score)
    return node


@pytest.fixture
def table(campaign):
    """Every kind of node: an indicator's own maximum standing for its standards', a standard directly under an
    item, a standard without maximum, a bonus item with a deduction branch inside, an item's own maximum, an item
    that is itself a standard, an item without standards; scores with tenths (SQLite sums them as floats)."""
    one = _node(campaign, "1")
    capped = _node(campaign, "1.1", one, max_score=Decimal(10))
    _node(campaign, "1.1.1", capped, max_score=Decimal(3), methods=["材料审核"], status=S.MET, score=Decimal("0.1"))
    _node(
        campaign,
        "1.1.2",
        capped,
        max_score=Decimal(3),
        methods=["材料审核", "实地考察"],
        status=S.MET,
        score=Decimal("0.2"),
    )
    open_ = _node(campaign, "1.2", one)
    _node(campaign, "1.2.1", open_, max_score=Decimal("2.5"), methods=["实地考察"], status=S.IN_PROGRESS)
    _node(campaign, "1.2.2", open_, methods=["自定义方法"])
    _node(campaign, "1.3", one, max_score=Decimal("1.5"), status=S.BASICALLY_MET, score=Decimal(1))
    two = _node(campaign, "2", kind=K.BONUS)
    extra = _node(campaign, "2.1", two)
    _node(campaign, "2.1.1", extra, max_score=Decimal(2), methods=["材料审核"], status=S.MET, score=Decimal("1.5"))
    minus = _node(campaign, "2.2", two, kind=K.DEDUCTION)
    _node(campaign, "2.2.1", minus, status=S.NOT_STARTED, score=Decimal("0.5"))
    three = _node(campaign, "3", max_score=Decimal(5))
    part = _node(campaign, "3.1", three)
    _node(campaign, "3.1.1", part, max_score=Decimal(1), methods=["听取汇报"], status=S.MET, score=Decimal(1))
    _node(campaign, "3.1.2", part, max_score=Decimal(1), status=S.BASICALLY_MET, score=Decimal("0.7"))
    _node(campaign, "4", max_score=Decimal(2), methods=["材料审核"], status=S.IN_PROGRESS, score=Decimal("0.3"))
    _node(campaign, "5", kind=K.DEDUCTION, max_score=Decimal(3), status=S.MET, score=Decimal(2))
    return campaign


FIELDS = (
    "standards",
    "met",
    "basically_met",
    "in_progress",
    "score_total",
    "max_total",
    "bonus_total",
    "deduction_total",
)


def _figures(obj) -> tuple:
    return tuple(getattr(obj, name) for name in FIELDS)


def test_each_items_roll_up_and_the_campaigns_are_the_trees(table, django_assert_num_queries):
    tree = selectors.criteria_tree(table)
    with django_assert_num_queries(1):  # the items grouped by the standards' methods, summed in the database
        rollups = selectors.item_rollups(table)
    assert [i.code for i in rollups.items] == [r.code for r in tree.roots]
    for root in tree.roots:
        item = rollups.item(root.code)
        assert item is not None
        assert _figures(item.figures) == _figures(root), root.code
    assert _figures(rollups.total) == _figures(tree.total)


def test_the_figures_are_those_of_a_fresh_count(table):
    criteria = list(Criterion.objects.filter(campaign=table).select_related("parent"))
    parents = {c.parent_id for c in criteria}
    standards = [c for c in criteria if c.pk not in parents]
    status = {a.criterion_id: a for a in Assessment.objects.filter(criterion__campaign=table)}
    by_id = {c.pk: c for c in criteria}

    def kind(c):  # the nearest non-scored kind on the way up, else scored
        while c is not None:
            if c.kind != K.SCORED:
                return c.kind
            c = by_id.get(c.parent_id or 0)
        return K.SCORED

    def scores(k):
        scored = [status[c.pk].self_score for c in standards if c.pk in status and kind(c) == k]
        return sum(s for s in scored if s is not None)

    total = selectors.item_rollups(table).total
    assert total.standards == len(standards)
    for name, value in (("met", S.MET), ("basically_met", S.BASICALLY_MET), ("in_progress", S.IN_PROGRESS)):
        assert getattr(total, name) == sum(1 for c in standards if c.pk in status and status[c.pk].status == value)
    assert total.score_total == scores(K.SCORED)
    assert total.bonus_total == scores(K.BONUS)
    assert total.deduction_total == scores(K.DEDUCTION)
    # the scored maximum: the highest node of each scored branch that has one (its own stands for those below)
    covered = {c.pk for c in criteria if c.max_score is not None and kind(c) == K.SCORED}

    def above_has_max(c):
        p = by_id.get(c.parent_id or 0)
        while p is not None:
            if p.pk in covered:
                return True
            p = by_id.get(p.parent_id or 0)
        return False

    assert total.max_total == sum(by_id[pk].max_score or 0 for pk in covered if not above_has_max(by_id[pk]))


@pytest.mark.parametrize(
    ("method", "status"), [("材料审核", ""), ("", S.MET), ("实地考察", S.IN_PROGRESS), ("", S.NOT_STARTED), ("无", "")]
)
def test_the_items_matching_standards_are_those_the_filtered_tree_shows(table, method, status):
    tree = selectors.filter_tree(selectors.criteria_tree(table), method=method, status=status)
    rollups = selectors.item_rollups(table, method=method, status=status)
    for root in tree.roots:
        shown = sum(1 for n in root.subtree() if n.visible and n.is_standard)
        assert rollups.item(root.code).matching == shown, root.code  # type: ignore[union-attr]
    assert rollups.methods == selectors.methods_in_use(tree)


def test_campaign_totals_read_the_database_roll_up(table, django_assert_num_queries):
    with django_assert_num_queries(1):
        totals = selectors.campaign_totals(table)
    total = selectors.criteria_tree(table).total
    assert (totals["standards"], totals["met"], totals["score"], totals["max_score"], totals["bonus"]) == (
        total.standards,
        total.met,
        total.score_total,
        total.max_total,
        total.bonus_total,
    )


@contextmanager
def criteria_built():
    """The Criterion rows loaded meanwhile (each builds an instance)."""
    built: list[Criterion] = []

    def count(sender, instance, **kwargs):
        if instance.pk is not None:  # not the campaign's roll-up node, which no query loads
            built.append(instance)

    post_init.connect(count, sender=Criterion)
    try:
        yield built
    finally:
        post_init.disconnect(count, sender=Criterion)


def test_one_items_tree_loads_only_that_items_rows(table):
    item = Criterion.objects.get(campaign=table, code="1")
    with criteria_built() as built:
        tree = selectors.criteria_tree(table, item_id=item.pk)
    assert sorted(c.code for c in built) == ["1", "1.1", "1.1.1", "1.1.2", "1.2", "1.2.1", "1.2.2", "1.3"]
    assert [n.code for n in tree.roots] == ["1"]
    assert _figures(tree.roots[0]) == _figures(selectors.item_rollups(table).item("1").figures)  # type: ignore[union-attr]


def test_the_criteria_page_builds_only_the_shown_items_criteria(campaign, cast, login):
    from .test_pages import _big_tree

    assert _big_tree(campaign, 5, 9, 10) == 500  # 5 items of 1 + 9 + 90 nodes, and the veto list's 2
    client = login(cast.staff_a)
    client.get(reverse("campaign:criteria"))  # warm-up
    with criteria_built() as built:
        html = client.get(reverse("campaign:criteria"), {"item": "3"}).content.decode()
    assert {c.code.split(".")[0] for c in built} == {"3"}
    assert len(built) == 100
    # the campaign's figures all the same: 450 standards, all met (the items' counts likewise)
    assert "450 / 450" in html
    assert 'data-item="5"' in html
