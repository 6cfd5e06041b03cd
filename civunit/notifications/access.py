"""Scoped fetching of notifications: someone else's notification, or one about an object the user can no
longer read, answers 404 exactly like a missing one."""

from __future__ import annotations

from django.http import Http404

from civunit import access

from .models import Notification


def _own_notification(user, notification: Notification) -> bool:
    """A notification is its recipient's alone."""
    return notification.recipient_id == user.pk


def register_read_rules() -> None:
    """Called by NotificationsConfig.ready()."""
    access.register_read_rule(Notification, _own_notification)


def get_notification_for_user(user, pk: int) -> Notification:
    notification = Notification.objects.for_user(user).select_related("content_type").filter(pk=pk).first()
    if notification is None:
        raise Http404
    target = notification.target
    if target is None or not access.can_read(user, target):
        raise Http404
    return notification
