"""The readiness rules (迎检自查): what an inspector would flag today, one small function each.

Each reads what it needs in a fixed number of queries (the reads shared through the `Check` are counted once)
and yields findings naming the standard, the items and the office responsible. Thresholds are settings
(READINESS_EXIF_DAYS, READINESS_PHASH_DISTANCE) or the campaign's own (explanation_limit).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, cast

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from campaign.models import EvidenceCategory, VetoCondition
from civunit.reports.models import Severity
from evidence.models import EvidenceKind
from tasks.models import OPEN_STATES, Status, Task

from .check import Check, category_label, day_text, ngettext
from .check import gettext as _
from .duplicates import similar_groups
from .registry import Finding, Mention, MentionKind, mentions_of, rule

#: Within this many days of the inspection the countdown becomes a warning (the dashboard's FINAL_DAYS).
FINAL_DAYS = 30

#: The most ids a rule puts in one IN (…) list.
IN_LIMIT = 5000


def _evidence(row: dict[str, Any], detail: str = "") -> Mention:
    return Mention(MentionKind.EVIDENCE, row["title"], row["pk"], detail=detail)


type Row = dict[str, Any]


def _values(rows: Any) -> list[Row]:
    """The rows of a values() queryset as plain dicts (the rules add keys of their own to them)."""
    return cast("list[Row]", list(rows))


def _grouped(rows: list[dict[str, Any]]) -> dict[tuple[int | None, int], list[dict[str, Any]]]:
    """Items by (primary standard, office), in a stable order."""
    groups: dict[tuple[int | None, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["primary_standard_id"], row["office_id"])].append(row)
    return groups


# --- Evidence of the standards ------------------------------------------------------------------------------


@rule(
    "no_accepted_evidence",
    severity=Severity.CRITICAL,
    title=gettext_lazy("No accepted evidence"),
    description=gettext_lazy(
        "A standard (not a deduction item) with no accepted evidence at all; a bonus item's is a notice."
    ),
)
def no_accepted_evidence(check: Check) -> Iterator[Finding]:
    for node in check.tree.standards():
        if node.is_deduction:
            continue  # a deduction item is met by having nothing to show
        evidence = check.evidence[node.criterion.pk]
        if evidence.accepted:
            continue
        if evidence.pending:
            text = ngettext(
                "No accepted evidence yet (%(n)s item awaiting review)",
                "No accepted evidence yet (%(n)s items awaiting review)",
                evidence.pending,
            ) % {"n": evidence.pending}
        else:
            text = _("No evidence accepted or awaiting review")
        mentions = tuple(
            Mention(MentionKind.TEXT, f"{category_label(r.category)} ≥ {r.required}") for r in evidence.requirements
        )
        yield Finding(
            text=text,
            criterion=node.criterion,
            office=check.office_of_standard(node.criterion.pk),
            measure=_("File the evidence the standard asks for and have it reviewed."),
            mentions=mentions,
            severity=Severity.NOTICE if node.is_bonus else "",
        )


@rule(
    "requirement_short",
    severity=Severity.WARNING,
    title=gettext_lazy("Fewer items than required"),
    description=gettext_lazy(
        "A standard with some accepted evidence but fewer accepted items of a category than its structured "
        "requirement asks (one with none at all is already flagged as without accepted evidence)."
    ),
)
def requirement_short(check: Check) -> Iterator[Finding]:
    for node in check.tree.standards():
        evidence = check.evidence[node.criterion.pk]
        if node.is_deduction or not evidence.accepted or evidence.met:
            continue
        short = [r for r in evidence.requirements if not r.met]
        mentions = tuple(
            Mention(
                MentionKind.TEXT,
                _("%(category)s: %(accepted)s accepted of %(required)s required")
                % {
                    "category": category_label(r.category),
                    "accepted": r.accepted,
                    "required": r.required,
                },
            )
            for r in short
        )
        yield Finding(
            text=ngettext(
                "Fewer accepted items than the requirement asks in %(n)s category",
                "Fewer accepted items than the requirement asks in %(n)s categories",
                len(short),
            )
            % {"n": len(short)},
            criterion=node.criterion,
            office=check.office_of_standard(node.criterion.pk),
            measure=_("Add the missing kinds of evidence and have them reviewed."),
            mentions=mentions,
        )


# --- Explanation reports -------------------------------------------------------------------------------------


@rule(
    "explanation_missing",
    severity=Severity.WARNING,
    title=gettext_lazy("Indicator without explanation report"),
    description=gettext_lazy("An indicator (测评指标) whose explanation report (说明报告) is empty."),
)
def explanation_missing(check: Check) -> Iterator[Finding]:
    limit = check.campaign.explanation_limit
    for node in check.tree.indicators():
        if node.is_deduction or node.explanation_count:
            continue
        yield Finding(
            text=_("The indicator has no explanation report"),
            criterion=node.criterion,
            measure=_("Write the indicator's explanation report (at most %(limit)s characters).") % {"limit": limit},
        )


@rule(
    "explanation_too_long",
    severity=Severity.WARNING,
    title=gettext_lazy("Explanation report over the limit"),
    description=gettext_lazy("An explanation report longer than the campaign's limit (500 characters by default)."),
)
def explanation_too_long(check: Check) -> Iterator[Finding]:
    limit = check.campaign.explanation_limit
    for node in check.tree.indicators():
        count = node.explanation_count
        if count <= limit:
            continue
        yield Finding(
            text=_("The explanation report has %(count)s characters, over the limit of %(limit)s")
            % {"count": count, "limit": limit},
            criterion=node.criterion,
            measure=_("Shorten the explanation report to at most %(limit)s characters.") % {"limit": limit},
        )


# --- Photos ----------------------------------------------------------------------------------------------


def _missing_caption_parts(row: dict[str, Any]) -> list[str]:
    """What a photo's caption lacks, its activity's values standing in for empty fields (as at upload)."""
    has_activity = row["activity_id"] is not None
    missing = []
    if row["taken_on"] is None and not has_activity:
        missing.append(_("time"))
    if not row["place"] and not (has_activity and row["activity__place"]):
        missing.append(_("place"))
    if not row["people"] and not (has_activity and row["activity__participants"]):
        missing.append(_("people"))
    if not row["caption"] and not (has_activity and (row["activity__theme"] or row["activity__title"])):
        missing.append(_("theme"))
    return missing


@rule(
    "caption_incomplete",
    severity=Severity.NOTICE,
    title=gettext_lazy("Photo caption incomplete"),
    description=gettext_lazy(
        "Photos whose caption lacks the time, place, people or theme of the occasion (an activity's own values "
        "count for the photos filed under it)."
    ),
)
def caption_incomplete(check: Check) -> Iterator[Finding]:
    no_activity = Q(activity__isnull=True)
    lacking = (
        Q(taken_on__isnull=True, activity__isnull=True)
        | (Q(place="") & (no_activity | Q(activity__place="")))
        | (Q(people="") & (no_activity | Q(activity__participants="")))
        | (Q(caption="") & (no_activity | Q(activity__theme="", activity__title="")))
    )
    rows = _values(
        check.items()
        .filter(lacking, category=EvidenceCategory.PHOTO)
        .values(
            "pk",
            "title",
            "office_id",
            "primary_standard_id",
            "activity_id",
            "taken_on",
            "place",
            "people",
            "caption",
            "activity__place",
            "activity__participants",
            "activity__theme",
            "activity__title",
        )
        .order_by("pk")
    )
    for (standard_id, office_id), group in _grouped(rows).items():
        mentions, total = mentions_of(
            group,
            lambda row: _evidence(row, _("(lacks %(parts)s)") % {"parts": "、".join(_missing_caption_parts(row))}),
        )
        yield Finding(
            text=ngettext(
                "%(n)s photo lacks time, place, people or theme in its caption",
                "%(n)s photos lack time, place, people or theme in their captions",
                total,
            )
            % {"n": total},
            criterion=check.criterion(standard_id),
            office=check.office(office_id),
            measure=_("Complete each photo's caption with its time, place, people and theme."),
            mentions=mentions,
            mention_total=total,
        )


@rule(
    "camera_date",
    severity=Severity.CRITICAL,
    title=gettext_lazy("Camera date does not fit"),
    description=gettext_lazy(
        "Photos whose camera date (EXIF) falls outside the campaign, or more than READINESS_EXIF_DAYS days "
        "(30 by default) from the date of the activity they are filed under: an inspector reads this as "
        "fabrication (弄虚作假)."
    ),
)
def camera_date(check: Check) -> Iterator[Finding]:
    campaign, window = check.campaign, datetime.timedelta(days=check.exif_days)
    tz = timezone.get_current_timezone()
    # the campaign's first and last day as times (local midnights): a photo outside them is flagged whatever its
    # activity, and one without an activity inside them cannot be, so the database leaves those out
    lo = datetime.datetime.combine(campaign.start_date, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(campaign.end_date + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    rows = _values(
        check.items()
        .filter(kind=EvidenceKind.PHOTO, stored_file__taken_at__isnull=False)
        .filter(Q(activity__isnull=False) | Q(stored_file__taken_at__lt=lo) | Q(stored_file__taken_at__gte=hi))
        .values(
            "pk", "title", "office_id", "primary_standard_id", "activity_id", "activity__date", "stored_file__taken_at"
        )
        .order_by("pk")
    )
    flagged: list[dict[str, Any]] = []
    for row in rows:
        taken = row["stored_file__taken_at"].astimezone(tz).date()
        activity_day = row["activity__date"]
        if not campaign.start_date <= taken <= campaign.end_date:
            row["detail"] = _("(taken %(day)s, outside the campaign)") % {"day": day_text(taken)}
        elif activity_day is not None and abs(taken - activity_day) > window:
            row["detail"] = _("(taken %(day)s, the activity was on %(activity)s)") % {
                "day": day_text(taken),
                "activity": day_text(activity_day),
            }
        else:
            continue
        flagged.append(row)
    for (standard_id, office_id), group in _grouped(flagged).items():
        mentions, total = mentions_of(group, lambda row: _evidence(row, row["detail"]))
        yield Finding(
            text=ngettext(
                "%(n)s photo's camera date does not fit the campaign or its activity",
                "%(n)s photos' camera dates do not fit the campaign or their activities",
                total,
            )
            % {"n": total},
            criterion=check.criterion(standard_id),
            office=check.office(office_id),
            measure=_(
                "Check these photos: file photos of the occasion itself, or correct the activity they are filed under."
            ),
            mentions=mentions,
            mention_total=total,
        )


def _differs(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Filed for different standards, or for two different activities."""
    if a["primary_standard_id"] != b["primary_standard_id"]:
        return True
    return a["activity_id"] is not None and b["activity_id"] is not None and a["activity_id"] != b["activity_id"]


