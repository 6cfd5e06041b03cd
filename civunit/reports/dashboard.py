"""The dashboard's figures (创建工作进度看板), one function per figure or dataset, shared by the dashboard page, the
bulletins (内部通报) and, next, the report.

Every function takes keyword arguments: `campaign`, `user` (whose access the figures respect), an optional
`office` (an Office: the figures of that office alone) and, where a period makes sense, `start`/`end` (dates,
inclusive, Asia/Shanghai days) and `today` (for tests and frozen bulletins; by default `timezone.localdate()`).

What is counted, so that every page reads the same:
- **Tasks** are the lines of the breakdown: top-level tasks, by their lead office (as on the home page), counted by
  the one task counter `tasks.selectors.task_figures()` / `task_figures_by()`. Sub-tasks are an office's own
  split of a line and are not counted again.
- **Standards** come from the one criteria tree (`campaign.selectors.criteria_tree`) and their evidence from
  `evidence.selectors.standards_evidence` (coverage_by_item(), which the report and the workbook read); the page
  and the headline sum the same figures by 测评项目 in the database (civunit.reports.coverage_sql: one query, no
  criterion loaded; tests/reports/test_coverage_sql.py holds them equal to the tree's). An office's standards are
  those linked to a task it leads or supports.
- **Evidence** is the current, not deleted version of each item; "awaiting review" is the latest version of an
  item waiting for review (a new version of an accepted item waits beside it), as in the review queue; an
  office's evidence is the evidence filed under that office.
- **Dates** are recorded ones, never a snapshot: a task is completed at `Task.completed_at` (its acceptance),
  checked off at `Task.checked_off_at`, evidence accepted at `EvidenceItem.reviewed_at`.

Access: the task breakdown, the criteria and counts of evidence are plan-level figures (civunit.access): everyone
signed in may read them, and they reveal no item. Lists that name evidence items (awaiting review, recent
activity) go through `evidence.access.evidence_visible_to`. Which office's view a person may open is
`viewable_offices()`; the views ask it.

Each function costs a fixed number of queries whatever the number of tasks and items (aggregates grouped by
office or by day); `dashboard()` computes the whole page once, sharing what several figures read.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.models import Assessment, Campaign, Criterion, CriterionRequirement, EvidenceCategory, Stage
from campaign.selectors import Node, Tree, criteria_tree
from civunit import access
from civunit.accounts.models import Office
from civunit.db import LaterLocalDay
from civunit.reports.coverage_sql import ItemFigures, StandardShares, item_figures
from civunit.reports.models import ReadinessCheck, ReadinessFinding, Severity
from evidence.access import evidence_visible_to
from evidence.models import Activity, EvidenceEvent, EvidenceItem, OfficeEvidenceCount
from evidence.selectors import EvidenceByStandard, StandardEvidence, standards_evidence
from tasks.models import Status, Task, TaskEvent, TaskOccurrence
from tasks.querysets import TaskQuerySet
from tasks.selectors import TaskFigures, task_figures_by_with

if TYPE_CHECKING:
    from django.db.models import Model

    from civunit.accounts.models import User

# --- Stated rules: every threshold of the dashboard lives here -------------------------------------------------

#: Lists (overdue, due soon, stalled, awaiting review) show at most this many rows, with the total beside them.
LIST_LIMIT = 10
#: The dashboard's "waiting for review" shows at most this many tasks and this many evidence items.
AWAITING_LIMIT = 5
#: "Due soon" is due within this many days (the same 7 days as Task.objects.with_flags()).
DUE_SOON_DAYS = 7
#: The default period of the trend arrows and highlights: the last four weeks, against the four weeks before.
PERIOD_DAYS = 28
#: Recent activity shows this many entries.
RECENT_LIMIT = 12
#: The dashboard lists this many standards without accepted evidence per 测评项目 (all of them in its print view;
#: the rest are on the evidence-by-standard page of the item).
FLAGGED_SHOWN = 3

# The campaign's status (on track / at risk / off track), from three measures:
#   overdue share      = overdue tasks / all tasks;
#   unevidenced share  = standards without any accepted evidence / all standards;
#   days left          = days to the inspection (迎检验收 stage), else to the campaign's end.
# Off track when the overdue share reaches OVERDUE_OFF_TRACK, or, with EVIDENCE_WATCH_DAYS or fewer left, the
# unevidenced share reaches UNEVIDENCED_OFF_TRACK, or, with FINAL_DAYS or fewer left, it reaches UNEVIDENCED_AT_RISK.
# At risk when the overdue share reaches OVERDUE_AT_RISK, or, with EVIDENCE_WATCH_DAYS or fewer left, the
# unevidenced share reaches UNEVIDENCED_AT_RISK, or, with FINAL_DAYS or fewer left, any standard has no evidence.
# Early in the campaign standards without evidence are normal, so they count only as the inspection nears.
OVERDUE_AT_RISK = 0.10
OVERDUE_OFF_TRACK = 0.25
UNEVIDENCED_AT_RISK = 0.20
UNEVIDENCED_OFF_TRACK = 0.50
EVIDENCE_WATCH_DAYS = 90
FINAL_DAYS = 30


class Level:
    """The campaign status levels (values used in templates as CSS hooks)."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"

    LABELS = {
        ON_TRACK: gettext_lazy("On track"),
        AT_RISK: gettext_lazy("At risk"),
        OFF_TRACK: gettext_lazy("Off track"),
    }


# --- Periods ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Inclusive dates (Asia/Shanghai days)."""

    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        """The period of the same length just before this one."""
        end = self.start - datetime.timedelta(days=1)
        return Period(end - datetime.timedelta(days=self.days - 1), end)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Aware datetimes [start 00:00, day after end 00:00) in the current time zone, for indexable filters."""
        tz = timezone.get_current_timezone()
        lo = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        hi = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return lo, hi

    def q(self, field_name: str) -> Q:
        lo, hi = self.bounds()
        return Q(**{f"{field_name}__gte": lo, f"{field_name}__lt": hi})


def default_period(today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(today - datetime.timedelta(days=PERIOD_DAYS - 1), today)


def _period(start: datetime.date | None, end: datetime.date | None, today: datetime.date) -> Period:
    if start is None and end is None:
        return default_period(today)
    end = end or today
    start = start or end - datetime.timedelta(days=PERIOD_DAYS - 1)
    if start > end:
        start, end = end, start
    return Period(start, end)


# --- Datasets ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceFigures:
    """Evidence of a scope (an office, or the organ): counts of items, never the items."""

    submitted: int = 0  # current, not deleted items
    accepted: int = 0
    returned: int = 0
    pending_review: int = 0  # latest versions awaiting review
    accepted_in_period: int = 0  # accepted (reviewed_at) within the period
    accepted_previous: int = 0  # within the period before
    submitted_in_period: int = 0  # versions uploaded within the period
    last_upload: datetime.datetime | None = None

    def __add__(self, other: EvidenceFigures) -> EvidenceFigures:
        last = [d for d in (self.last_upload, other.last_upload) if d is not None]
        return EvidenceFigures(
            submitted=self.submitted + other.submitted,
            accepted=self.accepted + other.accepted,
            returned=self.returned + other.returned,
            pending_review=self.pending_review + other.pending_review,
            accepted_in_period=self.accepted_in_period + other.accepted_in_period,
            accepted_previous=self.accepted_previous + other.accepted_previous,
            submitted_in_period=self.submitted_in_period + other.submitted_in_period,
            last_upload=max(last) if last else None,
        )


@dataclass(frozen=True)
class CampaignStatus:
    """On track / at risk / off track, with the measures it was decided from and the reasons, in words."""

    level: str
    reasons: tuple[str, ...]
    overdue_share: float
    unevidenced_share: float
    days_left: int | None

    @property
    def label(self) -> str:
        return str(Level.LABELS[self.level])

    @property
    def on_track(self) -> bool:
        return self.level == Level.ON_TRACK


@dataclass(frozen=True)
class HeadlineFigures:
    campaign: Campaign
    office: Office | None
    today: datetime.date
    standards: int
    standards_met: int  # self-assessed 达标
    standards_basically_met: int
    standards_without_evidence: int  # no accepted evidence at all
    standards_with_requirements: int  # standards with a structured evidence requirement
    standards_requirement_met: int  # of those, every structured requirement met by accepted items
    score: Decimal | None  # self scores of scored standards
    max_score: Decimal | None
    tasks: TaskFigures
    evidence: EvidenceFigures
    current_stage: Stage | None
    next_stage: Stage | None
    days_to_next_stage: int | None
    inspection_date: datetime.date | None
    days_to_inspection: int | None
    status: CampaignStatus

    @property
    def met_percent(self) -> int:
        return round(100 * self.standards_met / self.standards) if self.standards else 0

    @property
    def score_percent(self) -> int:
        if not self.max_score or self.score is None:
            return 0
        return round(100 * self.score / self.max_score)

    @property
    def evidenced(self) -> int:
        return self.standards - self.standards_without_evidence


@dataclass(frozen=True)
class OfficeFigures:
    """One line of the offices table."""

    office: Office
    tasks: TaskFigures
    done_on_time: int = 0  # done, checked off by the deadline (recurring: no period late)
    done_late: int = 0
    done_in_period: int = 0  # completed (accepted) within the period
    done_previous: int = 0
    evidence: EvidenceFigures = field(default_factory=EvidenceFigures)
    last_activity: datetime.datetime | None = None

    @property
    def overdue(self) -> int:
        return self.tasks.overdue

    @property
    def pending_review(self) -> int:
        return self.tasks.pending_review

    @property
    def output_in_period(self) -> int:
        """Work finished within the period: tasks completed and evidence accepted."""
        return self.done_in_period + self.evidence.accepted_in_period

    @property
    def output_previous(self) -> int:
        return self.done_previous + self.evidence.accepted_previous

    @property
    def trend(self) -> int:
        """+1, 0 or -1: more, as much or less work finished than in the previous period."""
        return (self.output_in_period > self.output_previous) - (self.output_in_period < self.output_previous)

    @property
    def on_time_percent(self) -> int | None:
        done = self.done_on_time + self.done_late
        return round(100 * self.done_on_time / done) if done else None


@dataclass(frozen=True)
class Listing[T]:
    """At most a list's limit of rows, and how many there are in all."""

    rows: Sequence[T]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)


