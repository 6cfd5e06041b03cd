"""A small campaign for the report's tests: 3 测评项目 × 2 测评指标 × 2 测评标准, explanation reports long enough to
fill whole pages, self-assessments, tasks, veto conditions and accepted photos with print copies made by the real
preview code."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from campaign.models import Assessment, Campaign, Criterion, EvidenceCategory, Explanation, VetoCondition
from evidence.models import EvidenceItem
from evidence.previews import make_previews
from evidence.services import evidence_accept
from tests.conftest import Cast
from tests.evidence.factories import make_evidence
from tests.factories import CriterionFactory
from tests.tasks.factories import TaskFactory

# Plain Chinese text with full-width punctuation only: its full lines hold exactly 28 characters.
SENTENCE = (
    "机关党组坚持把创建全国文明单位工作摆上重要议事日程，定期专题研究部署，"
    "形成了主要领导亲自抓、分管领导具体抓、各委室协同推进的工作格局。"
)


def explanation_text(n: int, length: int = 480) -> str:
    """A distinct explanation report of about `length` characters (the campaign's limit is 500)."""
    head = f"第{'一二三四五六七八九十'[n % 10]}项说明："
    body = (SENTENCE * 6)[: length - len(head) - 40]
    return f"{head}{body}\n全年召开专题会议研究部署创建工作，形成会议纪要并逐项抓好落实。"


@dataclass
class World:
    campaign: Campaign
    items: list[Criterion] = field(default_factory=list)
    indicators: list[Criterion] = field(default_factory=list)
    standards: list[Criterion] = field(default_factory=list)
    photos: list[EvidenceItem] = field(default_factory=list)


def build_world(cast: Cast, campaign: Campaign, *, photos: int = 3) -> World:
    world = World(campaign=campaign)
    order = iter(range(1, 1000))
    item_titles = ["组织领导与创建机制", "思想政治建设", "学雷锋志愿服务"]
    for i, item_title in enumerate(item_titles, 1):
        item = CriterionFactory(
            campaign=campaign, code=str(i), title=item_title, level=1, is_leaf=False, ordering=next(order)
        )
        world.items.append(item)
        for j in (1, 2):
            indicator = CriterionFactory(
                campaign=campaign,
                code=f"{i}.{j}",
                title=f"{item_title}指标{j}",
                parent=item,
                level=2,
                is_leaf=False,
                ordering=next(order),
            )
            world.indicators.append(indicator)
            # the last indicator has no explanation report: the report says so
            if not (i == 3 and j == 2):
                Explanation.objects.create(criterion=indicator, text=explanation_text(len(world.indicators)))
            for k in (1, 2):
                standard = CriterionFactory(
                    campaign=campaign,
                    code=f"{i}.{j}.{k}",
                    title=f"测评标准{i}{j}{k}",
                    parent=indicator,
                    level=3,
                    is_leaf=True,
                    max_score=Decimal("2.5"),
                    ordering=next(order),
                )
                world.standards.append(standard)
                status = [Assessment.Status.MET, Assessment.Status.BASICALLY_MET, Assessment.Status.IN_PROGRESS][
                    (i + j + k) % 3
                ]
                Assessment.objects.create(criterion=standard, status=status, self_score=Decimal("2"))
    for n, standard in enumerate(world.standards[:6], 1):
        TaskFactory(
            campaign=campaign,
            code=str(n),
            title=f"落实{standard.title}的工作任务",
            lead_office=cast.office_a if n % 2 else cast.office_b,
            deadline=datetime.date(2026, 6, n),
            people=[cast.staff_a],
            supporting=[cast.office_main],
        ).standards.set([standard])
    group = VetoCondition.objects.create(campaign=campaign, code="N", title="负面清单", level=1, ordering=1)
    VetoCondition.objects.create(
        campaign=campaign, parent=group, code="N.1", title="领导班子严重违纪违法", level=2, ordering=2
    )
    VetoCondition.objects.create(
        campaign=campaign, parent=group, code="N.2", title="发生重大安全责任事故", level=2, ordering=3
    )
    for n in range(photos):
        world.photos.append(
            add_photo(cast, campaign, world.standards[n % len(world.standards)], title=f"志愿服务活动照片{n + 1}")
        )
    return world


def add_photo(cast: Cast, campaign: Campaign, standard: Criterion, *, title: str, **meta: Any) -> EvidenceItem:
    """An accepted photo of office A linked to `standard`, with its previews made."""
    item = make_evidence(
        user=cast.staff_a,
        campaign=campaign,
        title=title,
        category=EvidenceCategory.PHOTO,
        caption=meta.pop("caption", "机关青年志愿者在阳光社区开展便民服务"),
        taken_on=datetime.date(2026, 3, 5),
        place="阳光社区",
        people="机关青年志愿者",
        standards=[standard],
        **meta,
    )
    make_previews(item.stored_file_id)
    evidence_accept(user=cast.head_a, item=item)
    item.refresh_from_db()
    return item