def _filing(check: Check, row: dict[str, Any]) -> str:
    criterion = check.criterion(row["primary_standard_id"])
    return criterion.code if criterion is not None else _("no standard")


@rule(
    "near_duplicate_photo",
    severity=Severity.CRITICAL,
    title=gettext_lazy("Same photo filed twice"),
    description=gettext_lazy(
        "The same or a nearly identical photo (perceptual hashes within READINESS_PHASH_DISTANCE bits of 64, 6 "
        "by default) filed as another item for a different activity or standard: fabrication to an inspector."
    ),
)
def near_duplicate_photo(check: Check) -> Iterator[Finding]:
    photos = check.items().filter(kind=EvidenceKind.PHOTO, stored_file__phash__isnull=False)
    # First the hashes alone, one per stored file with how many items hold it (integers only: cheap to read
    # however many photos there are); then the items of the files that look like another, or that several
    # items share. Items are taken in the order they were filed (their ids).
    files = list(photos.values_list("stored_file_id", "stored_file__phash").annotate(n=Count("pk")).order_by())
    groups = similar_groups([phash for _file, phash, _n in files], check.phash_distance)
    grouped = {i for group in groups for i in group}
    groups += [[i] for i, (_file, _phash, n) in enumerate(files) if n > 1 and i not in grouped]
    wanted = [files[i][0] for group in groups for i in group]
    if not wanted:
        return
    rows = _values(
        # beyond a few thousand files the IN list would outgrow what the databases take: read them all instead
        (photos.filter(stored_file_id__in=wanted) if len(wanted) <= IN_LIMIT else photos)
        .values("pk", "title", "office_id", "primary_standard_id", "activity_id", "activity__title", "stored_file_id")
        .order_by("pk")
    )
    by_file: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_file[row["stored_file_id"]].append(row)
    flagged: list[dict[str, Any]] = []
    for cluster in groups:
        items = sorted((row for i in cluster for row in by_file[files[i][0]]), key=lambda r: r["pk"])
        # An item is a copy when an item filed before it holds the same photo for another standard or activity;
        # the first item of each standard and of each activity is what a copy is compared with.
        first_by_standard: dict[int | None, dict[str, Any]] = {}
        first_by_activity: dict[int, dict[str, Any]] = {}
        for row in items:
            original = next(
                (
                    earlier
                    for earlier in (*first_by_standard.values(), *first_by_activity.values())
                    if earlier["pk"] != row["pk"] and _differs(earlier, row)
                ),
                None,
            )
            if original is not None:
                row["original"] = original
                flagged.append(row)
            first_by_standard.setdefault(row["primary_standard_id"], row)
            if row["activity_id"] is not None:
                first_by_activity.setdefault(row["activity_id"], row)
    flagged.sort(key=lambda r: r["pk"])
    for (standard_id, office_id), copies in _grouped(flagged).items():

        def describe(row: dict[str, Any]) -> Mention:
            original = row["original"]
            where = _filing(check, original)
            if original["activity__title"]:
                where = f"{where} {original['activity__title']}"
            return Mention(
                MentionKind.EVIDENCE,
                row["title"],
                row["pk"],
                other_label=f"{original['title']}（{where}）",
                other_pk=original["pk"],
            )

        mentions, total = mentions_of(copies, describe)
        yield Finding(
            text=ngettext(
                "%(n)s photo is the same as, or nearly identical to, a photo filed for another activity or standard",
                "%(n)s photos are the same as, or nearly identical to, photos filed for other activities or standards",
                total,
            )
            % {"n": total},
            criterion=check.criterion(standard_id),
            office=check.office(office_id),
            measure=_(
                "Keep each photo under the occasion it shows, and file the right photos for the other activity "
                "or standard."
            ),
            mentions=mentions,
            mention_total=total,
        )


