"""What the readiness page, the export and the command read: the findings of one check that a person may see,
grouped by 测评项目 with counts by severity, each with its rectification state.

`readiness_report` arranges the findings of the latest recorded check, running the check first when anything it
reads changed since (services.readiness_check); the page, the workbook and `manage.py readiness_check` all read
it, so they never disagree. The findings are always read as recorded, whether the check just ran or not.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Criterion
from civunit.accounts.models import Office
from civunit.reports.models import ReadinessCheck, ReadinessFinding, Severity
from evidence.access import evidence_visible_to
from evidence.models import EvidenceItem
from tasks.models import Status

from . import access
from .check import Check
from .registry import RULES, SEVERITY_ORDER, Finding, Mention, MentionKind, Rule
from .services import LIGHT, LightRow, may_rectify_open, readiness_check
from .stamps import check_stamp, may_lag, stamp_values

if TYPE_CHECKING:
    from campaign.models import Campaign
    from civunit.accounts.models import User


#: The page names at most this many items of a finding (the workbook and the command name all it keeps).
PAGE_MENTIONS = 5


class State:
    """Where a finding stands (CSS hooks and the export's words)."""

    OPEN = "open"  # 待整改: no rectification task
    RECTIFYING = "rectifying"  # 整改中: its task is not done yet
    STILL_FOUND = "still_found"  # its task is done, but the rule still fires


@dataclass(frozen=True)
class MentionView:
    """A mention as the reader may see it: an item they may not read is named without its title."""

    kind: str
    label: str
    pk: int | None
    detail: str
    other_label: str
    other_pk: int | None

    @property
    def is_evidence(self) -> bool:
        return self.kind == MentionKind.EVIDENCE and self.pk is not None

    @property
    def is_task(self) -> bool:
        return self.kind == MentionKind.TASK and self.pk is not None

    @property
    def is_veto(self) -> bool:
        return self.kind == MentionKind.VETO

    @property
    def text(self) -> str:
        """One line, for the export and the command."""
        text = f"{self.label}{self.detail}"
        return f"{text} ≈ {self.other_label}" if self.other_label else text


@dataclass(eq=False)
class FindingRow:
    """One open finding as the page lists it. What every row needs (to be counted, ordered and paged) is read for
    all of them; what the rule said (`finding`, `record`, `mentions`) is read for the rows shown, in one query
    (ReadinessReport.load), or for all of them on first use."""

    pk: int  # the ReadinessFinding's
    rule: Rule
    severity: str
    criterion_id: int | None
    office: Office | None
    item: Criterion | None  # the 测评项目 the finding falls under
    task_id: int | None  # its rectification task, if any
    task_code: str
    task_status: str | None
    deadline: datetime.date | None  # the task's
    may_rectify: bool
    details: _Details = field(repr=False)

    @property
    def record(self) -> ReadinessFinding:
        return self.details.of(self).record

    @property
    def finding(self) -> Finding:
        return self.details.of(self).finding

    @property
    def mentions(self) -> list[MentionView]:
        return self.details.of(self).mentions

    @cached_property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)

    @property
    def criterion(self) -> Criterion | None:
        return self.details.outline.criterion(self.criterion_id)

    @property
    def office_name(self) -> str:
        return self.office.name if self.office is not None else _("Leadership group's office")

    @property
    def more(self) -> int:
        return max(self.finding.total - len(self.mentions), 0)

    @property
    def page_mentions(self) -> list[MentionView]:
        return self.mentions[:PAGE_MENTIONS]

    @property
    def page_more(self) -> int:
        return max(self.finding.total - len(self.page_mentions), 0)

    @cached_property
    def state(self) -> str:
        if self.task_id is None:
            return State.OPEN
        return State.STILL_FOUND if self.task_status == Status.DONE else State.RECTIFYING

    @cached_property
    def state_label(self) -> str:
        if self.task_id is None:
            return _("To be rectified")
        if self.task_status == Status.DONE:
            return _("Rectification done, still found")
        return _("Rectifying: %(status)s") % {"status": Status(self.task_status or Status.NOT_STARTED).label}


@dataclass(frozen=True)
class _Detail:
    record: ReadinessFinding
    finding: Finding
    mentions: list[MentionView]


