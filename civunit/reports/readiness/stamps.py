"""The change stamp of a readiness check: the newest change of everything the rules read, so that a view of the
page reuses the latest recorded check while nothing it read has changed since (services.readiness_check).

The stamp is taken before the rules read anything: a change made while a check runs moves the stamp past the
one recorded, and the next view checks again. What goes into it:

- the dashboard's change stamps (reports.dashboard.change_stamps: the newest task event, period, evidence event,
  criterion, requirement, self-assessment, stage, activity and office; every change of a task or an evidence
  item writes its audit event, rectification tasks and their states included);
- what the dashboard does not read: explanation reports, the veto list, the perceptual hashes the previews job
  writes after an upload (without an event), and the number of rows of the tables rows are deleted from
  (criteria, requirements, stages, veto conditions, offices);
- the campaign (its `updated_at`: dates, explanation limit), the day the check is for and the hour (the
  overdue and countdown rules read the day; the hour bounds what any change not covered above could leave
  unseen), the language (the findings' texts are recorded translated), the check's thresholds, and the rules
  themselves (CHECK_VERSION and their names: a new release checks afresh).

Under steady work the task and evidence events move every few seconds, and nearly every view would check
afresh. So, as the dashboard does (DASHBOARD_LAG_SECONDS), a check only those overtook is still shown, for
READINESS_LAG_SECONDS, to readers none of whose own task or evidence events is newer than it (may_lag): the
person who made a change sees it at once, and any other kind of change (the criteria, the veto list, the day,
the hour ...) checks afresh at the next view. The page shows the time of the check it shows.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from campaign.models import Campaign, Criterion, CriterionRequirement, Explanation, Stage, VetoCondition
from civunit.accounts.models import Office
from civunit.reports.dashboard import BUSY_STAMPS, change_stamps, reader_stamps
from civunit.reports.models import ReadinessCheck
from evidence.models import StoredFile

from .registry import RULES

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from civunit.accounts.models import User

    from .check import Check

#: Raise when the rules change in a way their names do not tell (a recorded check is then not reused).
CHECK_VERSION = 1


def _count(rows: QuerySet[Any], by: str) -> Coalesce:
    counted = rows.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))


def _everything(rows: QuerySet[Any]) -> Coalesce:
    """The number of `rows` (grouped by a constant: one row)."""
    counted = rows.order_by().annotate(all=Value(1)).values("all").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1], output_field=IntegerField()), Value(0))


def _newest(model: type[Model], field_name: str) -> Subquery:
    return Subquery(model._default_manager.order_by(f"-{field_name}").values(field_name)[:1])


def stamp_annotations() -> dict[str, Any]:
    """Annotations for the campaign's query (`Campaign.objects.annotate(**stamp_annotations())`): what the stamp
    is made of, and the stamp and time of the latest recorded check (`readiness_recorded_stamp`,
    `readiness_recorded_at`). Each is the newest row of an index, or a count or newest row of a small table."""
    recorded = ReadinessCheck.objects.filter(campaign=OuterRef("pk"))
    campaign = OuterRef("pk")
    return {
        **change_stamps(),
        "stamp_explanations": _newest(Explanation, "updated_at"),
        "stamp_vetoes": _newest(VetoCondition, "updated_at"),
        "stamp_veto_count": _count(VetoCondition.objects.filter(campaign=campaign), "campaign"),
        "stamp_criteria_count": _count(Criterion.objects.filter(campaign=campaign), "campaign"),
        "stamp_requirement_count": _everything(
            CriterionRequirement.objects.all()
        ),  # every campaign's: cheaper than one's
        "stamp_stage_count": _count(Stage.objects.filter(campaign=campaign), "campaign"),
        "stamp_office_count": _everything(Office.objects.all()),
        "stamp_hashes": _everything(StoredFile.objects.filter(phash__isnull=False)),
        "readiness_recorded_stamp": Subquery(recorded.values("stamp")[:1]),
        "readiness_recorded_exact": Subquery(recorded.values("exact")[:1]),
        "readiness_recorded_task_event": Subquery(recorded.values("task_event")[:1]),
        "readiness_recorded_occurrence": Subquery(recorded.values("occurrence")[:1]),
        "readiness_recorded_evidence_event": Subquery(recorded.values("evidence_event")[:1]),
        "readiness_recorded_at": Subquery(recorded.values("checked_at")[:1]),
    }


STAMPS = tuple(name for name in stamp_annotations() if name.startswith("stamp_"))
#: The day-to-day work (every task and evidence event, periods as they begin): a check these alone overtook may
#: still be shown to readers who did none of it, for READINESS_LAG_SECONDS.
BUSY = BUSY_STAMPS
#: Follows the day-to-day work too: the previews job hashes each photo moments after its upload (the upload's own
#: evidence event is in BUSY), so the number of hashes moves with every upload. It lags with BUSY: outside the lag
#: (or for the uploader, whose own event is newer) a new hash checks afresh.
FOLLOWS_BUSY = ("stamp_hashes",)
RECORDED = (
    "readiness_recorded_stamp",
    "readiness_recorded_exact",
    "readiness_recorded_task_event",
    "readiness_recorded_occurrence",
    "readiness_recorded_evidence_event",
    "readiness_recorded_at",
)
READER = ("reader_task_event", "reader_evidence_event")


def reader_annotations(user: User) -> dict[str, Any]:
    """Annotations beside stamp_annotations(): the reader's own newest task event and evidence event."""
    return reader_stamps(user)


