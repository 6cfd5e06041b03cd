"""Writes of activities (活动). Evidence uploaded into an activity inherits its caption fields unless set
(evidence.browsing.apply_activity_defaults)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from evidence import access

from .models import Activity

FIELDS = ("title", "date", "place", "organiser_office", "participants", "theme")


@transaction.atomic
def activity_create(*, user, campaign, data: dict, standards=()) -> Activity:
    if not access.can_create_activity(user):
        raise PermissionDenied
    activity = Activity.objects.create(campaign=campaign, created_by=user, **{k: data[k] for k in FIELDS if k in data})
    activity.standards.set(standards)
    return activity


@transaction.atomic
def activity_update(*, user, activity: Activity, data: dict, standards=None) -> Activity:
    if not access.can_change_activity(user, activity):
        raise PermissionDenied
    for name in FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    activity.save()
    if standards is not None:
        activity.standards.set(standards)
    return activity
