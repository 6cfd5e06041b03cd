"""The admin shows the archive to administrators for support; it changes no files (uploads go through the
pages, which sniff, hash and store them)."""

from django.contrib import admin

from .models import Activity, EvidenceEvent, EvidenceItem, StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    list_display = ["sha256", "format", "kind", "size", "preview_status", "created_at"]
    list_filter = ["kind", "preview_status"]
    search_fields = ["sha256"]
    readonly_fields = [f.name for f in StoredFile._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(EvidenceItem)
class EvidenceItemAdmin(admin.ModelAdmin):
    list_display = ["title", "archive_number", "kind", "category", "office", "uploader", "status", "is_current"]
    list_filter = ["kind", "category", "status", "is_current", "office"]
    list_select_related = ["office", "uploader"]
    search_fields = ["title", "archive_number", "original_name"]
    raw_id_fields = ["stored_file", "previous", "primary_standard", "activity", "uploader", "reviewed_by", "deleted_by"]
    readonly_fields = ["lineage", "version", "stored_file", "archive_number", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "organiser_office", "place"]
    list_select_related = ["organiser_office"]
    search_fields = ["title", "place", "theme"]
    filter_horizontal = ["standards"]


@admin.register(EvidenceEvent)
class EvidenceEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "item", "ip_address"]
    list_select_related = ["actor", "item"]
    list_filter = ["action"]
    readonly_fields = [f.name for f in EvidenceEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