def stamp_values(campaign: Campaign) -> Mapping[str, Any]:
    """What the stamp is made of, and what the latest recorded check was made of: from the campaign when it
    carries stamp_annotations() (and, for the reader's own events, reader_annotations()), else one query."""
    names = ("updated_at", *STAMPS, *RECORDED)
    if all(hasattr(campaign, name) for name in names):
        return {name: getattr(campaign, name) for name in (*names, *READER) if hasattr(campaign, name)}
    return Campaign.objects.filter(pk=campaign.pk).annotate(**stamp_annotations()).values(*names).first() or {}


@dataclass(frozen=True)
class CheckStamp:
    full: str  # everything the check reads, the day and hour included
    exact: str  # the same without the day-to-day work (BUSY)
    busy: tuple[Any, ...]  # the newest task event, period and evidence event


def check_stamp(check: Check, values: Mapping[str, Any]) -> CheckStamp:
    """The stamp of `check` (its campaign, day and thresholds) over `values` (stamp_values())."""
    parts = (
        CHECK_VERSION,
        tuple(RULES),
        check.campaign.pk,
        check.today.isoformat(),
        timezone.localtime().strftime("%Y-%m-%d %H"),
        translation.get_language(),
        check.exif_days,
        check.phash_distance,
        *(str(values.get(name)) for name in ("updated_at", *STAMPS) if name not in (*BUSY, *FOLLOWS_BUSY)),
    )
    exact = hashlib.sha256(repr(parts).encode()).hexdigest()
    busy = tuple(values.get(name) for name in BUSY)
    follows = tuple(str(values.get(name)) for name in FOLLOWS_BUSY)
    return CheckStamp(hashlib.sha256(repr((exact, busy, follows)).encode()).hexdigest(), exact, busy)


def _newer(mine: Any, seen: Any) -> bool:
    return mine is not None and (seen is None or mine > seen)


def may_lag(
    stamp: CheckStamp,
    *,
    exact: str,
    checked_at: datetime.datetime | None,
    task_event: int | None,
    evidence_event: int | None,
    reader: tuple[int | None, int | None] | None,
) -> bool:
    """Whether a reader (their own newest task and evidence event: `reader`; None, no reader) may be shown the
    recorded check (`exact`, `checked_at` and the newest events it saw) although the stamp is now `stamp`: only
    the day-to-day work moved since, less than READINESS_LAG_SECONDS ago, and none of it theirs."""
    lag = settings.READINESS_LAG_SECONDS
    if reader is None or lag <= 0 or checked_at is None or exact != stamp.exact:
        return False
    age = (timezone.now() - checked_at).total_seconds()
    return 0 <= age < lag and not _newer(reader[0], task_event) and not _newer(reader[1], evidence_event)
