from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Assessment,
    Campaign,
    Criterion,
    CriterionRequirement,
    Explanation,
    ImportRecord,
    LeadershipMember,
    Plan,
    Stage,
    VetoCondition,
    WorkArea,
)


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


class WorkAreaInline(admin.TabularInline):
    model = WorkArea
    extra = 0


class LeadershipInline(admin.TabularInline):
    model = LeadershipMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "organ_name", "target", "start_date", "end_date", "status", "is_current"]
    list_filter = ["status", "target", "is_current"]
    inlines = [StageInline, WorkAreaInline, LeadershipInline]


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["campaign", "updated_at", "updated_by"]
    raw_id_fields = ["updated_by"]


class RequirementInline(admin.TabularInline):
    model = CriterionRequirement
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "level", "kind", "max_score", "is_leaf", "campaign"]
    list_filter = ["campaign", "level", "kind", "is_leaf"]
    search_fields = ["code", "title"]
    raw_id_fields = ["parent"]
    inlines = [RequirementInline]


@admin.register(VetoCondition)
class VetoConditionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "status", "campaign"]
    list_filter = ["campaign", "status"]
    raw_id_fields = ["parent", "updated_by"]


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["criterion", "status", "self_score", "updated_by", "updated_at"]
    list_filter = ["status"]
    raw_id_fields = ["criterion", "updated_by"]


@admin.register(Explanation)
class ExplanationAdmin(SimpleHistoryAdmin):
    list_display = ["criterion", "updated_by", "updated_at"]
    raw_id_fields = ["criterion", "updated_by"]


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ["file_name", "kind", "campaign", "user", "created_at"]
    list_filter = ["kind", "campaign"]
    readonly_fields = ["campaign", "kind", "user", "file_name", "sha256", "summary", "created_at"]
