"""Bulletins and the report's history in the admin: to look at, never to change (a published bulletin stays as
published; drafts are the coordinator's, on the bulletin pages; a report record is kept as generated and is marked
sent on the report pages)."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Bulletin, BulletinEvent, ReportRecord


class BulletinEventInline(admin.TabularInline[BulletinEvent, Bulletin]):
    model = BulletinEvent
    extra = 0
    readonly_fields = ("created_at", "actor", "action", "note")
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Bulletin | None = None) -> bool:
        return False


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin[Bulletin]):
    list_display = ["__str__", "status", "period_start", "period_end", "published_at", "published_by"]
    list_filter = ["status", "year"]
    list_select_related = ["published_by"]
    inlines = [BulletinEventInline]
    readonly_fields = ["snapshot", "snapshot_schema", "year", "number", "version"]

    def has_add_permission(self, request: HttpRequest, obj: Bulletin | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Bulletin | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Bulletin | None = None) -> bool:
        return False


@admin.register(ReportRecord)
class ReportRecordAdmin(admin.ModelAdmin[ReportRecord]):
    list_display = ["__str__", "campaign", "author", "report_date", "sent_on"]
    list_filter = ["campaign"]
    list_select_related = ["campaign", "author"]
    readonly_fields = [f.name for f in ReportRecord._meta.get_fields() if getattr(f, "concrete", False)]

    def has_add_permission(self, request: HttpRequest, obj: ReportRecord | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ReportRecord | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ReportRecord | None = None) -> bool:
        return False