# Tasks carry `due`, `is_overdue`, `last_activity` and `lead_office`.
type TaskList = Listing[Task]
type EvidenceList = Listing[EvidenceItem]


@dataclass(frozen=True)
class AwaitingReview:
    tasks: TaskList  # checked off, waiting for the reviewer
    evidence: EvidenceList  # latest versions waiting for review (only those the user may read)

    @property
    def total(self) -> int:
        return self.tasks.total + self.evidence.total


@dataclass
class CoverageRow(StandardShares):
    """A 测评项目, 测评指标 or 测评标准 with its roll-ups over the standards in scope."""

    node: Node
    depth: int  # 0: 测评项目
    children: list[CoverageRow] = field(default_factory=list)
    standards: int = 0
    met: int = 0
    without_evidence: int = 0
    with_requirements: int = 0
    requirements_met: int = 0
    evidence_total: int = 0
    evidence_accepted: int = 0
    evidence_pending: int = 0
    score: Decimal | None = None
    max_score: Decimal | None = None
    evidence: StandardEvidence | None = None  # standards only

    @property
    def criterion(self) -> Criterion:
        return self.node.criterion

    @property
    def is_standard(self) -> bool:
        return not self.children and self.evidence is not None

    def flagged_standards(self) -> list[CoverageRow]:
        """The standards below (or this standard) without accepted evidence, in the table's order."""
        return [row for row in self.walk() if row.is_standard and row.flagged]

    def flagged_first(self, limit: int = FLAGGED_SHOWN) -> list[CoverageRow]:
        """The first `limit` standards of flagged_standards(), without walking past them."""
        found: list[CoverageRow] = []
        stack: list[CoverageRow] = [self] if self.without_evidence else []
        while stack and len(found) < limit:
            row = stack.pop()
            if row.is_standard:
                found.append(row)
            else:
                stack.extend(reversed([child for child in row.children if child.without_evidence]))
        return found

    @property
    def flagged_more(self) -> int:
        """The standards without accepted evidence below, past the first FLAGGED_SHOWN."""
        return max(0, self.without_evidence - FLAGGED_SHOWN)

    @property
    def evidenced_percent(self) -> int:
        return round(100 * (self.standards - self.without_evidence) / self.standards) if self.standards else 0

    def walk(self) -> list[CoverageRow]:
        rows, stack = [], [self]
        while stack:
            row = stack.pop()
            rows.append(row)
            stack.extend(reversed(row.children))
        return rows


@dataclass(frozen=True)
class WeekPoint:
    start: datetime.date  # a Monday
    tasks_done: int
    evidence_accepted: int
    tasks_done_total: int  # cumulative since the campaign started
    evidence_accepted_total: int

    @property
    def end(self) -> datetime.date:
        return self.start + datetime.timedelta(days=6)


@dataclass(frozen=True)
class StageMarker:
    index: int  # the week the stage starts in
    stage: Stage


@dataclass(frozen=True)
class WeeklyProgress:
    weeks: list[WeekPoint]
    markers: list[StageMarker]

    @property
    def tasks_done(self) -> int:
        return sum(w.tasks_done for w in self.weeks)

    @property
    def evidence_accepted(self) -> int:
        return sum(w.evidence_accepted for w in self.weeks)


@dataclass(frozen=True)
class Highlights:
    period: Period
    activities: list[Activity]  # held within the period, oldest first
    tasks_done: int
    evidence_accepted: int
    evidence_by_category: list[tuple[str, str, int]]  # (category, label, count), most first

    @property
    def activities_held(self) -> int:
        return len(self.activities)


@dataclass(frozen=True)
class ActivityEntry:
    """One line of recent activity: a task event or an evidence event."""

    at: datetime.datetime
    kind: str  # "task" or "evidence"
    action: str
    action_label: str
    title: str
    office: Office | None
    actor: Any
    target: Task | EvidenceItem

    @property
    def is_task(self) -> bool:
        return isinstance(self.target, Task)


@dataclass(frozen=True)
class Dashboard:
    campaign: Campaign
    office: Office | None
    today: datetime.date
    period: Period
    headline: HeadlineFigures
    offices: list[OfficeFigures]
    # the 测评项目 with their figures and their first FLAGGED_SHOWN standards without accepted evidence, summed in
    # the database (civunit.reports.coverage_sql; the whole tree, equal to it, is coverage_by_item()'s)
    coverage: list[ItemFigures]
    overdue: TaskList
    due_soon: TaskList
    stalled: TaskList
    awaiting_review: AwaitingReview
    weekly: WeeklyProgress
    activities: list[Activity]  # held within the period
    recent: list[ActivityEntry]
    # this campaign beside the one before it (organ-wide only, where there is one)
    comparison: Comparison | None = None


# --- Access ---------------------------------------------------------------------------------------------------


def sees_organ(user: User) -> bool:
    """Leadership and the coordinator read the organ-wide dashboard (and any office's view)."""
    return access.sees_everything(user)


def viewable_offices(user: User) -> QuerySet[Office] | None:
    """The offices whose view `user` may open: None means every office (leadership, the coordinator); otherwise
    their own office and the offices they head."""
    if sees_organ(user):
        return None
    ids = set(user.headed_office_ids) if access.is_active_user(user) else set()
    if access.is_active_user(user) and user.office_id:
        ids.add(user.office_id)
    return Office.objects.filter(pk__in=ids).order_by("ordering", "name")


def may_view_office(user: User, office: Office) -> bool:
    if sees_organ(user):
        return True
    return access.is_active_user(user) and (office.pk == user.office_id or user.heads(office.pk))


