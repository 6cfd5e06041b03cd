"""Recording what the readiness check found, and turning a finding into a rectification task (整改任务).

`readiness_check` runs every rule and records the outcome in ReadinessFinding, in one transaction: findings
new since the last check are added, changed ones updated, those found again after they were resolved reopened,
and those no rule produces any more resolved. It writes only what changed, so a check that finds what the previous one
found writes only the time of the check (on the campaign's ReadinessCheck row). It also records the check's
change stamp (ReadinessCheck, readiness/stamps.py), and runs nothing when the latest recorded check has the
stamp of now: nothing the rules read changed since, so they would find what is recorded, and recording it again
would change nothing but the time. The page runs it that way; its recheck button and `manage.py
readiness_check` run it whatever was recorded (`readiness_refresh`).

`finding_rectify` (the coordinator's one click) creates the task through the tasks app's service, which writes
its audit record naming the finding, and links it to the finding in the same transaction, conditionally: of
two clicks at once, one makes the task and the other changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Campaign
from civunit.db import insert_values, update_many
from tasks.models import Status, Task
from tasks.services import task_create_rectification

from . import access
from .check import Check, run
from .registry import RULES, Finding, Mention
from .stamps import CheckStamp, check_stamp, may_lag, stamp_values

if TYPE_CHECKING:
    from civunit.accounts.models import User

from civunit.reports.models import ReadinessCheck, ReadinessFinding

RECORDED = ("rule", "severity", "criterion_id", "office_id", "text", "measure", "mentions", "mention_total")


class ReadinessError(Exception):
    """A rectification that cannot be made; the message is shown as it is."""


#: What the page reads of every open finding (to count, order and page them): ReadinessFinding.objects.values_list().
LIGHT = (
    "pk",
    "rule",
    "severity",
    "criterion_id",
    "office_id",
    "task_id",
    "task__status",
    "task__code",
    "task__deadline",
)
type LightRow = tuple[int, str, str, int | None, int | None, int | None, str | None, str | None, datetime.date | None]


@dataclass(frozen=True)
class CheckOutcome:
    """What one check recorded: its open findings (`light`: LIGHT of each), how many were added and resolved."""

    campaign: Campaign
    found: dict[str, Finding] = field(repr=False)  # by key, in the rules' order
    light: list[LightRow] = field(repr=False)
    added: int
    resolved: int
    checked_at: datetime.datetime

    @cached_property
    def findings(self) -> list[tuple[Finding, ReadinessFinding]]:
        """Each open finding with its record, in the rules' order (one query)."""
        rows = {row.key: row for row in ReadinessFinding.objects.filter(campaign=self.campaign).open()}
        return [(finding, rows[key]) for key, finding in self.found.items() if key in rows]


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


def _locked_check(campaign: Campaign) -> ReadinessCheck:
    """The campaign's ReadinessCheck row, made if need be, locked until the end of the transaction: checks of one
    campaign take turns on it (on PostgreSQL two recording at once would lock the same findings in different
    orders; SQLite's writers take turns anyway)."""
    ReadinessCheck.objects.bulk_create(
        [ReadinessCheck(campaign=campaign, stamp="", checked_at=timezone.now())], ignore_conflicts=True
    )
    return ReadinessCheck.objects.select_for_update().get(campaign=campaign)


