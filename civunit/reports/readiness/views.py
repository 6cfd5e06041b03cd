"""The readiness page (迎检自查), its workbook, and the coordinator's one click that makes a finding a
rectification task. Viewing runs the check afresh and records it (selectors.readiness_report)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.models import Campaign
from civunit.accounts.models import Office
from civunit.downloads import attachment
from civunit.forms import parse_id
from civunit.http import AuthenticatedHttpRequest
from civunit.reports.models import Severity

from . import access, services
from .export import readiness_workbook, workbook_name
from .selectors import ReadinessReport, State, readiness_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    campaign = Campaign.objects.prefetch_related("stages").current()
    if campaign is None:
        return None, choices
    return readiness_report(campaign=campaign, user=request.user, office=office), choices


@require_GET
def readiness(request: AuthenticatedHttpRequest) -> HttpResponse:
    report, choices = _report(request)
    return render(
        request,
        "reports/readiness/page.html",
        {
            "report": report,
            "office_choices": choices,
            "organ_view": access.readiness_office_ids(request.user) is None,
            "may_rectify": access.can_rectify(request.user),
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
def rectify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = Campaign.objects.prefetch_related("stages").current()
    if campaign is None:
        raise Http404
    record = access.get_finding_for_user(request.user, campaign, pk)
    access.require_rectify(request.user)
    back = reverse("reports:readiness") + f"#finding-{record.pk}"
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
