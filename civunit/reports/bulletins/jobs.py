"""Background jobs of bulletins: telling everyone that one is published (queued after the publication commits)."""

from __future__ import annotations

from django.conf import settings
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civunit.accounts.models import User
from civunit.notifications.models import Notification
from civunit.notifications.services import notify
from civunit.reports.models import Bulletin

from .periods import period_label


@task()
def bulletin_notify(bulletin_id: int) -> int:
    """Notify every active person of a published bulletin; returns how many were notified.

    Safe to run again: notify() stores each (person, kind, bulletin, day) once, and the day is the publication's,
    so a retry on a later day adds nothing. The publisher is not notified of their own publication.
    """
    bulletin = Bulletin.objects.select_related("published_by").filter(pk=bulletin_id).first()
    if bulletin is None or not bulletin.is_published:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Bulletin %(number)s (%(period)s) is published.") % {
            "number": _("%(year)s no. %(number)s") % {"year": bulletin.year, "number": bulletin.number},
            "period": period_label(bulletin.period_kind, bulletin.period_start, bulletin.period_end),
        }
    day = timezone.localdate(bulletin.published_at)
    url = bulletin.get_absolute_url()
    sent = 0
    for person in User.objects.filter(is_active=True).order_by("pk").iterator():
        if notify(
            recipient=person,
            kind=Notification.Kind.BULLETIN,
            obj=bulletin,
            text=text,
            actor=bulletin.published_by,
            url=url,
            day=day,
        ):
            sent += 1
    return sent
