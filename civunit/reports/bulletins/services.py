"""Drafting, changing, publishing and deleting bulletins. Each change is one transaction with its audit record
(BulletinEvent); changes are conditional UPDATEs on the draft's status and version, so a bulletin published or
changed in another tab is never overwritten, and publishing twice gives one number.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Subquery, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from civunit.reports import robots
from civunit.reports.models import Bulletin, BulletinEvent

from . import access
from .jobs import bulletin_notify
from .snapshot import SNAPSHOT_SCHEMA, build_snapshot

if TYPE_CHECKING:
    from campaign.models import Campaign
    from civunit.accounts.models import User


class BulletinError(Exception):
    """A change that cannot be made; the message is shown to the user as it is."""


class StaleBulletin(BulletinError):
    def __init__(self, message: str | None = None):
        super().__init__(
            message or _("This bulletin was changed or published in the meantime. Reload the page and try again.")
        )


# How often publishing retries when another bulletin of the same year took the number it computed (PostgreSQL:
# two publications at the same moment; SQLite's writers take turns, so it never happens there).
_NUMBERING_ATTEMPTS = 5


def _event(*, bulletin: Bulletin, user: User, action: str, note: str = "") -> BulletinEvent:
    return BulletinEvent.objects.create(bulletin=bulletin, actor=user, action=action, note=note)


@transaction.atomic
def bulletin_create(
    *,
    user: User,
    campaign: Campaign,
    period_kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    office_order: str,
    text: str = "",
) -> Bulletin:
    access.require_manage(user)
    bulletin = Bulletin.objects.create(
        campaign=campaign,
        period_kind=period_kind,
        period_start=period_start,
        period_end=period_end,
        office_order=office_order,
        text=text,
        created_by=user,
    )
    _event(bulletin=bulletin, user=user, action=BulletinEvent.Action.CREATED)
    return bulletin


@transaction.atomic
def bulletin_update(
    *,
    bulletin: Bulletin,
    user: User,
    version: int,
    period_kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    office_order: str,
    text: str = "",
) -> Bulletin:
    """Change a draft, if it is still the draft (and the version) the coordinator edited."""
    access.require_manage(user)
    values = {
        "period_kind": period_kind,
        "period_start": period_start,
        "period_end": period_end,
        "office_order": office_order,
        "text": text,
    }
    updated = Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.DRAFT, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise StaleBulletin()
    _event(bulletin=bulletin, user=user, action=BulletinEvent.Action.UPDATED)
    for name, value in values.items():
        setattr(bulletin, name, value)
    bulletin.version = version + 1
    return bulletin


def _next_number(year: int) -> CombinedExpression:
    """The number after the year's highest, computed by the database inside the UPDATE that assigns it."""
    highest = (
        Bulletin.objects.filter(year=year).order_by().values("year").annotate(highest=Max("number")).values("highest")
    )
    return Coalesce(Subquery(highest), Value(0)) + 1


@transaction.atomic
def bulletin_publish(*, bulletin: Bulletin, user: User, version: int, today: datetime.date | None = None) -> Bulletin:
    """Publish a draft: freeze its figures, give it the next number of the year, tell everyone.

    The figures are computed inside this transaction and stored with the number in one conditional UPDATE (on
    the draft's status and the version the coordinator previewed). The number is the year's highest plus one,
    computed by that UPDATE; the unique (year, number) constraint turns a concurrent publication that computed
    the same number into an IntegrityError, and the UPDATE is retried in a savepoint with the next one.
    Notifications are queued after commit (jobs.bulletin_notify), so a rolled-back publication tells nobody; so
    are the messages to the organ's group robots (robots.bulletin_published).
    """
    access.require_manage(user)
    today = today or timezone.localdate()
    snapshot = build_snapshot(bulletin, user=user, today=today)
    now = timezone.now()
    rows = Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.DRAFT, version=version)
    for attempt in range(_NUMBERING_ATTEMPTS):
        try:
            with transaction.atomic():
                updated = rows.update(
                    status=Bulletin.Status.PUBLISHED,
                    year=today.year,
                    number=_next_number(today.year),
                    snapshot=snapshot,
                    snapshot_schema=SNAPSHOT_SCHEMA,
                    published_at=now,
                    published_by=user,
                    version=F("version") + 1,
                    updated_at=now,
                )
            break
        except IntegrityError:
            if attempt == _NUMBERING_ATTEMPTS - 1:
                raise
    if updated != 1:
        raise StaleBulletin()
    bulletin.refresh_from_db()
    _event(bulletin=bulletin, user=user, action=BulletinEvent.Action.PUBLISHED, note=str(bulletin))
    pk = bulletin.pk
    transaction.on_commit(lambda: bulletin_notify.enqueue(pk))
    # The organ's group robots: their messages are stored with the publication and delivered after it commits.
    robots.bulletin_published(bulletin)
    return bulletin


@transaction.atomic
def bulletin_delete(*, bulletin: Bulletin, user: User, version: int) -> None:
    """Delete a draft (its audit trail goes with it: nobody but the coordinator ever saw it)."""
    access.require_manage(user)
    deleted, _rows = Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.DRAFT, version=version).delete()
    if not deleted:
        raise StaleBulletin()
