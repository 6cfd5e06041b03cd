from django.contrib import admin
from django.http import HttpRequest

from .models import FileDownload, Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin[Job]):
    list_display = ["pk", "kind", "status", "stage", "done", "total", "requested_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False


@admin.register(FileDownload)
class FileDownloadAdmin(admin.ModelAdmin[FileDownload]):
    """Read-only: a download record is evidence of who took which file."""

    list_display = ["at", "source", "object_id", "variant", "file_name", "actor", "ip_address"]
    list_filter = ["source"]
    readonly_fields = [f.name for f in FileDownload._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: FileDownload | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: FileDownload | None = None) -> bool:
        return False
