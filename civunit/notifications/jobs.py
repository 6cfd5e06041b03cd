"""Background jobs: the e-mail copy of a notification, sent by the worker after the transaction committed."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civunit import access

logger = logging.getLogger(__name__)


def _absolute(url: str) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{base}{url}" if base else url


@task()
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification to its recipient, once. Returns whether a message went out.

    Checked again at send time: the notification still exists and was not mailed yet, the recipient is
    active, has an address, still opts in for its kind, and may still read the object.
    """
    from .models import Notification, NotificationPreference

    notification = Notification.objects.select_related("recipient", "content_type").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    if not (recipient.is_active and recipient.email):
        return False
    if not NotificationPreference.wants_email(recipient, notification.kind):
        return False
    target = notification.target
    if target is None or not access.can_read(recipient, target):
        return False
    # Claim it first (a conditional update), so that two workers never both send it.
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Civilized unit campaign] %(kind)s") % {"kind": notification.kind_label}
        lines = [notification.text]
        if notification.url:
            lines += ["", _absolute(notification.url)]
        lines += ["", _("You receive this e-mail because you chose it on the notification settings page.")]
    try:
        send_mail(subject, "\n".join(lines), None, [recipient.email])
    except Exception:
        # Let a later retry send it.
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        logger.exception("Sending notification %s by e-mail failed", notification.pk)
        raise
    return True
