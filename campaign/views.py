"""Pages of the campaign: the plan, the criteria tree, a criterion, the veto list, imports and exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import access
from civunit import downloads
from civunit.access import can_manage_campaign, can_read_plan
from civunit.http import AuthenticatedHttpRequest
from civunit.xlsx_table import XLSX_TYPE

from . import completeness, exporting, links, selectors, services, workbooks
from .access import (
    campaign_for_request,
    campaign_for_user,
    get_criterion_for_user,
    get_veto_for_user,
    is_open,
    require_manager,
)
from .forms import (
    AssessmentForm,
    CampaignSettingsForm,
    CriteriaUploadForm,
    ExplanationForm,
    LeadershipFormSet,
    PlanForm,
    StageFormSet,
    VetoForm,
    WorkAreaFormSet,
)
from .models import Assessment, ImportRecord, LeadershipMember, Plan, Stage, VetoCondition, WorkArea
from .text import count_chars

# --- The plan ---------------------------------------------------------------------------------------------


@require_GET
def plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    campaign = campaign_for_user(request)
    plan_obj = Plan.objects.filter(campaign=campaign).select_related("updated_by").first()
    leadership = list(
        LeadershipMember.objects.filter(campaign=campaign).select_related("user__office").order_by("ordering", "pk")
    )
    return render(
        request,
        "campaign/plan.html",
        {
            "campaign": campaign,
            "plan": plan_obj,
            "stages": list(campaign.stages.all()),
            "inspection_date": campaign.inspection_date,
            "today": timezone.localdate(),
            "leadership": leadership,
            "work_areas": list(WorkArea.objects.filter(campaign=campaign)),
            "can_edit": can_manage_campaign(request.user) and is_open(campaign),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest) -> HttpResponse:
    campaign = campaign_for_user(request)
    require_manager(request.user)
    access.require_open(campaign)
    plan_obj = Plan.objects.filter(campaign=campaign).first() or Plan(campaign=campaign)
    data = request.POST if request.method == "POST" else None
    form = PlanForm(data, instance=plan_obj)
    settings_form = CampaignSettingsForm(data, instance=campaign, prefix="campaign")
    stages = StageFormSet(data, queryset=Stage.objects.filter(campaign=campaign), prefix="stages")
    areas = WorkAreaFormSet(data, queryset=WorkArea.objects.filter(campaign=campaign), prefix="areas")
    members = LeadershipFormSet(
        data, queryset=LeadershipMember.objects.filter(campaign=campaign).select_related("user"), prefix="members"
    )
    if request.method == "POST" and all(f.is_valid() for f in (settings_form, form, stages, areas, members)):
        with transaction.atomic():
            settings_form.save()
            services.plan_update(campaign=campaign, user=request.user, **form.cleaned_data)
            formsets: tuple[Any, ...] = (stages, areas, members)  # three models, each with campaign and ordering
            for formset in formsets:
                for i, obj in enumerate(formset.save(commit=False)):
                    obj.campaign = campaign
                    if not obj.ordering:
                        obj.ordering = (i + 1) * 10
                    obj.save()
                for obj in formset.deleted_objects:
                    obj.delete()
        messages.success(request, _("The plan was saved."))
        return redirect("campaign:plan")
    return render(
        request,
        "campaign/plan_edit.html",
        {
            "campaign": campaign,
            "settings_form": settings_form,
            "form": form,
            "stages": stages,
            "areas": areas,
            "members": members,
        },
    )


# --- The criteria tree and one criterion ----------------------------------------------------------------


@require_GET
def criteria(request: AuthenticatedHttpRequest) -> HttpResponse:
    campaign = campaign_for_user(request)
    method = request.GET.get("method", "")[:100]
    status = request.GET.get("status", "")
    if status not in Assessment.Status.values:
        status = ""
    filtered = bool(method or status)
    # the campaign's figures and the items' counts are summed in the database (one query); one 测评项目 is
    # shown at a time (?item=<code>) and only its rows are loaded: the page stays small at any scale
    rollups = selectors.item_rollups(campaign, method=method, status=status)
    item, items = selectors.item_tabs(rollups, (request.GET.get("item") or "")[:30], filtered=filtered)
    nodes: list[selectors.Node] = []
    if item is not None:
        tree = selectors.filter_tree(selectors.criteria_tree(campaign, item_id=item.pk), method=method, status=status)
        nodes = tree.visible_nodes()
    # the choice of item: a <select> of every item (one line of text each) and a strip of a few around the one shown
    matching, met = _("%(n)s matching"), _("%(met)s/%(total)s met")
    picker = selectors.item_picker(
        items,
        next((t for t in items if t.active), None),
        figures=(lambda t: matching % {"n": t.matching})
        if filtered
        else (lambda t: met % {"met": t.figures.met, "total": t.figures.standards}),
    )
    return render(
        request,
        "campaign/criteria.html",
        {
            "campaign": campaign,
            "total": rollups.total,
            "item": item,
            "picker": picker,
            "nodes": nodes,
            "methods": rollups.methods,
            "statuses": Assessment.Status.choices,
            "method": method,
            "status": status,
            "filtered": filtered,
            "keep": [("method", method), ("status", status)],  # the filters the item picker keeps
            "veto": selectors.veto_counts(campaign),
            # the note on the table (e.g. "an example, to be replaced") is for those who can replace it
            "show_criteria_note": can_manage_campaign(request.user),
            "can_download": access.can_download_self_assessment(request.user),
        },
    )


@require_GET
def standard_choices(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The search-as-you-type choice of a standard (the evidence filters, the upload page): at most 20 standards of
    the selected campaign matching `q` by code prefix or words of the title; none without a campaign."""
    campaign = campaign_for_request(request) if can_read_plan(request.user) else None
    text = (request.GET.get("q") or "").replace("\x00", "")[:100]  # no NUL: PostgreSQL refuses it
    rows = [] if campaign is None else selectors.standard_choices(campaign, text=text)
    return JsonResponse(
        {"results": [{"id": c.pk, "code": c.code, "title": c.title, "label": c.label} for c in rows]},
        json_dumps_params={"ensure_ascii": False},
    )


