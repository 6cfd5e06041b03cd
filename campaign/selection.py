"""Which campaign a page shows: the one the person chose in the navigation's switcher (kept in the session), else
the current one. Every page, list, search, dashboard and export scoped to one campaign asks
`selected_campaign(request)`; commands and background jobs (no request: reminders, robots, periods) keep
`Campaign.objects.current()`, since only the current campaign is worked on.

Every campaign the person may read is loaded in one query (an organ runs one every year or so: a handful of rows)
and kept on the request, so that choosing costs what asking for the current one did and the switcher in the
navigation costs nothing more on a page that chose. A page that narrows the query (prefetching the stages,
annotating the dashboard's change stamps) passes its queryset; the rows are kept per query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from civunit import access

from .models import Campaign

if TYPE_CHECKING:
    from django.http import HttpRequest

SESSION_KEY = "campaign"
_KEPT = "_civunit_campaigns"


def readable_campaigns(user, queryset: QuerySet[Campaign] | None = None) -> QuerySet[Campaign]:
    """The campaigns `user` may read and choose: every campaign, for whoever reads the plan (a campaign, its plan
    and criteria are plan-level, civunit.access), newest first."""
    rows = Campaign.objects.all() if queryset is None else queryset
    if not access.can_read_plan(user):
        return rows.none()
    return rows.order_by("-start_date", "-pk")


def _kept(request: HttpRequest) -> dict[tuple, list[Campaign]]:
    kept = getattr(request, _KEPT, None)
    if kept is None:
        kept = {}
        setattr(request, _KEPT, kept)
    return kept


def campaigns(request: HttpRequest, queryset: QuerySet[Campaign] | None = None) -> list[Campaign]:
    """Every campaign the person may read, newest first: one query per request (per `queryset` asked)."""
    rows = readable_campaigns(request.user, queryset)
    kept = _kept(request)
    prefetched = getattr(rows, "_prefetch_related_lookups", ())  # not in django-stubs: private to Django
    key = (str(rows.query), tuple(str(p) for p in prefetched))
    if key not in kept:
        kept[key] = list(rows)
    return kept[key]


def any_campaigns(request: HttpRequest) -> list[Campaign]:
    """The campaigns a page already loaded (any query), else every readable one: for the navigation's switcher."""
    kept = _kept(request)
    if kept:
        return next(iter(kept.values()))
    return campaigns(request)


def chosen_id(request: HttpRequest) -> int | None:
    value = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return value if isinstance(value, int) else None


def pick(rows: list[Campaign], chosen: int | None) -> Campaign | None:
    """The chosen campaign among `rows`, else the current one (a choice that no longer exists falls back)."""
    if chosen is not None:
        for campaign in rows:
            if campaign.pk == chosen:
                return campaign
    return next((c for c in rows if c.is_current), None)


def selected_campaign(request: HttpRequest, queryset: QuerySet[Campaign] | None = None) -> Campaign | None:
    """The campaign the person's pages show: the one chosen in the switcher, else the current one, else None."""
    return pick(campaigns(request, queryset), chosen_id(request))


def previous_campaign(rows: list[Campaign], campaign: Campaign) -> Campaign | None:
    """The campaign that started last before `campaign` among `rows` (the year before, for the dashboard)."""
    earlier = [c for c in rows if (c.start_date, c.pk) < (campaign.start_date, campaign.pk)]
    return max(earlier, key=lambda c: (c.start_date, c.pk), default=None)


def select(request: HttpRequest, campaign: Campaign) -> None:
    """Show `campaign` on the person's pages from now on (their session only: nothing else changes)."""
    if campaign.is_current:
        request.session.pop(SESSION_KEY, None)  # follow the current campaign, whichever it will be
    else:
        request.session[SESSION_KEY] = campaign.pk
    _kept(request).clear()
