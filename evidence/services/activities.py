"""Writes of activities (活动). Evidence uploaded into an activity inherits its caption fields unless set
(evidence.browsing.apply_activity_defaults)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from civunit.access import is_coordinator
from evidence import access

from ..models import Activity

FIELDS = ("title", "date", "place", "organiser_office", "participants", "theme")


def _organiser_rule(user, data: dict, *, current_office_id: int | None) -> dict:
    """Only the coordinator chooses the organiser office: anyone else's new activity is their own office's, and
    their edit keeps the office it has (the office's head may change the activity, so the office decides who)."""
    if is_coordinator(user):
        return data
    data = {k: v for k, v in data.items() if k != "organiser_office"}
    if current_office_id is None:
        if user.office_id is None:
            raise PermissionDenied
        data["organiser_office"] = user.office
    return data


@transaction.atomic
def activity_create(*, user, campaign, data: dict, standards=(), tasks=()) -> Activity:
    if not access.can_create_activity(user):
        raise PermissionDenied
    data = _organiser_rule(user, data, current_office_id=None)
    activity = Activity.objects.create(campaign=campaign, created_by=user, **{k: data[k] for k in FIELDS if k in data})
    activity.standards.set(standards)
    activity.tasks.set(tasks)
    return activity


@transaction.atomic
def activity_update(*, user, activity: Activity, data: dict, standards=None, tasks=None) -> Activity:
    if not access.can_change_activity(user, activity):
        raise PermissionDenied
    data = _organiser_rule(user, data, current_office_id=activity.organiser_office_id)
    for name in FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    activity.save()
    if standards is not None:
        activity.standards.set(standards)
    if tasks is not None:
        activity.tasks.set(tasks)
    return activity