def readiness_check(
    *,
    campaign: Campaign,
    today: datetime.date | None = None,
    check: Check | None = None,
    force: bool = False,
    stamp: CheckStamp | None = None,
    reader: tuple[int | None, int | None] | None = None,
) -> CheckOutcome | None:
    """Run the check for `campaign` (or the `check` given) and record its findings and its change stamp, unless
    the latest recorded check has the same stamp (nothing it read changed since), or may be shown to `reader`
    (their newest task and evidence events) although others' day-to-day work overtook it (stamps.may_lag): then
    None, nothing written; `force` runs it whatever. `stamp` is the stamp taken before anything was read
    (stamps.check_stamp); without it it is taken here, before the rules run.

    The rules run with the campaign's check row locked: of several views at once after a change, one runs the
    check and the others, once it is recorded, find its stamp and run nothing."""
    check = check or Check(campaign=campaign, today=today)
    if stamp is None:
        stamp = check_stamp(check, stamp_values(campaign))
    with transaction.atomic():
        recorded = _locked_check(campaign)
        if not force and (
            recorded.stamp == stamp.full
            or may_lag(
                stamp,
                exact=recorded.exact,
                checked_at=recorded.checked_at,
                task_event=recorded.task_event,
                evidence_event=recorded.evidence_event,
                reader=reader,
            )
        ):
            return None
        # the time of the latest check: the one that last found each finding still open (none yet: a new row)
        previous = recorded.checked_at if recorded.stamp else None
        outcome = _record(campaign, run(check), previous)
        recorded.stamp, recorded.exact, recorded.checked_at = stamp.full, stamp.exact, outcome.checked_at
        recorded.task_event, recorded.occurrence, recorded.evidence_event = stamp.busy
        recorded.save()
    return outcome


def readiness_refresh(
    *, campaign: Campaign, today: datetime.date | None = None, check: Check | None = None
) -> CheckOutcome:
    """Run the check for `campaign` (or the `check` given) and record its findings, whatever was recorded before
    (the page's recheck button, `manage.py readiness_check`)."""
    outcome = readiness_check(campaign=campaign, today=today, check=check, force=True)
    assert outcome is not None  # noqa: S101 (forced: always runs)
    return outcome


def _record(campaign: Campaign, found: list[Finding], previous: datetime.datetime | None) -> CheckOutcome:
    """Record what a check found (inside the transaction holding the campaign's check row), `previous` being the
    time of the check before. The records are read and written as plain values: only the findings that changed
    are made model instances, and an open finding found again unchanged is not written at all (it was found by
    the latest check, whose time is the campaign's ReadinessCheck's); one resolved keeps the time of the last
    check that found it."""
    # two rules never share a key; should one yield the same key twice, its first finding stands
    unique: dict[str, Finding] = {}
    for finding in found:
        unique.setdefault(finding.key, finding)
    now = timezone.now()
    known = {
        row["key"]: row
        for row in ReadinessFinding.objects.filter(campaign=campaign).values("pk", "key", "resolved_at", *RECORDED)
    }
    added: list[dict[str, object]] = []
    changed: list[ReadinessFinding] = []
    for key, finding in unique.items():
        values = _values(finding)
        row = known.get(key)
        if row is None:
            added.append({"campaign_id": campaign.pk, "key": key, "checked_at": now, **values})
        elif row["resolved_at"] is not None or any(row[name] != value for name, value in values.items()):
            changed.append(ReadinessFinding(pk=row["pk"], resolved_at=None, updated_at=now, checked_at=now, **values))
    # a check running at the same moment may have added the same keys: theirs stand
    insert_values(ReadinessFinding, added, ignore_conflicts=True)
    update_many(ReadinessFinding, changed, [*RECORDED, "resolved_at", "updated_at", "checked_at"])
    gone = [row["pk"] for key, row in known.items() if key not in unique and row["resolved_at"] is None]
    last_found = {"checked_at": previous} if previous is not None else {}
    resolved = ReadinessFinding.objects.filter(pk__in=gone).update(resolved_at=now, updated_at=now, **last_found)
    light = list(ReadinessFinding.objects.filter(campaign=campaign).open().values_list(*LIGHT))
    return CheckOutcome(
        campaign=campaign, found=unique, light=light, added=len(added), resolved=resolved, checked_at=now
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
    if record.resolved_at is not None:
        return False
    return may_rectify_open(record.rule, record.task_id, record.task.status if record.task is not None else None)


def may_rectify_open(rule_name: str, task_id: int | None, task_status: str | None) -> bool:
    """may_rectify() of an open finding of `rule_name`, given its task's id and status."""
    rule = RULES.get(rule_name)
    if rule is None or not rule.rectifiable:
        return False
    return task_id is None or task_status == Status.DONE


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