# --- Tasks, veto list, the inspection date -------------------------------------------------------------------------


@rule(
    "tasks_overdue_or_returned",
    severity=Severity.WARNING,
    title=gettext_lazy("Tasks overdue or returned"),
    description=gettext_lazy("Tasks linked to a standard that are past their due date, or returned by the reviewer."),
)
def tasks_overdue_or_returned(check: Check) -> Iterator[Finding]:
    today = check.today
    rows = _values(
        Task.objects.for_campaign(check.campaign)
        .with_due()  # type: ignore[no-untyped-call]  # TaskQuerySet.with_due() predates the strict typing
        .filter(Q(status=Status.RETURNED) | Q(due__lt=today, status__in=list(OPEN_STATES)))
        .values("pk", "code", "title", "status", "due", "lead_office_id", "standards__id")
        .order_by("code_key", "pk")
    )
    groups: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["standards__id"] is not None:  # a task linked to no standard is no standard's finding
            groups[(row["standards__id"], row["lead_office_id"])].append(row)
    for (standard_id, office_id), group in groups.items():
        criterion = check.criterion(standard_id)
        if criterion is None:
            continue  # a standard of another campaign's tree: not this check's

        def describe(row: dict[str, Any]) -> Mention:
            if row["status"] == Status.RETURNED:
                detail = _("(returned)")
            else:
                days = (today - row["due"]).days
                detail = ngettext("(%(n)s day overdue)", "(%(n)s days overdue)", days) % {"n": days}
            return Mention(MentionKind.TASK, f"{row['code']} {row['title']}", row["pk"], detail=detail)

        mentions, total = mentions_of(group, describe)
        yield Finding(
            text=ngettext(
                "%(n)s task of the standard is overdue or returned",
                "%(n)s tasks of the standard are overdue or returned",
                total,
            )
            % {"n": total},
            criterion=criterion,
            office=check.office(office_id),
            measure=_("Finish the overdue tasks and redo the returned ones, then check them off."),
            mentions=mentions,
            mention_total=total,
        )


