"""Bulletins in the admin: to look at, never to change (a published bulletin stays as published; drafts are
the coordinator's, on the bulletin pages)."""

from django.contrib import admin

from .models import Bulletin, BulletinEvent


class BulletinEventInline(admin.TabularInline):
    model = BulletinEvent
    extra = 0
    fields = ["created_at", "actor", "action", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "period_start", "period_end", "published_at", "published_by"]
    list_filter = ["status", "year"]
    list_select_related = ["published_by"]
    inlines = [BulletinEventInline]
    readonly_fields = ["snapshot", "snapshot_schema", "year", "number", "version"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
