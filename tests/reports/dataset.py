"""A campaign-sized data set built in bulk (bulk_create, shared stored files), for the dashboard's query-count tests,
its benchmark (bench/dashboard_bench.py) and its browser test.

Every row carries believable recorded dates spread from the campaign's start to `today`: tasks completed (with
their check-off, acceptance and audit events), evidence uploaded and reviewed (with history entries), activities
held. Random choices use a fixed seed, so the same arguments build the same data.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from django.contrib.auth.models import Group
from django.utils import timezone

from campaign.models import Assessment, Campaign, Criterion, CriterionRequirement, EvidenceCategory, Stage
from civunit.accounts.models import Office, User
from civunit.accounts.roles import Role
from evidence.models import Activity, EvidenceEvent, EvidenceItem, EvidenceKind, EvidenceStandard, StoredFile
from tasks.models import Status, Task, TaskEvent, code_sort_key

OFFICE_NAMES = ["办公室", "研究室", "提案委员会办公室", "经济委员会办公室", "人口资源环境委员会办公室",
                "教科卫体委员会办公室", "社会和法制委员会办公室", "民族宗教委员会办公室", "文化文史和学习委员会办公室",
                "港澳台侨和外事委员会办公室", "机关党委", "机关服务中心"]  # fmt: skip
ITEMS = ["理想信念教育", "领导班子建设", "思想道德建设", "组织建设", "精神文明活动", "学雷锋志愿服务",
         "诚信建设", "文化建设", "机关环境", "创建工作机制"]  # fmt: skip
ACTIONS = ["组织开展专题学习", "召开专题会议", "开展志愿服务活动", "制定工作方案", "报送工作总结", "开展主题宣传",
           "落实结对共建", "完善规章制度", "建立工作台账", "开展文明交通劝导"]  # fmt: skip
CATEGORIES = [EvidenceCategory.PHOTO, EvidenceCategory.MINUTES, EvidenceCategory.PLAN, EvidenceCategory.SUMMARY,
              EvidenceCategory.OFFICIAL_DOCUMENT, EvidenceCategory.BRIEFING, EvidenceCategory.TABLE]  # fmt: skip


@dataclass
class Dataset:
    campaign: Campaign
    offices: list[Office]
    heads: list[User]
    staff: list[User]
    standards: list[Criterion]
    tasks: int
    evidence: int


@contextlib.contextmanager
def explicit_timestamps(*models):
    """Let bulk_create keep the created_at/updated_at/at values given (auto_now(_add) would overwrite them)."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _day_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def ensure_stages(campaign: Campaign) -> None:
    """The plan's four stages, spread over the campaign, when it has none."""
    if campaign.stages.exists():
        return
    span = (campaign.end_date - campaign.start_date).days
    marks = [
        (Stage.Kind.MOBILISATION, "动员部署", 0.0, 0.06),
        (Stage.Kind.IMPLEMENTATION, "组织实施", 0.06, 0.7),
        (Stage.Kind.SELF_CHECK, "自查整改", 0.7, 0.85),
        (Stage.Kind.INSPECTION, "迎检验收", 0.85, 1.0),
    ]
    for i, (kind, name, lo, hi) in enumerate(marks):
        Stage.objects.create(
            campaign=campaign,
            kind=kind,
            name=name,
            ordering=i,
            start_date=campaign.start_date + datetime.timedelta(days=round(span * lo)),
            end_date=campaign.start_date + datetime.timedelta(days=round(span * hi) - (1 if hi < 1 else 0)),
        )


def ensure_offices(count: int = len(OFFICE_NAMES)) -> tuple[list[Office], list[User], list[User]]:
    """Offices (those of the organ, by name) with a head and a staff member each."""
    staff_group, _ = Group.objects.get_or_create(name=Role.STAFF.group_name)
    head_group, _ = Group.objects.get_or_create(name=Role.OFFICE_HEAD.group_name)
    offices, heads, staff = [], [], []
    for i, name in enumerate(OFFICE_NAMES[:count]):
        office, _ = Office.objects.get_or_create(name=name, defaults={"ordering": i + 1})
        head = office.head
        if head is None:
            head, _ = User.objects.get_or_create(
                username=f"bench-head-{i}", defaults={"real_name": f"负责人{i}", "office": office}
            )
            head.groups.add(head_group, staff_group)
            office.head = head
            office.save(update_fields=["head"])
        member = office.members.exclude(pk=head.pk).first()
        if member is None:
            member, _ = User.objects.get_or_create(
                username=f"bench-staff-{i}", defaults={"real_name": f"干部{i}", "office": office}
            )
            member.groups.add(staff_group)
        offices.append(office)
        heads.append(head)
        staff.append(member)
    return offices, heads, staff


