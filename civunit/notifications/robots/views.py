"""The group robots' pages, for the coordinator and administrators: the robots of every group with their latest
messages and the failed ones, adding, changing, removing, the test button (which shows the robot's answer), and
sending a failed message again."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civunit.accounts.models import Office
from civunit.forms import parse_id
from civunit.http import AuthenticatedHttpRequest

from . import access, addresses, crypto, services
from .forms import RobotForm
from .models import Robot, RobotGroup, RobotMessage

# The robots page lists the failed messages of this many days.
FAILED_DAYS = 30
FAILED_LIMIT = 50
RECENT_LIMIT = 10


@require_GET
def robot_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_manage(request.user)
    # Each robot with its latest message's status and time, in one query however long the log.
    latest = RobotMessage.objects.filter(robot=OuterRef("pk")).order_by("-created_at", "-pk")
    robots = list(
        Robot.objects.select_related("office").annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_at=Subquery(latest.values("created_at")[:1]),
        )
    )
    by_office: dict[int, list[Robot]] = {}
    by_group: dict[str, list[Robot]] = {RobotGroup.ORGAN: [], RobotGroup.LEADERSHIP: []}
    for robot in robots:
        if robot.office_id is not None:
            by_office.setdefault(robot.office_id, []).append(robot)
        else:
            by_group.setdefault(robot.group, []).append(robot)
    since = timezone.localdate() - datetime.timedelta(days=FAILED_DAYS)
    failed = list(
        RobotMessage.objects.filter(status=RobotMessage.Status.FAILED, day__gte=since)
        .select_related("robot__office")
        .order_by("-created_at", "-pk")[:FAILED_LIMIT]
    )
    groups = [
        {"key": group, "label": RobotGroup(group).label, "robots": by_group.get(group, []), "office": None}
        for group in (RobotGroup.ORGAN, RobotGroup.LEADERSHIP)
    ]
    offices = [
        {"key": RobotGroup.OFFICE, "label": office.name, "robots": by_office.get(office.pk, []), "office": office}
        for office in Office.objects.all()
    ]
    return render(
        request,
        "notifications/robots/list.html",
        {
            "groups": groups,
            "offices": offices,
            "failed": failed,
            "failed_days": FAILED_DAYS,
            "key_available": crypto.key_available(),
            "prefixes": addresses.allowed_prefixes(),
        },
    )


@sensitive_post_parameters("url", "secret")
@require_http_methods(["GET", "POST"])
def robot_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_manage(request.user)
    if request.method == "POST":
        form = RobotForm(request.POST)
        if form.is_valid():
            try:
                robot = services.robot_save(robot=None, user=request.user, **form.values)
            except services.RobotError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The robot is added. Send a test message to check it."))
                return redirect("robots:detail", pk=robot.pk)
    else:
        initial: dict[str, object] = {}
        group = request.GET.get("group", "")
        if group in RobotGroup.values:
            initial["group"] = group
        office_id = parse_id(request.GET.get("office"))
        if office_id is not None and Office.objects.filter(pk=office_id).exists():
            initial.update(group=RobotGroup.OFFICE, office=office_id)
        form = RobotForm(initial=initial)
    return render(request, "notifications/robots/form.html", {"form": form, "robot": None})


@require_GET
def robot_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    robot = access.get_robot_for_user(request.user, pk)
    recent = list(robot.messages.order_by("-created_at", "-pk")[:RECENT_LIMIT])
    return render(
        request,
        "notifications/robots/detail.html",
        {"robot": robot, "recent": recent, "limit": RECENT_LIMIT},
    )


@sensitive_post_parameters("url", "secret")
@require_http_methods(["GET", "POST"])
def robot_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    robot = access.get_robot_for_user(request.user, pk)
    if request.method == "POST":
        form = RobotForm(request.POST, robot=robot)
        if form.is_valid():
            try:
                services.robot_save(robot=robot, user=request.user, **form.values)
            except services.RobotError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The robot is saved."))
                return redirect("robots:detail", pk=robot.pk)
    else:
        form = RobotForm(robot=robot)
    return render(request, "notifications/robots/form.html", {"form": form, "robot": robot})


class _ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, remove this robot"))


@require_http_methods(["GET", "POST"])
def robot_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    robot = access.get_robot_for_user(request.user, pk)
    form = _ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.robot_delete(robot=robot, user=request.user)
        messages.success(request, _("The robot is removed."))
        return redirect("robots:list")
    return render(request, "notifications/robots/delete.html", {"robot": robot, "form": form})


@require_POST
def robot_test(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    robot = access.get_robot_for_user(request.user, pk)
    try:
        record = services.robot_test(robot=robot, user=request.user)
    except services.RobotError as error:
        messages.error(request, str(error))
    else:
        if record.status == RobotMessage.Status.SENT:
            messages.success(
                request, _("The test message was sent. The robot answered: %(answer)s") % {"answer": record.response}
            )
        else:
            messages.error(request, _("The test message failed. %(answer)s") % {"answer": record.response})
    return redirect("robots:detail", pk=robot.pk)


@require_POST
def message_resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = access.get_message_for_user(request.user, pk)
    try:
        services.message_resend(message=message, user=request.user)
    except services.RobotError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The message is queued to be sent again."))
    return redirect("robots:detail", pk=message.robot_id)
