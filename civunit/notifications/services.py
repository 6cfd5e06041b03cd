"""Creating and reading notifications. Every app sends through notify(); it checks that the recipient may read
the object at that moment, stores each (recipient, kind, object, day) once, and queues the e-mail after commit
for those who opted in.

The signature of notify() is the contract the other apps call.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Exists, OuterRef, Q
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

# The objects notifications are about (tasks.services, evidence.services, the bulletins): whether the reader may
# still read each is asked in the notifications' own query when its read rule has a queryset form
# (civunit.access.read_filter). Notifications about any other kind of object are checked object by object
# (_unreadable_pairs), so a kind missing here is only slower, never shown wrongly.
CHECKED_IN_THE_QUERY = ("tasks.task", "evidence.evidenceitem", "reports.bulletin")


def _checked_kinds() -> list[tuple[int, type[models.Model], access.ReadFilter]]:
    """(content type id, model, read filter) of each kind of CHECKED_IN_THE_QUERY that has a read filter."""
    kinds = []
    for label in CHECKED_IN_THE_QUERY:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        read_filter = access.read_filter(model)
        if read_filter is not None:
            kinds.append((ContentType.objects.get_for_model(model).pk, model, read_filter))  # cached by Django
    return kinds


def _readable_in_the_query(user, kinds=None) -> tuple[Q, set[int]]:
    """A condition on notifications: about an object of a kind of CHECKED_IN_THE_QUERY that exists and that
    `user` may read; and the content types it decides (their other notifications fail it)."""
    condition = Q(pk__in=[])
    decided: set[int] = set()
    for ct_id, model, read_filter in _checked_kinds() if kinds is None else kinds:
        decided.add(ct_id)
        rows = read_filter(user, model._default_manager.all())
        if rows.query.is_empty():
            continue
        condition |= Q(content_type_id=ct_id) & Q(Exists(rows.order_by().filter(pk=OuterRef("object_id"))))
    return condition, decided


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
    """The user's notifications about objects they may still read, newest first (a lazy queryset).

    Queries: the page's own, plus one for the kinds of objects not checked in it (and one per such kind present).
    """
    readable, decided = _readable_in_the_query(user)
    qs = Notification.objects.for_user(user).filter(readable | ~Q(content_type_id__in=decided))
    others = Notification.objects.for_user(user).exclude(content_type_id__in=decided)
    pairs = others.values_list("content_type_id", "object_id").distinct().order_by()
    return _excluding(qs, _unreadable_pairs(user, pairs)).newest_first()


# The bell counts at most this many; beyond it shows "99+".
UNREAD_COUNT_CAP = 100


def _unread_query(user, kinds=None):
    readable, decided = _readable_in_the_query(user, kinds)
    rows = (
        Notification.objects.for_user(user)
        .unread()
        .filter(readable | ~Q(content_type_id__in=decided))
        .order_by("-created_at", "-pk")
        .values_list("content_type_id", "object_id")[: UNREAD_COUNT_CAP * 2]
    )
    return rows, decided


# The bell's query, compiled once per kind of reader and kept by the process: building it (the read filters'
# subqueries) costs the ORM several times what the database spends answering it, on every page. A read filter
# depends on nothing but the person's id, roles, office and headships (civunit.access.register_read_filter), so
# these, with the database and the kinds checked (their content types and filters), name the SQL. Bounded:
# emptied when full.
_UNREAD_SQL: dict[tuple, tuple[str, tuple, frozenset[int]]] = {}
_UNREAD_SQL_MAX = 2048


def _unread_rows(user) -> tuple[list[tuple[int, int]], frozenset[int]]:
    using = router.db_for_read(Notification)
    kinds = _checked_kinds()
    key = (
        using,
        tuple((ct_id, read_filter) for ct_id, _, read_filter in kinds),
        user.pk,
        user.is_active,
        user.roles,
        user.office_id,
        user.headed_office_ids,
    )
    compiled = _UNREAD_SQL.get(key)
    if compiled is None:
        rows, decided = _unread_query(user, kinds)
        try:
            sql, params = rows.query.sql_with_params()
        except EmptyResultSet:
            return [], frozenset(decided)
        compiled = (sql, tuple(params), frozenset(decided))
        if len(_UNREAD_SQL) >= _UNREAD_SQL_MAX:
            _UNREAD_SQL.clear()
        _UNREAD_SQL[key] = compiled
    sql, params, decided_ids = compiled
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(ct_id), int(obj_id)) for ct_id, obj_id in cursor.fetchall()], decided_ids


def unread_count(user) -> int:
    """Unread notifications the user may still read, capped at UNREAD_COUNT_CAP.

    Queries: one, which asks whether each object exists and may be read (CHECKED_IN_THE_QUERY); then one per
    other content type among the newest unread rows (none in the usual case), however many notifications there
    are.
    """
    if not access.is_active_user(user):
        return 0
    rows, decided = _unread_rows(user)
    others = [row for row in rows if row[0] not in decided]
    hidden = _unreadable_pairs(user, others) if others else set()
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