def build_criteria(campaign: Campaign, *, standards: int, rng: random.Random) -> list[Criterion]:
    """10 items (测评项目), 3 indicators each, the standards spread over them; a third of the standards carry a
    structured requirement; self-assessments of every kind."""
    items = [
        Criterion(
            campaign=campaign,
            code=str(i + 1),
            title=title,
            level=1,
            is_leaf=False,
            ordering=i * 10_000,
            max_score=Decimal(10),
        )
        for i, title in enumerate(ITEMS)
    ]
    Criterion.objects.bulk_create(items)
    indicators = [
        Criterion(
            campaign=campaign,
            parent=item,
            code=f"{item.code}.{j + 1}",
            title=f"{item.title}（指标{j + 1}）",
            level=2,
            is_leaf=False,
            ordering=item.ordering + (j + 1) * 1000,
        )
        for item in items
        for j in range(3)
    ]
    Criterion.objects.bulk_create(indicators)
    leaves = []
    for n in range(standards):
        parent = indicators[n % len(indicators)]
        k = n // len(indicators) + 1
        leaves.append(
            Criterion(
                campaign=campaign,
                parent=parent,
                code=f"{parent.code}.{k}",
                title=f"{ACTIONS[n % len(ACTIONS)]}，{parent.title[:6]}工作有记录、有成效",
                level=3,
                is_leaf=True,
                ordering=parent.ordering + k,
                max_score=Decimal(1),
            )
        )
    Criterion.objects.bulk_create(leaves)
    CriterionRequirement.objects.bulk_create(
        [
            CriterionRequirement(criterion=c, category=category, min_count=m)
            for c in leaves[::3]
            for category, m in ((EvidenceCategory.PHOTO, 2), (EvidenceCategory.MINUTES, 1))
        ]
    )
    statuses = [Assessment.Status.MET] * 4 + [Assessment.Status.BASICALLY_MET] * 2 + [Assessment.Status.IN_PROGRESS] * 3
    assessments = []
    for c in leaves:
        status = rng.choice([*statuses, Assessment.Status.NOT_STARTED])
        score = {
            Assessment.Status.MET: Decimal(1),
            Assessment.Status.BASICALLY_MET: Decimal("0.8"),
            Assessment.Status.IN_PROGRESS: Decimal("0.5"),
        }.get(status)
        assessments.append(Assessment(criterion=c, status=status, self_score=score))
    Assessment.objects.bulk_create(assessments)
    return leaves


class _Shared(TypedDict):
    """What build_tasks() and build_evidence() both take."""

    offices: list[Office]
    heads: list[User]
    staff: list[User]
    standards: list[Criterion]
    today: datetime.date
    rng: random.Random


