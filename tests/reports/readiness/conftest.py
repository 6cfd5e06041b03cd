"""A small campaign for the readiness rules: two 测评项目 with one indicator each, three standards, and tasks
linking the standards to offices A and B.

    1 理想信念教育 → 1.1 → 1.1.1 (office A's task 1; needs 2 photos and a minutes)
                         1.1.2 (office B's task 2)
    2 志愿服务   → 2.1 → 2.1.1 (office A's task 3)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from campaign.models import Campaign, Criterion, CriterionRequirement, EvidenceCategory, Stage
from civunit.reports.readiness.check import Check
from civunit.reports.readiness.registry import RULES, Finding
from tasks.models import Task
from tests.tasks.factories import TaskFactory

TODAY = datetime.date(2026, 6, 10)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """Every check, page and rectification here runs as of the fixtures' TODAY (10 June 2026), whatever the date
    the suite runs on: the tree's deadlines and inspection day are fixed dates."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return real(value, timezone) if value is not None else TODAY

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


@dataclass
class Tree:
    item1: Criterion
    indicator1: Criterion
    s111: Criterion
    s112: Criterion
    item2: Criterion
    indicator2: Criterion
    s211: Criterion
    task1: Task
    task2: Task
    task3: Task


def node(campaign: Campaign, code: str, parent: Criterion | None = None, *, leaf: bool = False) -> Criterion:
    return Criterion.objects.create(
        campaign=campaign,
        parent=parent,
        code=code,
        title=f"测评{code}",
        level=code.count(".") + 1,
        is_leaf=leaf,
        ordering=int(code.replace(".", "")),
    )


@pytest.fixture
def tree(cast, campaign) -> Tree:
    item1 = node(campaign, "1")
    indicator1 = node(campaign, "1.1", item1)
    s111 = node(campaign, "1.1.1", indicator1, leaf=True)
    s112 = node(campaign, "1.1.2", indicator1, leaf=True)
    item2 = node(campaign, "2")
    indicator2 = node(campaign, "2.1", item2)
    s211 = node(campaign, "2.1.1", indicator2, leaf=True)
    CriterionRequirement.objects.create(criterion=s111, category=EvidenceCategory.PHOTO, min_count=2)
    CriterionRequirement.objects.create(criterion=s111, category=EvidenceCategory.MINUTES, min_count=1)
    Stage.objects.create(
        campaign=campaign, kind=Stage.Kind.INSPECTION, name="迎检验收", start_date=datetime.date(2026, 11, 1)
    )
    task1 = TaskFactory(campaign=campaign, code="1", lead_office=cast.office_a, deadline=datetime.date(2026, 12, 1))
    task2 = TaskFactory(campaign=campaign, code="2", lead_office=cast.office_b, deadline=datetime.date(2026, 12, 1))
    task3 = TaskFactory(campaign=campaign, code="3", lead_office=cast.office_a, deadline=datetime.date(2026, 12, 1))
    task1.standards.set([s111])
    task2.standards.set([s112])
    task3.standards.set([s211])
    return Tree(item1, indicator1, s111, s112, item2, indicator2, s211, task1, task2, task3)


@pytest.fixture
def findings(campaign):
    """findings(rule_name, **check_options) -> the findings of that rule alone, as of TODAY."""

    def run(name: str, **options) -> list[Finding]:
        fresh = Campaign.objects.prefetch_related("stages").get(pk=campaign.pk)
        return RULES[name].run(Check(campaign=fresh, today=options.pop("today", TODAY), **options))

    return run
