"""The evidence archive (台账资料): stored files, evidence items and their versions, activities, history.

Design, in short:
- `StoredFile` is one file's bytes on disk, keyed by SHA-256, with what was learnt from its content (kind,
  format, size, EXIF date) and its previews. Several evidence rows may share one stored file (a version that
  only changes metadata keeps the file; demo data at scale shares files).
- `EvidenceItem` is ONE VERSION of an item. The versions of one item share a `lineage` (a UUID) and are chained
  by `previous`; exactly one of them is `is_current` (a database constraint). A new version of an accepted item
  is created with `is_current=False` and status PENDING, and becomes current only when it is accepted
  (`evidence_accept` flips the flags in one transaction), so the accepted version stays current until then.
  Pages list `EvidenceItem.objects.current().alive()`.
- The recycle bin is `deleted_at`/`deleted_by` on every version of the lineage.
- History is `EvidenceEvent`, written by the services in the same transaction as the change.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaign.models import EvidenceCategory
from civunit.audit import client_address
from civunit.models import TimeStampedModel


class EvidenceKind(models.TextChoices):
    """What a file is, decided by sniffing its bytes (never by its name or the browser's claim)."""

    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")
    PDF = "pdf", _("PDF")
    SPREADSHEET = "spreadsheet", _("Spreadsheet")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")
    LINK = "link", _("Link")


class StoredFile(TimeStampedModel):
    """The bytes of one uploaded file, stored under a generated name, never the user's."""

    class PreviewStatus(models.TextChoices):
        PENDING = "pending", _("Preview pending")
        READY = "ready", _("Preview ready")
        NONE = "none", _("No preview for this kind")
        FAILED = "failed", _("Cannot preview")  # 无法预览

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.BigIntegerField(_("size in bytes"))
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    format = models.CharField(_("format"), max_length=20)  # jpeg, png, docx, ofd, mp4 …
    content_type = models.CharField(_("content type"), max_length=100)
    file = models.FileField(_("file"), max_length=255)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at (EXIF)"), null=True, blank=True)
    # A photo's perceptual hash (64-bit pHash, evidence/hashing.py), made with its previews; None for other
    # kinds and until the previews job ran. The readiness check compares them to find the same photo filed twice.
    phash = models.BigIntegerField(_("perceptual hash"), null=True, blank=True)
    preview_status = models.CharField(
        _("preview"), max_length=20, choices=PreviewStatus.choices, default=PreviewStatus.PENDING
    )
    preview_warning = models.CharField(_("preview warning"), max_length=300, blank=True)
    thumbnail = models.FileField(_("thumbnail"), max_length=255, blank=True)
    screen = models.FileField(_("screen preview"), max_length=255, blank=True)
    print_copy = models.FileField(_("print copy"), max_length=255, blank=True)
    # {"thumbnail": {"size": 1234, "sha256": "…"}, …}: what the integrity check compares each stored preview with
    # (previews made before it was recorded have none and are checked for presence only).
    preview_digests = models.JSONField(_("sizes and SHA-256 of the previews"), default=dict, blank=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="storedfile_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.format} {self.sha256[:12]}"

    @property
    def has_preview(self) -> bool:
        return self.preview_status == self.PreviewStatus.READY and bool(self.screen)


class Activity(TimeStampedModel):
    """An activity (活动) that gathers its plan or notice, sign-in sheet, minutes, photos and write-up."""

    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    organiser_office = models.ForeignKey(
        "accounts.Office", verbose_name=_("organiser office"), on_delete=models.PROTECT, related_name="+"
    )
    participants = models.TextField(_("participants"), blank=True)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    standards = models.ManyToManyField(
        "campaign.Criterion", verbose_name=_("standards"), blank=True, related_name="activities"
    )
    # The tasks of the breakdown the activity carries out (a 道德讲堂 session for the task "开展道德讲堂"): what is
    # uploaded into it counts for them, and uploading from one of them offers the activity.
    tasks = models.ManyToManyField("tasks.Task", verbose_name=_("tasks"), blank=True, related_name="activities")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            # the activities of a campaign, newest first
            models.Index(fields=["campaign", "-date"], name="activity_campaign_date_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class EvidenceItemQuerySet(models.QuerySet["EvidenceItem"]):
    def current(self) -> EvidenceItemQuerySet:
        """The current version of each item (the accepted one while a newer version waits for review)."""
        return self.filter(is_current=True)

    def alive(self) -> EvidenceItemQuerySet:
        """Not in the recycle bin."""
        return self.filter(deleted_at__isnull=True)

    def in_recycle_bin(self) -> EvidenceItemQuerySet:
        return self.filter(deleted_at__isnull=False)

    def visible_to(self, user):
        from evidence.access import evidence_visible_to

        return evidence_visible_to(user, self)

    def accepted(self) -> EvidenceItemQuerySet:
        return self.filter(status=EvidenceItem.Status.ACCEPTED)


class EvidenceStatus(models.TextChoices):
    """The review status of an evidence version (EvidenceItem.Status)."""

    PENDING = "pending", _("Awaiting review")  # 待审核
    ACCEPTED = "accepted", _("Accepted")  # 已采用
    RETURNED = "returned", _("Returned")  # 已退回


class EvidenceItem(TimeStampedModel):
    """One version of an evidence item: a file (or a link to a media report) with its caption and links."""

    Status = EvidenceStatus

    campaign = models.ForeignKey(
        "campaign.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="evidence"
    )
    # Versions: all versions of one item share the lineage; `previous` is the version this one replaces.
    lineage = models.UUIDField(_("lineage"), default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_versions",
    )
    is_current = models.BooleanField(_("current version"), default=True)

    stored_file = models.ForeignKey(
        StoredFile,
        verbose_name=_("file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    url = models.URLField(_("link"), max_length=1000, blank=True)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    category = models.CharField(_("category"), max_length=30, choices=EvidenceCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    caption = models.TextField(_("caption"), blank=True)
    description = models.TextField(_("description"), blank=True)
    taken_on = models.DateField(_("date taken"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    people = models.CharField(_("people"), max_length=500, blank=True)

    office = models.ForeignKey(
        "accounts.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="evidence"
    )
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploader"),
        on_delete=models.PROTECT,
        related_name="uploaded_evidence",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
    )
    # The first linked standard; kept equal to the EvidenceStandard row at position 0 by the services.
    primary_standard = models.ForeignKey(
        "campaign.Criterion",
        verbose_name=_("primary standard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    standards = models.ManyToManyField(
        "campaign.Criterion",
        verbose_name=_("standards"),
        through="EvidenceStandard",
        blank=True,
        related_name="evidence",
    )
    tasks = models.ManyToManyField("tasks.Task", verbose_name=_("tasks"), blank=True, related_name="evidence")
    archive_number = models.CharField(_("archive number"), max_length=40, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EvidenceItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="evidence_unique_version"),
            models.UniqueConstraint(
                fields=["lineage"], condition=Q(is_current=True), name="evidence_one_current_version"
            ),
            models.UniqueConstraint(
                fields=["campaign", "archive_number"],
                condition=Q(is_current=True) & ~Q(archive_number=""),
                name="evidence_unique_archive_number_per_campaign",
            ),
            models.CheckConstraint(condition=Q(stored_file__isnull=False) | ~Q(url=""), name="evidence_file_or_link"),
            models.CheckConstraint(condition=Q(status__in=EvidenceStatus.values), name="evidence_status_valid"),
        ]
        indexes = [
            # "my uploads": a person's current items, newest first
            models.Index(fields=["uploader", "-created_at"], name="evidence_uploader_idx"),
            # the office filter of evidence_visible_to and browsing by office
            models.Index(fields=["office", "is_current"], name="evidence_office_idx"),
            # the versions of one item, in order
            models.Index(fields=["lineage", "version"], name="evidence_lineage_idx"),
            # the dashboard's evidence accepted per week and per period: range counts on the review time, read
            # from the index alone (the office last, for an office's view)
            models.Index(
                fields=["campaign", "status", "is_current", "deleted_at", "reviewed_at", "office"],
                name="evidence_accepted_idx",
            ),
            # what awaits review, oldest first (the dashboard's list and the review queue)
            models.Index(fields=["campaign", "status", "created_at"], name="evidence_queue_idx"),
            # the dashboard's evidence per office, sought office by office: the versions awaiting review that are
            # not current, accepted in the period and the one before (a reviewed_at range)
            models.Index(
                fields=["campaign", "deleted_at", "office", "is_current", "status", "reviewed_at", "created_at"],
                name="evidence_by_office_idx",
            ),
            # ... and the office's last upload and its uploads in the period (a created_at range)
            models.Index(fields=["campaign", "deleted_at", "office", "created_at"], name="evidence_office_uploads_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_link(self) -> bool:
        return self.stored_file_id is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class EvidenceStandard(models.Model):
    """A link from an evidence version to a standard; position 0 is its primary standard."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="standard_links")
    criterion = models.ForeignKey("campaign.Criterion", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(pgettext_lazy("order in a list", "position"), default=0)

    class Meta:
        ordering = ["item", "position"]
        verbose_name = _("linked standard")
        verbose_name_plural = _("linked standards")
        constraints = [
            models.UniqueConstraint(fields=["item", "criterion"], name="evidencestandard_unique"),
            models.UniqueConstraint(fields=["item", "position"], name="evidencestandard_unique_position"),
        ]
        indexes = [
            # the evidence of a standard, and organ-wide counts per standard
            models.Index(fields=["criterion", "item"], name="evidencestandard_criterion_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.criterion_id}"


class StandardEvidenceCount(models.Model):
    """How many current, not deleted evidence items of a campaign are linked to a standard, by category and review
    status: the counts `evidence.selectors.standards_evidence` reads (the dashboard, the criteria pages).

    Kept by database triggers (migration 0004) in the same statement as every change that moves a count: a link
    added or removed, an item's current flag, recycle-bin state, category, status or campaign changed, an item
    deleted. The exact counts otherwise read every current item and its links (about 1 µs a link on SQLite,
    0.3 s at 300,000 items), a cost that grows with the archive; this table holds one row per (campaign,
    standard, category, status) whatever the number of items. Never written by the app itself.

    Django's SQLite schema editor rebuilds a table for some changes (copy, drop, rename), dropping its triggers:
    a migration that alters evidence items or links must run migration 0004's create_triggers() again (a test
    checks that the triggers are there)."""

    campaign_id = models.BigIntegerField(_("campaign"))
    criterion_id = models.BigIntegerField(_("standard"))
    category = models.CharField(_("category"), max_length=30)
    status = models.CharField(_("status"), max_length=20)
    n = models.IntegerField(_("items"), default=0)

    class Meta:
        verbose_name = _("evidence count of a standard")
        verbose_name_plural = _("evidence counts of standards")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_id", "criterion_id", "category", "status"], name="standardevidencecount_unique"
            ),
        ]
        indexes = [
            # the counts of some standards (annotate_standards), whatever their campaign
            models.Index(fields=["criterion_id"], name="standardevidencecount_crit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id} {self.category} {self.status}: {self.n}"


class OfficeEvidenceCount(models.Model):
    """How many current, not deleted evidence items of a campaign an office has filed, by review status: the
    counts the dashboard's evidence per office reads (submitted, accepted, returned).

    Kept by database triggers (migration 0006) in the same statement as every change that moves a count: an item
    inserted or deleted, its current flag, recycle-bin state, status, campaign or office changed. Counting the
    items instead is one pass over every item of the campaign, a cost that grows with the archive; this table
    holds one row per (campaign, office, status). Never written by the app itself. As for StandardEvidenceCount,
    a migration that makes SQLite rebuild the evidence items table must run migration 0006's create_triggers()
    again (a test checks that the triggers are there)."""

    campaign_id = models.BigIntegerField(_("campaign"))
    office_id = models.BigIntegerField(_("office"))
    status = models.CharField(_("status"), max_length=20)
    n = models.IntegerField(_("items"), default=0)

    class Meta:
        verbose_name = _("evidence count of an office")
        verbose_name_plural = _("evidence counts of offices")
        constraints = [
            models.UniqueConstraint(fields=["campaign_id", "office_id", "status"], name="officeevidencecount_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.status}: {self.n}"


class ArchiveSequence(models.Model):
    """The last archive number given under one standard (6.2.1-007). Incremented by a conditional UPDATE
    inside the registering transaction, so concurrent uploads never share a number."""

    criterion = models.OneToOneField("campaign.Criterion", on_delete=models.CASCADE, primary_key=True, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("archive number sequence")
        verbose_name_plural = _("archive number sequences")

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.last_number}"


class EvidenceEvent(models.Model):
    """The history of an item (who, when, what), kept even after the item is purged."""

    class Action(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        LINKED = "linked", _("Linked to standards or tasks")
        UPDATED = "updated", _("Changed")
        NEW_VERSION = "new_version", _("New version")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")
        DELETED = "deleted", _("Moved to the recycle bin")
        RESTORED = "restored", _("Restored")
        PURGED = "purged", _("Purged")
        LINKED_IN = "linked_in", _("Linked in from an earlier campaign")
        DOWNLOADED = "downloaded", _("Downloaded")

    lineage = models.UUIDField(_("lineage"))
    item = models.ForeignKey(EvidenceItem, verbose_name=_("version"), null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(
        _("address"), null=True, blank=True, editable=False, default=client_address
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("evidence history entry")
        verbose_name_plural = _("evidence history")
        indexes = [
            # an item's history, in order
            models.Index(fields=["lineage", "at"], name="evidenceevent_lineage_idx"),
            # the dashboard's recent activity: the newest events first, however many there are
            models.Index(fields=["at"], name="evidenceevent_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class ArchiveCheckQuerySet(models.QuerySet["ArchiveCheck"]):
    def newest_first(self) -> ArchiveCheckQuerySet:
        return self.order_by("-started_at", "-pk")


class ArchiveCheck(models.Model):
    """One run of the integrity check (verify_archive): every stored original and derived file against the
    database. The counts say what was found; `findings` keeps the first MAX_KEPT findings, one line each."""

    MAX_KEPT = 200

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    storage = models.CharField(_("storage"), max_length=200, blank=True)
    files_checked = models.PositiveIntegerField(_("files checked"), default=0)
    bytes_checked = models.PositiveBigIntegerField(_("bytes read"), default=0)
    missing = models.PositiveIntegerField(_("missing files"), default=0)
    mismatched = models.PositiveIntegerField(_("files whose size or SHA-256 differs"), default=0)
    orphans = models.PositiveIntegerField(_("files no row refers to"), default=0)
    unverified = models.PositiveIntegerField(_("previews without a recorded digest"), default=0)
    findings = models.JSONField(_("findings"), default=list, blank=True)

    objects = ArchiveCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("archive integrity check")
        verbose_name_plural = _("archive integrity checks")
        indexes = [
            # the latest check (the dashboard's card, the archive page, `verify_archive --if-due`)
            models.Index(fields=["-started_at"], name="archivecheck_latest_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(finished_at__gte=models.F("started_at")), name="archivecheck_times"),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.problems})"

    def get_absolute_url(self) -> str:
        return reverse("evidence:archive_check", args=[self.pk])

    @property
    def problems(self) -> int:
        return self.missing + self.mismatched + self.orphans

    @property
    def ok(self) -> bool:
        return self.problems == 0