def build_tasks(
    campaign: Campaign,
    *,
    count: int,
    offices: list[Office],
    heads: list[User],
    staff: list[User],
    standards: list[Criterion],
    today: datetime.date,
    rng: random.Random,
    start_code: int = 1,
) -> int:
    """`count` top-level tasks with deadlines over the campaign; most tasks due before today are done (some late),
    the rest overdue; later ones are in every state. Each links one or two standards and has its audit events."""
    start, end = campaign.start_date, campaign.end_date
    rows, links, events = [], [], []
    for n in range(count):
        i = start_code + n
        o = rng.randrange(len(offices))
        deadline = _day_between(rng, start + datetime.timedelta(days=30), end)
        created = _aware(start, 9)
        started = completed = checked = progress = None
        if deadline < today:
            status = rng.choices([Status.DONE, Status.IN_PROGRESS, Status.PENDING_REVIEW], [80, 14, 6])[0]
        else:
            status = rng.choices(
                [Status.DONE, Status.IN_PROGRESS, Status.NOT_STARTED, Status.PENDING_REVIEW, Status.RETURNED],
                [25, 35, 30, 6, 4],
            )[0]
        if status != Status.NOT_STARTED:
            started = _aware(_day_between(rng, start, min(today, deadline) - datetime.timedelta(days=1)), 9)
            progress = _aware(_day_between(rng, started.date(), today), 15)
        if status in (Status.DONE, Status.PENDING_REVIEW):
            assert started is not None and progress is not None  # set above: these states are started
            late = rng.random() < 0.15
            latest = min(today, deadline + datetime.timedelta(days=20) if late else deadline)
            checked = _aware(_day_between(rng, started.date(), latest), 16)
            progress = min(progress, checked)
        if status == Status.DONE:
            assert checked is not None  # set above: done tasks were checked off
            completed = checked + datetime.timedelta(days=1)
            if completed.date() > today:
                completed = checked
        rows.append(
            Task(
                campaign=campaign,
                code=str(i),
                code_key=code_sort_key(str(i)),
                title=f"{ACTIONS[i % len(ACTIONS)]}（第{i}项）",
                lead_office=offices[o],
                deadline=deadline,
                status=status,
                started_at=started,
                checked_off_at=checked,
                checked_off_by=heads[o] if checked else None,
                completed_at=completed,
                last_progress_at=progress,
                created_at=created,
                updated_at=max(d for d in (created, started, progress, checked, completed) if d is not None),
            )
        )
    with explicit_timestamps(Task):
        Task.objects.bulk_create(rows, batch_size=2000)
    for task in rows:
        o = offices.index(task.lead_office)
        links.append(Task.standards.through(task_id=task.pk, criterion_id=standards[task.pk % len(standards)].pk))
        if task.pk % 3 == 0:
            links.append(
                Task.standards.through(task_id=task.pk, criterion_id=standards[(task.pk * 7 + 1) % len(standards)].pk)
            )
        events.append(TaskEvent(task=task, action=TaskEvent.Action.CREATED, created_at=task.created_at))
        if task.started_at:
            events.append(
                TaskEvent(
                    task=task,
                    action=TaskEvent.Action.STARTED,
                    actor=staff[o],
                    from_status=Status.NOT_STARTED,
                    to_status=Status.IN_PROGRESS,
                    created_at=task.started_at,
                )
            )
        if task.checked_off_at:
            events.append(
                TaskEvent(
                    task=task,
                    action=TaskEvent.Action.CHECKED_OFF,
                    actor=heads[o],
                    from_status=Status.IN_PROGRESS,
                    to_status=Status.PENDING_REVIEW,
                    created_at=task.checked_off_at,
                )
            )
        if task.completed_at:
            events.append(
                TaskEvent(
                    task=task,
                    action=TaskEvent.Action.ACCEPTED,
                    actor=heads[0],
                    from_status=Status.PENDING_REVIEW,
                    to_status=Status.DONE,
                    created_at=task.completed_at,
                )
            )
    Task.standards.through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
    with explicit_timestamps(TaskEvent):
        TaskEvent.objects.bulk_create(events, batch_size=5000)
    return len(rows)


def stored_files(count: int = 20) -> list[StoredFile]:
    """A few stored files that many evidence rows share (the bytes are never read by the dashboard)."""
    found = []
    for i in range(count):
        digest = hashlib.sha256(f"dashboard-dataset-{i}".encode()).hexdigest()
        f, _ = StoredFile.objects.get_or_create(
            sha256=digest,
            defaults={
                "size": 1000 + i,
                "kind": EvidenceKind.PHOTO,
                "format": "jpeg",
                "content_type": "image/jpeg",
                "file": f"dataset/{digest}.jpg",
                "preview_status": StoredFile.PreviewStatus.NONE,
            },
        )
        found.append(f)
    return found


