"""Creating and reading notifications. Every app sends through notify(); it checks that the recipient may read
the object at that moment, stores each (recipient, kind, object, day) once, and queues the e-mail after commit
for those who opted in.

The signature of notify() is the contract the other apps call.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from civunit import access

from .models import Notification, NotificationPreference

logger = logging.getLogger(__name__)


def notify(
    *,
    recipient,
    kind: str,
    obj: models.Model,
    text: str,
    actor=None,
    url: str = "",
    day: datetime.date | None = None,
    days: int | None = None,
) -> Notification | None:
    """Notify `recipient` of `kind` about `obj` (in-app, and by e-mail after commit where they opted in).

    Returns the notification, or None when the recipient may not read `obj` or was already told (same
    object, kind, day and text; with another text, that day's notification is updated and shown as new
    again, e.g. a second return with a new reason). Call it inside the transaction that made the change:
    if that transaction rolls back, the notification and its e-mail go with it. `days` is for date-driven
    reminders (days left or days overdue). A person is not notified of their own action.
    """
    if recipient is None or not access.can_read(recipient, obj):
        return None
    if actor is not None and actor.pk == recipient.pk:
        return None
    if not url:
        get_url = getattr(obj, "get_absolute_url", None)
        url = get_url() if callable(get_url) else ""
    lookup = {
        "recipient": recipient,
        "kind": str(kind),
        "content_type": ContentType.objects.get_for_model(obj),
        "object_id": obj.pk,
        "day": day or timezone.localdate(),
    }
    # A savepoint, so that losing a race against a concurrent identical notify() (IntegrityError on the
    # unique constraint) does not break the caller's transaction.
    try:
        with transaction.atomic():
            notification = Notification.objects.filter(**lookup).first()
            if notification is None:
                notification = Notification.objects.create(
                    **lookup, text=str(text), url=url[:500], actor=actor, days=days
                )
            elif notification.text == str(text):
                return None
            else:
                # The same event again on the same day in other words (returned twice, with a new reason):
                # the person must read the new text, so the notification comes back as new.
                notification.text, notification.url, notification.actor = str(text), url[:500], actor
                notification.days = days
                notification.read_at = notification.emailed_at = None
                notification.created_at = timezone.now()
                notification.save()
    except IntegrityError:
        return None
    if recipient.email and NotificationPreference.wants_email(recipient, str(kind)):
        from .jobs import send_notification_email

        pk = notification.pk
        transaction.on_commit(lambda: send_notification_email.enqueue(pk))
    return notification


# --- Reading: a notification whose object the recipient can no longer read is neither shown nor counted -----


def _unreadable_pairs(user, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (content_type_id, object_id) pairs among `pairs` whose object `user` may not read (or is gone).

    One query per content type (a handful of models), however many notifications there are.
    """
    by_type: dict[int, set[int]] = {}
    for ct_id, obj_id in pairs:
        by_type.setdefault(ct_id, set()).add(obj_id)
    hidden: set[tuple[int, int]] = set()
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()  # cached after the first use
        if model is None:
            hidden.update((ct_id, i) for i in ids)
            continue
        found = model._default_manager.in_bulk(ids)
        hidden.update((ct_id, i) for i in ids if i not in found or not access.can_read(user, found[i]))
    return hidden


def _excluding(qs, hidden: set[tuple[int, int]]):
    by_type: dict[int, list[int]] = {}
    for ct_id, obj_id in hidden:
        by_type.setdefault(ct_id, []).append(obj_id)
    for ct_id, ids in by_type.items():
        qs = qs.exclude(content_type_id=ct_id, object_id__in=ids)
    return qs


def visible_notifications(user):
    """The user's notifications about objects they may still read, newest first (a lazy queryset)."""
    qs = Notification.objects.for_user(user)
    pairs = qs.values_list("content_type_id", "object_id").distinct().order_by()
    return _excluding(qs, _unreadable_pairs(user, pairs)).newest_first()


# The bell counts at most this many; beyond it shows "99+".
UNREAD_COUNT_CAP = 100


def unread_count(user) -> int:
    """Unread notifications the user may still read, capped at UNREAD_COUNT_CAP.

    Queries: one for the newest unread rows, then one per content type among them (none when nothing is
    unread), however many notifications there are.
    """
    if not access.is_active_user(user):
        return 0
    rows = list(
        Notification.objects.for_user(user)
        .unread()
        .order_by("-created_at", "-pk")
        .values_list("content_type_id", "object_id")[: UNREAD_COUNT_CAP * 2]
    )
    if not rows:
        return 0
    hidden = _unreadable_pairs(user, rows)
    return min(sum(1 for row in rows if row not in hidden), UNREAD_COUNT_CAP)


@transaction.atomic
def notification_mark_read(*, user, notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )


def notifications_mark_done(*, user, objs: Iterable[models.Model], kinds: Iterable[str]) -> int:
    """`user` did what the notifications of `kinds` about `objs` asked (reviewed the item, resumed the task):
    they are marked read. One query per model among `objs`; call it inside the transaction of the action."""
    by_type: dict[int, list[int]] = {}
    for obj in objs:
        by_type.setdefault(ContentType.objects.get_for_model(obj).pk, []).append(obj.pk)
    kinds = [str(k) for k in kinds]
    done = 0
    for ct_id, ids in by_type.items():
        done += (
            Notification.objects.for_user(user)
            .unread()
            .filter(kind__in=kinds, content_type_id=ct_id, object_id__in=ids)
            .update(read_at=timezone.now())
        )
    return done


@transaction.atomic
def notification_mark_all_read(*, user) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(*, user, email_kinds: Iterable[str]) -> None:
    """Set the kinds `user` receives by e-mail; all other kinds are off."""
    wanted = {str(k) for k in email_kinds} & set(Notification.Kind.values)
    for kind in Notification.Kind.values:
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": kind in wanted})