@rule(
    "veto_at_risk",
    severity=Severity.CRITICAL,
    title=gettext_lazy("Veto condition at risk"),
    description=gettext_lazy("A condition of the negative list (负面清单) marked at risk or triggered."),
)
def veto_at_risk(check: Check) -> Iterator[Finding]:
    conditions = VetoCondition.objects.filter(
        campaign=check.campaign,
        children__isnull=True,
        status__in=[VetoCondition.Status.AT_RISK, VetoCondition.Status.TRIGGERED],
    ).order_by("ordering", "pk")
    for condition in conditions:
        if condition.status == VetoCondition.Status.TRIGGERED:
            text = _("Veto condition triggered: %(title)s") % {"title": condition.title}
        else:
            text = _("Veto condition at risk: %(title)s") % {"title": condition.title}
        detail = f"（{condition.note}）" if condition.note else ""
        yield Finding(
            text=text[:500],
            measure=_("Report to the leadership group and remove the risk before the inspection."),
            mentions=(Mention(MentionKind.VETO, f"{condition.code} {condition.title}", condition.pk, detail=detail),),
            about=f"veto{condition.pk}",
        )


@rule(
    "days_to_inspection",
    severity=Severity.NOTICE,
    title=gettext_lazy("Days to the inspection"),
    description=gettext_lazy(
        "How many days are left to the inspection (the start of the 迎检验收 stage); a warning within 30 days "
        "or when no date is set."
    ),
    rectifiable=False,
)
def days_to_inspection(check: Check) -> Iterator[Finding]:
    date = check.inspection_date
    if date is None:
        yield Finding(
            text=_("No inspection date is set in the plan"),
            measure=_("Set the date of the inspection stage (迎检验收) in the plan."),
            severity=Severity.WARNING,
        )
        return
    days = (date - check.today).days
    if days < 0:
        text = _("The inspection date (%(date)s) has passed") % {"date": day_text(date)}
    else:
        text = ngettext(
            "%(days)s day left to the inspection (%(date)s)", "%(days)s days left to the inspection (%(date)s)", days
        ) % {"days": days, "date": day_text(date)}
    yield Finding(text=text, severity=Severity.WARNING if 0 <= days <= FINAL_DAYS else Severity.NOTICE)