def _criterion_context(request, criterion, *, assessment_form=None, explanation_form=None) -> dict:
    campaign = criterion.campaign
    tree = selectors.criteria_tree(campaign, with_requirements=False)
    node = tree.by_code[criterion.code]
    ancestors: list[selectors.Node] = []
    parent = node.parent
    while parent is not None:
        ancestors.insert(0, parent)
        parent = parent.parent
    user = request.user
    changeable = is_open(campaign)
    can_assess = changeable and node.is_standard and access.can_assess_standard(user, criterion)
    can_explain = changeable and node.is_indicator and access.can_write_explanation(user, criterion)
    if assessment_form is None and can_assess:
        assessment_form = AssessmentForm(instance=node.assessment, criterion=criterion)
    if explanation_form is None and can_explain:
        text = node.explanation.text if node.explanation else ""
        explanation_form = ExplanationForm(initial={"text": text}, limit=campaign.explanation_limit)
    history = []
    if node.is_standard and node.assessment:
        history = list(node.assessment.history.select_related("history_user").order_by("-history_date")[:10])
    elif node.is_indicator and node.explanation:
        history = list(node.explanation.history.select_related("history_user").order_by("-history_date")[:10])
    return {
        "campaign": campaign,
        "criterion": criterion,
        "node": node,
        "ancestors": ancestors,
        "requirements": list(criterion.requirements.all()),
        "assessment_form": assessment_form,
        "explanation_form": explanation_form,
        "limit": campaign.explanation_limit,
        "history": history,
        # Sections other apps register (the standard's tasks and evidence): see campaign/links.py.
        "linked_sections": links.sections_for(request, criterion),
        "show_criteria_note": can_manage_campaign(user),
    }


