"""The readiness page (迎检自查), its workbook, and the coordinator's one click that makes a finding a
rectification task. Viewing shows the latest recorded check, running it afresh first when anything it reads
changed since (selectors.readiness_report); the coordinator's recheck button runs it whatever."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.access import campaign_for_request
from campaign.models import Campaign
from civunit.accounts.models import Office
from civunit.downloads import attachment
from civunit.forms import parse_id
from civunit.http import AuthenticatedHttpRequest
from civunit.reports.models import Severity

from . import access, services
from .export import readiness_workbook, workbook_name
from .selectors import ItemGroup, ReadinessReport, State, readiness_report, sections
from .stamps import reader_annotations, stamp_annotations

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Findings on one page of the list (every finding is counted above it and written to the workbook).
PAGE_SIZE = 50


def _office_choices(request: AuthenticatedHttpRequest) -> list[Office]:
    office_ids = access.readiness_office_ids(request.user)
    offices = Office.objects.order_by("ordering", "name")
    return list(offices if office_ids is None else offices.filter(pk__in=office_ids))


def _report(request: AuthenticatedHttpRequest) -> tuple[ReadinessReport | None, list[Office]]:
    """The check for the reader (narrowed to ?office= when they may see several offices: an office they may not
    see answers 404, like one that does not exist); None when no campaign is current."""
    access.require_view(request.user)
    choices = _office_choices(request)
    office = None
    if (wanted := parse_id(request.GET.get("office"))) is not None:
        office = next((o for o in choices if o.pk == wanted), None)
        if office is None:
            raise Http404
    # the campaign with the change stamps of what the check reads and the reader's own newest events (stages
    # load only should the check run)
    rows = Campaign.objects.annotate(**stamp_annotations(), **reader_annotations(request.user))
    campaign = campaign_for_request(request, queryset=rows)
    if campaign is None:
        return None, choices
    return readiness_report(campaign=campaign, user=request.user, office=office, offices=choices), choices


def _item_rows(request: AuthenticatedHttpRequest, report: ReadinessReport, chosen: ItemGroup | None) -> SafeString:
    """The rows of the table of 测评项目 (a hundred or so, three counts each), made here rather than in the
    template, where they cost ten times as much: each links to its findings (this page's query with ?item= set
    and ?page= dropped). Only the item's code and title and the query are text from outside: escaped."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("item", None)
    prefix = f"?{escape(query.urlencode())}&amp;item=" if query else "?item="
    whole = escape(_("The campaign as a whole"))
    severities = [severity.value for severity in Severity]
    rows = []
    for group in report.groups:
        counts = group.counts
        cells = "".join(
            f'<td class="text-end {f"severity-text-{s}" if counts[s] else "text-muted"}">{counts[s]}</td>'
            for s in severities
        )
        label = escape(f"{group.item.code} {group.item.title}") if group.item is not None else whole
        active = ' class="table-active"' if chosen is not None and chosen.key == group.key else ""
        rows.append(
            f'<tr data-item="{group.key}"{active}><td><a href="{prefix}{group.key}">{label}</a></td>{cells}</tr>'
        )
    return SafeString("\n".join(rows))


@require_GET
def readiness(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every finding counted by 测评项目 and severity; the findings themselves a page at a time (of one item with
    ?item=, 0 for the campaign as a whole)."""
    report, choices = _report(request)
    chosen, page = None, None
    if report is not None:
        wanted = parse_id(request.GET.get("item"))
        chosen = report.group(wanted) if wanted is not None else None
        rows = chosen.rows if chosen is not None else report.rows
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        report.load(page.object_list)  # what the rules said of the rows shown, in one query
    return render(
        request,
        "reports/readiness/page.html",
        {
            "report": report,
            "chosen": chosen,
            "page": page,
            "sections": sections(list(page.object_list)) if page is not None else [],
            "item_rows": _item_rows(request, report, chosen) if report is not None else "",
            "office_choices": choices,
            "organ_view": access.readiness_office_ids(request.user) is None,
            "may_rectify": access.can_rectify(request.user),
            "may_recheck": access.can_recheck(request.user),
            "severities": Severity,
            "states": State,
        },
    )


@require_GET
def readiness_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    report, _choices = _report(request)
    if report is None:
        raise Http404(_("There is no current campaign."))
    return attachment(
        readiness_workbook(report), content_type=XLSX, filename=workbook_name(report), fallback="readiness"
    )


@require_POST
def recheck(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Run the check now, whatever was recorded (the coordinator's button), and show the page again."""
    access.require_recheck(request.user)
    # a change like any other: an archived campaign's findings stay as they were when it was archived
    campaign = campaign_for_request(request, for_change=True, queryset=Campaign.objects.prefetch_related("stages"))
    if campaign is None:
        raise Http404
    services.readiness_refresh(campaign=campaign)
    messages.success(request, _("The readiness check was run again."))
    back, page = request.POST.get("next", ""), reverse("reports:readiness")
    if not (back.startswith(page) and url_has_allowed_host_and_scheme(back, allowed_hosts=None)):
        back = page
    return redirect(back)


@require_POST
def rectify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_for_request(request, for_change=True, queryset=Campaign.objects.prefetch_related("stages"))
    if campaign is None:
        raise Http404
    record = access.get_finding_for_user(request.user, campaign, pk)
    access.require_rectify(request.user)
    # back to the page of the list the click came from (only ever a page of the list)
    back, page = request.POST.get("next", ""), reverse("reports:readiness")
    if not (back.startswith(page) and url_has_allowed_host_and_scheme(back, allowed_hosts=None)):
        back = page
    back = f"{back.split('#')[0]}#finding-{record.pk}"
    try:
        task = services.finding_rectify(record=record, user=request.user)
    except services.ReadinessError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(
        request,
        _("Rectification task %(code)s was given to %(office)s.")
        % {"code": task.code, "office": task.lead_office.name},
    )
    return redirect(back)
