"""Recording what the readiness check found, and turning a finding into a rectification task (整改任务).

`readiness_refresh` runs every rule and records the outcome in ReadinessFinding, in one transaction: findings
new since the last check are added, changed ones updated, those found again after they were resolved reopened,
and those no rule produces any more resolved. The page and `manage.py readiness_check` run it; it writes only
what changed (and the time of the check on the open findings), so a check that finds what the previous one
found costs one UPDATE.

`finding_rectify` (the coordinator's one click) creates the task through the tasks app's service, which writes
its audit record naming the finding, and links it to the finding in the same transaction, conditionally: of
two clicks at once, one makes the task and the other changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Campaign
from civunit.db import insert_many, update_many
from tasks.models import Status, Task
from tasks.services import task_create_rectification

from . import access
from .check import Check, run
from .registry import RULES, Finding, Mention

if TYPE_CHECKING:
    from civunit.accounts.models import User

from civunit.reports.models import ReadinessFinding

RECORDED = ("rule", "severity", "criterion_id", "office_id", "text", "measure", "mentions", "mention_total")


class ReadinessError(Exception):
    """A rectification that cannot be made; the message is shown as it is."""


@dataclass(frozen=True)
class CheckOutcome:
    """The findings of one check, each with its record, in the rules' order."""

    findings: list[tuple[Finding, ReadinessFinding]]
    added: int
    resolved: int


def _values(finding: Finding) -> dict[str, object]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "criterion_id": finding.criterion.pk if finding.criterion is not None else None,
        "office_id": finding.office.pk if finding.office is not None else None,
        "text": finding.text[:500],
        "measure": finding.measure[:500],
        "mentions": [m.as_json() for m in finding.mentions],
        "mention_total": finding.total,
    }


def readiness_refresh(
    *, campaign: Campaign, today: datetime.date | None = None, check: Check | None = None
) -> CheckOutcome:
    """Run the check for `campaign` (or the `check` given) and record its findings."""
    check = check or Check(campaign=campaign, today=today)
    found = run(check)
    # two rules never share a key; should one yield the same key twice, its first finding stands
    unique: dict[str, Finding] = {}
    for finding in found:
        unique.setdefault(finding.key, finding)
    now = timezone.now()
    with transaction.atomic():
        # Checks of one campaign record their findings one after the other: on PostgreSQL two at once would lock
        # the same rows in different orders (SQLite's writers take turns anyway).
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        known = {row.key: row for row in ReadinessFinding.objects.filter(campaign=campaign)}
        added, changed = [], []
        for key, finding in unique.items():
            values = _values(finding)
            row = known.get(key)
            if row is None:
                added.append(ReadinessFinding(campaign=campaign, key=key, checked_at=now, **values))
                continue
            if row.resolved_at is not None or any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                row.resolved_at = None
                row.updated_at = now
                changed.append(row)
        # a check running at the same moment may have added the same keys: theirs stand
        insert_many(ReadinessFinding, added, ignore_conflicts=True)
        update_many(ReadinessFinding, changed, [*RECORDED, "resolved_at", "updated_at"])
        gone = [row.pk for key, row in known.items() if key not in unique and row.resolved_at is None]
        resolved = ReadinessFinding.objects.filter(pk__in=gone).update(resolved_at=now, updated_at=now)
        ReadinessFinding.objects.filter(campaign=campaign, resolved_at__isnull=True).update(checked_at=now)
        rows = {
            row.key: row
            for row in ReadinessFinding.objects.filter(campaign=campaign, resolved_at__isnull=True).select_related(
                "task"
            )
        }
    return CheckOutcome(
        findings=[(finding, rows[key]) for key, finding in unique.items() if key in rows],
        added=len(added),
        resolved=resolved,
    )


def rectification_deadline(*, inspection: datetime.date | None, today: datetime.date) -> datetime.date:
    """READINESS_RECTIFY_DAYS from today, and no later than the day before the inspection (unless that is past)."""
    deadline = today + datetime.timedelta(days=settings.READINESS_RECTIFY_DAYS)
    if inspection is not None and today < inspection <= deadline:
        deadline = inspection - datetime.timedelta(days=1)
    return max(deadline, today)


def may_rectify(record: ReadinessFinding) -> bool:
    """Open, of a rule whose findings can be rectified, with no task yet or only a finished one (the rule still
    fires after it was done: a new rectification is due)."""
    rule = RULES.get(record.rule)
    if record.resolved_at is not None or rule is None or not rule.rectifiable:
        return False
    return record.task_id is None or (record.task is not None and record.task.status == Status.DONE)


def _measures(record: ReadinessFinding) -> str:
    mentions = [Mention.from_json(m) for m in record.mentions]
    lines = [record.measure] if record.measure else []
    if mentions:
        named = "；".join(f"{m.label}{m.detail}" for m in mentions)
        if record.mention_total > len(mentions):
            named += _("; and %(n)s more") % {"n": record.mention_total - len(mentions)}
        lines.append(_("Items: %(items)s") % {"items": named})
    return "\n".join(lines)


@transaction.atomic
def finding_rectify(*, record: ReadinessFinding, user: User, today: datetime.date | None = None) -> Task:
    """Make `record` a rectification task of the office responsible (the coordinator's own office where the
    leadership group's office answers), linked to its standard, due READINESS_RECTIFY_DAYS from today."""
    access.require_rectify(user)
    if not may_rectify(record):
        if record.resolved_at is not None:
            raise ReadinessError(_("This finding no longer applies: the latest check did not find it again."))
        if record.task_id is not None:
            raise ReadinessError(_("This finding already has a rectification task."))
        raise ReadinessError(_("This finding cannot be made a rectification task."))
    office = record.office or user.office
    if office is None:
        raise ReadinessError(_("Your account belongs to no office; ask an administrator to set your office."))
    today = today or timezone.localdate()
    criterion = record.criterion
    task = task_create_rectification(
        campaign=record.campaign,
        lead_office=office,
        title=_("Rectify: %(finding)s") % {"finding": record.text},
        measures=_measures(record),
        finding_key=record.key,
        user=user,
        standards=[criterion] if criterion is not None and criterion.is_leaf else [],
        deadline=rectification_deadline(inspection=record.campaign.inspection_date, today=today),
    )
    linked = (
        ReadinessFinding.objects.filter(pk=record.pk, resolved_at__isnull=True)
        .filter(Q(task__isnull=True) | Q(task_id=record.task_id))
        .update(task=task, updated_at=timezone.now())
    )
    if linked != 1:  # resolved, or given a task, since the page was loaded: the task is rolled back with this
        raise ReadinessError(_("This finding changed in the meantime. Reload the page and try again."))
    record.task = task
    return task