class _Details:
    """What the rules said of each row of a report, read when asked for: one query for the rows asked, and, for
    a reader who may not read every item, one for the items their mentions name."""

    def __init__(
        self,
        *,
        user: User | None,
        outline: Outline,
        offices: dict[int, Office],
    ) -> None:
        self.user = user
        self.outline = outline
        self.offices = offices
        self.rows: list[FindingRow] = []  # every row of the report (what is read when one not loaded is asked)
        self._records: dict[int, ReadinessFinding] = {}
        self._loaded: dict[int, _Detail] = {}

    def load(self, rows: Iterable[FindingRow]) -> None:
        wanted = [row for row in rows if row.pk not in self._loaded]
        missing = [row.pk for row in wanted if row.pk not in self._records]
        if missing:
            self._records.update(
                (record.pk, record) for record in ReadinessFinding.objects.filter(pk__in=missing).select_related("task")
            )
        found: list[tuple[FindingRow, ReadinessFinding, Finding]] = []
        for row in wanted:
            record = self._records.get(row.pk) or ReadinessFinding(pk=row.pk, rule=row.rule.name, severity=row.severity)
            found.append((row, record, _finding(record, self.outline, self.offices)))
        hidden = _hidden_evidence(self.user, [(finding, record) for _row, record, finding in found])
        for row, record, finding in found:
            self._loaded[row.pk] = _Detail(record, finding, [_view(m, hidden) for m in finding.mentions])

    def of(self, row: FindingRow) -> _Detail:
        if row.pk not in self._loaded:
            self.load(self.rows)
        return self._loaded[row.pk]


def _counts(rows: list[FindingRow]) -> dict[str, int]:
    counted = Counter(row.severity for row in rows)
    return {severity.value: counted.get(severity.value, 0) for severity in Severity}


def _severity_counts(rows: list[FindingRow]) -> list[tuple[str, str, int]]:
    """(severity, label, count) for each severity, most serious first (the page's badges)."""
    counts = _counts(rows)
    return [(severity.value, str(severity.label), counts[severity.value]) for severity in Severity]


@dataclass
class ItemGroup:
    """The findings under one 测评项目 (or, with no item, those about the campaign as a whole)."""

    item: Criterion | None
    rows: list[FindingRow] = field(default_factory=list)

    @property
    def key(self) -> int:
        """What ?item= names it by: the item's id, 0 for the campaign as a whole."""
        return self.item.pk if self.item is not None else 0

    # read once the group is complete (the page's table, the export)
    @cached_property
    def counts(self) -> dict[str, int]:
        return _counts(self.rows)

    @cached_property
    def severity_counts(self) -> list[tuple[str, str, int]]:
        return _severity_counts(self.rows)


@dataclass
class ReadinessReport:
    campaign: Campaign
    today: datetime.date
    checked_at: datetime.datetime
    groups: list[ItemGroup]
    office: Office | None  # the office asked for (None: every finding the reader sees)
    rules: list[Rule]

    @cached_property
    def rows(self) -> list[FindingRow]:
        return [row for group in self.groups for row in group.rows]

    @cached_property
    def counts(self) -> dict[str, int]:
        return _counts(self.rows)

    @cached_property
    def severity_counts(self) -> list[tuple[str, str, int]]:
        return _severity_counts(self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)

    @cached_property
    def rectifying(self) -> int:
        return sum(1 for row in self.rows if row.state == State.RECTIFYING)

    def group(self, key: int) -> ItemGroup | None:
        return next((g for g in self.groups if g.key == key), None)

    def load(self, rows: Iterable[FindingRow]) -> None:
        """Read what the rules said of `rows` (a page of the list) at once (the rest is read on first use)."""
        if self.groups:
            self.groups[0].rows[0].details.load(rows)


def sections(rows: list[FindingRow]) -> list[ItemGroup]:
    """`rows` (a page of the report's rows, in its order) under their 测评项目 again."""
    found: list[ItemGroup] = []
    for row in rows:
        if not found or found[-1].item != row.item:
            found.append(ItemGroup(item=row.item))
        found[-1].rows.append(row)
    return found


