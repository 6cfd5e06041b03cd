"""Each readiness rule on the small campaign of conftest.py: a case that makes it fire and one that does not, and
what its findings name (standard, items, office). The photo rules (camera date, the same photo twice) are in
test_photo_rules.py."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from campaign.models import Criterion, EvidenceCategory, Explanation, VetoCondition
from civunit.reports.models import Severity
from civunit.reports.readiness.registry import RULES, MentionKind
from evidence.models import Activity
from evidence.services import evidence_accept, evidence_return
from tasks.models import Status, Task
from tests.evidence.factories import make_evidence

from .conftest import TODAY, node


def accepted(cast, campaign, standard, *, category=EvidenceCategory.PHOTO, user=None, **meta):
    item = make_evidence(user=user or cast.staff_a, campaign=campaign, standards=[standard], category=category, **meta)
    return evidence_accept(user=cast.coordinator, item=item)


def test_every_rule_is_registered_with_a_severity_and_a_description():
    assert set(RULES) >= {
        "no_accepted_evidence",
        "requirement_short",
        "explanation_missing",
        "explanation_too_long",
        "caption_incomplete",
        "camera_date",
        "near_duplicate_photo",
        "tasks_overdue_or_returned",
        "veto_at_risk",
        "days_to_inspection",
    }
    for rule in RULES.values():
        assert rule.severity in Severity.values, rule.name
        assert str(rule.title) and str(rule.description), rule.name


# --- no accepted evidence -------------------------------------------------------------------------------------


def test_a_standard_without_accepted_evidence_is_flagged_with_its_office(cast, campaign, tree, findings):
    accepted(cast, campaign, tree.s112, user=cast.staff_b)
    pending = make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111])
    assert pending.status == "pending"
    found = {f.criterion.code: f for f in findings("no_accepted_evidence")}
    # 1.1.1 has an item awaiting review only; 2.1.1 nothing; 1.1.2 an accepted item
    assert set(found) == {"1.1.1", "2.1.1"}
    first = found["1.1.1"]
    assert first.severity == Severity.CRITICAL
    assert first.office == cast.office_a  # task 1's lead office
    assert "1" in first.text and "待审核" in first.text
    assert [m.label for m in first.mentions] == ["照片 ≥ 2", "会议纪要/记录 ≥ 1"]
    assert found["2.1.1"].office == cast.office_a


def test_a_standard_with_accepted_evidence_is_not_flagged(cast, campaign, tree, findings):
    for standard in (tree.s111, tree.s112, tree.s211):
        accepted(cast, campaign, standard)
    assert findings("no_accepted_evidence") == []


def test_a_deduction_item_needs_no_evidence_and_a_bonus_item_is_a_notice(cast, campaign, tree, findings):
    Criterion.objects.filter(pk=tree.s112.pk).update(kind=Criterion.Kind.DEDUCTION)
    Criterion.objects.filter(pk=tree.s211.pk).update(kind=Criterion.Kind.BONUS)
    found = {f.criterion.code: f.severity for f in findings("no_accepted_evidence")}
    assert found == {"1.1.1": Severity.CRITICAL, "2.1.1": Severity.NOTICE}


# --- fewer accepted items than required ----------------------------------------------------------------------


def test_fewer_accepted_items_of_a_category_than_required_is_flagged(cast, campaign, tree, findings):
    accepted(cast, campaign, tree.s111, category=EvidenceCategory.PHOTO)
    make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111], category=EvidenceCategory.PHOTO)
    (finding,) = findings("requirement_short")
    assert finding.criterion == tree.s111
    assert finding.office == cast.office_a
    labels = [m.label for m in finding.mentions]
    # the photo awaiting review does not count: 1 of 2 accepted; no minutes at all
    assert labels == ["照片：已采用 1 项，要求 2 项", "会议纪要/记录：已采用 0 项，要求 1 项"]


def test_requirements_met_by_accepted_items_are_not_flagged(cast, campaign, tree, findings):
    accepted(cast, campaign, tree.s111, category=EvidenceCategory.PHOTO)
    accepted(cast, campaign, tree.s111, category=EvidenceCategory.PHOTO)
    accepted(cast, campaign, tree.s111, category=EvidenceCategory.MINUTES)
    assert findings("requirement_short") == []


def test_a_standard_with_no_accepted_item_is_left_to_the_no_evidence_rule(cast, campaign, tree, findings):
    make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111], category=EvidenceCategory.PHOTO)
    assert findings("requirement_short") == []
    assert next(f.criterion for f in findings("no_accepted_evidence")) == tree.s111


# --- explanation reports ----------------------------------------------------------------------------------------


def test_an_indicator_without_explanation_report_is_flagged(cast, campaign, tree, findings):
    Explanation.objects.create(criterion=tree.indicator1, text="本指标已按要求落实。")
    Explanation.objects.create(criterion=tree.indicator2, text="")
    (finding,) = findings("explanation_missing")
    assert finding.criterion == tree.indicator2
    assert finding.office is None  # the leadership group's office writes them
    assert finding.severity == Severity.WARNING


def test_indicators_with_their_explanation_reports_are_not_flagged(cast, campaign, tree, findings):
    for indicator in (tree.indicator1, tree.indicator2):
        Explanation.objects.create(criterion=indicator, text="已落实。")
    assert findings("explanation_missing") == []


def test_an_explanation_report_over_the_limit_is_flagged(cast, campaign, tree, findings):
    campaign.explanation_limit = 10
    campaign.save()
    Explanation.objects.create(criterion=tree.indicator1, text="一" * 11)
    Explanation.objects.create(criterion=tree.indicator2, text="一" * 10)  # exactly at the limit
    (finding,) = findings("explanation_too_long")
    assert finding.criterion == tree.indicator1
    assert "11" in finding.text and "10" in finding.text


# --- photo captions ---------------------------------------------------------------------------------------------


def test_photos_whose_caption_lacks_place_people_or_theme_are_flagged(cast, campaign, tree, findings):
    full: dict[str, Any] = {
        "caption": "学雷锋志愿服务",
        "place": "社区服务中心",
        "people": "机关青年志愿者",
        "taken_on": datetime.date(2026, 3, 5),
    }
    make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111], **full)
    no_place = make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111], **{**full, "place": ""})
    bare = make_evidence(
        user=cast.staff_a, campaign=campaign, standards=[tree.s111], **{**full, "people": "", "caption": ""}
    )
    # a document is no photo: its caption is not checked
    make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111], category=EvidenceCategory.MINUTES)
    (finding,) = findings("caption_incomplete")
    assert finding.criterion == tree.s111
    assert finding.office == cast.office_a  # the uploader's office
    assert [m.pk for m in finding.mentions] == [no_place.pk, bare.pk]
    assert finding.mentions[0].detail == "（缺：地点）"
    assert finding.mentions[1].detail == "（缺：人物、主题）"
    assert all(m.kind == MentionKind.EVIDENCE for m in finding.mentions)


def test_an_activitys_place_people_and_theme_complete_the_caption_of_its_photos(cast, campaign, tree, findings):
    activity = Activity.objects.create(
        campaign=campaign,
        title="学雷锋志愿服务活动",
        date=datetime.date(2026, 3, 5),
        place="社区服务中心",
        participants="机关青年志愿者",
        theme="学雷锋",
        organiser_office=cast.office_a,
    )
    make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111], activity=activity)
    assert findings("caption_incomplete") == []


def test_returned_and_deleted_photos_are_not_checked(cast, campaign, tree, findings):
    from evidence.services import evidence_delete

    item = make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111])
    evidence_return(user=cast.coordinator, item=item, reason="重拍")
    other = make_evidence(user=cast.staff_a, campaign=campaign, standards=[tree.s111])
    evidence_delete(user=cast.staff_a, item=other)
    assert findings("caption_incomplete") == []


# --- tasks of the standard ----------------------------------------------------------------------------------


def test_overdue_and_returned_tasks_of_a_standard_are_flagged_by_lead_office(cast, campaign, tree, findings):
    Task.objects.filter(pk=tree.task1.pk).update(deadline=TODAY - datetime.timedelta(days=3))
    Task.objects.filter(pk=tree.task2.pk).update(status=Status.RETURNED)
    done_late = Task.objects.filter(pk=tree.task3.pk)
    done_late.update(deadline=TODAY - datetime.timedelta(days=9), status=Status.DONE)  # done: not overdue
    found = {f.criterion.code: f for f in findings("tasks_overdue_or_returned")}
    assert set(found) == {"1.1.1", "1.1.2"}
    assert found["1.1.1"].office == cast.office_a
    assert found["1.1.1"].mentions[0].kind == MentionKind.TASK
    assert found["1.1.1"].mentions[0].label == f"1 {tree.task1.title}"
    assert found["1.1.1"].mentions[0].detail == "（逾期 3 天）"
    assert found["1.1.2"].office == cast.office_b
    assert found["1.1.2"].mentions[0].detail == "（已退回）"


def test_tasks_on_time_are_not_flagged(cast, campaign, tree, findings):
    assert findings("tasks_overdue_or_returned") == []


# --- the veto list ----------------------------------------------------------------------------------------------


def test_a_veto_condition_at_risk_or_triggered_is_flagged(cast, campaign, tree, findings):
    group = VetoCondition.objects.create(campaign=campaign, code="N", title="负面清单")
    VetoCondition.objects.create(campaign=campaign, parent=group, code="N1", title="发生重大安全事故")
    risky = VetoCondition.objects.create(
        campaign=campaign,
        parent=group,
        code="N2",
        title="弄虚作假",
        status=VetoCondition.Status.AT_RISK,
        note="照片存疑",
    )
    hit = VetoCondition.objects.create(
        campaign=campaign, parent=group, code="N3", title="严重违纪", status=VetoCondition.Status.TRIGGERED
    )
    found = findings("veto_at_risk")
    assert [f.mentions[0].pk for f in found] == [risky.pk, hit.pk]
    assert (found[0].mentions[0].label, found[0].mentions[0].detail) == ("N2 弄虚作假", "（照片存疑）")
    assert "存在风险" in found[0].text and "已触及" in found[1].text
    assert all(f.severity == Severity.CRITICAL and f.criterion is None for f in found)
    assert found[0].key != found[1].key


def test_a_clear_veto_list_is_not_flagged(cast, campaign, tree, findings):
    VetoCondition.objects.create(campaign=campaign, code="N1", title="发生重大安全事故")
    assert findings("veto_at_risk") == []


# --- days to the inspection -------------------------------------------------------------------------------


def test_the_days_to_the_inspection_are_a_notice_then_a_warning(cast, campaign, tree, findings):
    (early,) = findings("days_to_inspection")  # 10 June → 1 November: 144 days
    assert early.severity == Severity.NOTICE
    assert "144" in early.text
    (late,) = findings("days_to_inspection", today=datetime.date(2026, 10, 10))
    assert late.severity == Severity.WARNING
    assert "22" in late.text
    assert not RULES["days_to_inspection"].rectifiable


def test_no_inspection_date_is_a_warning(cast, campaign, findings):
    node(campaign, "1")
    (finding,) = findings("days_to_inspection")
    assert finding.severity == Severity.WARNING
    assert "迎检验收" in finding.measure


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_is_quiet_on_an_empty_campaign(campaign, findings, name):
    found = findings(name)
    if name == "days_to_inspection":
        assert len(found) == 1  # it always says something: here, that no date is set
    else:
        assert found == []
