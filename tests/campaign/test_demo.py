"""The demo campaign: current, with its plan, stages, leadership group, five work areas and the example
criteria labelled as an example; seeding twice leaves the same rows."""

from campaign import demo
from campaign.models import (
    Assessment,
    Campaign,
    Criterion,
    CriterionRequirement,
    Explanation,
    ImportRecord,
    LeadershipMember,
    Stage,
    VetoCondition,
    WorkArea,
)
from civunit.accounts import demo as accounts_demo


def _counts():
    return [
        m.objects.count()
        for m in (
            Campaign,
            Criterion,
            VetoCondition,
            Stage,
            WorkArea,
            LeadershipMember,
            ImportRecord,
            Assessment,
            Explanation,
        )
    ]


def test_the_demo_campaign_is_current_complete_and_labelled_as_an_example(db):
    accounts_demo.seed()
    campaign = demo.seed()
    assert Campaign.objects.current() == campaign
    assert campaign.organ_name == "某市政协机关"
    assert "示例" in campaign.criteria_note
    assert campaign.inspection_date is not None
    assert list(campaign.work_areas.values_list("name", flat=True)) == [
        "学习教育",
        "推动工作",
        "创新载体",
        "参与全市创文",
        "打牢基础",
    ]
    assert campaign.leadership.filter(user__username="coordinator").exists()
    assert campaign.criteria.filter(is_leaf=True).count() == 34
    assert campaign.veto_conditions.count() == 8


def test_seeding_twice_leaves_the_same_rows(db):
    accounts_demo.seed()
    demo.seed()
    first = _counts()
    demo.seed()
    assert _counts() == first


def test_scale_copies_the_numbered_criteria_once_each(db):
    """--scale N: N copies of the numbered items with their indicators, standards and requirements (item 3 of
    copy k is 3 + 10k), the veto list once; seeding again at the same scale adds nothing."""
    accounts_demo.seed()
    campaign = demo.seed()
    leaves = campaign.criteria.filter(is_leaf=True).count()
    numbered_leaves = campaign.criteria.filter(is_leaf=True).exclude(code__startswith="N").count()
    numbered = campaign.criteria.exclude(code__startswith="N").count()
    requirements = CriterionRequirement.objects.filter(criterion__campaign=campaign).count()
    demo.seed(scale=3)
    demo.seed(scale=3)
    assert campaign.criteria.count() == numbered * 3 + campaign.criteria.filter(code__startswith="N").count()
    assert campaign.criteria.filter(is_leaf=True).count() == leaves + 2 * numbered_leaves
    assert CriterionRequirement.objects.filter(criterion__campaign=campaign).count() == 3 * requirements
    copy = campaign.criteria.get(code="23.1")
    item = copy.parent
    assert item is not None and item.code == "23" and copy.title == campaign.criteria.get(code="3.1").title
    assert item.parent is None and campaign.veto_conditions.count() == 8