def _hidden_evidence(user: User | None, rows: list[tuple[Finding, ReadinessFinding]]) -> set[int]:
    """The evidence items the findings name that `user` may not read (one query; none for those who read all)."""
    if user is None or access.readiness_office_ids(user) is None:
        return set()
    ids: set[int] = set()
    for finding, _record in rows:
        for mention in finding.mentions:
            if mention.kind == MentionKind.EVIDENCE and mention.pk is not None:
                ids.add(mention.pk)
            if mention.other_pk is not None:
                ids.add(mention.other_pk)
    if not ids:
        return set()
    readable = set(evidence_visible_to(user, EvidenceItem.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    return ids - readable


def _view(mention: Mention, hidden: set[int]) -> MentionView:
    label, other_label = mention.label, mention.other_label
    if mention.kind == MentionKind.EVIDENCE and mention.pk in hidden:
        label = _("an item of another office")
    if mention.other_pk is not None and mention.other_pk in hidden:
        other_label = _("an item of another office")
    detail = mention.detail if label == mention.label else ""
    return MentionView(mention.kind, label, mention.pk, detail, other_label, mention.other_pk)


class Outline:
    """Where each criterion stands in the table: its place in the tree's order and the 测评项目 it belongs to; and
    the criteria the findings name, with their code and title."""

    def __init__(
        self,
        order: dict[int, int],
        item_ids: dict[int, int],
        criteria: dict[int, Criterion],
        build: Callable[[int], Criterion | None] | None = None,
    ) -> None:
        self.order = order
        self._item_ids = item_ids
        self._criteria = criteria
        self._build = build

    @classmethod
    def of_tree(cls, check: Check) -> Outline:
        """From the criteria tree a check read."""
        order = {node.criterion.pk: i for i, node in enumerate(check.tree.nodes)}
        item_ids: dict[int, int] = {}
        for node in check.tree.nodes:
            item = check.item_of(node.criterion)
            if item is not None:
                item_ids[node.criterion.pk] = item.pk
        return cls(order, item_ids, {pk: node.criterion for pk, node in check.nodes.items()})

    @classmethod
    def of_campaign(cls, campaign: Campaign) -> Outline:
        """One query of plain rows, in the tree's order (criteria_tree's: the roots, each followed by its
        children by ordering and id); a criterion named is built from its row when first asked for (its other
        fields, should anything read them, load on use)."""
        wanted = {"id", "campaign_id", "parent_id", "code", "title", "ordering", "is_leaf", "level", "kind"}
        fields = [f.attname for f in Criterion._meta.concrete_fields if f.attname in wanted]
        queryset = Criterion.objects.filter(campaign=campaign).order_by("ordering", "pk")
        rows = {row[0]: row for row in queryset.values_list(*fields)}
        parent = fields.index("parent_id")
        children: dict[int | None, list[int]] = {}
        for pk, row in rows.items():
            children.setdefault(row[parent] if row[parent] in rows else None, []).append(pk)
        order: dict[int, int] = {}
        item_ids: dict[int, int] = {}
        stack = [(pk, pk) for pk in reversed(children.get(None, []))]
        while stack:
            pk, item = stack.pop()
            order[pk] = len(order)
            item_ids[pk] = item
            stack.extend((child, item) for child in reversed(children.get(pk, [])))

        def build(pk: int) -> Criterion | None:
            row = rows.get(pk)
            return Criterion.from_db(queryset.db, fields, row) if row is not None else None

        return cls(order, item_ids, {}, build)

    def criterion(self, pk: int | None) -> Criterion | None:
        if pk is None:
            return None
        if pk not in self._criteria and self._build is not None:
            built = self._build(pk)
            if built is not None:
                self._criteria[pk] = built
        return self._criteria.get(pk)

    def item_of(self, pk: int | None) -> Criterion | None:
        return self.criterion(self._item_ids.get(pk)) if pk is not None else None


def _finding(record: ReadinessFinding, outline: Outline, offices: dict[int, Office]) -> Finding:
    """What a recorded finding says, as the rules found it."""
    about = record.key.split(":", 3)[3] if record.key.count(":") >= 3 else ""
    return Finding(
        text=record.text,
        criterion=outline.criterion(record.criterion_id),
        office=offices.get(record.office_id) if record.office_id is not None else None,
        measure=record.measure,
        mentions=tuple(Mention.from_json(m) for m in record.mentions),
        mention_total=record.mention_total,
        about=about,
        severity=record.severity,
        rule=record.rule,
    )


def readiness_report(
    *,
    campaign: Campaign,
    user: User | None,
    office: Office | None = None,
    today: datetime.date | None = None,
    fresh: bool = False,
    offices: Iterable[Office] | None = None,
) -> ReadinessReport:
    """The latest check, and what of it `user` may see (narrowed to `office` when given): the campaign-wide
    findings first, then each 测评项目 in the table's order, most serious first within it. `user=None` is the
    command line: every finding, as the leadership group's office sees them.

    The check runs (and is recorded) when anything it reads changed since the latest recorded check, or with
    `fresh`; otherwise the recorded findings are shown as they are, with the time of that check (`campaign`
    carrying stamps.stamp_annotations() saves the query that reads the stamps). With the reader's own events
    too (stamps.reader_annotations()), a check only others' day-to-day work overtook is shown for a while
    (stamps.may_lag). `offices`: the offices whose
    findings may be shown, when the caller has them (else one query)."""
    check = Check(campaign=campaign, today=today)
    values = stamp_values(campaign)
    stamp = check_stamp(check, values)
    checked_at: datetime.datetime | None = values.get("readiness_recorded_at")
    office_ids = access.readiness_office_ids(user) if user is not None else None
    light: list[LightRow] | None = None
    # the reader's own newest task and evidence events, when the campaign carries them (no lag without)
    reader = (values["reader_task_event"], values["reader_evidence_event"]) if "reader_task_event" in values else None
    lagging = may_lag(
        stamp,
        exact=values.get("readiness_recorded_exact") or "",
        checked_at=checked_at,
        task_event=values.get("readiness_recorded_task_event"),
        evidence_event=values.get("readiness_recorded_evidence_event"),
        reader=reader,
    )
    if fresh or not (values.get("readiness_recorded_stamp") == stamp.full or lagging):
        outcome = readiness_check(campaign=campaign, check=check, force=fresh, stamp=stamp, reader=reader)
        if outcome is not None:
            light, checked_at = outcome.light, outcome.checked_at
        else:  # recorded meanwhile by a view at the same moment
            checked_at = ReadinessCheck.objects.filter(campaign=campaign).values_list("checked_at", flat=True).first()
    if light is None:
        rows = ReadinessFinding.objects.filter(campaign=campaign).open()
        if office_ids is not None:
            rows = rows.filter(office_id__in=office_ids)
        if office is not None:
            rows = rows.filter(office_id=office.pk)
        light = list(rows.values_list(*LIGHT))
    light = [
        row
        for row in light
        if row[1] in RULES and (office_ids is None or row[4] in office_ids) and (office is None or row[4] == office.pk)
    ]
    outline = Outline.of_tree(check) if "tree" in check.__dict__ else Outline.of_campaign(campaign)
    by_pk = {o.pk: o for o in offices} if offices is not None else {}
    if any(row[4] is not None and row[4] not in by_pk for row in light):
        by_pk.update((o.pk, o) for o in Office.objects.all())
    details = _Details(user=user, outline=outline, offices=by_pk)
    rectifier = user is not None and access.can_rectify(user)
    order = outline.order
    groups: dict[int | None, ItemGroup] = {}
    for pk, rule, severity, criterion_id, office_id, task_id, task_status, task_code, deadline in light:
        item = outline.item_of(criterion_id)
        group = groups.setdefault(item.pk if item is not None else None, ItemGroup(item=item))
        group.rows.append(
            FindingRow(
                pk=pk,
                rule=RULES[rule],
                severity=severity,
                criterion_id=criterion_id,
                office=by_pk.get(office_id) if office_id is not None else None,
                item=item,
                task_id=task_id,
                task_code=task_code or "",
                task_status=task_status,
                deadline=deadline,
                may_rectify=rectifier and may_rectify_open(rule, task_id, task_status),
                details=details,
            )
        )
    for group in groups.values():
        group.rows.sort(
            key=lambda row: (
                SEVERITY_ORDER[Severity(row.severity)],
                order.get(row.criterion_id, -1) if row.criterion_id is not None else -1,
                row.pk,
            )
        )
    ordered = sorted(groups.values(), key=lambda g: order.get(g.item.pk, 0) if g.item is not None else -1)
    details.rows = [row for group in ordered for row in group.rows]
    return ReadinessReport(
        campaign=campaign,
        today=check.today,
        checked_at=checked_at or timezone.now(),
        groups=ordered,
        office=office,
        rules=list(RULES.values()),
    )
