"""What the readiness page, the export and the command read: the findings of one check that a person may see,
grouped by 测评项目 with counts by severity, each with its rectification state.

`readiness_report` runs the check (recording it, services.readiness_refresh) and arranges its findings; the
page, the workbook and `manage.py readiness_check` all read it, so they never disagree.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from civunit.reports.models import ReadinessFinding, Severity
from evidence.access import evidence_visible_to
from evidence.models import EvidenceItem
from tasks.models import Status

from . import access
from .check import Check
from .registry import RULES, SEVERITY_ORDER, Finding, Mention, MentionKind, Rule
from .services import may_rectify, readiness_refresh

if TYPE_CHECKING:
    from campaign.models import Campaign, Criterion
    from civunit.accounts.models import Office, User


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


@dataclass
class FindingRow:
    finding: Finding
    record: ReadinessFinding
    rule: Rule
    mentions: list[MentionView]
    item: Criterion | None  # the 测评项目 the finding falls under
    may_rectify: bool

    @property
    def severity(self) -> str:
        return self.finding.severity

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)

    @property
    def criterion(self) -> Criterion | None:
        return self.finding.criterion

    @property
    def office(self) -> Office | None:
        return self.finding.office

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

    @property
    def state(self) -> str:
        task = self.record.task
        if task is None:
            return State.OPEN
        return State.STILL_FOUND if task.status == Status.DONE else State.RECTIFYING

    @property
    def state_label(self) -> str:
        task = self.record.task
        if task is None:
            return _("To be rectified")
        if task.status == Status.DONE:
            return _("Rectification done, still found")
        return _("Rectifying: %(status)s") % {"status": task.get_status_display()}

    @property
    def deadline(self) -> datetime.date | None:
        task = self.record.task
        return task.deadline if task is not None else None


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

    @property
    def counts(self) -> dict[str, int]:
        return _counts(self.rows)

    @property
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

    @property
    def rows(self) -> list[FindingRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def counts(self) -> dict[str, int]:
        return _counts(self.rows)

    @property
    def severity_counts(self) -> list[tuple[str, str, int]]:
        return _severity_counts(self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def rectifying(self) -> int:
        return sum(1 for row in self.rows if row.state == State.RECTIFYING)

    def group(self, key: int) -> ItemGroup | None:
        return next((g for g in self.groups if g.key == key), None)


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


def readiness_report(
    *, campaign: Campaign, user: User | None, office: Office | None = None, today: datetime.date | None = None
) -> ReadinessReport:
    """Run the check, record it, and arrange what `user` may see (narrowed to `office` when given): the
    campaign-wide findings first, then each 测评项目 in the table's order, most serious first within it.
    `user=None` is the command line: every finding, as the leadership group's office sees them."""
    check = Check(campaign=campaign, today=today)
    outcome = readiness_refresh(campaign=campaign, check=check)
    office_ids = access.readiness_office_ids(user) if user is not None else None
    visible = [
        (finding, record)
        for finding, record in outcome.findings
        if (office_ids is None or record.office_id in office_ids) and (office is None or record.office_id == office.pk)
    ]
    hidden = _hidden_evidence(user, visible)
    rectifier = user is not None and access.can_rectify(user)
    order = {node.criterion.pk: i for i, node in enumerate(check.tree.nodes)}
    groups: dict[int | None, ItemGroup] = {}
    for finding, record in visible:
        item = check.item_of(finding.criterion)
        group = groups.setdefault(item.pk if item is not None else None, ItemGroup(item=item))
        group.rows.append(
            FindingRow(
                finding=finding,
                record=record,
                rule=RULES[finding.rule],
                mentions=[_view(m, hidden) for m in finding.mentions],
                item=item,
                may_rectify=rectifier and may_rectify(record),
            )
        )
    for group in groups.values():
        group.rows.sort(
            key=lambda row: (
                SEVERITY_ORDER[Severity(row.severity)],
                order.get(row.criterion.pk, -1) if row.criterion is not None else -1,
                row.record.pk,
            )
        )
    ordered = sorted(groups.values(), key=lambda g: order.get(g.item.pk, 0) if g.item is not None else -1)
    return ReadinessReport(
        campaign=campaign,
        today=check.today,
        checked_at=timezone.now(),
        groups=ordered,
        office=office,
        rules=list(RULES.values()),
    )