def build_evidence(
    campaign: Campaign,
    *,
    count: int,
    offices: list[Office],
    heads: list[User],
    staff: list[User],
    standards: list[Criterion],
    today: datetime.date,
    rng: random.Random,
) -> int:
    """`count` evidence items (current versions) over the campaign, accepted, awaiting review or returned, each
    linked to a standard and with its history; one in twenty has a newer version awaiting review."""
    files = stored_files()
    start = campaign.start_date
    items, newer = [], []
    for n in range(count):
        o = rng.randrange(len(offices))
        uploaded = _aware(_day_between(rng, start, today), 9 + n % 8)
        status = rng.choices(
            [EvidenceItem.Status.ACCEPTED, EvidenceItem.Status.PENDING, EvidenceItem.Status.RETURNED], [65, 25, 10]
        )[0]
        reviewed = None
        if status != EvidenceItem.Status.PENDING:
            reviewed = uploaded + datetime.timedelta(days=rng.randrange(0, 10))
            if reviewed.date() > today:
                reviewed = uploaded
        # one standard in eight gets no evidence at all (the dashboard flags them)
        covered = standards[: max(1, len(standards) - len(standards) // 8)]
        standard = covered[(n * 13) % len(covered)]
        items.append(
            EvidenceItem(
                campaign=campaign,
                lineage=uuid.UUID(int=rng.getrandbits(128)),
                stored_file=files[n % len(files)],
                original_name=f"照片{n}.jpg",
                kind=EvidenceKind.PHOTO,
                category=CATEGORIES[n % len(CATEGORIES)],
                title=f"{ACTIONS[n % len(ACTIONS)]}材料{n}",
                office=offices[o],
                uploader=staff[o],
                primary_standard=standard,
                status=status,
                reviewed_by=heads[o] if reviewed else None,
                reviewed_at=reviewed,
                created_at=uploaded,
                updated_at=reviewed or uploaded,
            )
        )
    with explicit_timestamps(EvidenceItem):
        EvidenceItem.objects.bulk_create(items, batch_size=2000)
        for item in items[::20]:
            if item.status == EvidenceItem.Status.ACCEPTED:
                assert item.reviewed_at is not None  # accepted items were reviewed
                when = max(item.reviewed_at, item.created_at) + datetime.timedelta(hours=2)
                newer.append(
                    EvidenceItem(
                        campaign=campaign,
                        lineage=item.lineage,
                        version=2,
                        previous=item,
                        is_current=False,
                        stored_file=item.stored_file,
                        original_name=item.original_name,
                        kind=item.kind,
                        category=item.category,
                        title=item.title,
                        office=item.office,
                        uploader=item.uploader,
                        primary_standard=item.primary_standard,
                        status=EvidenceItem.Status.PENDING,
                        created_at=when,
                        updated_at=when,
                    )
                )
        EvidenceItem.objects.bulk_create(newer, batch_size=2000)
    links = [EvidenceStandard(item=i, criterion=i.primary_standard, position=0) for i in items + newer]
    EvidenceStandard.objects.bulk_create(links, batch_size=5000)
    events = []
    for item in items + newer:
        action = EvidenceEvent.Action.NEW_VERSION if item.version > 1 else EvidenceEvent.Action.UPLOADED
        events.append(
            EvidenceEvent(lineage=item.lineage, item=item, actor=item.uploader, action=action, at=item.created_at)
        )
        if item.reviewed_at:
            action = (
                EvidenceEvent.Action.ACCEPTED
                if item.status == EvidenceItem.Status.ACCEPTED
                else EvidenceEvent.Action.RETURNED
            )
            events.append(
                EvidenceEvent(
                    lineage=item.lineage, item=item, actor=item.reviewed_by, action=action, at=item.reviewed_at
                )
            )
    with explicit_timestamps(EvidenceEvent):
        EvidenceEvent.objects.bulk_create(events, batch_size=5000)
    return len(items)


def build_activities(
    campaign: Campaign, *, count: int, offices: list[Office], today: datetime.date, rng: random.Random
) -> None:
    Activity.objects.bulk_create(
        [
            Activity(
                campaign=campaign,
                title=f"{ACTIONS[n % len(ACTIONS)]}（{n + 1}）",
                date=_day_between(rng, campaign.start_date, today),
                organiser_office=offices[n % len(offices)],
                place="机关会议室",
            )
            for n in range(count)
        ]
    )


def build(
    campaign: Campaign,
    *,
    today: datetime.date,
    standards: int = 300,
    tasks: int = 3000,
    evidence: int = 30_000,
    activities: int = 60,
    offices: int = len(OFFICE_NAMES),
    seed: int = 14,
) -> Dataset:
    """A whole campaign's data: stages, criteria with requirements and self-assessments, tasks with their history,
    evidence with versions and history, activities."""
    rng = random.Random(seed)
    ensure_stages(campaign)
    office_rows, heads, staff = ensure_offices(offices)
    leaves = build_criteria(campaign, standards=standards, rng=rng)
    common = _Shared(offices=office_rows, heads=heads, staff=staff, standards=leaves, today=today, rng=rng)
    n_tasks = build_tasks(campaign, count=tasks, **common)
    n_evidence = build_evidence(campaign, count=evidence, **common)
    build_activities(campaign, count=activities, offices=office_rows, today=today, rng=rng)
    return Dataset(campaign, office_rows, heads, staff, leaves, n_tasks, n_evidence)


def grow(dataset: Dataset, *, today: datetime.date, tasks: int, evidence: int, seed: int = 15) -> Dataset:
    """Add more tasks and evidence to a built data set (the same criteria and offices): for 1× → 10× comparisons."""
    rng = random.Random(seed)
    common: _Shared = {
        "offices": dataset.offices,
        "heads": dataset.heads,
        "staff": dataset.staff,
        "standards": dataset.standards,
        "today": today,
        "rng": rng,
    }
    last = Task.objects.filter(campaign=dataset.campaign).count()
    dataset.tasks += build_tasks(dataset.campaign, count=tasks, start_code=last + 1, **common)
    dataset.evidence += build_evidence(dataset.campaign, count=evidence, **common)
    return dataset
