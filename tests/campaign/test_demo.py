"""The demo campaign: current, with its plan, stages, leadership group, five work areas and the example
criteria labelled as an example; seeding twice leaves the same rows."""

from campaign import demo
from campaign.models import (
    Assessment,
    Campaign,
    Criterion,
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
    demo.seed(scale=3)
    assert _counts() == first
