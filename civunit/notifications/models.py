"""In-app notifications and each person's e-mail opt-in per kind.

A notification points at its object through a generic relation (content type + object id), so every app sends
through the same function (services.notify) and the list can re-check, at read time, that the recipient may
still read the object.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from civunit.models import TimeStampedModel


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def newest_first(self) -> NotificationQuerySet:
        return self.order_by("-created_at", "-pk")


class Notification(TimeStampedModel):
    class Kind(models.TextChoices):
        # Later issues add their own kinds here (or pass a string value of at most 40 characters).
        ASSIGNED = "assigned", _("Assigned to you")
        RETURNED = "returned", _("Returned to you")
        DUE_SOON = "due_soon", _("Deadline approaching")
        OVERDUE = "overdue", _("Overdue")
        AWAITING_REVIEW = "awaiting_review", _("Awaiting your review")
        EVIDENCE_RETURNED = "evidence_returned", _("Evidence returned")
        TASK_ACCEPTED = "task_accepted", _("Task accepted")
        EVIDENCE_ACCEPTED = "evidence_accepted", _("Evidence accepted")
        BULLETIN = "bulletin", _("Bulletin published")
        ARCHIVE_CHECK_FAILED = "archive_check_failed", _("Archive integrity check failed")
        BACKUP_FAILED = "backup_failed", _("Backup failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    content_type = models.ForeignKey(ContentType, verbose_name=_("object type"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    text = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The local (Asia/Shanghai) date the notification is about: the de-duplication key with recipient, kind
    # and object, so a reminder computed twice on one day (or a repeated event) is stored once.
    day = models.DateField(_("day"))
    # For date-driven reminders: days left until the deadline (7, 1) or days overdue; None for events.
    days = models.SmallIntegerField(_("days"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "content_type", "object_id", "day"],
                name="notification_once_per_object_kind_day",
            ),
        ]
        indexes = [
            # the bell (unread of one person) and the list page (a person's notifications, newest first)
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"),
            # tasks.reminders.send_reminders: earlier reminders about a set of objects of one kind
            models.Index(fields=["kind", "content_type", "object_id"], name="notification_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def tone(self) -> str:
        """The Bootstrap colour of the kind's badge."""
        return _TONES.get(self.kind, "primary")

    @property
    def kind_label(self) -> str:
        try:
            return str(self.Kind(self.kind).label)
        except ValueError:
            return self.kind


_TONES: dict[str, str] = {
    Notification.Kind.OVERDUE: "danger",
    Notification.Kind.DUE_SOON: "warning",
    Notification.Kind.RETURNED: "secondary",
    Notification.Kind.EVIDENCE_RETURNED: "secondary",
    Notification.Kind.TASK_ACCEPTED: "success",
    Notification.Kind.EVIDENCE_ACCEPTED: "success",
}


class NotificationPreference(TimeStampedModel):
    """A person's choice to also receive one kind of notification by e-mail.

    No row means no e-mail: e-mail is opt-in (the bell is the place people look; the organ's mail may be a
    closed-network system people read rarely, and unasked-for mail per event trains people to ignore it).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Notification.Kind.choices)
    email = models.BooleanField(_("by e-mail"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} email={self.email}"

    @classmethod
    def wants_email(cls, user, kind: str) -> bool:
        return cls.objects.filter(user=user, kind=kind, email=True).exists()


# The group robots' models live beside their machinery (robots/models.py); Django finds them through this import.
from .robots.models import Robot, RobotMessage  # noqa: E402

__all__ = ["Notification", "NotificationPreference", "Robot", "RobotMessage"]
