"""The campaign's single sources: the current campaign, the criteria tree (one query, assembled in memory) and
the totals read from it."""

import datetime
from decimal import Decimal

import pytest

from campaign import selectors
from campaign.models import Assessment, Campaign, Criterion, Stage
from tasks.models import Task
from tests.factories import CampaignFactory, CriterionFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_the_current_campaign_is_the_one_marked_current_or_none():
    assert Campaign.objects.current() is None
    assert not Campaign.objects.filter_current().exists()
    CampaignFactory(is_current=False, title="上一轮")
    current = CampaignFactory(title="本轮")
    assert Campaign.objects.current() == current
    assert list(Campaign.objects.filter_current()) == [current]


def test_the_current_campaign_chains_with_prefetching_its_stages(django_assert_num_queries):
    campaign = CampaignFactory()
    Stage.objects.create(
        campaign=campaign, kind=Stage.Kind.INSPECTION, name="迎检验收", start_date=datetime.date(2027, 10, 1)
    )
    with django_assert_num_queries(2):  # the campaign, its stages
        current = Campaign.objects.prefetch_related("stages").current()
        assert current is not None
        assert current.inspection_date == datetime.date(2027, 10, 1)


def test_tasks_of_the_current_campaign_leave_other_campaigns_out(django_assert_num_queries):
    old = CampaignFactory(is_current=False, title="上一轮")
    campaign = CampaignFactory()
    mine = TaskFactory(campaign=campaign, code="1")
    TaskFactory(campaign=old, code="1")
    with django_assert_num_queries(1):  # the current campaign is a subquery, not a query of its own
        assert list(Task.objects.in_current_campaign()) == [mine]
    Campaign.objects.filter(pk=campaign.pk).update(is_current=False)
    assert not Task.objects.in_current_campaign().exists()


def _branch(campaign, code: str, *, kind=Criterion.Kind.SCORED, max_score=None, leaves=2, ordering=0):
    item = CriterionFactory(
        campaign=campaign, code=code, level=1, is_leaf=False, kind=kind, max_score=max_score, ordering=ordering
    )
    indicator = CriterionFactory(
        campaign=campaign, code=f"{code}.1", level=2, is_leaf=False, parent=item, ordering=ordering + 1
    )
    standards = [
        CriterionFactory(
            campaign=campaign,
            code=f"{code}.1.{i + 1}",
            level=3,
            parent=indicator,
            max_score=Decimal(2) if kind == Criterion.Kind.SCORED else None,
            ordering=ordering + 2 + i,
        )
        for i in range(leaves)
    ]
    return item, indicator, standards


def test_the_tree_is_depth_first_in_table_order_with_subtrees_and_effective_kinds(campaign):
    # Created out of order: the tree follows `ordering`, not the primary keys.
    _branch(campaign, "2", kind=Criterion.Kind.BONUS, ordering=100)
    _branch(campaign, "1", max_score=Decimal(4), ordering=0)
    tree = selectors.criteria_tree(campaign)
    assert [n.code for n in tree.nodes] == ["1", "1.1", "1.1.1", "1.1.2", "2", "2.1", "2.1.1", "2.1.2"]
    assert [n.code for n in tree.by_code["1"].subtree()] == ["1", "1.1", "1.1.1", "1.1.2"]
    assert [n.code for n in tree.by_code["1.1.2"].subtree()] == ["1.1.2"]
    # A standard below a bonus item counts as bonus, whatever its own kind says.
    bonus_standard = tree.by_code["2.1.1"]
    assert bonus_standard.criterion.kind == Criterion.Kind.SCORED
    assert (bonus_standard.is_bonus, bonus_standard.is_scored, bonus_standard.is_deduction) == (True, False, False)
    assert tree.by_code["1.1.1"].is_scored


def test_the_tree_costs_one_query_however_large(campaign, django_assert_num_queries):
    _branch(campaign, "1", leaves=3)
    with django_assert_num_queries(1):  # the criteria joined to their assessment and explanation
        small = selectors.criteria_tree(campaign)
    for i in range(2, 40):
        _branch(campaign, str(i), leaves=5, ordering=i * 10)
    with django_assert_num_queries(1):
        large = selectors.criteria_tree(campaign)
    assert (len(small.nodes), len(large.nodes)) == (5, 5 + 38 * 7)
    with django_assert_num_queries(2):  # and the structured requirements, prefetched
        selectors.criteria_tree(campaign, with_requirements=True)


def test_campaign_totals_are_the_trees_roll_up_and_keep_bonus_standards_out_of_the_score(campaign):
    _item, _indicator, scored = _branch(campaign, "1", max_score=Decimal(4))
    _item, _indicator, bonus = _branch(campaign, "2", kind=Criterion.Kind.BONUS, ordering=100)
    Assessment.objects.create(criterion=scored[0], status=Assessment.Status.MET, self_score=Decimal("1.5"))
    Assessment.objects.create(criterion=scored[1], status=Assessment.Status.IN_PROGRESS)
    # A standard whose own kind is "scored" below a bonus item: its score is a bonus, not part of the 100.
    Assessment.objects.create(criterion=bonus[0], status=Assessment.Status.BASICALLY_MET, self_score=Decimal(1))

    totals = selectors.campaign_totals(campaign)
    total = selectors.criteria_tree(campaign).total
    assert totals == {
        "standards": 4,
        "met": 1,
        "basically_met": 1,
        "in_progress": 1,
        "score": Decimal("1.5"),
        "max_score": Decimal(4),
        "bonus": Decimal(1),
        "deduction": None,
    }
    assert (totals["standards"], totals["met"], totals["score"]) == (total.standards, total.met, total.score_total)


def test_veto_counts_count_conditions_not_group_rows(campaign):
    from campaign.models import VetoCondition

    group = VetoCondition.objects.create(campaign=campaign, code="F", title="负面清单")
    VetoCondition.objects.create(campaign=campaign, parent=group, code="F.1", title="甲")
    VetoCondition.objects.create(
        campaign=campaign, parent=group, code="F.2", title="乙", status=VetoCondition.Status.AT_RISK
    )
    assert selectors.veto_counts(campaign) == {"clear": 1, "at_risk": 1, "triggered": 0}
