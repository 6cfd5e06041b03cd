"""Group robots (企业微信, 钉钉, 飞书 webhooks) and the log of what was sent to them.

A robot's webhook address carries its access token, and its signing secret (钉钉 加签, 飞书 签名校验) proves the
message comes from us: both are stored encrypted (`crypto.py`, a key from the environment), so a database dump
alone reveals neither. `url_hint` is the masked address the pages show.

A RobotMessage is one message for one robot, identified by (robot, kind, day, ref): the daily digest of an office
is (robot, digest, that day, ""), the leadership's weekly summary (robot, weekly, the week's Monday, ""), a
bulletin (robot, bulletin, the day it was published, its id), a test (robot, test, today, a random value). The
unique constraint on that key is what makes sending idempotent, whatever the number of runs.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civunit.models import TimeStampedModel


class RobotKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk custom robot")
    FEISHU = "feishu", _("Feishu custom bot")


class RobotGroup(models.TextChoices):
    """Which group a robot posts in: an office's work group, the whole organ's, or the leadership group's."""

    OFFICE = "office", _("An office's group")
    ORGAN = "organ", _("The whole organ's group")
    LEADERSHIP = "leadership", _("The leadership group's group")


class Robot(TimeStampedModel):
    Kind = RobotKind
    Group = RobotGroup

    group = models.CharField(_("group"), max_length=20, choices=RobotGroup.choices, default=RobotGroup.OFFICE)
    office = models.ForeignKey(
        "accounts.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="robots",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RobotKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    # Fernet tokens (crypto.encrypt): never shown, never logged.
    url_encrypted = models.TextField(editable=False)
    secret_encrypted = models.TextField(blank=True, editable=False)
    # The address with its token masked, for the pages and `robots list`.
    url_hint = models.CharField(pgettext_lazy("web address", "address"), max_length=300, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering: ClassVar = ["group", "office__ordering", "office__name", "pk"]
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(group=RobotGroup.OFFICE) & Q(office__isnull=False))
                | (~Q(group=RobotGroup.OFFICE) & Q(office__isnull=True)),
                name="robot_office_iff_office_group",
            ),
            models.CheckConstraint(condition=Q(kind__in=RobotKind.values), name="robot_kind_valid"),
            models.CheckConstraint(condition=Q(group__in=RobotGroup.values), name="robot_group_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.target_label} · {self.get_kind_display()}{f' · {self.name}' if self.name else ''}"

    @property
    def target_label(self) -> str:
        if self.group == RobotGroup.OFFICE and self.office is not None:
            return self.office.name
        return str(RobotGroup(self.group).label)

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)

    @property
    def signs(self) -> bool:
        """钉钉 and 飞书 robots sign their messages when they have a secret; 企业微信's have none."""
        return self.kind != RobotKind.WECOM and self.has_secret


class RobotMessageKind(models.TextChoices):
    DIGEST = "digest", _("Daily digest")
    WEEKLY = "weekly", _("Weekly summary")
    BULLETIN = "bulletin", _("Bulletin")
    TEST = "test", _("Test message")


class RobotMessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class RobotMessage(TimeStampedModel):
    Kind = RobotMessageKind
    Status = RobotMessageStatus

    robot = models.ForeignKey(Robot, verbose_name=_("robot"), on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=20, choices=RobotMessageKind.choices)
    # The local (Asia/Shanghai) day the message is for: with robot, kind and ref, the key of idempotence.
    day = models.DateField(_("day"))
    ref = models.CharField(_("reference"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200)
    # What is posted, as the robot's API wants it, without the signature (added at each attempt: it is dated).
    body = models.JSONField(_("body"))
    status = models.CharField(
        _("status"), max_length=20, choices=RobotMessageStatus.choices, default=RobotMessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The robot's answer (or why there was none), cut to a few hundred characters.
    response = models.TextField(_("answer"), blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        verbose_name = _("robot message")
        verbose_name_plural = _("robot messages")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["robot", "kind", "day", "ref"], name="robot_message_once"),
            models.CheckConstraint(
                condition=Q(status__in=RobotMessageStatus.values), name="robot_message_status_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=RobotMessageKind.values), name="robot_message_kind_valid"),
        ]
        indexes: ClassVar = [
            # the rate limit: a robot's attempts within the last minute
            models.Index(fields=["robot", "last_attempt_at"], name="robot_message_attempt_idx"),
            # the failed messages shown to the coordinator, and the pending ones send_reminders queues again
            models.Index(fields=["status", "day"], name="robot_message_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day} → {self.robot_id}: {self.status}"
