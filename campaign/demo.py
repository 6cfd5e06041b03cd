"""Demo data of this app, called by `manage.py seed_demo` in order. Running it again leaves the same rows.

The demo campaign's criteria are fixtures/criteria-example.json: a reconstruction shaped like the national
system, labelled on every criteria page as an example to be replaced by the province's official table.
"""

import datetime
import hashlib
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from civunit.accounts.models import User

from . import services
from .models import (
    Assessment,
    Campaign,
    Criterion,
    CriterionRequirement,
    Explanation,
    ImportRecord,
    LeadershipMember,
    Plan,
    Stage,
    WorkArea,
)

EXAMPLE_FILE = settings.BASE_DIR / "fixtures" / "criteria-example.json"
EXAMPLE_NOTE = (
    "示例测评体系：据公开资料重构的演示数据，不是正式测评表。请在“导入导出”页面导入本省（市）正式测评体系后替换。"
)

ORGAN = "某市政协机关"
TITLE = "创建全国文明单位"

STAGES = [
    (
        Stage.Kind.MOBILISATION,
        "动员部署",
        (2026, 3, 1),
        (2026, 3, 31),
        "召开动员大会，印发实施方案，分解任务到各委室。",
    ),
    (
        Stage.Kind.IMPLEMENTATION,
        "组织实施",
        (2026, 4, 1),
        (2027, 2, 28),
        "各委室按任务分解表推进，按月报送进展和佐证材料。",
    ),
    (Stage.Kind.SELF_CHECK, "自查整改", (2027, 3, 1), (2027, 4, 30), "对照测评体系逐条自查，形成问题清单并限期整改。"),
    (
        Stage.Kind.INSPECTION,
        "迎检验收",
        (2027, 5, 20),
        (2027, 6, 30),
        "完善台账资料，撰写说明报告，迎接市文明办测评验收。",
    ),
]

WORK_AREAS = [
    ("学习教育", "理论学习、主题教育、社会主义核心价值观宣传教育。"),
    ("推动工作", "以创建促履职，把文明创建融入政协协商、监督、参政议政各项工作。"),
    ("创新载体", "打造志愿服务品牌、文化活动和“书香机关”等特色载体。"),
    ("参与全市创文", "参与全国文明城市创建，开展结对共建、文明交通劝导等活动。"),
    ("打牢基础", "健全制度、完善台账、改善办公环境，夯实创建基础。"),
]

# role, name, position, duties, username of the account (or "")
LEADERSHIP = [
    (LeadershipMember.Role.LEADER, "黄建华", "市政协党组成员、副主席", "全面领导创建工作。", ""),
    (LeadershipMember.Role.DEPUTY, "赵国强", "市政协秘书长", "协助组长，统筹推进创建工作。", "leader"),
    (
        LeadershipMember.Role.OFFICE_DIRECTOR,
        "陈静",
        "机关办公室主任",
        "负责领导小组办公室日常工作，督促检查、汇总材料。",
        "coordinator",
    ),
    (LeadershipMember.Role.MEMBER, "李明", "研究室主任", "负责本委室承担的创建任务。", "head"),
    (LeadershipMember.Role.MEMBER, "王芳", "提案委员会办公室主任", "负责本委室承担的创建任务。", "head2"),
]

PLAN = {
    "guiding_ideology": "以习近平新时代中国特色社会主义思想为指导，坚持以社会主义核心价值观引领机关文明建设，"
    "把创建全国文明单位与政协履职工作紧密结合，以创建促工作、以工作促创建。",
    "goals": "对照全国文明单位测评体系，力争在本周期内各项测评指标全部达标，负面清单零触及，成功创建全国文明单位。",
    "measures": "一是加强学习教育；二是推动工作落实；三是创新活动载体；四是积极参与全市创文；五是打牢工作基础。"
    "各委室对照任务分解表逐项落实，按月报送进展和佐证材料。",
    "organisation": "成立创建工作领导小组，领导小组办公室设在机关办公室，负责日常协调、督促检查和材料汇总。",
}

# Some self-assessments so that the roll-ups show something: code → (status, share of the maximum).
ASSESSMENTS = {
    "1.1.1": (Assessment.Status.MET, Decimal("1")),
    "1.1.2": (Assessment.Status.MET, Decimal("1")),
    "1.2.1": (Assessment.Status.BASICALLY_MET, Decimal("0.8")),
    "2.1.1": (Assessment.Status.IN_PROGRESS, None),
    "6.2.1": (Assessment.Status.IN_PROGRESS, None),
}


# `--scale N` copies the example evaluation system's numbered items N-1 times (the veto list "N" once): copy k of
# item 3 is item 3 + k×ITEMS_PER_COPY, its indicators and standards numbered under it ("13.2.1" for copy 1 of
# "3.2.1"), so that the criteria tree, the plan and the pages that list standards grow with the tasks and evidence.
ITEMS_PER_COPY = 10


def scaled_code(code: str, copy: int) -> str:
    """The code of `code`'s node in copy `copy` of the criteria (itself for copy 0 and the veto list)."""
    head, dot, rest = code.partition(".")
    if copy == 0 or not head.isdigit():
        return code
    return f"{int(head) + copy * ITEMS_PER_COPY}{dot}{rest}"


def is_copy(code: str) -> bool:
    """Whether `code` names a node of a copy `--scale` made (not of the example itself)."""
    head = code.split(".")[0]
    return head.isdigit() and int(head) > ITEMS_PER_COPY