# --- The scope: what several figures read, computed once --------------------------------------------------------


class _Scope:
    def __init__(
        self,
        *,
        campaign: Campaign,
        user: User,
        office: Office | None = None,
        today: datetime.date | None = None,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> None:
        self.campaign = campaign
        self.user = user
        self.office = office
        # "now" for the stalled flag: the present moment, or the end of the day asked for (tests, frozen bulletins)
        if today is None:
            self.today, self.now = timezone.localdate(), timezone.now()
        else:
            self.today = today
            self.now = Period(today, today).bounds()[1]
        self.period = _period(start, end, self.today)
        self.readable = access.can_read_plan(user)
        # the reader may read every evidence item in scope (the organ for leadership and the coordinator, or an
        # office of their own): evidence lists need no filter of their own and share the scope's totals
        self.sees_whole_scope = sees_organ(user) or (office is not None and may_view_office(user, office))

    # tasks
    def plain_tasks(self) -> TaskQuerySet:
        """Top-level tasks of the scope."""
        rows = Task.objects.for_campaign(self.campaign).visible_to(self.user).top_level()
        if self.office is not None:
            rows = rows.filter(lead_office_id=self.office.pk)
        return rows

    def tasks(self) -> QuerySet[Task]:
        """Top-level tasks of the scope, with every flag (due, overdue, stalled …)."""
        return self.plain_tasks().with_flags(
            stalled_after_days=self.campaign.stalled_after_days, today=self.today, now=self.now
        )

    @cached_property
    def _tasks_by_office(self) -> dict[int, tuple[TaskFigures, dict[str, Any]]]:
        """Per office, in one grouped query: the one task counter's figures, and done on time / late, completed
        in the period and the one before, the latest change and progress report."""
        period, previous = self.period, self.period.previous
        # finished on a later (Asia/Shanghai) day than the deadline; on SQLite compared with the local midnight
        # that ends the deadline rather than by turning every finishing time into a local date (civunit.db)
        deadline_missed = Q(deadline__isnull=False) & LaterLocalDay("finished_at", "deadline")
        late = Q(status=Status.DONE) & (deadline_missed | Q(periods_late__gt=0))
        # Done on time is done, neither late nor undecided (a deadline but no finishing time recorded: `late` is
        # then unknown, NULL, and SQL counts such a task neither late nor on time). Counted so rather than as
        # NOT late, which would compare every finishing date twice (on SQLite a Python function per row).
        undecided = Q(
            status=Status.DONE,
            deadline__isnull=False,
            checked_off_at__isnull=True,
            completed_at__isnull=True,
            periods_late=0,
        )
        rows = self.tasks().annotate(finished_at=Coalesce("checked_off_at", "completed_at"))
        grouped = task_figures_by_with(
            rows,
            "lead_office_id",
            done_late=Count("pk", filter=late),
            done_undecided=Count("pk", filter=undecided),
            done_in_period=Count("pk", filter=Q(status=Status.DONE) & period.q("completed_at")),
            done_previous=Count("pk", filter=Q(status=Status.DONE) & previous.q("completed_at")),
            last_change=Max("updated_at"),
            last_progress=Max("last_progress_at"),
        )
        for figures, extra in grouped.values():
            extra["done_on_time"] = figures.done - extra["done_late"] - extra.pop("done_undecided")
        return grouped

    @cached_property
    def task_figures_by_office(self) -> dict[int, TaskFigures]:
        return {office_id: figures for office_id, (figures, _extra) in self._tasks_by_office.items()}

    @cached_property
    def task_extras_by_office(self) -> dict[int, dict[str, Any]]:
        return {office_id: extra for office_id, (_figures, extra) in self._tasks_by_office.items()}

    @cached_property
    def task_figures(self) -> TaskFigures:
        return _sum_task_figures(self.task_figures_by_office.values())

    # evidence
    def evidence(self) -> QuerySet[EvidenceItem]:
        """Every version, not deleted, of the scope's evidence (callers narrow to current or latest)."""
        if not self.readable:
            return EvidenceItem.objects.none()
        rows = EvidenceItem.objects.filter(campaign=self.campaign, deleted_at__isnull=True)
        if self.office is not None:
            rows = rows.filter(office_id=self.office.pk)
        return rows

    @cached_property
    def evidence_by_office(self) -> dict[int, EvidenceFigures]:
        """Per office with evidence: submitted, accepted and returned from the counts kept by triggers
        (OfficeEvidenceCount), and the current versions awaiting review; the rest sought office by office in the
        indexes (evidence_by_office_idx, evidence_office_uploads_idx): the versions awaiting review beside or
        behind the current one, accepted and uploaded in the period, the last upload. One query over the
        offices, which reads no item but those it counts."""
        if not self.readable:
            return {}
        period, previous = self.period, self.period.previous
        Item = EvidenceItem.Status
        offices = Office.objects.all() if self.office is None else Office.objects.filter(pk=self.office.pk)
        kept = OfficeEvidenceCount.objects.filter(campaign_id=self.campaign.pk, office_id=OuterRef("pk"))

        def kept_number(rows: QuerySet[OfficeEvidenceCount]) -> Coalesce:
            summed = rows.order_by().values("office_id").annotate(total=Sum("n")).values("total")
            return Coalesce(Subquery(summed, output_field=IntegerField()), Value(0))

        items = EvidenceItem.objects.filter(campaign=self.campaign, deleted_at__isnull=True, office=OuterRef("pk"))

        def number(rows: QuerySet[EvidenceItem]) -> Coalesce:
            counted = rows.order_by().values("office").annotate(n=Count("*")).values("n")
            return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

        accepted = items.filter(is_current=True, status=Item.ACCEPTED)
        # Awaiting review: every version awaiting review that nothing replaces. A current version awaiting review
        # is always the latest (a new version of it becomes the current one, evidence.services.versions), so
        # those are the kept count; the versions that are not current and await review (a new version waiting
        # beside an accepted one, or one since replaced) are sought in the index and asked whether anything
        # replaces them: a few per item with versions, not a question for every item awaiting review.
        waiting = items.filter(is_current=False, status=Item.PENDING).filter(
            ~Exists(EvidenceItem.objects.filter(previous=OuterRef("pk")))
        )
        rows = (
            offices.annotate(
                has_evidence=Exists(items),
                submitted=kept_number(kept),
                accepted=kept_number(kept.filter(status=Item.ACCEPTED)),
                returned=kept_number(kept.filter(status=Item.RETURNED)),
                pending_review=kept_number(kept.filter(status=Item.PENDING)) + number(waiting),
                accepted_in_period=number(accepted.filter(period.q("reviewed_at"))),
                accepted_previous=number(accepted.filter(previous.q("reviewed_at"))),
                submitted_in_period=number(items.filter(period.q("created_at"))),
                last_upload=Subquery(items.order_by("-created_at").values("created_at")[:1]),
            )
            .filter(has_evidence=True)
            .values("pk", *(f.name for f in dataclasses.fields(EvidenceFigures)))
            .order_by()
        )
        result = {}
        for row in rows:
            counts: dict[str, Any] = {**row}  # the plugin's row type has required keys: pop from a plain dict
            office_id = counts.pop("pk")
            result[office_id] = EvidenceFigures(**counts)
        return result

    @cached_property
    def evidence_figures(self) -> EvidenceFigures:
        total = EvidenceFigures()
        for figures in self.evidence_by_office.values():
            total += figures
        return total

    # criteria
    @cached_property
    def tree(self) -> Tree:
        return criteria_tree(self.campaign)

    @cached_property
    def standards_evidence(self) -> EvidenceByStandard:
        return standards_evidence(campaign=self.campaign)

    @cached_property
    def standard_ids(self) -> set[int] | None:
        """The standards in scope: None for every standard; an office's are those linked to a task it leads or
        supports (any level of the breakdown)."""
        if self.office is None:
            return None
        links = Task.standards.through.objects.filter(task__campaign=self.campaign).filter(
            Q(task__lead_office_id=self.office.pk)
            | Q(task__in=Task.supporting_offices.through.objects.filter(office_id=self.office.pk).values("task_id"))
        )
        return set(links.values_list("criterion_id", flat=True).distinct())

    @cached_property
    def items(self) -> list[ItemFigures]:
        """The 测评项目 with standards in scope, their figures and first standards without accepted evidence, summed
        in the database: one query, no criterion loaded (the same figures as the tree's, _coverage())."""
        office_id = self.office.pk if self.office is not None else None
        return item_figures(self.campaign.pk, office_id=office_id, limit=FLAGGED_SHOWN)

    # stages
    @cached_property
    def stages(self) -> list[Stage]:
        # prefetched stages (Campaign.objects.prefetch_related("stages")) cost no query
        return sorted(self.campaign.stages.all(), key=lambda s: (s.start_date, s.ordering, s.pk))


def _sum_task_figures(figures: Iterable[TaskFigures]) -> TaskFigures:
    totals: dict[str, int] = defaultdict(int)
    for f in figures:
        for name, value in vars(f).items():
            totals[name] += value
    return TaskFigures(**totals)


# --- Headline figures and the campaign's status -----------------------------------------------------------------


def status_for(
    *, overdue: int, tasks: int, without_evidence: int, standards: int, days_left: int | None
) -> CampaignStatus:
    """The stated rule (see the constants at the top of this module) applied to its three measures."""
    overdue_share = overdue / tasks if tasks else 0.0
    unevidenced_share = without_evidence / standards if standards else 0.0
    watching = days_left is not None and days_left <= EVIDENCE_WATCH_DAYS
    final = days_left is not None and days_left <= FINAL_DAYS
    off, risk = [], []
    overdue_text = _("%(percent)d%% of tasks are overdue") % {"percent": round(overdue_share * 100)}
    unevidenced_text = _("%(percent)d%% of standards have no accepted evidence with %(days)d days left") % {
        "percent": round(unevidenced_share * 100),
        "days": days_left or 0,
    }
    if overdue_share >= OVERDUE_OFF_TRACK:
        off.append(overdue_text)
    elif overdue_share >= OVERDUE_AT_RISK:
        risk.append(overdue_text)
    if (watching and unevidenced_share >= UNEVIDENCED_OFF_TRACK) or (
        final and unevidenced_share >= UNEVIDENCED_AT_RISK
    ):
        off.append(unevidenced_text)
    elif (watching and unevidenced_share >= UNEVIDENCED_AT_RISK) or (final and without_evidence > 0):
        risk.append(unevidenced_text)
    level = Level.OFF_TRACK if off else Level.AT_RISK if risk else Level.ON_TRACK
    return CampaignStatus(
        level=level,
        reasons=tuple(off + risk),
        overdue_share=overdue_share,
        unevidenced_share=unevidenced_share,
        days_left=days_left,
    )


def status_rules() -> list[tuple[str, str, str]]:
    """The status rule in words, from the constants above: (level, label, rule), for the page that shows it."""
    values = {
        "risk": round(OVERDUE_AT_RISK * 100),
        "off": round(OVERDUE_OFF_TRACK * 100),
        "u_risk": round(UNEVIDENCED_AT_RISK * 100),
        "u_off": round(UNEVIDENCED_OFF_TRACK * 100),
        "watch": EVIDENCE_WATCH_DAYS,
        "final": FINAL_DAYS,
    }
    return [
        (
            Level.OFF_TRACK,
            str(Level.LABELS[Level.OFF_TRACK]),
            _(
                "%(off)d%% or more of tasks overdue; or, %(watch)d days or fewer before the inspection, %(u_off)d%% "
                "or more of standards without accepted evidence; or, %(final)d days or fewer before it, "
                "%(u_risk)d%% or more."
            )
            % values,
        ),
        (
            Level.AT_RISK,
            str(Level.LABELS[Level.AT_RISK]),
            _(
                "%(risk)d%% or more of tasks overdue; or, %(watch)d days or fewer before the inspection, "
                "%(u_risk)d%% or more of standards without accepted evidence; or, %(final)d days or fewer before "
                "it, any standard without."
            )
            % values,
        ),
        (Level.ON_TRACK, str(Level.LABELS[Level.ON_TRACK]), _("Otherwise.")),
    ]


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return b if a is None else a if b is None else a + b


def _headline(scope: _Scope) -> HeadlineFigures:
    # the items' figures summed in the database (the tree's: organ-wide its total, for an office the sum over its
    # standards; tests/reports/test_coverage_sql.py holds them equal)
    items = scope.items
    standards = sum(i.standards for i in items)
    without = sum(i.without_evidence for i in items)
    score, max_score = _scores(items)
    today = scope.today
    stages = scope.stages
    current = next((s for s in stages if s.start_date <= today and (s.end_date is None or s.end_date >= today)), None)
    upcoming = next((s for s in stages if s.start_date > today), None)
    inspection = next((s.start_date for s in stages if s.kind == Stage.Kind.INSPECTION), None)
    days_to_inspection = (inspection - today).days if inspection else None
    days_left = days_to_inspection if days_to_inspection is not None else (scope.campaign.end_date - today).days
    figures = scope.task_figures
    return HeadlineFigures(
        campaign=scope.campaign,
        office=scope.office,
        today=today,
        standards=standards,
        standards_met=sum(i.met for i in items),
        standards_basically_met=sum(i.basically_met for i in items),
        standards_without_evidence=without,
        standards_with_requirements=sum(i.with_requirements for i in items),
        standards_requirement_met=sum(i.requirements_met for i in items),
        score=score,
        max_score=max_score,
        tasks=figures,
        evidence=scope.evidence_figures,
        current_stage=current,
        next_stage=upcoming,
        days_to_next_stage=(upcoming.start_date - today).days if upcoming else None,
        inspection_date=inspection,
        days_to_inspection=days_to_inspection,
        status=status_for(
            overdue=figures.overdue,
            tasks=figures.total,
            without_evidence=without,
            standards=standards,
            days_left=days_left,
        ),
    )


def _scores(items: list[ItemFigures]) -> tuple[Decimal | None, Decimal | None]:
    """The self score and the maximum of the items (None where none has any)."""
    score: Decimal | None = None
    max_score: Decimal | None = None
    for item in items:
        score, max_score = _add(score, item.score), _add(max_score, item.max_score)
    return score, max_score


def headline_figures(
    *, campaign: Campaign, user: User, office: Office | None = None, today: datetime.date | None = None
) -> HeadlineFigures:
    """Standards met / total, self score / maximum, tasks done / overdue / due soon, evidence accepted / awaiting
    review, days to the next stage and to the inspection, and the campaign's status. Four queries (stages, the
    items' coverage summed in the database, tasks by office, evidence by office), for an office too."""
    return _headline(_Scope(campaign=campaign, user=user, office=office, today=today))


def campaign_status(
    *, campaign: Campaign, user: User, office: Office | None = None, today: datetime.date | None = None
) -> CampaignStatus:
    """The campaign's (or an office's) status by the stated rule (status_for)."""
    return headline_figures(campaign=campaign, user=user, office=office, today=today).status


# --- Offices --------------------------------------------------------------------------------------------------


def _offices(scope: _Scope, known: list[Office] | None = None) -> list[OfficeFigures]:
    """`known`: the offices already loaded by the caller (any superset), to spare a query."""
    tasks, extras, evidence = scope.task_figures_by_office, scope.task_extras_by_office, scope.evidence_by_office
    ids = set(tasks) | set(evidence)
    if scope.office is not None:
        ids &= {scope.office.pk}
        offices = [scope.office] if ids else []
    elif known is not None:
        offices = sorted((o for o in known if o.pk in ids), key=lambda o: (o.ordering, o.name))
    else:
        offices = list(Office.objects.filter(pk__in=ids).order_by("ordering", "name")) if ids else []
    result = []
    for office in offices:
        extra = extras.get(office.pk, {})
        ev = evidence.get(office.pk, EvidenceFigures())
        stamps = [d for d in (extra.get("last_change"), extra.get("last_progress"), ev.last_upload) if d is not None]
        result.append(
            OfficeFigures(
                office=office,
                tasks=tasks.get(office.pk, TaskFigures()),
                done_on_time=extra.get("done_on_time", 0),
                done_late=extra.get("done_late", 0),
                done_in_period=extra.get("done_in_period", 0),
                done_previous=extra.get("done_previous", 0),
                evidence=ev,
                last_activity=max(stamps) if stamps else None,
            )
        )
    return result


def office_figures(
    *,
    campaign: Campaign,
    user: User,
    office: Office | None = None,
    today: datetime.date | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> list[OfficeFigures]:
    """Every office with tasks or evidence, in the organ's order (or the one `office`): tasks done on time and
    late, overdue, awaiting review, evidence submitted and accepted, last activity, and work finished in the
    period [start, end] (default: the last PERIOD_DAYS days) against the period before (the trend). Four queries."""
    return _offices(_Scope(campaign=campaign, user=user, office=office, today=today, start=start, end=end))


# --- Lists ----------------------------------------------------------------------------------------------------


def _task_list(rows: QuerySet[Task], limit: int, *order: str, total: int | None = None) -> TaskList:
    """The first `limit` rows; their total is the one task counter's (`total`), else counted in the same query."""
    rows = rows.select_related("lead_office").order_by(*order)
    if total is not None:
        return Listing(rows=list(rows[:limit]), total=total)
    found = list(rows.annotate(list_total=Window(Count("pk")))[:limit])
    return Listing(rows=found, total=found[0].list_total if found else 0)


# The lists ask only for what they filter, sort and show, on the scope's plain tasks (the same conditions as the
# flags of with_flags(), from the same TaskQuerySet methods), not for every flag: with_flags() adds five
# correlated counts that a list never reads, a few milliseconds of the ORM's per list to build.


def _overdue(scope: _Scope, limit: int) -> TaskList:
    rows = scope.plain_tasks().overdue(today=scope.today)
    return _task_list(rows, limit, "due", "code_key", "pk", total=scope.task_figures.overdue)


def _due_soon(scope: _Scope, limit: int, days: int) -> TaskList:
    rows = scope.plain_tasks().due_within(days, today=scope.today)
    total = scope.task_figures.due_soon if days == DUE_SOON_DAYS else None
    return _task_list(rows, limit, "due", "code_key", "pk", total=total)


def _stalled(scope: _Scope, limit: int) -> TaskList:
    rows = scope.plain_tasks().stalled(scope.campaign.stalled_after_days, now=scope.now)
    return _task_list(rows, limit, "last_activity", "code_key", "pk", total=scope.task_figures.stalled)


def overdue_tasks(
    *,
    campaign: Campaign,
    user: User,
    office: Office | None = None,
    today: datetime.date | None = None,
    limit: int = LIST_LIMIT,
) -> TaskList:
    """Open tasks past their due date, the longest overdue first; the total is the task counter's (two queries)."""
    return _overdue(_Scope(campaign=campaign, user=user, office=office, today=today), limit)


def due_soon_tasks(
    *,
    campaign: Campaign,
    user: User,
    office: Office | None = None,
    today: datetime.date | None = None,
    days: int = DUE_SOON_DAYS,
    limit: int = LIST_LIMIT,
) -> TaskList:
    """Open tasks due from today to `days` days ahead, soonest first (two queries)."""
    return _due_soon(_Scope(campaign=campaign, user=user, office=office, today=today), limit, days)


def stalled_tasks(
    *,
    campaign: Campaign,
    user: User,
    office: Office | None = None,
    today: datetime.date | None = None,
    limit: int = LIST_LIMIT,
) -> TaskList:
    """Open tasks without progress for the campaign's `stalled_after_days`, the longest quiet first (two
    queries)."""
    return _stalled(_Scope(campaign=campaign, user=user, office=office, today=today), limit)


def _awaiting(scope: _Scope, limit: int) -> AwaitingReview:
    tasks = _task_list(
        scope.plain_tasks().filter(status=Status.PENDING_REVIEW),
        limit,
        "checked_off_at",
        "code_key",
        "pk",
        total=scope.task_figures.pending_review,
    )
    items = (
        evidence_visible_to(scope.user, scope.evidence())
        .filter(status=EvidenceItem.Status.PENDING)
        .filter(~Exists(EvidenceItem.objects.filter(previous=OuterRef("pk"))))
        .select_related("office", "uploader", "primary_standard")
        .order_by("created_at", "pk")
    )
    if scope.sees_whole_scope:
        # everything in scope is readable: the total is the evidence figure the headline shows
        found = list(items[:limit])
        return AwaitingReview(tasks=tasks, evidence=Listing(found, scope.evidence_figures.pending_review))
    found = list(items.annotate(list_total=Window(Count("pk")))[:limit])
    return AwaitingReview(tasks=tasks, evidence=Listing(found, found[0].list_total if found else 0))


def awaiting_review(
    *,
    campaign: Campaign,
    user: User,
    office: Office | None = None,
    today: datetime.date | None = None,
    limit: int = LIST_LIMIT,
) -> AwaitingReview:
    """Tasks checked off and evidence awaiting review, the longest waiting first. Evidence is listed only where
    the user may read it (two queries)."""
    return _awaiting(_Scope(campaign=campaign, user=user, office=office, today=today), limit)


# --- Coverage by 测评项目 ----------------------------------------------------------------------------------------


def _coverage(scope: _Scope) -> list[CoverageRow]:
    tree, evidence, ids = scope.tree, scope.standards_evidence, scope.standard_ids

    def build(node: Node, depth: int) -> CoverageRow | None:
        if node.is_standard:
            if ids is not None and node.criterion.pk not in ids:
                return None
            own = evidence[node.criterion.pk]
            return CoverageRow(
                node=node,
                depth=depth,
                standards=1,
                met=node.met,
                without_evidence=int(own.accepted == 0),
                with_requirements=int(own.has_requirements),
                requirements_met=int(own.has_requirements and own.met),
                evidence_total=own.total,
                evidence_accepted=own.accepted,
                evidence_pending=own.pending,
                score=node.score_total if node.is_scored else None,
                max_score=node.max_total if node.is_scored else None,
                evidence=own,
            )
        row = CoverageRow(node=node, depth=depth)
        for child in node.children:
            sub = build(child, depth + 1)
            if sub is None:
                continue
            row.children.append(sub)
            row.standards += sub.standards
            row.met += sub.met
            row.without_evidence += sub.without_evidence
            row.with_requirements += sub.with_requirements
            row.requirements_met += sub.requirements_met
            row.evidence_total += sub.evidence_total
            row.evidence_accepted += sub.evidence_accepted
            row.evidence_pending += sub.evidence_pending
            if sub.score is not None:
                row.score = (row.score or Decimal(0)) + sub.score
            if sub.max_score is not None:
                row.max_score = (row.max_score or Decimal(0)) + sub.max_score
        if not row.children:
            return None
        if ids is None:
            # the organ-wide roll-up is the tree's own (an item's stated maximum wins over its children's sum)
            row.score, row.max_score = node.score_total, node.max_total
            if not node.is_scored:
                row.score = row.max_score = None
        return row

    return [row for row in (build(root, 0) for root in tree.roots) if row is not None]


def unevidenced_by_item(*, campaign: Campaign, office: Office | None = None) -> list[ItemFigures]:
    """The items with standards without accepted evidence, each with all of them in the tree's order (the print
    view's list; the page shows the first FLAGGED_SHOWN). One query."""
    rows = item_figures(campaign.pk, office_id=office.pk if office is not None else None, limit=None)
    return [row for row in rows if row.without_evidence]


def coverage_by_item(*, campaign: Campaign, user: User, office: Office | None = None) -> list[CoverageRow]:
    """The 测评项目 with their 测评指标 and 测评标准 below (`children`), each with standards met, standards without
    accepted evidence (flagged), structured requirements met, evidence counts and self score against maximum.
    An office's coverage keeps the standards linked to its tasks. Three queries (four for an office)."""
    return _coverage(_Scope(campaign=campaign, user=user, office=office))


# --- Progress over time ---------------------------------------------------------------------------------------


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _per_week(rows: QuerySet[Any], field_name: str, weeks: list[Period]) -> list[int]:
    """How many of `rows` fall in each week by `field_name` (a recorded time), in one aggregate query: the rows
    of the weeks' whole range, read from an index on the time (tasks_completed_idx, evidence_accepted_idx), each
    counted in its week by comparing the time with the weeks' bounds (a COUNT(CASE) per week), never by converting
    the time of every row to a local date (a Python function per row on SQLite). The week boundaries are local
    midnights, so a time is counted in the week of its Asia/Shanghai day. One queryset however many weeks: a
    queryset per week, unioned, cost about a millisecond of the ORM's each."""
    if not weeks or rows.query.is_empty():
        return [0] * len(weeks)
    bounds = [week.bounds() for week in weeks]
    in_range = Q(**{f"{field_name}__gte": bounds[0][0], f"{field_name}__lt": bounds[-1][1]})
    # The rows of the range from the ORM (the scope's filters), counted per week around it in text: an aggregate
    # of one Count(filter=Q(...)) per week cost the ORM about a millisecond per ten weeks to build.
    inner, inner_params = rows.filter(in_range).order_by().values(field_name).query.sql_with_params()
    column = connection.ops.quote_name(rows.model._meta.get_field(field_name).column)
    adapt = connection.ops.adapt_datetimefield_value
    weekly = ", ".join(f"COUNT(CASE WHEN w.{column} >= %s AND w.{column} < %s THEN 1 END)" for _ in bounds)
    params = [adapt(value) for pair in bounds for value in pair]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {weekly} FROM ({inner}) w", [*params, *inner_params])  # noqa: S608 (values as parameters)
        found = cursor.fetchone()
    return [int(n or 0) for n in found]


def _weekly(scope: _Scope) -> WeeklyProgress:
    campaign, today = scope.campaign, scope.today
    first = _monday(campaign.start_date)
    last = _monday(min(today, campaign.end_date))
    if last < first:
        return WeeklyProgress(weeks=[], markers=[])
    count = (last - first).days // 7 + 1
    weeks_ = [
        Period(first + datetime.timedelta(weeks=i), first + datetime.timedelta(weeks=i, days=6)) for i in range(count)
    ]
    done = _per_week(scope.plain_tasks().filter(status=Status.DONE), "completed_at", weeks_)
    accepted = _per_week(
        scope.evidence().filter(is_current=True, status=EvidenceItem.Status.ACCEPTED), "reviewed_at", weeks_
    )
    weeks, done_total, accepted_total = [], 0, 0
    for i in range(count):
        done_total += done[i]
        accepted_total += accepted[i]
        weeks.append(
            WeekPoint(
                start=first + datetime.timedelta(weeks=i),
                tasks_done=done[i],
                evidence_accepted=accepted[i],
                tasks_done_total=done_total,
                evidence_accepted_total=accepted_total,
            )
        )
    markers = [
        StageMarker(index=(s.start_date - first).days // 7, stage=s)
        for s in scope.stages
        if first <= s.start_date <= last + datetime.timedelta(days=6)
    ]
    return WeeklyProgress(weeks=weeks, markers=markers)


def weekly_progress(
    *, campaign: Campaign, user: User, office: Office | None = None, today: datetime.date | None = None
) -> WeeklyProgress:
    """Tasks completed (accepted) and evidence accepted in each week (Monday to Sunday) from the campaign's first
    week to this one, from the recorded dates (Task.completed_at, EvidenceItem.reviewed_at), with the plan's
    stages marked at the week they start. Three queries (stages, tasks per week, evidence per week)."""
    return _weekly(_Scope(campaign=campaign, user=user, office=office, today=today))


# --- Highlights and recent activity ---------------------------------------------------------------------------


def _activities(scope: _Scope) -> list[Activity]:
    if not scope.readable:
        return []
    rows = Activity.objects.filter(
        campaign=scope.campaign, date__gte=scope.period.start, date__lte=scope.period.end
    ).select_related("organiser_office")
    if scope.office is not None:
        rows = rows.filter(organiser_office_id=scope.office.pk)
    return list(rows.order_by("date", "pk"))


def highlights(
    *,
    campaign: Campaign,
    user: User,
    office: Office | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Highlights:
    """What was achieved in the period [start, end] (default: the last PERIOD_DAYS days): activities held (by
    their date), tasks completed and evidence accepted, by category. Three queries."""
    scope = _Scope(campaign=campaign, user=user, office=office, start=start, end=end, today=end)
    by_category = (
        scope.evidence()
        .filter(scope.period.q("reviewed_at"), is_current=True, status=EvidenceItem.Status.ACCEPTED)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    labels = dict(EvidenceCategory.choices)
    categories = sorted(
        ((row["category"], str(labels.get(row["category"], row["category"])), row["n"]) for row in by_category),
        key=lambda c: (-c[2], c[0]),
    )
    done = scope.plain_tasks().filter(scope.period.q("completed_at"), status=Status.DONE).order_by().count()
    return Highlights(
        period=scope.period,
        activities=_activities(scope),
        tasks_done=done,
        evidence_accepted=sum(c[2] for c in categories),
        evidence_by_category=categories,
    )


# Events worth showing to the leadership: work moving, not edits.
RECENT_TASK_ACTIONS = (
    TaskEvent.Action.STARTED,
    TaskEvent.Action.PROGRESS,
    TaskEvent.Action.CHECKED_OFF,
    TaskEvent.Action.ACCEPTED,
    TaskEvent.Action.RETURNED,
)
RECENT_EVIDENCE_ACTIONS = (
    EvidenceEvent.Action.UPLOADED,
    EvidenceEvent.Action.NEW_VERSION,
    EvidenceEvent.Action.ACCEPTED,
    EvidenceEvent.Action.RETURNED,
)


def _unindexed(field_name: str) -> Any:
    """`field_name` + 0: the same value, which no index serves. Recent activity reads the newest events from the
    index on their time and stops after `limit` matches; given an index on the campaign (or office) as well,
    SQLite, which keeps no statistics unless told to ANALYZE, would rather read every event of the campaign and
    sort them, a cost that grows with the archive."""
    return F(field_name) + 0


def _recent(scope: _Scope, limit: int) -> list[ActivityEntry]:
    if not scope.readable:
        return []
    task_events = (
        TaskEvent.objects.alias(in_campaign=_unindexed("task__campaign_id"))
        .filter(in_campaign=scope.campaign.pk, action__in=RECENT_TASK_ACTIONS)
        .select_related("task__lead_office", "actor")
    )
    if scope.office is not None:
        task_events = task_events.alias(of_office=_unindexed("task__lead_office_id")).filter(of_office=scope.office.pk)
    # joined (not `item__in` a subquery) for the same reason
    evidence_events = (
        EvidenceEvent.objects.alias(in_campaign=_unindexed("item__campaign_id"))
        .filter(in_campaign=scope.campaign.pk, action__in=RECENT_EVIDENCE_ACTIONS, item__deleted_at__isnull=True)
        .select_related("item__office", "actor")
    )
    if scope.office is not None:
        evidence_events = evidence_events.alias(of_office=_unindexed("item__office_id")).filter(
            of_office=scope.office.pk
        )
    if not scope.sees_whole_scope:
        evidence_events = evidence_events.filter(item__in=evidence_visible_to(scope.user, EvidenceItem.objects.all()))
    entries = [
        ActivityEntry(
            at=e.created_at,
            kind="task",
            action=e.action,
            action_label=e.get_action_display(),
            title=f"{e.task.code} {e.task.title}",
            office=e.task.lead_office,
            actor=e.actor,
            target=e.task,
        )
        for e in task_events.order_by("-created_at", "-pk")[:limit]
    ]
    entries += [
        ActivityEntry(
            at=e.at,
            kind="evidence",
            action=e.action,
            action_label=e.get_action_display(),
            title=e.item.title,
            office=e.item.office,
            actor=e.actor,
            target=e.item,
        )
        for e in evidence_events.order_by("-at", "-pk")[:limit]
        if e.item is not None  # always: the campaign filter joins the item
    ]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def recent_activity(
    *, campaign: Campaign, user: User, office: Office | None = None, limit: int = RECENT_LIMIT
) -> list[ActivityEntry]:
    """The latest work moving: tasks started, reported on, checked off, accepted or returned, and evidence
    uploaded, accepted or returned (only items the user may read), newest first. Two queries."""
    return _recent(_Scope(campaign=campaign, user=user, office=office), limit)


# --- The whole page -------------------------------------------------------------------------------------------


def dashboard(
    *,
    campaign: Campaign,
    user: User,
    office: Office | None = None,
    today: datetime.date | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    offices: list[Office] | None = None,
    previous: Campaign | None = None,
) -> Dashboard:
    """Everything the dashboard page shows, each figure computed once: a fixed number of queries (13 with
    `offices`, every office, already loaded by the caller, and the campaign's stages prefetched, organ-wide or for
    an office; 2 more organ-wide with `previous`, the campaign before this one, for the comparison of the years).
    The coverage is summed by 测评项目 in the database (civunit.reports.coverage_sql), never the whole tree.

    `offices`: the caller's list of every office (the page's office picker), to spare the offices table a query."""
    scope = _Scope(campaign=campaign, user=user, office=office, today=today, start=start, end=end)
    return Dashboard(
        campaign=campaign,
        office=office,
        today=scope.today,
        period=scope.period,
        headline=_headline(scope),
        offices=_offices(scope, offices),
        coverage=scope.items,
        overdue=_overdue(scope, LIST_LIMIT),
        due_soon=_due_soon(scope, LIST_LIMIT, DUE_SOON_DAYS),
        stalled=_stalled(scope, LIST_LIMIT),
        awaiting_review=_awaiting(scope, AWAITING_LIMIT),
        weekly=_weekly(scope),
        activities=_activities(scope),
        recent=_recent(scope, RECENT_LIMIT),
        comparison=_comparison(scope, previous),
    )


# --- This campaign beside the previous one ---------------------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    """The figures of one campaign that compare across the years: standards met (self-assessed 达标), the self
    score, and the breakdown's lines done on time. From the same sources as the headline (the items' coverage summed
    in the database, the task counter), so this campaign's column equals its headline."""

    campaign: Campaign
    standards: int
    standards_met: int
    score: Decimal | None
    max_score: Decimal | None
    tasks: int
    tasks_done: int
    done_on_time: int

    @property
    def met_percent(self) -> int:
        return round(100 * self.standards_met / self.standards) if self.standards else 0

    @property
    def score_percent(self) -> int:
        if not self.max_score or self.score is None:
            return 0
        return round(100 * self.score / self.max_score)

    @property
    def on_time_percent(self) -> int:
        """Lines done on time, of all lines (a line not done yet is not on time)."""
        return round(100 * self.done_on_time / self.tasks) if self.tasks else 0


@dataclass(frozen=True)
class Comparison:
    current: YearFigures
    previous: YearFigures


def _year(scope: _Scope) -> YearFigures:
    items = scope.items
    score, max_score = _scores(items)
    figures = scope.task_figures
    return YearFigures(
        campaign=scope.campaign,
        standards=sum(i.standards for i in items),
        standards_met=sum(i.met for i in items),
        score=score,
        max_score=max_score,
        tasks=figures.total,
        tasks_done=figures.done,
        done_on_time=sum(extra["done_on_time"] for extra in scope.task_extras_by_office.values()),
    )


def _comparison(scope: _Scope, previous: Campaign | None) -> Comparison | None:
    if previous is None or scope.office is not None:
        return None
    before = _Scope(campaign=previous, user=scope.user, today=scope.today)
    return Comparison(current=_year(scope), previous=_year(before))


def year_comparison(
    *, campaign: Campaign, previous: Campaign, user: User, today: datetime.date | None = None
) -> Comparison | None:
    """Organ-wide figures of `campaign` beside those of `previous`: four queries (each campaign's coverage and
    tasks by office; the dashboard shares this campaign's with its headline, so it pays two)."""
    return _comparison(_Scope(campaign=campaign, user=user, today=today), previous)


# --- Reusing the page's figures until something changes -------------------------------------------------------
# The figures are exact aggregates over every task and item, so computing them costs time in proportion to the archive
# (on SQLite about 0.15 s at 3,000 tasks and 30,000 items and 0.26 s at ten times that, most of the difference the
# tasks per office; the evidence per standard and per office is read from counts kept by triggers,
# evidence.models.StandardEvidenceCount and OfficeEvidenceCount). The page therefore keeps what it computed and
# computes again as soon as anything it reads may have changed: the key holds the latest change of each such table
# (read with the current campaign, in the same query, each from an index or a small table), the day (overdue, due
# soon, the period) and the hour (the stalled flag moves with the clock: a task may show as stalled up to an hour
# late). Every change made through the app writes one of these stamps (an audit event, a timestamp). What no stamp
# sees (a row deleted in the admin, SQL by hand) shows within CACHE_SECONDS. Leadership and the coordinator share the
# organ's entry; an office's view is shared by the people who may open it (they read every item of their office). Each
# process keeps its own (LocMemCache unless CACHES says otherwise).
CACHE_SECONDS = 600
CACHE_VERSION = 1
# how long a reader waits for figures another request is computing, and how often it looks
COMPUTE_WAIT_SECONDS = 5.0
COMPUTE_POLL_SECONDS = 0.05


def change_stamps() -> dict[str, Any]:
    """Annotations for the current campaign's query (`Campaign.objects.annotate(**change_stamps())`): the latest
    change of everything the dashboard reads. Each is the newest row of an index (the audit events' keys) or the
    newest of a small table."""

    def newest(model: type[Model], field_name: str = "pk") -> Subquery:
        return Subquery(model._default_manager.order_by(f"-{field_name}").values(field_name)[:1])

    return {
        "stamp_task_events": newest(TaskEvent),  # every change of a task or a period, progress reports included
        "stamp_occurrences": newest(TaskOccurrence),  # periods of recurring tasks as they begin
        "stamp_evidence_events": newest(EvidenceEvent),  # every change of an item, the recycle bin included
        "stamp_criteria": newest(Criterion, "updated_at"),
        "stamp_requirements": newest(CriterionRequirement),
        "stamp_requirement_count": Subquery(
            CriterionRequirement.objects.order_by()
            .values("criterion__campaign")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        "stamp_assessments": newest(Assessment, "updated_at"),
        "stamp_stages": newest(Stage, "updated_at"),
        "stamp_activities": newest(Activity, "updated_at"),
        "stamp_offices": newest(Office, "updated_at"),
    }


STAMPS = tuple(change_stamps())


# Under steady work (people uploading, reporting progress, checking off, all day) the audit events move every few
# seconds, and the page would be computed afresh for nearly every reader: at 10x the demo data that is about a
# second of a core each time. So a change of the busy stamps alone (task events, periods, evidence events: the
# day-to-day work) lets readers keep the figures computed at most DASHBOARD_LAG_SECONDS ago (settings; 0: never
# kept past a change). Not for the person who made the change (their own newest event is newer than the kept
# figures: they see it at once), and not past any other change (the criteria, a self-assessment, a stage, an
# activity, an office, the campaign, the day, the hour): those compute afresh at the next request, as before.
BUSY_STAMPS = ("stamp_task_events", "stamp_occurrences", "stamp_evidence_events")


def reader_stamps(user: User) -> dict[str, Any]:
    """Annotations for the current campaign's query beside change_stamps(): the reader's own newest task event
    and evidence event (the dashboard shows a reader their own change at once, whatever the lag)."""

    def newest(model: type[Model]) -> Subquery:
        return Subquery(model._default_manager.filter(actor=user.pk).order_by("-pk").values("pk")[:1])

    return {"reader_task_event": newest(TaskEvent), "reader_evidence_event": newest(EvidenceEvent)}


def _key_parts(
    campaign: Campaign, office: Office | None, previous: Campaign | None
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(what must match exactly, the busy stamps) of the figures' key."""
    now = timezone.localtime()
    exact = (
        CACHE_VERSION,
        campaign.pk,
        campaign.updated_at.isoformat(),
        previous.pk if previous is not None else None,
        previous.updated_at.isoformat() if previous is not None else None,
        office.pk if office is not None else "organ",
        now.strftime("%Y-%m-%d %H"),
        *(str(getattr(campaign, name)) for name in STAMPS if name not in BUSY_STAMPS),
    )
    return exact, tuple(getattr(campaign, name) for name in BUSY_STAMPS)


def _latest_key(campaign: Campaign, office: Office | None) -> str:
    """Where the newest figures of a view are named (their key, when, and what they were computed from)."""
    return f"dashboard-latest:{CACHE_VERSION}:{campaign.pk}:{office.pk if office is not None else 'organ'}"


def dashboard_key(
    *, campaign: Campaign, user: User, office: Office | None = None, previous: Campaign | None = None
) -> str | None:
    """The key the figures of this view are kept under (see above), or None when they are not kept: `campaign`
    without change_stamps(), or a reader who may not read the whole scope. The page's rendered figures are kept
    under the same key (reports/dashboard.html), so they too are renewed by any change."""
    if not all(hasattr(campaign, name) for name in STAMPS) or not (
        sees_organ(user) or (office is not None and may_view_office(user, office))
    ):
        return None
    exact, _busy = _key_parts(campaign, office, previous)
    parts = (*exact[:7], *(str(getattr(campaign, name)) for name in STAMPS))
    return "dashboard:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _newer(mine: Any, kept: Any) -> bool:
    return mine is not None and (kept is None or mine > kept)


def served_key(
    *, campaign: Campaign, user: User, office: Office | None = None, previous: Campaign | None = None
) -> str | None:
    """The key of the figures this reader is shown: dashboard_key(), or the newest figures of the view when only
    the busy stamps moved since they were computed, less than DASHBOARD_LAG_SECONDS ago, and not by this reader
    (`campaign` carrying reader_stamps(); without them the reader is shown the current figures)."""
    key = dashboard_key(campaign=campaign, user=user, office=office, previous=previous)
    lag = settings.DASHBOARD_LAG_SECONDS
    if key is None or lag <= 0:
        return key
    latest = cache.get(_latest_key(campaign, office))
    if latest is None or latest["key"] == key:
        return key
    exact, _busy = _key_parts(campaign, office, previous)
    task_event, _occurrence, evidence_event = latest["busy"]
    if (
        latest["exact"] == exact
        and 0 <= time.time() - latest["at"] < lag
        and hasattr(campaign, "reader_task_event")
        and not _newer(campaign.reader_task_event, task_event)
        and not _newer(getattr(campaign, "reader_evidence_event", None), evidence_event)
        and cache.has_key(latest["key"])
    ):
        return str(latest["key"])
    return key


def cached_dashboard(
    *,
    campaign: Campaign,
    user: User,
    office: Office | None = None,
    offices: list[Office] | None = None,
    previous: Campaign | None = None,
    key: str | None = None,
) -> Dashboard:
    """dashboard() for today, kept until anything it reads changes (see above). `campaign` must carry
    change_stamps(); without them, or for a reader who may not read the whole scope, it is computed afresh. The
    stamps are the newest rows of every campaign, so they move with a change to `previous` too. `key` (from
    served_key()) names figures kept earlier; when they are gone, the current ones are read or computed."""
    current = dashboard_key(campaign=campaign, user=user, office=office, previous=previous)
    if current is None:
        return dashboard(campaign=campaign, user=user, office=office, offices=offices, previous=previous)
    data: Dashboard | None = cache.get(key) if key and key != current else None
    if data is not None:
        return data
    data = cache.get(current)
    if data is not None:
        return data
    # One computation per key: readers who arrive while another request computes the same figures wait for them
    # (a thread waiting costs no CPU) rather than each computing them beside it, which on a busy morning made ten
    # readers take ten times as long. Past COMPUTE_WAIT_SECONDS (the other request failed or is stuck) they compute.
    lock = f"{current}:computing"
    if not cache.add(lock, 1, COMPUTE_WAIT_SECONDS):
        deadline = time.monotonic() + COMPUTE_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(COMPUTE_POLL_SECONDS)
            data = cache.get(current)
            if data is not None:
                return data
    try:
        data = dashboard(campaign=campaign, user=user, office=office, offices=offices, previous=previous)
        cache.set(current, data, CACHE_SECONDS)
        exact, busy = _key_parts(campaign, office, previous)
        latest = {"key": current, "at": time.time(), "exact": exact, "busy": busy}
        cache.set(_latest_key(campaign, office), latest, CACHE_SECONDS)
    finally:
        cache.delete(lock)
    return data


# --- The readiness check's findings (迎检自查) ------------------------------------------------------------------
# Counted from what the latest check recorded (civunit/reports/readiness: the readiness page and
# `manage.py readiness_check` run it), in subqueries of the current campaign's query: no query of their own, and
# read afresh on every request, the kept figures above notwithstanding.


@dataclass(frozen=True)
class ReadinessFigures:
    critical: int = 0  # open findings by severity
    warning: int = 0
    notice: int = 0
    rectifying: int = 0  # rectification tasks not done yet
    rectified: int = 0  # findings resolved after a rectification task was made of them
    checked_at: datetime.datetime | None = None  # the latest check

    @property
    def open(self) -> int:
        return self.critical + self.warning + self.notice


def readiness_annotations() -> dict[str, Any]:
    """Annotations for the current campaign's query (`Campaign.objects.annotate(**readiness_annotations())`)
    that readiness_figures() reads: each a count over the campaign's findings (readinessfinding_open_idx)."""
    findings = ReadinessFinding.objects.filter(campaign=OuterRef("pk"))
    open_ = findings.filter(resolved_at__isnull=True)

    def number(rows: QuerySet[ReadinessFinding]) -> Coalesce:
        counted = rows.order_by().values("campaign").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    return {
        **{f"readiness_{s.value}": number(open_.filter(severity=s)) for s in Severity},
        "readiness_rectifying": number(findings.filter(task__isnull=False).exclude(task__status=Status.DONE)),
        "readiness_rectified": number(findings.filter(resolved_at__isnull=False, task__isnull=False)),
        # the latest check (its findings' own times, recorded before there were ReadinessCheck rows)
        "readiness_checked_at": Coalesce(
            Subquery(ReadinessCheck.objects.filter(campaign=OuterRef("pk")).values("checked_at")[:1]),
            Subquery(findings.order_by("-checked_at").values("checked_at")[:1]),
        ),
    }


def readiness_figures(campaign: Campaign) -> ReadinessFigures:
    """The open findings of the latest readiness check and their rectifications: from the campaign's
    readiness_annotations() when it carries them, else one query."""
    if not hasattr(campaign, "readiness_checked_at"):
        annotated = Campaign.objects.filter(pk=campaign.pk).annotate(**readiness_annotations()).first()
        if annotated is None:
            return ReadinessFigures()
        campaign = annotated
    names = ("critical", "warning", "notice", "rectifying", "rectified", "checked_at")
    return ReadinessFigures(**{name: getattr(campaign, f"readiness_{name}") for name in names})
