"""Pages of the task breakdown: my tasks, my office's tasks, all tasks, a task with its history, and one view per
workflow action (POST → redirect → GET with a message)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.access import campaign_for_request, is_open
from campaign.models import Campaign
from civunit.accounts.models import Office
from civunit.forms import parse_id
from civunit.http import AuthenticatedHttpRequest
from tasks import access as policy

from . import selectors, services
from .access import get_occurrence_for_task, get_task_for_user
from .forms import (
    AssignForm,
    BulkForm,
    CheckOffForm,
    ProgressForm,
    ReturnForm,
    ReviewForm,
    SplitForm,
    TaskFilterForm,
    TaskForm,
    VersionedForm,
)
from .models import OPEN_STATES, Task, TaskEvent
from .selectors import TaskFilters

PAGE_SIZE = 50


def _campaign_or_none(request: HttpRequest, *, for_change: bool = False) -> Campaign | None:
    """The campaign the person's pages show (chosen in the switcher, else the current one); with `for_change`,
    403 when it is archived."""
    return campaign_for_request(request, for_change=for_change)


def _no_campaign(request: HttpRequest) -> HttpResponse:
    return render(request, "tasks/no_campaign.html", {})


def _page(request: HttpRequest, rows):
    return Paginator(selectors.listed(rows), PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
def task_choices(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The search-as-you-type choice of a task (the evidence filters, the upload page): at most 20 tasks of the
    person's campaign they may read that match `q` by 序号 or title, their own and their office's first."""
    campaign = _campaign_or_none(request)
    text = (request.GET.get("q") or "").replace("\x00", "")[:100]  # no NUL: PostgreSQL refuses it
    rows = [] if campaign is None else selectors.task_choices(user=request.user, campaign=campaign, text=text)
    return JsonResponse(
        {
            "results": [
                {"id": c.pk, "code": c.code, "title": c.title, "label": c.label, "group": c.closeness} for c in rows
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def task_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    campaign = _campaign_or_none(request)
    if campaign is None:
        return _no_campaign(request)
    form = TaskFilterForm(request.GET or None, campaign=campaign)
    filters = form.filters() if form.is_bound else TaskFilters()
    standard = form.cleaned_data.get("standard") if form.is_bound and "standard" not in form.errors else None
    rows = selectors.task_rows(user=request.user, campaign=campaign)
    if filters.to_review:
        rows = selectors.awaiting_review_rows(user=request.user, campaign=campaign)
    if filters.supervised:
        rows = rows.filter(leader_in_charge=request.user)
    rows = selectors.filter_tasks(rows, filters, campaign=campaign)
    return render(
        request,
        "tasks/list.html",
        {
            "campaign": campaign,
            "form": form,
            "page": _page(request, rows),
            "filters": filters,
            "standard": standard,  # the standard filtered by, its title under the field
            "may_create": policy.can_edit_task(request.user) and is_open(campaign),
            "may_export_all": policy.task_export_office_ids(request.user) is None,
        },
    )


@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    campaign = _campaign_or_none(request)
    if campaign is None:
        return _no_campaign(request)
    return render(
        request,
        "tasks/mine.html",
        {
            "campaign": campaign,
            "page": _page(request, selectors.my_task_rows(user=request.user, campaign=campaign)),
            "to_review": list(
                selectors.listed(selectors.awaiting_review_rows(user=request.user, campaign=campaign))[:PAGE_SIZE]
            ),
        },
    )


def _office_for(request: AuthenticatedHttpRequest) -> Office | None:
    """The office whose tasks to show: ?office=<id>, else the first office the user heads, else their own."""
    wanted = request.GET.get("office", "").strip()
    if wanted.isascii() and wanted.isdigit():
        office_id = parse_id(wanted)  # None beyond 64 bits: no such office
        office = Office.objects.filter(pk=office_id).first() if office_id is not None else None
        if office is None:
            raise Http404
        return office
    headed = sorted(request.user.headed_office_ids)
    if headed:
        return Office.objects.filter(pk=headed[0]).first()
    return request.user.office


@require_GET
def office_tasks(request: AuthenticatedHttpRequest) -> HttpResponse:
    campaign = _campaign_or_none(request)
    if campaign is None:
        return _no_campaign(request)
    office = _office_for(request)
    if office is None:
        return render(request, "tasks/office.html", {"campaign": campaign, "office": None, "page": None})
    rows = selectors.office_task_rows(user=request.user, campaign=campaign, office_id=office.pk)
    bulk_office_ids = policy.task_bulk_office_ids(request.user)
    may_bulk = office.pk in bulk_office_ids and is_open(campaign)
    return render(
        request,
        "tasks/office.html",
        {
            "campaign": campaign,
            "office": office,
            "page": _page(request, rows),
            "may_bulk": may_bulk,
            "may_export": bool(policy.task_export_office_ids(request.user)),
            "bulk_office_ids": bulk_office_ids,
            "bulk_form": BulkForm(office_ids=[office.pk]) if may_bulk else None,
            "headed_offices": Office.objects.filter(pk__in=bulk_office_ids) if len(bulk_office_ids) > 1 else [],
        },
    )


def _permissions(user, task: Task) -> dict[str, bool]:
    allow_self = task.campaign.allow_self_review
    if not is_open(task.campaign):  # archived: read-only, nothing to offer (the views refuse it anyway)
        return dict.fromkeys(
            ("start", "progress", "assign", "split", "check_off", "review", "reviewer", "edit", "anything"), False
        )
    can = {
        "start": policy.can_start_task(user, task),
        "progress": policy.can_report_task_progress(user, task),
        "assign": policy.can_assign_task(user, task),
        "split": policy.can_split_task(user, task),
        "check_off": policy.can_check_off_task(user, task),
        "review": policy.can_review_task(
            user, task, checked_off_by_id=task.checked_off_by_id, allow_self_review=allow_self
        ),
        "reviewer": policy.is_task_reviewer(user, task),
        "edit": policy.can_edit_task(user),
    }
    # Whether the actions card has anything for this person (else it says so).
    can["anything"] = any(can[k] for k in ("start", "assign", "check_off", "reviewer", "edit"))
    return can


@require_GET
def task_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    flagged = (
        Task.objects.filter(pk=task.pk)  # type: ignore[misc]  # annotated by with_flags(); the plugin knows fields only
        .with_flags(stalled_after_days=task.campaign.stalled_after_days)
        .values(
            "due",
            "is_overdue",
            "is_due_soon",
            "is_stalled",
            "last_activity",
            "periods_done",
            "periods_late",
            "periods_missed",
            "children_total",
            "children_done",
        )
        .get()
    )
    occurrences = list(selectors.task_occurrences(task))
    # no query for a task without sub-tasks (most of them): the flags count them
    children = selectors.task_children(user=request.user, task=task) if flagged["children_total"] else None
    history = list(selectors.task_history(task))
    user = request.user
    allow_self = task.campaign.allow_self_review
    today = timezone.localdate()
    for occurrence in occurrences:
        occurrence.is_missed = occurrence.status in OPEN_STATES and occurrence.due_date < today  # type: ignore[attr-defined]  # set for the template
        occurrence.may_review = policy.can_review_task(  # type: ignore[attr-defined]  # set for the template
            user, task, checked_off_by_id=occurrence.checked_off_by_id, allow_self_review=allow_self
        )
    return render(
        request,
        "tasks/detail.html",
        {
            "task": task,
            "flags": flagged,
            "can": _permissions(user, task),
            "children": [] if children is None else list(selectors.listed(children)),
            "occurrences": occurrences,
            # periods a progress report can be about: the open ones, the current first
            "open_occurrences": sorted(
                (o for o in occurrences if o.status in OPEN_STATES and o.period_start <= today),
                key=lambda o: o.period_start,
                reverse=True,
            ),
            "reports": list(task.progress_reports.select_related("author", "occurrence")),
            "history": history,
            "last_return": next((e for e in history if e.action == TaskEvent.Action.RETURNED), None),
            "ancestors": _ancestors(task),
            "check_off_form": CheckOffForm(initial={"version": task.version}),
            "review_form": ReviewForm(initial={"version": task.version}),
            "return_form": ReturnForm(initial={"version": task.version}),
            "progress_form": ProgressForm(),
            "evidence_panel": select_template(["evidence/_task_evidence.html", "tasks/_evidence_placeholder.html"]),
        },
    )


def _ancestors(task: Task) -> list[Task]:
    """The chain of parents above a sub-task, top first: the parent comes with the task (get_task_for_user), one
    query per level above it (trees are shallow)."""
    if task.parent is None:
        return []
    chain: list[Task] = [task.parent]
    parent_id = task.parent.parent_id
    while parent_id is not None and len(chain) < 20:
        parent = Task.objects.only("pk", "code", "title", "parent_id").get(pk=parent_id)
        chain.append(parent)
        parent_id = parent.parent_id
    return list(reversed(chain))


def _detail(task: Task):
    return redirect("tasks:detail", pk=task.pk)


def _form_error(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        messages.error(request, errors[0])
        return


def _run(request: HttpRequest, task: Task, call, success: str) -> None:
    try:
        call()
    except services.StaleTask as error:
        messages.warning(request, str(error))
    except services.TaskActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)


def _action_view(form_class, success_message, perform):
    """One workflow action: validate the posted form, run the service, redirect to the task's page."""

    @require_POST
    def view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        task = get_task_for_user(request.user, pk, for_change=True)
        if not policy.may_work_on_tasks(request.user):
            raise PermissionDenied
        form = form_class(request.POST)
        if not form.is_valid():
            _form_error(request, form)
            return _detail(task)
        occurrence = get_occurrence_for_task(task, form.cleaned_data.get("occurrence"))
        _run(request, task, lambda: perform(request.user, task, occurrence, form.cleaned_data), success_message())
        return _detail(task)

    return view


task_start = _action_view(
    VersionedForm,
    lambda: _("The task has started."),
    lambda user, task, occ, data: services.task_start(task=task, user=user, version=data["version"]),
)


@require_POST
def task_check_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Check off; a task with open sub-tasks or unmet evidence requirements first gets a page that says so and
    asks for confirmation (the same form again with confirm=1)."""
    task = get_task_for_user(request.user, pk, for_change=True)
    if not policy.may_work_on_tasks(request.user):
        raise PermissionDenied
    form = CheckOffForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _detail(task)
    data = form.cleaned_data
    occurrence = get_occurrence_for_task(task, data.get("occurrence"))
    try:
        services.task_check_off(
            task=task,
            user=request.user,
            note=data["note"],
            version=data["version"],
            occurrence=occurrence,
            confirmed=data["confirm"],
        )
    except services.CheckOffNeedsConfirmation as unconfirmed:
        return render(
            request,
            "tasks/check_off_confirm.html",
            {"task": task, "occurrence": occurrence, "concerns": unconfirmed.concerns, "data": data},
        )
    except services.StaleTask as error:
        messages.warning(request, str(error))
    except services.TaskActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Checked off; it now waits for review."))
    return _detail(task)


task_accept = _action_view(
    ReviewForm,
    lambda: _("Accepted: the task is done."),
    lambda user, task, occ, data: services.task_accept(
        task=task, user=user, note=data["note"], version=data["version"], occurrence=occ
    ),
)
task_return = _action_view(
    ReturnForm,
    lambda: _("Returned with your reason."),
    lambda user, task, occ, data: services.task_return(
        task=task, user=user, reason=data["reason"], version=data["version"], occurrence=occ
    ),
)
task_resume = _action_view(
    VersionedForm,
    lambda: _("Work on the task has resumed."),
    lambda user, task, occ, data: services.task_resume(task=task, user=user, version=data["version"], occurrence=occ),
)


@require_POST
def task_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk, for_change=True)
    if not policy.may_work_on_tasks(request.user):
        raise PermissionDenied
    form = ProgressForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _detail(task)
    occurrence = get_occurrence_for_task(task, form.cleaned_data.get("occurrence"))
    _run(
        request,
        task,
        lambda: services.progress_report_add(
            task=task, user=request.user, text=form.cleaned_data["text"], occurrence=occurrence
        ),
        _("Progress recorded."),
    )
    return _detail(task)


@require_http_methods(["GET", "POST"])
def task_split(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    parent = get_task_for_user(request.user, pk, for_change=True)
    if not policy.can_split_task(request.user, parent):
        raise PermissionDenied
    form = SplitForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            child = services.task_split(
                parent=parent,
                user=request.user,
                title=data["title"],
                code=data["code"],
                lead_office=data["lead_office"],
                measures=data["measures"],
                responsible_people=data["people"],
                deadline=data["deadline"],
            )
        except services.TaskActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Sub-task %(code)s created.") % {"code": child.code})
            return _detail(child)
    return render(request, "tasks/split.html", {"task": parent, "form": form})


@require_http_methods(["GET", "POST"])
def task_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk, for_change=True)
    if not policy.can_assign_task(request.user, task):
        raise PermissionDenied
    initial = {
        "version": task.version,
        "deadline": task.deadline,
        "people": [p.pk for p in task.responsible_people.all()],
    }
    form = AssignForm(request.POST or None, task=task, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_assign(task=task, user=request.user, people=data["people"], version=data["version"])
            if data["deadline"] != task.deadline:
                services.task_set_deadline(task=task, user=request.user, deadline=data["deadline"])
        except services.StaleTask as error:
            messages.warning(request, str(error))
            return redirect("tasks:assign", pk=task.pk)
        except services.TaskActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Assignment saved."))
            return _detail(task)
    return render(request, "tasks/assign.html", {"task": task, "form": form})


@require_POST
def bulk_action(request: AuthenticatedHttpRequest) -> HttpResponse:
    campaign = _campaign_or_none(request, for_change=True)
    office_ids = policy.task_bulk_office_ids(request.user)
    if campaign is None or not office_ids:
        raise PermissionDenied
    back = reverse("tasks:office")
    if (office_id := parse_id(request.POST.get("office"))) is not None:
        back += f"?office={office_id}"
    form = BulkForm(request.POST, office_ids=office_ids)
    if not form.is_valid():
        _form_error(request, form)
        return redirect(back)
    data = form.cleaned_data
    try:
        if data["action"] == "assign":
            count = services.tasks_bulk_assign(
                user=request.user, campaign=campaign, task_ids=data["tasks"], people=data["people"]
            )
        else:
            count = services.tasks_bulk_set_deadline(
                user=request.user, campaign=campaign, task_ids=data["tasks"], deadline=data["deadline"]
            )
    except services.StaleTask as error:
        messages.warning(request, str(error))
    except services.TaskActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(count)d tasks updated.") % {"count": count})
    return redirect(back)


def _task_fields(data: dict) -> dict:
    leader = services.person_by_name(data["leader_in_charge_name"])
    return {
        "code": data["code"],
        "title": data["title"],
        "measures": data["measures"],
        "work_area": data["work_area"],
        "standards": list(data["standards"]),
        "lead_office": data["lead_office"],
        "supporting_offices": list(data["supporting_offices"]),
        "leader_in_charge": leader,
        "leader_in_charge_name": "" if leader else data["leader_in_charge_name"],
        "deadline": data["deadline"],
        "recurrence": data["recurrence"],
        "evidence_requirement": data["evidence_requirement"],
        "notes": data["notes"],
    }


@require_http_methods(["GET", "POST"])
def task_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new top-level line of the breakdown (the coordinator; offices split their own sub-tasks)."""
    campaign = _campaign_or_none(request, for_change=True)
    if campaign is None:
        return _no_campaign(request)
    if not policy.can_edit_task(request.user):
        raise PermissionDenied
    form = TaskForm(request.POST or None, campaign=campaign, initial={"recurrence": Task.Recurrence.NONE})
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(campaign=campaign, user=request.user, **_task_fields(form.cleaned_data))
        except services.TaskActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Task %(code)s created.") % {"code": task.code})
            return _detail(task)
    return render(request, "tasks/edit.html", {"form": form, "task": None})


@require_http_methods(["GET", "POST"])
def task_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk, for_change=True)
    if not policy.can_edit_task(request.user):
        raise PermissionDenied
    form = TaskForm(request.POST or None, campaign=task.campaign, task=task, initial=TaskForm.initial_for(task))
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(
                task=task,
                user=request.user,
                version=form.cleaned_data["version"] or task.version,
                **_task_fields(form.cleaned_data),
            )
        except services.StaleTask as error:
            messages.warning(request, str(error))
            return redirect("tasks:edit", pk=task.pk)
        except services.TaskActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Task saved."))
            return _detail(task)
    return render(request, "tasks/edit.html", {"form": form, "task": task})