def _scale_criteria(campaign: Campaign, scale: int) -> int:
    """Copies 1 … scale-1 of the numbered criteria with their requirements, level by level (bulk: a few queries
    per copy); copies already there are left alone. Returns the number of nodes added."""
    originals = [
        c
        for c in Criterion.objects.filter(campaign=campaign)
        .select_related("parent")
        .order_by("level", "ordering", "pk")
        if c.code.split(".")[0].isdigit() and not is_copy(c.code)
    ]
    if not originals:
        return 0
    span = max(c.ordering for c in Criterion.objects.filter(campaign=campaign)) + 10
    existing = set(Criterion.objects.filter(campaign=campaign).values_list("code", flat=True))
    requirements: dict[int, list[CriterionRequirement]] = {}
    for r in CriterionRequirement.objects.filter(criterion__in=originals):
        requirements.setdefault(r.criterion_id, []).append(r)
    added = 0
    for copy in range(1, scale):
        if scaled_code(originals[0].code, copy) in existing:
            continue
        made: dict[str, Criterion] = {}
        for level in sorted({c.level for c in originals}):
            rows = []
            for c in (c for c in originals if c.level == level):
                parent = made.get(scaled_code(c.parent.code, copy)) if c.parent_id and c.parent else None
                rows.append(
                    Criterion(
                        campaign=campaign,
                        parent=parent,
                        code=scaled_code(c.code, copy),
                        title=c.title,
                        guidance=c.guidance,
                        methods=c.methods,
                        max_score=c.max_score,
                        kind=c.kind,
                        ordering=c.ordering + copy * span,
                        level=c.level,
                        is_leaf=c.is_leaf,
                        requirement_text=c.requirement_text,
                    )
                )
            Criterion.objects.bulk_create(rows)
            made.update(
                {c.code: c for c in Criterion.objects.filter(campaign=campaign, code__in=[r.code for r in rows])}
            )
        CriterionRequirement.objects.bulk_create(
            [
                CriterionRequirement(
                    criterion=made[scaled_code(c.code, copy)], category=r.category, min_count=r.min_count
                )
                for c in originals
                for r in requirements.get(c.pk, [])
            ]
        )
        added += len(made)
    return added


def demo_campaign() -> Campaign | None:
    """The demo's own campaign, whichever campaign is current (seeding again after a newer campaign was started
    and made current adds to the demo campaign, not to the new one)."""
    return Campaign.objects.filter(organ_name=ORGAN, title=TITLE).first()


@transaction.atomic
def seed(*, scale: int = 1, stdout=None) -> Campaign:
    campaign = Campaign.objects.filter(organ_name=ORGAN, title=TITLE).first()
    if campaign is None:
        campaign = Campaign.objects.create(
            organ_name=ORGAN,
            title=TITLE,
            target=Campaign.Target.NATIONAL,
            start_date=datetime.date(2026, 3, 1),
            end_date=datetime.date(2028, 12, 31),
            status=Campaign.Status.ACTIVE,
            is_current=not Campaign.objects.filter_current().exists(),
            criteria_note=EXAMPLE_NOTE,
        )
    for i, (kind, name, start, end, description) in enumerate(STAGES):
        Stage.objects.update_or_create(
            campaign=campaign,
            name=name,
            defaults={
                "kind": kind,
                "start_date": datetime.date(*start),
                "end_date": datetime.date(*end),
                "description": description,
                "ordering": (i + 1) * 10,
            },
        )
    for i, (name, description) in enumerate(WORK_AREAS):
        WorkArea.objects.update_or_create(
            campaign=campaign, name=name, defaults={"description": description, "ordering": (i + 1) * 10}
        )
    users = {u.username: u for u in User.objects.filter(username__in=[row[4] for row in LEADERSHIP if row[4]])}
    for i, (role, name, position, duties, username) in enumerate(LEADERSHIP):
        LeadershipMember.objects.update_or_create(
            campaign=campaign,
            name=name,
            defaults={
                "role": role,
                "position": position,
                "duties": duties,
                "user": users.get(username),
                "ordering": (i + 1) * 10,
            },
        )
    Plan.objects.get_or_create(campaign=campaign, defaults=PLAN)

    data = EXAMPLE_FILE.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if not ImportRecord.objects.filter(campaign=campaign, kind=ImportRecord.Kind.CRITERIA).exists():
        result = services.criteria_import(campaign=campaign, user=None, file_name=EXAMPLE_FILE.name, data=data)
        if not result.ok:
            raise RuntimeError("; ".join(str(i) for i in result.issues))
    if scale > 1:
        _scale_criteria(campaign, scale)
    coordinator = User.objects.filter(username="coordinator").first()
    standards = {c.code: c for c in Criterion.objects.filter(campaign=campaign, code__in=ASSESSMENTS)}
    for code, (status, share) in ASSESSMENTS.items():
        criterion = standards.get(code)
        if criterion is None or Assessment.objects.filter(criterion=criterion).exists():
            continue
        score = (criterion.max_score * share).quantize(Decimal("0.01")) if share and criterion.max_score else None
        services.assessment_save(criterion=criterion, user=coordinator, status=status, self_score=score)
    indicator = Criterion.objects.filter(campaign=campaign, code="1.1").first()
    if indicator and not Explanation.objects.filter(criterion=indicator).exists():
        services.explanation_save(
            criterion=indicator,
            user=coordinator,
            text="机关党组每季度专题研究创建工作，成立由分管副主席任组长的创建工作领导小组，"
            "领导小组办公室设在机关办公室，配备专人负责日常工作。\n全年召开党组会议专题研究创建4次，"
            "形成会议纪要4份。",
        )
    if stdout:
        stdout.write(
            f"  campaign: {campaign} ({campaign.criteria.count()} criteria, "
            f"{campaign.veto_conditions.count()} veto conditions; example table {sha[:8]})"
        )
    return campaign
