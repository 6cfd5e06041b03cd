"""The read side's own records: bulletins (内部通报).

A bulletin is drafted by the coordinator for a period and published once. Publishing stores the figures as they
were that moment (`snapshot`, a JSON document with a schema version) and gives the bulletin its number within the
year (第3期); from then on the bulletin is never edited and its figures are never recomputed, so what a reader sees
is what was published. Every change of state goes through civunit/reports/bulletins/services.py, which writes the
audit record (BulletinEvent) in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civunit.audit import client_address
from civunit.models import TimeStampedModel

# The coordinator's short text (导语) of a bulletin, in characters.
BULLETIN_TEXT_LIMIT = 1000


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Bulletin(TimeStampedModel):
    Status = BulletinStatus

    class PeriodKind(models.TextChoices):
        MONTH = "month", _("By month")
        QUARTER = "quarter", _("By quarter")
        CUSTOM = "custom", _("Custom dates")

    class OfficeOrder(models.TextChoices):
        RANKED = "ranked", _("Ranked by performance")
        ORGAN = "organ", _("In the organ's order")

    campaign = models.ForeignKey(
        "campaign.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="bulletins"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    period_kind = models.CharField(_("period"), max_length=20, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    text = models.TextField(pgettext_lazy("bulletin", "text"), max_length=BULLETIN_TEXT_LIMIT, blank=True)
    office_order = models.CharField(
        _("order of offices"), max_length=20, choices=OfficeOrder.choices, default=OfficeOrder.RANKED
    )
    # Given at publication, in the same transaction (services.bulletin_publish): 第{number}期 of {year}.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, editable=False)
    number = models.PositiveSmallIntegerField(
        pgettext_lazy("bulletin issue", "number"), null=True, blank=True, editable=False
    )
    # The figures as published (see bulletins/snapshot.py); null while a draft, which shows live figures.
    snapshot = models.JSONField(_("figures as published"), null=True, blank=True, editable=False)
    snapshot_schema = models.PositiveSmallIntegerField(_("figures schema"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Every change bumps it; edits and publication are conditional on the version the coordinator saw, so a
    # draft changed in another tab is never published unseen.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year", "-number", "-pk"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            # also the index of the list, newest first
            models.UniqueConstraint(fields=["year", "number"], name="bulletin_unique_number"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="bulletin_period_ordered"),
            models.CheckConstraint(
                condition=(
                    Q(
                        status=BulletinStatus.DRAFT,
                        year__isnull=True,
                        number__isnull=True,
                        snapshot__isnull=True,
                        published_at__isnull=True,
                    )
                    | Q(
                        status=BulletinStatus.PUBLISHED,
                        year__isnull=False,
                        number__isnull=False,
                        snapshot__isnull=False,
                        snapshot_schema__isnull=False,
                        published_at__isnull=False,
                    )
                ),
                name="bulletin_published_has_number_and_figures",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1), name="bulletin_number_positive"
            ),
        ]

    def __str__(self) -> str:
        if self.is_published:
            return str(_("Bulletin %(year)s no. %(number)s") % {"year": self.year, "number": self.number})
        return str(_("Draft bulletin %(start)s–%(end)s") % {"start": self.period_start, "end": self.period_end})

    def get_absolute_url(self) -> str:
        return reverse("reports:bulletin", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class BulletinEvent(models.Model):
    """The audit trail of a bulletin: who drafted, changed and published it, when."""

    class Action(models.TextChoices):
        CREATED = "created", _("Drafted")
        UPDATED = "updated", _("Changed")
        PUBLISHED = "published", _("Published")

    bulletin = models.ForeignKey(Bulletin, verbose_name=_("bulletin"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(
        _("address"), null=True, blank=True, editable=False, default=client_address
    )

    class Meta:
        ordering = ["bulletin", "created_at", "pk"]
        verbose_name = _("bulletin event")
        verbose_name_plural = _("bulletin events")
        indexes = [models.Index(fields=["bulletin", "created_at"], name="bulletinevent_bulletin_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.created_at:%Y-%m-%d %H:%M}"


# --- The readiness check (迎检自查) -------------------------------------------------------------------------------


class Severity(models.TextChoices):
    """How badly a finding of the readiness check would weigh with an inspector (in this order)."""

    CRITICAL = "critical", _("Critical")  # 严重
    WARNING = "warning", _("Warning")  # 警示
    NOTICE = "notice", _("Notice")  # 提示


class ReadinessFindingQuerySet(models.QuerySet["ReadinessFinding"]):
    def open(self) -> ReadinessFindingQuerySet:
        """Findings whose rule still fired at the latest check."""
        return self.filter(resolved_at__isnull=True)


class ReadinessFinding(TimeStampedModel):
    """What the readiness check (civunit/reports/readiness) found at its latest run, kept so that a finding can
    become a rectification task (整改任务) and show that task's state until its rule no longer fires.

    The rules compute findings afresh at every check; each has a stable `key` (rule, standard, office and, for
    some rules, what they are about), and the check records them here (readiness.services.readiness_refresh):
    a new key is added, a changed one updated, one the rules no longer produce is resolved (`resolved_at`), and
    one that fires again is reopened. `created_at` is when it was first found; `checked_at`, of a resolved
    finding, the latest check that still found it; an open one was found by the latest check (ReadinessCheck;
    its `checked_at` is the last time a check wrote it: found first, changed or reopened)."""

    Severity = Severity

    campaign = models.ForeignKey(
        "campaign.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="readiness_findings"
    )
    key = models.CharField(_("key"), max_length=120)
    rule = models.CharField(_("rule"), max_length=40)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    # The standard (or indicator) the finding is about; none for the campaign as a whole and the veto list.
    criterion = models.ForeignKey(
        "campaign.Criterion",
        verbose_name=_("standard"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The office responsible; none where the leadership group's office answers (explanation reports, veto list).
    office = models.ForeignKey(
        "accounts.Office", verbose_name=_("office"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(_("finding"), max_length=500)
    measure = models.CharField(_("suggested measure"), max_length=500, blank=True)
    # What the finding names (evidence items, tasks, requirements): [{"kind", "label", "pk"}], at most
    # readiness.registry.MENTION_LIMIT of `mention_total`.
    mentions = models.JSONField(_("items named"), default=list, blank=True)
    mention_total = models.PositiveIntegerField(_("items in all"), default=0)
    checked_at = models.DateTimeField(_("last found at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # The rectification task the coordinator made of it (readiness.services.finding_rectify).
    task = models.ForeignKey(
        "tasks.Task",
        verbose_name=_("rectification task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ReadinessFindingQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "pk"]
        verbose_name = _("readiness finding")
        verbose_name_plural = _("readiness findings")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="readinessfinding_unique_key"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="readinessfinding_severity_valid"),
        ]
        indexes = [
            # the dashboard's open findings and rectifications of a campaign
            models.Index(fields=["campaign", "resolved_at"], name="readinessfinding_open_idx"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ReadinessCheck(models.Model):
    """The latest recorded run of a campaign's readiness check: when it ran and the change stamp of what it read
    (readiness.stamps: the newest change of everything the rules read, the day and hour, the language). A view
    whose stamp is the recorded one shows the recorded findings instead of running the rules again, as does, for
    READINESS_LAG_SECONDS, one whose stamp moved only with others' day-to-day work; any other change runs the
    check afresh (readiness.services.readiness_check). The row is also what checks of one campaign take
    turns on (SELECT … FOR UPDATE)."""

    campaign = models.OneToOneField(
        "campaign.Campaign",
        verbose_name=_("campaign"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="readiness_check",
    )
    stamp = models.CharField(_("change stamp"), max_length=64, blank=True)
    # the stamp without the day-to-day work (task and evidence events, periods), and the newest of those the
    # check saw: readers may be shown a check that only others' day-to-day work has overtaken, for a while
    exact = models.CharField(_("change stamp without day-to-day work"), max_length=64, blank=True)
    task_event = models.BigIntegerField(_("newest task event"), null=True, blank=True)
    occurrence = models.BigIntegerField(_("newest period"), null=True, blank=True)
    evidence_event = models.BigIntegerField(_("newest evidence event"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("readiness check")
        verbose_name_plural = _("readiness checks")

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.checked_at:%Y-%m-%d %H:%M}"


# --- The report's history (报送记录) ------------------------------------------------------------------------------


class ReportRecord(models.Model):
    """A generated report (civunit/reports/report), kept as it was made: the PDF and its Word copy through the
    Storage API with their SHA-256 and size, who asked for it, and the campaign's figures at that moment.

    Records are made only by civunit/reports/report/history.py (the background job and `build_report --record`)
    and never deleted. Once marked sent (已报送: `sent_on`, `sent_note`) a record is immutable: the service refuses
    any change, the admin is read-only, and a trigger (migration 0003) refuses an UPDATE of any row's files, hashes
    and figures and of anything of a sent row, and on PostgreSQL a DELETE of a sent row (SQLite has none: Django
    flushes an SQLite test database with DELETE)."""

    campaign = models.ForeignKey(
        "campaign.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="report_records"
    )
    created_at = models.DateTimeField(_("generated at"), auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    report_date = models.DateField(_("date of the report"))
    title = models.CharField(_("title"), max_length=300)
    # The campaign's state at generation: {"standards", "standards_met", "score", "max_score", "tasks", ...}.
    summary = models.JSONField(_("campaign at generation"), default=dict, blank=True, editable=False)
    pdf = models.FileField(_("PDF"), max_length=300, editable=False)
    pdf_size = models.PositiveBigIntegerField(_("PDF size (bytes)"), editable=False)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, editable=False)
    docx = models.FileField(_("Word copy"), max_length=300, blank=True, editable=False)
    docx_size = models.PositiveBigIntegerField(_("Word copy size (bytes)"), null=True, blank=True, editable=False)
    docx_sha256 = models.CharField(_("Word copy SHA-256"), max_length=64, blank=True, editable=False)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sent_note = models.CharField(_("note on sending"), max_length=500, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("marked sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report record")
        verbose_name_plural = _("report records")
        indexes = [models.Index(fields=["campaign", "-created_at"], name="reportrecord_campaign_created")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(pdf="") & Q(pdf_size__gt=0) & ~Q(pdf_sha256=""),
                name="reportrecord_has_pdf",
            ),
            models.CheckConstraint(
                condition=Q(docx="", docx_size__isnull=True, docx_sha256="")
                | (~Q(docx="") & Q(docx_size__gt=0) & ~Q(docx_sha256="")),
                name="reportrecord_docx_complete",
            ),
            # Sent: the date, when it was marked and (unless that person was since removed) by whom, all together.
            models.CheckConstraint(
                condition=Q(sent_on__isnull=True, sent_at__isnull=True, sent_note="")
                | Q(sent_on__isnull=False, sent_at__isnull=False),
                name="reportrecord_sent_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:report_record", args=[self.pk])

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