@require_GET
def criterion(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_criterion_for_user(request.user, pk)
    return render(request, "campaign/criterion.html", _criterion_context(request, obj))


def _met_without_evidence(criterion, status: str) -> list[str]:
    """What is missing (campaign.completeness) when a standard is being marked 达标; nothing otherwise."""
    if status != Assessment.Status.MET:
        return []
    return completeness.gaps([criterion]).get(criterion.pk, [])


@require_POST
def assessment_save(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    obj = get_criterion_for_user(request.user, pk, for_change=True)
    if not obj.is_leaf or not access.can_assess_standard(request.user, obj):
        raise PermissionDenied
    current = Assessment.objects.filter(criterion=obj).first()
    form = AssessmentForm(request.POST, instance=current, criterion=obj)
    if not form.is_valid():
        return render(
            request, "campaign/criterion.html", _criterion_context(request, obj, assessment_form=form), status=400
        )
    gaps = _met_without_evidence(obj, form.cleaned_data["status"])
    if gaps and obj.campaign.block_incomplete_completion:
        form.add_error(
            "status",
            _("The standard cannot be marked met yet: %(gaps)s") % {"gaps": "；".join(gaps)},
        )
        return render(
            request, "campaign/criterion.html", _criterion_context(request, obj, assessment_form=form), status=400
        )
    if gaps and request.POST.get("confirm") != "1":
        return render(
            request,
            "campaign/assessment_confirm.html",
            {"criterion": obj, "gaps": gaps, "data": form.cleaned_data},
        )
    services.assessment_save(criterion=obj, user=request.user, **form.cleaned_data)
    messages.success(request, _("The self-assessment of %(code)s was saved.") % {"code": obj.code})
    return redirect("campaign:criterion", pk=obj.pk)


@require_POST
def explanation_save(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    obj = get_criterion_for_user(request.user, pk, for_change=True)
    if obj.is_leaf or not access.can_write_explanation(request.user, obj):
        raise PermissionDenied
    form = ExplanationForm(request.POST, limit=obj.campaign.explanation_limit)
    if not form.is_valid():
        return render(
            request, "campaign/criterion.html", _criterion_context(request, obj, explanation_form=form), status=400
        )
    explanation = services.explanation_save(criterion=obj, user=request.user, text=form.cleaned_data["text"])
    messages.success(
        request,
        _("The explanation report of %(code)s was saved (%(count)d characters).")
        % {"code": obj.code, "count": count_chars(explanation.text)},
    )
    return redirect("campaign:criterion", pk=obj.pk)


# --- The veto list --------------------------------------------------------------------------------------


@require_GET
def veto(request: AuthenticatedHttpRequest) -> HttpResponse:
    campaign = campaign_for_user(request)
    conditions = selectors.veto_list(campaign)
    parent_ids = {c.parent_id for c in conditions if c.parent_id}
    can_edit = access.can_change_veto(request.user) and is_open(campaign)
    rows = [
        {
            "condition": c,
            "is_group": c.pk in parent_ids,
            "form": VetoForm(instance=c, prefix=f"v{c.pk}") if can_edit else None,
        }
        for c in conditions
    ]
    counts = selectors.veto_counts(campaign)
    return render(
        request,
        "campaign/veto.html",
        {
            "campaign": campaign,
            "rows": rows,
            "can_edit": can_edit,
            "triggered": counts[VetoCondition.Status.TRIGGERED],
            "at_risk": counts[VetoCondition.Status.AT_RISK],
            "clear": counts[VetoCondition.Status.CLEAR],
        },
    )


@require_POST
def veto_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    condition = get_veto_for_user(request.user, pk, for_change=True)
    if not access.can_change_veto(request.user):
        raise PermissionDenied
    form = VetoForm(request.POST, instance=condition, prefix=f"v{condition.pk}")
    if form.is_valid():
        services.veto_update(condition=condition, user=request.user, **form.cleaned_data)
        messages.success(request, _("%(code)s was updated.") % {"code": condition.code})
    else:
        messages.error(request, _("The status could not be saved: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("campaign:veto")


# --- Imports and exports (coordinator) --------------------------------------------------------------------


def _manage_context(campaign, form, result=None) -> dict:
    return {
        "campaign": campaign,
        "changeable": is_open(campaign),
        "form": form,
        "result": result,
        "records": list(
            ImportRecord.objects.filter(campaign=campaign).select_related("user").order_by("-created_at", "-pk")[:10]
        ),
    }


@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    campaign = campaign_for_user(request)
    require_manager(request.user)
    return render(request, "campaign/manage.html", _manage_context(campaign, CriteriaUploadForm()))


@require_POST
def criteria_import(request: HttpRequest) -> HttpResponse:
    campaign = campaign_for_user(request)
    require_manager(request.user)
    access.require_open(campaign)
    form = CriteriaUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "campaign/manage.html", _manage_context(campaign, form), status=400)
    upload = form.cleaned_data["file"]
    dry_run = "check" in request.POST
    result = services.criteria_import(
        campaign=campaign, user=request.user, file_name=upload.name, data=upload.read(), dry_run=dry_run
    )
    if not result.ok or dry_run:
        # Errors, or the preview of a check: shown on the page; nothing was written.
        status = 200 if result.ok else 400
        return render(request, "campaign/manage.html", _manage_context(campaign, form, result), status=status)
    messages.success(
        request,
        _("%(file)s was imported: %(added)d added, %(updated)d updated, %(removed)d removed, %(unchanged)d unchanged.")
        % {
            "file": upload.name,
            "added": len(result.added),
            "updated": len(result.updated),
            "removed": len(result.removed),
            "unchanged": result.unchanged,
        },
    )
    return redirect("campaign:criteria")


@require_GET
def criteria_export(request: HttpRequest, fmt: str) -> HttpResponse:
    campaign = campaign_for_user(request)
    require_manager(request.user)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "json":
        data, content_type = exporting.criteria_json(campaign), "application/json"
    else:
        data = exporting.criteria_xlsx(campaign)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return downloads.attachment(data, content_type=content_type, filename=f"criteria-{stamp}.{fmt}")


@require_GET
def self_assessment_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The self-assessment table (自评表) as a formatted workbook."""
    campaign = campaign_for_user(request)
    if not access.can_download_self_assessment(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    data = workbooks.self_assessment_workbook(campaign, today=today)
    return downloads.attachment(
        data,
        content_type=XLSX_TYPE,
        filename=f"自评表-{today:%Y%m%d}.xlsx",
        fallback=f"self-assessment-{today:%Y%m%d}",
    )
