from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civunit.models import TimeStampedModel


class EvidenceCategory(models.TextChoices):
    """Categories of evidence; the standards' requirements and the evidence archive use the same list."""

    OFFICIAL_DOCUMENT = "official_document", _("Official document")  # 正式文件
    MINUTES = "minutes", _("Meeting minutes")  # 会议纪要/记录
    PLAN = "plan", _("Plan or scheme")  # 方案/计划
    SUMMARY = "summary", _("Summary or report")  # 总结/报告
    RULES = "rules", _("Rules and systems")  # 制度
    BRIEFING = "briefing", _("Briefing")  # 简报/信息
    MEDIA_REPORT = "media_report", _("Media report")  # 媒体报道 (link or screenshot)
    PHOTO = "photo", _("Photo")  # 照片
    AUDIO_VIDEO = "audio_video", _("Audio or video")  # 音视频
    TABLE = "table", _("Table or roster")  # 表格/名册
    CERTIFICATE = "certificate", _("Honour certificate")  # 荣誉证书
    OTHER = "other", _("Other")  # 其他


class CampaignQuerySet(models.QuerySet):
    def current(self) -> "Campaign | None":
        return self.filter(is_current=True).first()


class Campaign(TimeStampedModel):
    """One campaign (创建周期) for a title; an organ runs several over time, one is current."""

    class Target(models.TextChoices):
        NATIONAL = "national", _("National civilized unit")
        PROVINCIAL = "provincial", _("Provincial civilized unit")
        MUNICIPAL = "municipal", _("Municipal civilized unit")

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("In progress")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    organ_name = models.CharField(_("organ name"), max_length=100)
    target = models.CharField(_("target"), max_length=20, choices=Target.choices, default=Target.NATIONAL)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    is_current = models.BooleanField(_("current campaign"), default=False)

    # Settings of the campaign (what the province or the leadership group decides).
    explanation_limit = models.PositiveIntegerField(_("explanation report limit (characters)"), default=500)
    stalled_after_days = models.PositiveIntegerField(_("stalled after days without progress"), default=14)
    allow_self_review = models.BooleanField(
        _("allow accepting one's own check-off"),
        default=False,
        help_text=_("For a one-person office: the person who checked a task off may also accept it."),
    )
    max_documents_per_standard = models.PositiveIntegerField(
        _("maximum documents per standard"), null=True, blank=True
    )
    max_photos_per_standard = models.PositiveIntegerField(
        _("maximum photos per standard"), null=True, blank=True
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="campaign_one_current"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="campaign_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WorkArea(TimeStampedModel):
    """A focus area of the plan (学习教育, 推动工作, 创新载体 …) used to group tasks."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="work_areas")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)

    class Meta:
        ordering = ["campaign", "ordering", "pk"]
        verbose_name = _("work area")
        verbose_name_plural = _("work areas")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="workarea_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class CriterionQuerySet(models.QuerySet):
    def standards(self):
        """Leaves of the tree (测评标准)."""
        return self.filter(is_leaf=True)


class Criterion(TimeStampedModel):
    """A node of the evaluation system: item (测评项目), indicator (测评指标) or standard (测评标准).

    An adjacency list: a campaign's whole tree is loaded in one query and assembled in memory.
    """

    class Kind(models.TextChoices):
        SCORED = "scored", _("Scored")
        BONUS = "bonus", _("Bonus")  # 加分项
        DEDUCTION = "deduction", _("Deduction")  # 扣分项

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=30)
    title = models.CharField(_("title"), max_length=500)
    guidance = models.TextField(_("guidance"), blank=True)
    methods = models.JSONField(_("methods"), default=list, blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=7, decimal_places=2, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SCORED)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    # Kept by the import (and by whatever edits the tree): leaves are the standards.
    is_leaf = models.BooleanField(_("is a standard"), default=True)
    requirement_text = models.TextField(_("evidence requirement"), blank=True)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "ordering", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="criterion_unique_code"),
            models.CheckConstraint(
                condition=Q(max_score__isnull=True) | Q(max_score__gte=Decimal(0)),
                name="criterion_max_score_positive",
            ),
        ]
        indexes = [
            # loading a campaign's whole tree in order
            models.Index(fields=["campaign", "ordering"], name="criterion_tree_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CriterionRequirement(models.Model):
    """A structured evidence requirement of a standard: category and minimum count (会议纪要 ≥ 2)."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="requirements")
    category = models.CharField(_("category"), max_length=30, choices=EvidenceCategory.choices)
    min_count = models.PositiveIntegerField(_("minimum count"), default=1)

    class Meta:
        ordering = ["criterion", "pk"]
        verbose_name = _("evidence requirement")
        verbose_name_plural = _("evidence requirements")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "category"], name="requirement_unique_category"),
            models.CheckConstraint(condition=Q(min_count__gte=1), name="requirement_min_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ≥ {self.min_count}"


class ImportRecord(TimeStampedModel):
    """Every import of a table (criteria or task breakdown): who, when, which file, what changed."""

    class Kind(models.TextChoices):
        CRITERIA = "criteria", _("Criteria")
        TASKS = "tasks", _("Task breakdown")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    summary = models.JSONField(_("what changed"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import record")
        verbose_name_plural = _("import records")

    def __str__(self) -> str:
        return self.file_name
