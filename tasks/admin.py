"""The administrator may look at tasks and their audit trail here; changes go through the pages (and so through
tasks.services, which records who did what), never through the admin."""

from django.contrib import admin

from .models import ProgressReport, Task, TaskEvent, TaskOccurrence


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TaskEventInline(admin.TabularInline):
    model = TaskEvent
    extra = 0
    fields = readonly_fields = ("created_at", "actor", "action", "from_status", "to_status", "source", "note")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "lead_office", "status", "deadline", "recurrence", "campaign"]
    list_filter = ["campaign", "status", "recurrence", "lead_office"]
    search_fields = ["code", "title", "measures"]
    list_select_related = ["lead_office", "campaign"]
    ordering = ["campaign", "code_key"]
    inlines = [TaskEventInline]


@admin.register(TaskEvent)
class TaskEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "task", "actor", "action", "from_status", "to_status", "source", "ip_address"]
    list_filter = ["action", "source"]
    list_select_related = ["task", "actor"]
    search_fields = ["task__code", "task__title", "note"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "task", "author"]
    list_select_related = ["task", "author"]
    search_fields = ["task__code", "text"]


@admin.register(TaskOccurrence)
class TaskOccurrenceAdmin(ReadOnlyAdmin):
    list_display = ["task", "period_start", "period_end", "status", "checked_off_late"]
    list_filter = ["status"]
    list_select_related = ["task"]
