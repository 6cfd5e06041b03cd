from typing import cast

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.dateformat import format as format_date
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from campaign import selection
from campaign.access import campaign_for_request
from campaign.models import Campaign
from civunit.accounts.models import Office
from civunit.forms import parse_id
from civunit.http import AuthenticatedHttpRequest
from evidence.access import can_read_archive_check
from evidence.models import EvidenceItem
from evidence.selectors import latest_archive_check
from tasks.models import Status

from . import dashboard as figures
from .dashboard_charts import STATE_COLOURS, dashboard_charts
from .readiness.access import can_view_readiness
from .selectors import home_summary, supervised_summary


@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Leadership and the coordinator land on the dashboard; everyone else on their workbench."""
    if figures.sees_organ(request.user):
        return _dashboard(request, printing=False)
    return workbench(request)


@require_GET
def workbench(request: AuthenticatedHttpRequest) -> HttpResponse:
    """工作台: the countdown and the work waiting for the person (the coordinator reaches it from the dashboard)."""
    summary = home_summary(
        request.user, campaign_for_request(request, queryset=Campaign.objects.prefetch_related("stages"))
    )
    # figures.viewable_offices() without asking: the person's own office (a foreign key: it exists) and the offices
    # they head (read with them), or every office
    user = request.user
    has_office_view = figures.sees_organ(user) or bool(user.office_id or user.headed_office_ids)
    return render(request, "reports/home.html", {"summary": summary, "has_office_view": has_office_view})


@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The dashboard: organ-wide for leadership and the coordinator (or one office, ?office=), the office's own
    view for everyone else."""
    return _dashboard(request, printing=False)


@require_GET
def dashboard_print(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The same dashboard laid out for A4 landscape: every rule open, every standard without accepted evidence
    listed (paper follows no link)."""
    return _dashboard(request, printing=True)


def _chosen_office(request: AuthenticatedHttpRequest) -> tuple[Office | None, list[Office]]:
    """The office whose view is asked for (None: the organ) and the offices the user may choose from.

    An office the user may not view answers 404, like one that does not exist; a value that is not a number is
    ignored."""
    user = request.user
    viewable = figures.viewable_offices(user)
    choices = list(Office.objects.order_by("ordering", "name")) if viewable is None else list(viewable)
    own = next((o for o in choices if o.pk == user.office_id), None)
    if own is not None:
        user.office = own  # the page header shows the person's office: already loaded, no query for it
    wanted = parse_id(request.GET.get("office"))
    if wanted is not None:
        office = next((o for o in choices if o.pk == wanted), None)
        if office is None:
            raise Http404
        return office, choices
    if viewable is None:
        return None, choices
    if not choices:
        raise Http404
    return own or choices[0], choices


RECENT_WEEKS = 8

# CSS hooks of the task-state legend beside the donut (static/css/dashboard.css), in the donut's order.
SWATCHES = {
    Status.DONE: "done",
    Status.PENDING_REVIEW: "pending",
    Status.IN_PROGRESS: "progress",
    Status.NOT_STARTED: "not-started",
    Status.RETURNED: "returned",
}


def _dashboard(request: AuthenticatedHttpRequest, *, printing: bool) -> HttpResponse:
    # every campaign in one query (the switcher's list too), the chosen one with its change stamps and stages
    rows = Campaign.objects.prefetch_related("stages").annotate(
        **figures.change_stamps(), **figures.readiness_annotations(), **figures.reader_stamps(request.user)
    )
    campaign = campaign_for_request(request, queryset=rows)
    template = "reports/dashboard.html"
    if campaign is None:
        return render(request, template, {"data": None})
    office, choices = _chosen_office(request)
    previous = selection.previous_campaign(selection.campaigns(request, rows), campaign) if office is None else None
    # The page's figures are rendered once per change (the fragments of reports/dashboard.html, kept under the
    # figures' own key, for this language and layout): while they are kept, neither the figures (a large object
    # to read back from the cache) nor their charts are needed, so both are read only when a fragment is drawn.
    key = figures.served_key(campaign=campaign, user=request.user, office=office, previous=previous)

    def compute() -> figures.Dashboard:
        return figures.cached_dashboard(
            campaign=campaign, user=request.user, office=office, offices=choices, previous=previous, key=key
        )

    data = cast(figures.Dashboard, SimpleLazyObject(compute))
    # 我分管的工作 is not printed
    supervised, supervised_total = ([], 0) if printing else supervised_summary(request.user, campaign)
    # The last integrity check, for the coordinator (one query; never kept with the figures)
    archive_card = can_read_archive_check(request.user) and not printing
    return render(
        request,
        template,
        {
            "data": data,
            "has_data": True,
            "dash_office": office,
            "fragment_key": f"{key}:{int(printing)}:{get_language()}" if key else "",
            "fragment_seconds": figures.CACHE_SECONDS if key else 0,  # 0: drawn for this request only
            "charts": SimpleLazyObject(lambda: dashboard_charts(data)),
            "task_states": SimpleLazyObject(
                lambda: [
                    (status.label, getattr(data.headline.tasks, status.value), SWATCHES[status])
                    for status in STATE_COLOURS
                ]
            ),
            # the latest weeks, in a table beside the chart (every week is in the table below it)
            "recent_weeks": SimpleLazyObject(lambda: data.weekly.weeks[-RECENT_WEEKS:]),
            "stage_list": SimpleLazyObject(
                lambda: "、".join(
                    f"{m.stage.name} {format_date(m.stage.start_date, 'n月j日')}" for m in data.weekly.markers
                )
            ),
            "office_choices": choices,
            "organ_view": figures.sees_organ(request.user),
            # the readiness check's findings: organ-wide, on the organ's view only
            "readiness": figures.readiness_figures(campaign) if office is None else None,
            "readiness_link": can_view_readiness(request.user),
            "printing": printing,
            # on paper, which follows no link, every standard without accepted evidence (one query, when drawn)
            "printed_coverage": SimpleLazyObject(
                lambda: figures.unevidenced_by_item(campaign=campaign, office=office) if printing else []
            ),
            # 我分管的工作 of a 分管领导 (reports/_supervised.html reads it as summary.*)
            "summary": {"supervised": supervised, "supervised_total": supervised_total},
            "rules": figures.status_rules(),
            # the filters of the task list and the evidence browser that the "more" links open
            "task_pending": Status.PENDING_REVIEW,
            "evidence_pending": EvidenceItem.Status.PENDING,
            "archive_card": archive_card,
            "archive_check": latest_archive_check() if archive_card else None,
        },
    )
