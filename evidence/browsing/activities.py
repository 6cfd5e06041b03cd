"""Activities (活动): the list with organ-wide counts, an activity's evidence grouped by what inspectors expect
of its record, and the caption fields an item uploaded into an activity inherits."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from campaign.models import EvidenceCategory
from evidence import access

from ..models import Activity, EvidenceItem
from .search import LIST_RELATED


@dataclass(frozen=True)
class ExpectedPart:
    """One part of an activity's record as inspectors read it, matched by evidence category."""

    key: str
    label: str | Promise
    categories: tuple[str, ...]
    min_count: int = 1


# What an activity's record holds, in the order inspectors read it: the plan or notice, the sign-in sheet, the
# minutes, photos (at least two showing the unit's name and the occasion), the write-up.
ACTIVITY_PARTS = (
    ExpectedPart("plan", _("Plan or notice"), (EvidenceCategory.PLAN, EvidenceCategory.OFFICIAL_DOCUMENT)),
    ExpectedPart("sign_in", _("Sign-in sheet"), (EvidenceCategory.TABLE,)),
    ExpectedPart("minutes", _("Minutes"), (EvidenceCategory.MINUTES,)),
    ExpectedPart("photos", _("Photos"), (EvidenceCategory.PHOTO,), 2),
    ExpectedPart(
        "write_up",
        _("Write-up"),
        (EvidenceCategory.SUMMARY, EvidenceCategory.BRIEFING, EvidenceCategory.MEDIA_REPORT),
    ),
)


# The activities page lists this many activities a page, newest first.
ACTIVITY_PAGE_SIZE = 20


def activity_rows(campaign, *, page_number=None, per_page: int = ACTIVITY_PAGE_SIZE) -> Page[dict]:
    """One page of the campaign's activities, newest first, each a dict (pk, date, title, theme, place,
    organiser_office__name) with organ-wide counts of its current, not deleted evidence (evidence_total,
    evidence_accepted). A page number that is not a number answers the first page, one beyond the end the last.
    Three queries whatever the number of activities: the count, the page, the counts of its activities' evidence
    (none without activities); without a campaign, an empty page."""
    activities = Activity.objects.filter(campaign=campaign) if campaign is not None else Activity.objects.none()
    rows = activities.order_by("-date", "-pk").values("pk", "date", "title", "theme", "place", "organiser_office__name")
    paginator: Paginator = Paginator(rows, per_page)
    page = paginator.get_page(page_number)
    listed: list[dict] = [dict(row) for row in page.object_list]
    counts: dict[int, tuple[int, int]] = {}
    if listed:
        counts = {
            activity: (total, accepted)
            for activity, total, accepted in EvidenceItem.objects.filter(activity__in=[r["pk"] for r in listed])
            .current()
            .alive()
            .order_by()
            .values_list("activity")
            .annotate(total=Count("pk"), accepted=Count("pk", filter=Q(status=EvidenceItem.Status.ACCEPTED)))
        }
    for row in listed:
        row["evidence_total"], row["evidence_accepted"] = counts.get(row["pk"], (0, 0))
    return Page(listed, page.number, paginator)


ACTIVITY_CHOICE_LIMIT = 20


@dataclass(frozen=True)
class ActivityChoice:
    pk: int
    date: datetime.date
    title: str

    @property
    def label(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"[:120]


def activity_choices(campaign, *, text: str = "", limit: int = ACTIVITY_CHOICE_LIMIT) -> list[ActivityChoice]:
    """At most `limit` activities of `campaign` whose title, theme or place holds every word of `text` (a word of
    digits also matches the date written 2026-05-04: "2026-05", "05-04"), newest first: the evidence filter's
    search-as-you-type choice. One query, whatever the number of activities. Plan-level: every signed-in person
    reads activities."""
    rows = Activity.objects.filter(campaign=campaign)
    for word in text.split()[:5]:
        match = Q(title__icontains=word) | Q(theme__icontains=word) | Q(place__icontains=word)
        if word.replace("-", "").isdigit():
            match |= Q(date__contains=word)
        rows = rows.filter(match)
    rows = rows.order_by("-date", "-pk")
    return [ActivityChoice(*row) for row in rows.values_list("pk", "date", "title")[: max(limit, 0)]]


# An activity page shows at most this many items of each part, with a link to the rest.
PART_LIMIT = 24


def activity_record(*, user, activity: Activity) -> list[dict]:
    """The activity's evidence the user may read, grouped into the expected parts (then 'other'), each flagged
    when the organ as a whole has too few items of it that are not returned. Two queries however many items: the
    organ-wide counts, then at most PART_LIMIT + 1 items of each part (numbered within their part by a window),
    oldest first."""
    part_no = Case(
        *(When(category__in=part.categories, then=Value(n)) for n, part in enumerate(ACTIVITY_PARTS)),
        default=Value(len(ACTIVITY_PARTS)),
        output_field=IntegerField(),
    )
    visible = (
        access.evidence_visible_to(user, EvidenceItem.objects.filter(activity=activity).current().alive())
        .select_related(*LIST_RELATED)
        .annotate(part_no=part_no)
        .annotate(rank=Window(RowNumber(), partition_by=[F("part_no")], order_by=[F("taken_on").asc(), F("pk").asc()]))
        .filter(rank__lte=PART_LIMIT + 1)
        .order_by("part_no", "taken_on", "pk")
    )
    by_part: dict[int, list[EvidenceItem]] = defaultdict(list)
    for item in visible:
        by_part[item.part_no].append(item)
    organ_counts = dict(
        EvidenceItem.objects.filter(activity=activity)
        .current()
        .alive()
        .exclude(status=EvidenceItem.Status.RETURNED)
        .values_list("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    parts = []
    for n, part in enumerate(ACTIVITY_PARTS):
        items = by_part[n]
        have = sum(organ_counts.get(c, 0) for c in part.categories)
        parts.append(
            {
                "part": part,
                "items": items[:PART_LIMIT],
                "more": len(items) > PART_LIMIT,
                "count": have,
                "missing": have < part.min_count,
                "need": part.min_count,
            }
        )
    others = by_part[len(ACTIVITY_PARTS)]
    if others:
        parts.append(
            {
                "part": None,
                "items": others[:PART_LIMIT],
                "more": len(others) > PART_LIMIT,
                "count": len(others),
                "missing": False,
                "need": 0,
            }
        )
    return parts


def activity_defaults(activity: Activity) -> dict:
    """Caption fields an item uploaded into the activity inherits unless the uploader set them."""
    return {
        "taken_on": activity.date,
        "place": activity.place,
        "people": activity.participants[:500],
        "caption": activity.theme or activity.title,
    }


def apply_activity_defaults(fields: dict, activity: Activity | None) -> dict:
    """`fields` with every empty caption field filled from the activity."""
    if activity is None:
        return fields
    merged = dict(fields)
    for name, value in activity_defaults(activity).items():
        if not merged.get(name):
            merged[name] = value
    return merged
