import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civunit.audit import client_address
from civunit.models import TimeStampedModel

from .text import count_chars, normalize_newlines


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
    """The one way to find the current campaign (at most one, a database constraint)."""

    def filter_current(self) -> "CampaignQuerySet":
        """The current campaign as a queryset of at most one row, for filters and subqueries
        (`Task.objects.filter(campaign__in=Campaign.objects.filter_current())`)."""
        return self.filter(is_current=True)

    def current(self) -> "Campaign | None":
        """The current campaign, or None. Chains: `Campaign.objects.prefetch_related("stages").current()`."""
        return self.filter_current().first()


class Campaign(TimeStampedModel):
    """One campaign (创建周期) for a title; an organ runs several over time, one is current."""

    class Target(models.TextChoices):
        NATIONAL = "national", _("National civilized unit")
        PROVINCIAL = "provincial", _("Provincial civilized unit")
        MUNICIPAL = "municipal", _("Municipal civilized unit")
        # The yearly review (复查) of a unit that holds the title: checked again, it must keep its standing.
        NATIONAL_REVIEW = "national_review", _("National civilized unit, yearly review")
        PROVINCIAL_REVIEW = "provincial_review", _("Provincial civilized unit, yearly review")

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("In progress")
        # Finished and archived: read-only (campaign.access.require_open); its pages and exports stay readable.
        CLOSED = "closed", _("Archived")

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
    block_incomplete_completion = models.BooleanField(
        _("refuse incomplete check-offs"),
        default=False,
        help_text=_(
            "Refuse to check off a task whose standards lack the required evidence or whose sub-tasks are open, "
            "and to mark such a standard met, instead of asking for confirmation."
        ),
    )
    max_documents_per_standard = models.PositiveIntegerField(_("maximum documents per standard"), null=True, blank=True)
    max_photos_per_standard = models.PositiveIntegerField(_("maximum photos per standard"), null=True, blank=True)
    # Shown above the criteria tree, e.g. that the demo table is an example to be replaced by the official one.
    criteria_note = models.CharField(_("note on the criteria table"), max_length=300, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="campaign_one_current"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="campaign_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_archived(self) -> bool:
        """Finished: nothing of it changes any more (every state-changing view refuses, campaign.access)."""
        return self.status == self.Status.CLOSED

    @property
    def inspection_date(self) -> datetime.date | None:
        """The 迎检验收 date other pages count down to: the start of the inspection stage.

        Uses prefetched stages when the caller prefetched them (`prefetch_related("stages")`), else one query.
        """
        if "stages" in getattr(self, "_prefetched_objects_cache", {}):
            stages = [s for s in self.stages.all() if s.kind == Stage.Kind.INSPECTION]
        else:
            stages = list(self.stages.filter(kind=Stage.Kind.INSPECTION).order_by("start_date")[:1])
        return stages[0].start_date if stages else None


class CampaignAction(models.TextChoices):
    """What happened to a campaign (CampaignEvent.Action)."""

    STARTED = "started", _("Started from an earlier campaign")
    MADE_CURRENT = "made_current", _("Made the current campaign")
    ARCHIVED = "archived", _("Archived")
    REOPENED = "reopened", _("Reopened")


class CampaignEvent(models.Model):
    """The audit trail of the campaigns themselves: which was started from which, made current, archived or
    reopened, by whom and when (written by campaign.services in the same transaction as the change)."""

    Action = CampaignAction

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        COMMAND = "command", _("Command line")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.WEB)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    # e.g. {"previous": 3} (the campaign that was current before), {"from": 3, "copied": {...}}
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(
        _("address"), null=True, blank=True, editable=False, default=client_address
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=CampaignAction.values),
                name="campaignevent_action_valid",
            ),
        ]
        indexes = [
            # the campaigns page lists the newest events first
            models.Index(fields=["-created_at"], name="campaignevent_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.campaign_id}"


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
        # The tree belongs to its campaign: deleting a campaign (or a node in the admin) takes the subtree.
        # Imports never delete a node anything outside the table links to (services.criterion_links).
        on_delete=models.CASCADE,
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


class HistoryAddress(models.Model):
    """What django-simple-history keeps of each change, plus the address it came from (the audit trail's "from
    which address"): the historical rows take the request's address the way every event model does."""

    ip_address = models.GenericIPAddressField(
        _("address"), null=True, blank=True, editable=False, default=client_address
    )

    class Meta:
        abstract = True


class Plan(TimeStampedModel):
    """The implementation plan (实施方案) of a campaign: its sections as text."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="plan")
    guiding_ideology = models.TextField(_("guiding ideology"), blank=True)  # 指导思想
    goals = models.TextField(_("goals and tasks"), blank=True)  # 目标任务
    measures = models.TextField(_("methods and measures"), blank=True)  # 方法措施
    organisation = models.TextField(_("organisation and leadership"), blank=True)  # 组织领导
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(bases=[HistoryAddress])

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")

    def __str__(self) -> str:
        return str(_("Implementation plan"))


class Stage(TimeStampedModel):
    """A stage of the plan (阶段安排) with its dates."""

    class Kind(models.TextChoices):
        MOBILISATION = "mobilisation", _("Mobilisation")  # 动员部署
        IMPLEMENTATION = "implementation", _("Implementation")  # 组织实施
        SELF_CHECK = "self_check", _("Self-check and rectification")  # 自查整改
        INSPECTION = "inspection", _("Inspection and acceptance")  # 迎检验收
        OTHER = "other", _("Other")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)

    class Meta:
        ordering = ["campaign", "ordering", "start_date", "pk"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="stage_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_inspection(self) -> bool:
        return self.kind == self.Kind.INSPECTION


class LeadershipMember(TimeStampedModel):
    """A member of the leadership group (领导小组) as the plan states it, linked to an account where there is one."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Group leader")  # 组长
        DEPUTY = "deputy", _("Deputy group leader")  # 副组长
        OFFICE_DIRECTOR = "office_director", _("Director of the group's office")  # 办公室主任
        MEMBER = "member", _("Member")  # 成员

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="leadership")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    name = models.CharField(_("name"), max_length=50)
    position = models.CharField(_("position"), max_length=100, blank=True)
    duties = models.TextField(_("duties"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leadership_roles",
    )
    ordering = models.PositiveIntegerField(_("ordering"), default=0)

    class Meta:
        ordering = ["campaign", "ordering", "pk"]
        verbose_name = _("leadership group member")
        verbose_name_plural = _("leadership group members")

    def __str__(self) -> str:
        return self.name


class VetoCondition(TimeStampedModel):
    """An entry of the negative list (负面清单, 一票否决): a yes/no gate, not a score.

    Imported from the criteria table's veto branch; a group row (the branch's root) has children.
    """

    class Status(models.TextChoices):
        CLEAR = "clear", _("Not touched")  # 未触及
        AT_RISK = "at_risk", _("At risk")  # 存在风险
        TRIGGERED = "triggered", _("Triggered")  # 已触及

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="veto_conditions")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField(_("code"), max_length=30)
    title = models.CharField(_("title"), max_length=500)
    guidance = models.TextField(_("guidance"), blank=True)
    methods = models.JSONField(_("methods"), default=list, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CLEAR)
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["guidance", "methods", "ordering", "level"], bases=[HistoryAddress])

    class Meta:
        ordering = ["campaign", "ordering", "pk"]
        verbose_name = _("veto condition")
        verbose_name_plural = _("veto conditions")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="veto_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Assessment(TimeStampedModel):
    """The self-assessment of a standard: status and self score. Its history keeps who changed what, when."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")  # 未开始
        IN_PROGRESS = "in_progress", _("In progress")  # 推进中
        BASICALLY_MET = "basically_met", _("Basically met")  # 基本达标
        MET = "met", _("Met")  # 达标

    criterion = models.OneToOneField(Criterion, on_delete=models.CASCADE, related_name="assessment")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    self_score = models.DecimalField(_("self score"), max_digits=7, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(bases=[HistoryAddress])

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | Q(self_score__gte=Decimal(0)),
                name="assessment_score_not_negative",
            ),
        ]
        indexes = [
            # roll-ups count standards by status
            models.Index(fields=["status"], name="assessment_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.get_status_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        criterion = self.criterion
        if (
            self.self_score is not None
            and criterion.max_score is not None
            and criterion.kind in (Criterion.Kind.SCORED, Criterion.Kind.BONUS)
            and self.self_score > criterion.max_score
        ):
            raise ValidationError(
                {
                    "self_score": _("The self score may not exceed the maximum score of %(max)s.")
                    % {"max": criterion.max_score.normalize()}
                }
            )


class Explanation(TimeStampedModel):
    """The explanation report (说明报告) of an indicator, at most Campaign.explanation_limit characters.

    Characters are Unicode code points after CRLF → LF, counted the same way by campaign-explanation.js.
    """

    criterion = models.OneToOneField(Criterion, on_delete=models.CASCADE, related_name="explanation")
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(bases=[HistoryAddress])

    class Meta:
        verbose_name = _("explanation report")
        verbose_name_plural = _("explanation reports")

    def __str__(self) -> str:
        return f"{self.criterion_id}"

    @property
    def char_count(self) -> int:
        return count_chars(self.text)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.text = normalize_newlines(self.text)
        limit = self.criterion.campaign.explanation_limit
        if count_chars(self.text) > limit:
            raise ValidationError(
                {
                    "text": _("The explanation report has %(count)d characters; the limit is %(limit)d.")
                    % {"count": count_chars(self.text), "limit": limit}
                }
            )
